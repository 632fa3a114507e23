#!/usr/bin/python3
"""Times compiled loss-mlir losses against PyTorch eager on the CPU, with the
machine's read bandwidth measured in the same run.

Each case is one MLIR function calling the loss. It is compiled with
loss-compile into a shared library (through the `loss_mlir` Python package),
serially and with OpenMP threads, and called through its C entry point on
the same torch tensors PyTorch gets (built from a hash of each element's
index, test/Integration/generators/hashgen.py), with caller-owned result
buffers allocated once, as a training loop holds them: REPEAT calls between
two perf_counter() readings. PyTorch (Debian's python3-torch, same machine,
same thread count) runs the same loss on the same inputs, allocating its
results as its API does, and both values must agree. The read bandwidth is
that of torch.sum over a 512 MiB float32 tensor on the same threads; each
case's share of it is (bytes of its inputs) / (time) / bandwidth.

    /usr/bin/python3 benchmarks/bench.py [--threads 2] [--only cross_entropy]
        [--json benchmarks/results.json] [--png benchmarks/results.png]

Prints a table (milliseconds, speed-up over PyTorch, share of bandwidth,
and the milliseconds `loss-opt --loss-lower-to-llvm` takes on the case),
writes it as JSON, and draws the speed-ups as a PNG when matplotlib
(python3-matplotlib) is installed. `--serial-pipeline FILE` instead runs
the serial column through mlir-runner with a textual pass pipeline, to
compare pipelines.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "test", "Integration", "generators"))
sys.path.insert(0, os.path.join(ROOT, "python"))
from hashgen import Gen  # noqa: E402
from lossgen import MLIR_TYPES  # noqa: E402

LLVM = "/usr/lib/llvm-22"
f32, i64 = torch.float32, torch.int64


def sym(name, shape, seed):
    """Floats in [-2, 2)."""
    return Gen(name, shape, f32, seed, scale_log2=-30, offset=-2.0)


def unit(name, shape, seed):
    """Floats in (0, 1)."""
    return Gen(name, shape, f32, seed, scale_log2=-32, half=True)


def classes(name, shape, c, seed):
    return Gen(name, shape, i64, seed, mod=c)


def ce(n, c, seed=1):
    return {"x": Gen("x", (n, c), f32, seed, scale_log2=-28, offset=-8.0),
            "t": classes("t", (n,), c, seed + 1)}


def pair(n, seed):
    return {"x": sym("x", (4096, n // 4096), seed),
            "t": unit("t", (4096, n // 4096), seed + 1)}


def ce_forward_backward(x, t):
    """PyTorch's training step of a loss: autograd's forward and backward."""
    loss = F.cross_entropy(x, t)
    grad, = torch.autograd.grad(loss, x)
    return loss


# Cases whose op is a gradient op returning (grad, loss): the function
# returns both, and the bytes moved are those of the fused structure (the
# logits read twice, dlogits written once, the targets read).
GRAD = "grad:"

M16 = 1 << 24
# family, name, op text ({x} names the inputs in order), inputs, torch function.
CASES = [
    ("cross_entropy", "cross entropy N=262144 C=10", "loss.softmax_cross_entropy {x}, {t}",
     ce(262144, 10), lambda x, t: F.cross_entropy(x, t)),
    ("cross_entropy", "cross entropy N=16384 C=1000", "loss.softmax_cross_entropy {x}, {t}",
     ce(16384, 1000), lambda x, t: F.cross_entropy(x, t)),
    ("cross_entropy", "cross entropy N=2048 C=32000", "loss.softmax_cross_entropy {x}, {t}",
     ce(2048, 32000), lambda x, t: F.cross_entropy(x, t)),
    ("cross_entropy", "cross entropy N=512 C=128256", "loss.softmax_cross_entropy {x}, {t}",
     ce(512, 128256), lambda x, t: F.cross_entropy(x, t)),
    ("cross_entropy", "cross entropy + label_smoothing N=2048 C=32000",
     "loss.softmax_cross_entropy {x}, {t} {{label_smoothing = 1.000000e-01 : f64}}",
     ce(2048, 32000), lambda x, t: F.cross_entropy(x, t, label_smoothing=0.1)),
    ("cross_entropy", "cross entropy K-dim [8, 21, 128, 128]",
     "loss.softmax_cross_entropy {x}, {t}",
     {"x": Gen("x", (8, 21, 128, 128), f32, 3, scale_log2=-28, offset=-8.0),
      "t": classes("t", (8, 128, 128), 21, 4)},
     lambda x, t: F.cross_entropy(x, t)),
    ("cross_entropy_grad", "cross entropy fwd+bwd N=16384 C=1000",
     GRAD + "loss.softmax_cross_entropy_grad {x}, {t}, %one",
     ce(16384, 1000), ce_forward_backward),
    ("cross_entropy_grad", "cross entropy fwd+bwd N=2048 C=32000",
     GRAD + "loss.softmax_cross_entropy_grad {x}, {t}, %one",
     ce(2048, 32000), ce_forward_backward),
    ("cross_entropy_grad", "cross entropy fwd+bwd N=512 C=128256",
     GRAD + "loss.softmax_cross_entropy_grad {x}, {t}, %one",
     ce(512, 128256), ce_forward_backward),
    ("cross_entropy", "nll(log_softmax) fused N=2048 C=32000",
     "loss.nll (loss.log_softmax {x} {{axis = 1 : i64}}), {t}",
     ce(2048, 32000), lambda x, t: F.nll_loss(F.log_softmax(x, 1), t)),
    ("elementwise", "l1 mean 16M", "loss.l1 {x}, {t}", pair(M16, 5),
     lambda x, t: F.l1_loss(x, t)),
    ("elementwise", "mse mean 16M", "loss.mse {x}, {t}", pair(M16, 7),
     lambda x, t: F.mse_loss(x, t)),
    ("elementwise", "smooth_l1 mean 16M", "loss.smooth_l1 {x}, {t}", pair(M16, 9),
     lambda x, t: F.smooth_l1_loss(x, t)),
    ("elementwise", "huber mean 16M", "loss.huber {x}, {t}", pair(M16, 11),
     lambda x, t: F.huber_loss(x, t)),
    ("elementwise", "kl_div batchmean 16M",
     "loss.kl_div {x}, {t} {{reduction = #loss.reduction<batchmean>}}", pair(M16, 13),
     lambda x, t: F.kl_div(x, t, reduction="batchmean")),
    ("elementwise", "bce mean 16M", "loss.bce {x}, {t}",
     {"x": unit("x", (4096, 4096), 15), "t": unit("t", (4096, 4096), 16)},
     lambda x, t: F.binary_cross_entropy(x, t)),
    ("elementwise", "bce_with_logits mean 16M", "loss.bce_with_logits {x}, {t}",
     pair(M16, 17), lambda x, t: F.binary_cross_entropy_with_logits(x, t)),
    ("elementwise", "soft_margin mean 16M", "loss.soft_margin {x}, {t}",
     pair(M16, 19), lambda x, t: F.soft_margin_loss(x, t)),
    ("elementwise", "poisson_nll mean 16M", "loss.poisson_nll {x}, {t}",
     pair(M16, 21), lambda x, t: F.poisson_nll_loss(x, t)),
    ("elementwise", "hinge_embedding mean 16M", "loss.hinge_embedding {x}, {t}",
     {"x": sym("x", (4096, 4096), 23),
      "t": Gen("t", (4096, 4096), i64, 24, mod=3, offset=-1)},
     lambda x, t: F.hinge_embedding_loss(x, t)),
    ("elementwise", "margin_ranking mean 16M", "loss.margin_ranking {a}, {b}, {t}",
     {"a": sym("a", (M16,), 25), "b": sym("b", (M16,), 26), "t": sym("t", (M16,), 27)},
     lambda a, b, t: F.margin_ranking_loss(a, b, t)),
    ("margin", "multi_margin N=65536 C=100", "loss.multi_margin {x}, {t}",
     {"x": sym("x", (65536, 100), 28), "t": classes("t", (65536,), 100, 29)},
     lambda x, t: F.multi_margin_loss(x, t)),
    ("margin", "multilabel_soft_margin N=65536 C=100",
     "loss.multilabel_soft_margin {x}, {t}",
     {"x": sym("x", (65536, 100), 30), "t": unit("t", (65536, 100), 31)},
     lambda x, t: F.multilabel_soft_margin_loss(x, t)),
    ("margin", "cosine_embedding N=65536 D=256", "loss.cosine_embedding {a}, {b}, {t}",
     {"a": sym("a", (65536, 256), 32), "b": sym("b", (65536, 256), 33),
      "t": Gen("t", (65536,), i64, 34, mod=3, offset=-1)},
     lambda a, b, t: F.cosine_embedding_loss(a, b, t)),
    ("margin", "triplet_margin N=65536 D=256", "loss.triplet_margin {a}, {p}, {q}",
     {"a": sym("a", (65536, 256), 35), "p": sym("p", (65536, 256), 36),
      "q": sym("q", (65536, 256), 37)},
     lambda a, p, q: F.triplet_margin_loss(a, p, q)),
    ("ctc", "ctc T=500 N=32 C=40 S=100", "loss.ctc {lp}, {tg}, {il}, {tl}",
     {"lp": Gen("lp", (500, 32, 40), f32, 38, scale_log2=-30, offset=-4.0),
      "tg": Gen("tg", (32, 100), i64, 39, mod=39, offset=1),
      "il": Gen("il", (32,), i64, 40, mod=1, offset=500),
      "tl": Gen("tl", (32,), i64, 41, mod=1, offset=100)},
     lambda lp, tg, il, tl: F.ctc_loss(lp, tg, il, tl)),
    ("ctc", "ctc T=1000 N=16 C=5000 S=300", "loss.ctc {lp}, {tg}, {il}, {tl}",
     {"lp": Gen("lp", (1000, 16, 5000), f32, 42, scale_log2=-30, offset=-4.0),
      "tg": Gen("tg", (16, 300), i64, 43, mod=4999, offset=1),
      "il": Gen("il", (16,), i64, 44, mod=1, offset=1000),
      "tl": Gen("tl", (16,), i64, 45, mod=1, offset=300)},
     lambda lp, tg, il, tl: F.ctc_loss(lp, tg, il, tl)),
]

LOSS = """
func.func @loss({params}) -> {results} {{
{body}
  return {returns}
}}
"""

PROGRAM = """
func.func private @rtclock() -> f64
func.func private @printF64(f64)
func.func private @printNewline()
{loss}
func.func @main() {{
{inputs}
  %warm{pack} = func.call @loss({args}) : ({types}) -> {results}
  %w0 = tensor.extract %warm{first}[] : tensor<f32>
  %t0 = func.call @rtclock() : () -> f64
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant {repeat} : index
  %v = scf.for %r = %c0 to %n step %c1 iter_args(%acc = %w0) -> f32 {{
    %l{pack} = func.call @loss({args}) : ({types}) -> {results}
    %lv = tensor.extract %l{first}[] : tensor<f32>
    scf.yield %lv : f32
  }}
  %t1 = func.call @rtclock() : () -> f64
  %dt = arith.subf %t1, %t0 : f64
  %nf = arith.constant {repeat}.0 : f64
  %per = arith.divf %dt, %nf : f64
  func.call @printF64(%per) : (f64) -> ()
  func.call @printNewline() : () -> ()
  %vd = arith.extf %v : f32 to f64
  func.call @printF64(%vd) : (f64) -> ()
  func.call @printNewline() : () -> ()
  return
}}
"""


def program(op, gens, repeat):
    names = list(gens)
    types = {}
    input_lines = []
    for k in names:
        lines, types[k] = gens[k].emit("%in_" + k)
        input_lines += lines
    # The op text: `loss.nll (loss.log_softmax {x} ...), {t}` nests one op.
    body = []
    text = op
    m = re.search(r"\((loss\.log_softmax \{(\w+)\}[^)]*)\)", text)
    if m:
        inner = m.group(1).replace("{" + m.group(2) + "}", "%" + m.group(2))
        inner = inner.replace("{{", "{").replace("}}", "}")
        body.append("  %%lp = %s : %s" % (inner, types[m.group(2)]))
        text = text.replace(m.group(0), "%lp")
    order = re.findall(r"(?<!\{)\{(\w+)\}(?!\})", text)
    for k in set(order):
        text = re.sub(r"(?<!\{)\{%s\}(?!\})" % k, "%" + k, text)
    text = text.replace("{{", "{").replace("}}", "}")
    operand = [types[m.group(2)]] if m else []
    operand_types = ", ".join(operand + [types[k] for k in order])
    fmt = dict(results="tensor<f32>", returns="%l : tensor<f32>", pack="",
               first="")
    if text.startswith(GRAD):
        # grad_output 1.0 (the seed of a training step); returns (loss, grad).
        text = text[len(GRAD):]
        gty = types[order[0]]
        body.append("  %one = arith.constant dense<1.0> : tensor<f32>")
        body.append("  %%g, %%l = %s : (%s, tensor<f32>) -> (%s, tensor<f32>)"
                    % (text, operand_types, gty))
        fmt = dict(results="(tensor<f32>, %s)" % gty,
                   returns="%%l, %%g : tensor<f32>, %s" % gty, pack=":2",
                   first="#0")
    else:
        body.append("  %%l = %s : (%s) -> tensor<f32>" % (text, operand_types))
    params = ", ".join("%%%s: %s" % (k, types[k]) for k in names)
    loss = LOSS.format(params=params, body="\n".join(body),
                       results=fmt["results"], returns=fmt["returns"])
    if repeat is None:
        return loss
    return PROGRAM.format(loss=loss, inputs="\n".join(input_lines),
                          args=", ".join("%in_" + k for k in names),
                          types=", ".join(types[k] for k in names),
                          repeat=repeat, **fmt)


def compile_seconds(build, text, runs=3):
    """Wall seconds of `loss-opt --loss-lower-to-llvm=parallel=true` on
    `text` (one loss, to the LLVM dialect; the best of `runs`)."""
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "loss.mlir")
        with open(src, "w") as f:
            f.write(text)
        best = float("inf")
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run([os.path.join(build, "bin", "loss-opt"), src,
                            "--loss-lower-to-llvm=parallel=true", "-o",
                            os.devnull], check=True)
            best = min(best, time.perf_counter() - t0)
        return best


def run_library(text, vals, threads, repeat):
    """Per-call seconds and the loss of `text`'s @loss compiled with
    loss-compile (`threads`: OpenMP or serial), called on `vals` (torch
    tensors, in @loss's argument order) into result buffers allocated once."""
    import loss_mlir
    from loss_mlir.torch import _torch_dtype
    fn = loss_mlir.compile(text, threads=threads).loss
    ins = [v.detach().contiguous() for v in vals]
    outs = [torch.empty(shape, dtype=_torch_dtype(r["dtype"]))
            for shape, r in zip(fn.result_shapes([tuple(t.shape) for t in ins]),
                                fn.results)]
    args = [(t.data_ptr(), tuple(t.shape)) for t in ins]
    ptrs = [o.data_ptr() for o in outs]
    fn.call_pointers(args, ptrs)
    t0 = time.perf_counter()
    for _ in range(repeat):
        fn.call_pointers(args, ptrs)
    return (time.perf_counter() - t0) / repeat, outs[0].item()


def run_mlir(build, text, parallel, threads, pipeline=None):
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "bench.mlir")
        with open(src, "w") as f:
            f.write(text)
        opts = "parallel=true" if parallel else "parallel=false"
        flag = ("--pass-pipeline=" + pipeline) if pipeline else (
            "--loss-lower-to-llvm=" + opts)
        llvm_ir = subprocess.run(
            [os.path.join(build, "bin", "loss-opt"), src, flag],
            check=True, capture_output=True, text=True).stdout
        libs = [LLVM + "/lib/libmlir_c_runner_utils.so",
                LLVM + "/lib/libmlir_runner_utils.so"]
        if parallel:
            libs.append(LLVM + "/lib/libomp.so")
        env = dict(os.environ, OMP_NUM_THREADS=str(threads))
        out = subprocess.run(
            [LLVM + "/bin/mlir-runner", "-e", "main", "-entry-point-result=void",
             "-O3", "-shared-libs=" + ",".join(libs)],
            input=llvm_ir, check=True, capture_output=True, text=True, env=env).stdout
        per, value = [float(v) for v in re.findall(r"[-+0-9.eE]+", out)[:2]]
        return per, value


