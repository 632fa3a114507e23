#!/usr/bin/python3
"""Times compiled loss-mlir losses against PyTorch eager on the CPU.

For each case it writes an MLIR program that fills the inputs in-IR, calls
the loss REPEAT times between two rtclock() readings and prints the time per
call; compiles it with loss-opt --loss-lower-to-llvm (serial and with OpenMP
threads) and runs it with mlir-runner. PyTorch (Debian's python3-torch, the
same machine and thread count) runs the same loss on the same shapes. Prints
milliseconds per call and the speed-up over PyTorch; checks that both agree
on the loss value.

    /usr/bin/python3 benchmarks/bench.py [--build build] [--threads 2]
"""

import argparse
import os
import re
import subprocess
import tempfile
import time

import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LLVM = "/usr/lib/llvm-22"

# name, MLIR op text, torch function, input shapes; then "pair" cases whose
# target is a float tensor shaped like the input.
CASES = [
    ("cross_entropy N=2048 C=32000 (LLM vocab)",
     "loss.softmax_cross_entropy %x, %t : (tensor<{N}x{C}xf32>, tensor<{N}xi64>) -> tensor<f32>",
     lambda x, t: F.cross_entropy(x, t), 2048, 32000),
    ("cross_entropy + label_smoothing N=2048 C=32000",
     "loss.softmax_cross_entropy %x, %t {{label_smoothing = 1.000000e-01 : f64}} : (tensor<{N}x{C}xf32>, tensor<{N}xi64>) -> tensor<f32>",
     lambda x, t: F.cross_entropy(x, t, label_smoothing=0.1), 2048, 32000),
    ("cross_entropy N=65536 C=10 (small classes)",
     "loss.softmax_cross_entropy %x, %t : (tensor<{N}x{C}xf32>, tensor<{N}xi64>) -> tensor<f32>",
     lambda x, t: F.cross_entropy(x, t), 65536, 10),
    ("nll(log_softmax) fused, N=2048 C=32000",
     None, lambda x, t: F.nll_loss(F.log_softmax(x, 1), t), 2048, 32000),
]
PAIR_CASES = [
    ("mse mean, 16M elements",
     "loss.mse %x, %t : (tensor<{N}x{C}xf32>, tensor<{N}x{C}xf32>) -> tensor<f32>",
     lambda x, t: F.mse_loss(x, t), 4096, 4096),
    ("l1 sum, 16M elements",
     "loss.l1 %x, %t {{reduction = #loss.reduction<sum>}} : (tensor<{N}x{C}xf32>, tensor<{N}x{C}xf32>) -> tensor<f32>",
     lambda x, t: F.l1_loss(x, t, reduction="sum"), 4096, 4096),
    ("bce_with_logits mean, 16M elements",
     "loss.bce_with_logits %x, %t : (tensor<{N}x{C}xf32>, tensor<{N}x{C}xf32>) -> tensor<f32>",
     lambda x, t: F.binary_cross_entropy_with_logits(x, t), 4096, 4096),
]

PROGRAM = """
func.func private @rtclock() -> f64
func.func private @printF64(f64)
func.func private @printNewline()

func.func @loss(%x: tensor<{N}x{C}xf32>, %t: tensor<{N}xi64>) -> tensor<f32> {{
  {body}
}}

func.func @main() {{
  %e = tensor.empty() : tensor<{N}x{C}xf32>
  %x = linalg.generic {{indexing_maps = [affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}} outs(%e : tensor<{N}x{C}xf32>) {{
  ^bb0(%o: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %k = arith.muli %i, %c_C : index
    %l = arith.addi %k, %j : index
    %li = arith.index_cast %l : index to i64
    %h = arith.muli %li, %c_mul : i64
    %m = arith.remui %h, %c_mod : i64
    %f = arith.uitofp %m : i64 to f32
    %s = arith.mulf %f, %c_scale : f32
    %v = arith.subf %s, %c_half : f32
    linalg.yield %v : f32
  }} -> tensor<{N}x{C}xf32>
  %te = tensor.empty() : tensor<{N}xi64>
  %t = linalg.generic {{indexing_maps = [affine_map<(i) -> (i)>], iterator_types = ["parallel"]}} outs(%te : tensor<{N}xi64>) {{
  ^bb0(%o: i64):
    %i = linalg.index 0 : index
    %ii = arith.index_cast %i : index to i64
    %h = arith.muli %ii, %c_mul : i64
    %m = arith.remui %h, %c_Ci : i64
    linalg.yield %m : i64
  }} -> tensor<{N}xi64>
  %warm = func.call @loss(%x, %t) : (tensor<{N}x{C}xf32>, tensor<{N}xi64>) -> tensor<f32>
  %w0 = tensor.extract %warm[] : tensor<f32>
  %t0 = func.call @rtclock() : () -> f64
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant {REPEAT} : index
  %v = scf.for %r = %c0 to %n step %c1 iter_args(%acc = %w0) -> f32 {{
    %l = func.call @loss(%x, %t) : (tensor<{N}x{C}xf32>, tensor<{N}xi64>) -> tensor<f32>
    %lv = tensor.extract %l[] : tensor<f32>
    scf.yield %lv : f32
  }}
  %t1 = func.call @rtclock() : () -> f64
  %dt = arith.subf %t1, %t0 : f64
  %nf = arith.constant {REPEAT}.0 : f64
  %per = arith.divf %dt, %nf : f64
  func.call @printF64(%per) : (f64) -> ()
  func.call @printNewline() : () -> ()
  %vd = arith.extf %v : f32 to f64
  func.call @printF64(%vd) : (f64) -> ()
  func.call @printNewline() : () -> ()
  return
}}
"""

