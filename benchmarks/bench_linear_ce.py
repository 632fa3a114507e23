#!/usr/bin/python3
"""Fused linear + cross entropy against PyTorch: time, GFLOP/s and peak
memory, measured in the same run on the same inputs and threads.

    /usr/bin/python3 benchmarks/bench_linear_ce.py [--n 4096 --h 1024
        --v 32000] [--threads 2] [--repeat 2] [--json FILE]

Cases, each in a process of its own so that its peak memory is its own:
  torch.mm          h @ w.T: the matmul PyTorch's loss is made of (BLAS:
                    OpenBLAS, its core type named from the CPU's flags)
  torch fwd         F.cross_entropy(h @ w.T + b, t)
  torch fwd+bwd     the same, then autograd's dh, dw, db
  loss-mlir fwd     loss.linear_cross_entropy (compiled by loss-compile)
  loss-mlir fwd+bwd loss.linear_cross_entropy and its _grad in one function
loss-mlir's results go to buffers the caller allocates (the C API's
convention), inside the measured window. "peak MB" is the process's peak
resident memory during the calls (VmHWM, reset through clear_refs) above
its resident memory with the inputs made: every tensor a case allocates,
the gradients included. GFLOP/s counts 2 N H V per matmul-sized product
(one for the forward; three for the forward+backward: logits, dh, dw),
whatever each side recomputes.
"""

import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(field)


def reset_peak():
    # 5: reset the peak resident set size (VmHWM) to the current one.
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def mlir_function(kind, n, h, v):
    hs, ws, ts, bs = ("tensor<%dx%dxf32>" % (n, h), "tensor<%dx%dxf32>" % (v, h),
                      "tensor<%dxi64>" % n, "tensor<%dxf32>" % v)
    fwd = ("%%l = loss.linear_cross_entropy %%h, %%w, %%t bias(%%b) : "
           "(%s, %s, %s, %s) -> tensor<f32>" % (hs, ws, ts, bs))
    if kind == "fwd":
        return ("func.func @lce(%%h: %s, %%w: %s, %%t: %s, %%b: %s) -> tensor<f32> {\n"
                "  %s\n  return %%l : tensor<f32>\n}\n" % (hs, ws, ts, bs, fwd))
    return ("func.func @lce(%%h: %s, %%w: %s, %%t: %s, %%b: %s) -> "
            "(tensor<f32>, %s, %s, %s) {\n"
            "  %s\n"
            "  %%one = arith.constant dense<1.0> : tensor<f32>\n"
            "  %%g:3 = loss.linear_cross_entropy_grad %%h, %%w, %%t bias(%%b), %%one : "
            "(%s, %s, %s, %s, tensor<f32>) -> (%s, %s, %s)\n"
            "  return %%l, %%g#0, %%g#1, %%g#2 : tensor<f32>, %s, %s, %s\n}\n"
            % (hs, ws, ts, bs, hs, ws, bs, fwd, hs, ws, ts, bs, hs, ws, bs,
               hs, ws, bs))