def read_bandwidth(threads, repeat=5):
    """GB/s of torch.sum over 512 MiB of float32 on `threads` threads."""
    x = torch.ones(128 << 20, dtype=f32)
    x.sum()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        x.sum()
        best = min(best, time.perf_counter() - t0)
    return x.numel() * 4 / best / 1e9


def time_torch(fn, vals, repeat):
    fn(**vals)
    t0 = time.perf_counter()
    for _ in range(repeat):
        ref = fn(**vals)
    return (time.perf_counter() - t0) / repeat, ref


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--only", help="run only cases whose family or name "
                    "contains this")
    ap.add_argument("--json", default=os.path.join(ROOT, "benchmarks", "results.json"))
    ap.add_argument("--png", default=os.path.join(ROOT, "benchmarks", "results.png"))
    ap.add_argument("--serial-pipeline", metavar="FILE",
                    help="compile the serial column with this textual pass "
                    "pipeline (e.g. a variant of `loss-opt --loss-lower-to-llvm "
                    "--dump-pass-pipeline`) to compare pipelines")
    args = ap.parse_args()
    serial_pipeline = None
    if args.serial_pipeline:
        with open(args.serial_pipeline) as f:
            serial_pipeline = f.read().strip()
    torch.set_num_threads(args.threads)
    # Before the first library loads libomp.
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    os.environ.setdefault("LOSS_MLIR_COMPILE",
                          os.path.join(args.build, "bin", "loss-compile"))
    bw = read_bandwidth(args.threads)
    print("read bandwidth (torch.sum, %d threads): %.1f GB/s" % (args.threads, bw))
    head = "%-46s %9s %9s %9s %8s %8s %8s %8s" % (
        "case", "torch ms", "1 thr ms", "%d thr ms" % args.threads,
        "x 1 thr", "x %d thr" % args.threads, "% bw", "compile")
    print(head)
    rows = []
    for family, name, op, gens, fn in CASES:
        if args.only and args.only not in family and args.only not in name:
            continue
        vals = {k: g.torch_value() for k, g in gens.items()}
        nbytes = sum(v.numel() * v.element_size() for v in vals.values())
        if op.startswith(GRAD):
            # The logits read twice and dlogits written: 3 N x C, and the
            # targets.
            x = vals["x"]
            nbytes += 2 * x.numel() * x.element_size()
            x.requires_grad_()
        torch_s, ref = time_torch(fn, vals, args.repeat)
        ordered = [vals[k] for k in gens]
        text = program(op, gens, None)
        if serial_pipeline:
            serial, v1 = run_mlir(args.build, program(op, gens, args.repeat),
                                  False, args.threads, serial_pipeline)
        else:
            serial, v1 = run_library(text, ordered, False, args.repeat)
        omp, v2 = run_library(text, ordered, True, args.repeat)
        compile_s = compile_seconds(args.build, text)
        want = ref.detach().item()
        for v in (v1, v2):
            if abs(v - want) > 1e-4 * abs(want) + 1e-5:
                raise SystemExit("%s: loss-mlir gives %r, torch %r" % (name, v, want))
        share = nbytes / omp / 1e9 / bw
        row = {"family": family, "case": name, "torch_ms": torch_s * 1e3,
               "serial_ms": serial * 1e3, "threads_ms": omp * 1e3,
               "speedup_serial": torch_s / serial, "speedup_threads": torch_s / omp,
               "bytes": nbytes, "bandwidth_share": share,
               "compile_ms": compile_s * 1e3, "value": v2,
               "torch_value": want}
        rows.append(row)
        print("%-46s %9.2f %9.2f %9.2f %7.2fx %7.2fx %7.0f%% %8.0f" % (
            name, row["torch_ms"], row["serial_ms"], row["threads_ms"],
            row["speedup_serial"], row["speedup_threads"], 100 * share,
            row["compile_ms"]))
    result = {"threads": args.threads, "read_bandwidth_gbs": bw,
              "torch": torch.__version__, "cases": rows}
    with open(args.json, "w") as f:
        json.dump(result, f, indent=1)
    print("wrote", os.path.relpath(args.json))
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("no matplotlib (apt-get install python3-matplotlib): no PNG")
        return
    fig, ax = plt.subplots(figsize=(10, 0.35 * len(rows) + 1.5))
    names = [r["case"] for r in rows][::-1]
    ax.barh(names, [r["speedup_threads"] for r in rows][::-1],
            label="%d threads" % args.threads)
    ax.barh(names, [r["speedup_serial"] for r in rows][::-1], height=0.4,
            label="1 thread")
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.set_xlabel("speed-up over PyTorch %s (%d threads)" % (torch.__version__,
                                                             args.threads))
    ax.set_title("loss-mlir on the CPU; read bandwidth %.1f GB/s" % bw)
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.png, dpi=100)
    print("wrote", os.path.relpath(args.png))


if __name__ == "__main__":
    main()