PAIR_TARGET = """  %t = linalg.generic {{indexing_maps = [affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}} outs(%e : tensor<{N}x{C}xf32>) {{
  ^bb0(%o: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %k = arith.muli %i, %c_C : index
    %l = arith.addi %k, %j : index
    %li = arith.index_cast %l : index to i64
    %h = arith.muli %li, %c_mul2 : i64
    %m = arith.remui %h, %c_mod : i64
    %f = arith.uitofp %m : i64 to f32
    %s = arith.mulf %f, %c_unit : f32
    linalg.yield %s : f32
  }} -> tensor<{N}x{C}xf32>
"""

CONSTS = """  %c_C = arith.constant {C} : index
  %c_Ci = arith.constant {C} : i64
  %c_mul = arith.constant 2654435761 : i64
  %c_mod = arith.constant 1000003 : i64
  %c_scale = arith.constant 2.0e-05 : f32
  %c_half = arith.constant 10.0 : f32
  %c_mul2 = arith.constant 2246822519 : i64
  %c_unit = arith.constant 9.99997e-07 : f32
"""


def inputs_like_ir(n, c):
    """The inputs the MLIR program builds, computed the same way in torch."""
    idx = torch.arange(n * c, dtype=torch.int64)
    x = ((idx * 2654435761) % 1000003).to(torch.float32) * 2.0e-05 - 10.0
    t = (torch.arange(n, dtype=torch.int64) * 2654435761) % c
    return x.reshape(n, c), t


def pair_inputs_like_ir(n, c):
    x, _ = inputs_like_ir(n, c)
    idx = torch.arange(n * c, dtype=torch.int64)
    t = ((idx * 2246822519) % 1000003).to(torch.float32) * 9.99997e-07
    return x, t.reshape(n, c)


def pair_program(text):
    """The rows program with a float target shaped like the input."""
    start = text.index("  %te = tensor.empty()")
    end = text.index("  %warm = ")
    text = text[:start] + "{PAIR}" + text[end:]
    return text.replace("tensor<{N}xi64>", "tensor<{N}x{C}xf32>")


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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--repeat", type=int, default=5)
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
    print("%-48s %10s %10s %10s %9s %9s" % ("case", "torch ms", "serial ms",
                                            "omp ms", "x serial", "x omp"))
    cases = [(case, "rows") for case in CASES] + [(case, "pair") for case in PAIR_CASES]
    for (name, op, fn, n, c), kind in cases:
        if op is None:
            body = ("%lp = loss.log_softmax %x {{axis = 1 : i64}} : tensor<{N}x{C}xf32>\n"
                    "  %l = loss.nll %lp, %t : (tensor<{N}x{C}xf32>, tensor<{N}xi64>) -> tensor<f32>")
        else:
            body = "%l = " + op
        body = (body + "\n  return %l : tensor<f32>").format(N=n, C=c)
        program = PROGRAM if kind == "rows" else pair_program(PROGRAM)
        text = program.format(N=n, C=c, body=body, REPEAT=args.repeat,
                              PAIR=PAIR_TARGET.format(N=n, C=c))
        text = text.replace("func.func @main() {\n",
                            "func.func @main() {\n" + CONSTS.format(C=c), 1)
        x, t = (inputs_like_ir if kind == "rows" else pair_inputs_like_ir)(n, c)
        fn(x, t)
        t0 = time.perf_counter()
        for _ in range(args.repeat):
            ref = fn(x, t)
        torch_ms = (time.perf_counter() - t0) / args.repeat * 1e3
        serial, v1 = run_mlir(args.build, text, False, args.threads,
                              serial_pipeline)
        omp, v2 = run_mlir(args.build, text, True, args.threads)
        for v in (v1, v2):
            if abs(v - ref.item()) > 1e-4 * abs(ref.item()) + 1e-5:
                raise SystemExit("%s: loss-mlir gives %r, torch %r" % (name, v, ref.item()))
        print("%-48s %10.2f %10.2f %10.2f %8.2fx %8.2fx" % (
            name, torch_ms, serial * 1e3, omp * 1e3, torch_ms / (serial * 1e3),
            torch_ms / (omp * 1e3)))


if __name__ == "__main__":
    main()