def worker(args):
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(args.threads)
    g = torch.Generator().manual_seed(0)
    n, h, v = args.n, args.h, args.v
    hid = torch.randn(n, h, generator=g)
    w = torch.randn(v, h, generator=g) * (1.0 / h ** 0.5)
    b = torch.randn(v, generator=g) * 0.1
    t = torch.randint(0, v, (n,), generator=g)
    fn = None
    if args.worker == "torch_mm":
        def fn():
            return torch.mm(hid, w.t())
    elif args.worker == "torch_fwd":
        def fn():
            return F.cross_entropy(hid @ w.t() + b, t).item()
    elif args.worker == "torch_fwdbwd":
        hg, wg, bg = (x.clone().requires_grad_() for x in (hid, w, b))

        def fn():
            loss = F.cross_entropy(hg @ wg.t() + bg, t)
            grads = torch.autograd.grad(loss, (hg, wg, bg))
            return loss.item(), grads
    else:
        sys.path.insert(0, os.path.join(ROOT, "python"))
        import loss_mlir
        from loss_mlir.torch import _torch_dtype
        kind = "fwd" if args.worker == "ours_fwd" else "fwdbwd"
        lib = loss_mlir.compile(mlir_function(kind, n, h, v), threads=True)
        f = lib.lce
        ins = [hid, w, t, b]
        shapes = [tuple(x.shape) for x in ins]
        specs = list(zip(f.result_shapes(shapes), f.results))

        def fn():
            outs = [torch.empty(s, dtype=_torch_dtype(r["dtype"])) for s, r in specs]
            f.call_pointers([(x.data_ptr(), x.shape) for x in ins],
                            [o.data_ptr() for o in outs])
            return outs[0].item(), outs[1:]
    base = status("VmRSS")
    reset_peak()
    value = fn()
    value = value[0] if isinstance(value, tuple) else value
    t0 = time.perf_counter()
    for _ in range(args.repeat):
        fn()
    dt = (time.perf_counter() - t0) / args.repeat
    peak = status("VmHWM") - base
    if not isinstance(value, float):
        value = None
    print(json.dumps({"seconds": dt, "peak_bytes": peak, "value": value}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=4096)
    ap.add_argument("--h", type=int, default=1024)
    ap.add_argument("--v", type=int, default=32000)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--json", default=None)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args)
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    # OpenBLAS picks its kernels from the CPU's model, which a VM may hide
    # ("Intel(R) Xeon(R) Processor"): it then runs a generic kernel (20
    # GFLOP/s a core on the stop-23 Xeon, against 100 with SkylakeX's).
    # The bar is the tuned BLAS, so name the core type from the CPU's flags.
    if "OPENBLAS_CORETYPE" not in env:
        with open("/proc/cpuinfo") as f:
            flags = next((l.split() for l in f if l.startswith("flags")), [])
        if "avx512f" in flags:
            env["OPENBLAS_CORETYPE"] = "SkylakeX"
        elif "avx2" in flags:
            env["OPENBLAS_CORETYPE"] = "Haswell"
    env.setdefault("LOSS_MLIR_COMPILE", os.path.join(args.build, "bin", "loss-compile"))
    flops = 2.0 * args.n * args.h * args.v
    cases = [("torch.mm", "torch_mm", 1), ("torch fwd", "torch_fwd", 1),
             ("loss-mlir fwd", "ours_fwd", 1),
             ("torch fwd+bwd", "torch_fwdbwd", 3),
             ("loss-mlir fwd+bwd", "ours_fwdbwd", 3)]
    print("N=%d H=%d V=%d f32, %d threads; logits alone: %.0f MB"
          % (args.n, args.h, args.v, args.threads, args.n * args.v * 4 / 1e6))
    print("%-20s %10s %10s %10s %12s" % ("case", "ms", "GFLOP/s", "peak MB", "loss"))
    rows = []
    for name, kind, products in cases:
        out = subprocess.run(
            [sys.executable, os.path.abspath(__file__), "--worker", kind,
             "--n", str(args.n), "--h", str(args.h), "--v", str(args.v),
             "--threads", str(args.threads), "--repeat", str(args.repeat)],
            check=True, capture_output=True, text=True, env=env).stdout
        r = json.loads(out.strip().splitlines()[-1])
        row = {"case": name, "ms": r["seconds"] * 1e3,
               "gflops": products * flops / r["seconds"] / 1e9,
               "peak_mb": r["peak_bytes"] / 1e6, "loss": r["value"]}
        rows.append(row)
        print("%-20s %10.1f %10.1f %10.1f %12s" % (
            name, row["ms"], row["gflops"], row["peak_mb"],
            "" if row["loss"] is None else "%.6f" % row["loss"]))
    by = {r["case"]: r for r in rows}
    for ours, theirs in (("loss-mlir fwd", "torch fwd"),
                         ("loss-mlir fwd+bwd", "torch fwd+bwd")):
        a, b = by[ours]["loss"], by[theirs]["loss"]
        if abs(a - b) > 1e-4 * abs(b) + 1e-5:
            raise SystemExit("%s: loss %r, torch %r" % (ours, a, b))
    print("loss-mlir fwd at %.0f%% of torch.mm's GFLOP/s; time vs torch: "
          "fwd %.2fx, fwd+bwd %.2fx" % (
              100 * by["loss-mlir fwd"]["gflops"] / by["torch.mm"]["gflops"],
              by["torch fwd"]["ms"] / by["loss-mlir fwd"]["ms"],
              by["torch fwd+bwd"]["ms"] / by["loss-mlir fwd+bwd"]["ms"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"n": args.n, "h": args.h, "v": args.v,
                       "threads": args.threads, "cases": rows}, f, indent=1)


if __name__ == "__main__":
    main()
