#!/usr/bin/python3
"""Builds MatMul and Gemm models at test time (test/Target/ONNX/linear-ops.test).

    linear_ops.py OUT

* OUT/models/<name>/: ONNX backend test directories whose expected outputs
  are PyTorch's in float64 (rounded to the output type): MatMul of matrices,
  of 1-D operands (NumPy's promotion), with broadcast batch dimensions, of
  int32; Gemm with transA/transB, alpha, beta and C broadcast from [M, 1],
  [N] and a scalar, in f32, f64 and f16, and Gemm-6 with `broadcast`.
* OUT/bad/<name>.onnx: nodes the importer must reject with a diagnostic.

Run with Debian's /usr/bin/python3 (python3-onnx, python3-torch).
"""

import os
import shutil
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto as T
from onnx import helper, numpy_helper

ONNX_TYPES = {np.float32: T.FLOAT, np.float64: T.DOUBLE, np.float16: T.FLOAT16,
              np.int32: T.INT32, np.int64: T.INT64}


def make(name, node, ins, out_shape, out_type, opset=13):
    """A one-node graph: `ins` are (name, array), the output is y."""
    vis = [helper.make_tensor_value_info(n, ONNX_TYPES[a.dtype.type], list(a.shape))
           for n, a in ins]
    y = helper.make_tensor_value_info("y", ONNX_TYPES[out_type], list(out_shape))
    g = helper.make_graph([node], name, vis, [y])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)],
                             producer_name="linear_ops.py")


def backend_dir(out, name, model, ins, want):
    d = os.path.join(out, "models", name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "test_data_set_0"))
    onnx.checker.check_model(model)
    with open(os.path.join(d, "model.onnx"), "wb") as f:
        f.write(model.SerializeToString())
    for kind, tensors in (("input", ins), ("output", [("y", want)])):
        for i, (n, a) in enumerate(tensors):
            with open(os.path.join(d, "test_data_set_0", "%s_%d.pb" % (kind, i)), "wb") as f:
                f.write(numpy_helper.from_array(a, n).SerializeToString())


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    out = sys.argv[1]
    rng = np.random.default_rng(3)

    def rand(shape, dtype=np.float32):
        if np.issubdtype(dtype, np.integer):
            return rng.integers(-50, 50, shape).astype(dtype)
        return rng.standard_normal(shape).astype(dtype)

    def t64(a):
        return torch.from_numpy(a.astype(np.float64))

    # MatMul: NumPy's matmul, in float64 (int32 exactly).
    for name, sa, sb, dtype in (("matmul_2d", (5, 7), (7, 3), np.float32),
                                ("matmul_1d_1d", (7,), (7,), np.float32),
                                ("matmul_1d_2d", (7,), (7, 3), np.float64),
                                ("matmul_2d_1d", (5, 7), (7,), np.float32),
                                ("matmul_batch_bcast", (2, 1, 5, 7), (4, 7, 3), np.float32),
                                ("matmul_3d_2d", (2, 5, 7), (7, 3), np.float32),
                                ("matmul_f16", (5, 7), (7, 3), np.float16),
                                ("matmul_int32", (5, 7), (7, 3), np.int32)):
        a, b = rand(sa, dtype), rand(sb, dtype)
        want = np.matmul(a.astype(np.int64), b.astype(np.int64)).astype(dtype) \
            if dtype == np.int32 else torch.matmul(t64(a), t64(b)).numpy().astype(dtype)
        m = make(name, helper.make_node("MatMul", ["a", "b"], ["y"], name=name),
                 [("a", a), ("b", b)], want.shape, dtype)
        backend_dir(out, name, m, [("a", a), ("b", b)], want)

    # Gemm: alpha op(A) op(B) + beta C.
    for name, ta, tb, alpha, beta, cshape, dtype, opset, extra in (
            ("gemm_plain", 0, 0, 1.0, 1.0, None, np.float32, 13, {}),
            ("gemm_transb_bias", 0, 1, 1.0, 1.0, (6,), np.float32, 13, {}),
            ("gemm_transa_alpha_beta_col", 1, 0, 2.0, 0.5, (4, 1), np.float32, 13, {}),
            ("gemm_both_scalar_c", 1, 1, -1.5, 2.0, (), np.float64, 13, {}),
            ("gemm_f16_bias", 0, 1, 1.0, 1.0, (6,), np.float16, 13, {}),
            ("gemm_opset6_broadcast", 0, 0, 1.0, 1.0, (6,), np.float32, 6, {"broadcast": 1}),
            ("gemm_opset9_full_c", 0, 0, 0.5, 1.0, (4, 6), np.float32, 9, {})):
        a = rand((5, 4) if ta else (4, 5), dtype)
        b = rand((6, 5) if tb else (5, 6), dtype)
        ins = [("a", a), ("b", b)]
        want = alpha * ((t64(a).T if ta else t64(a)) @ (t64(b).T if tb else t64(b)))
        if cshape is not None:
            c = rand(cshape, dtype)
            ins.append(("c", c))
            want = want + beta * t64(c)
        want = want.numpy().astype(dtype)
        node = helper.make_node("Gemm", [n for n, _ in ins], ["y"], name=name,
                                transA=ta, transB=tb, alpha=alpha, beta=beta, **extra)
        backend_dir(out, name, make(name, node, ins, want.shape, dtype, opset), ins, want)

    # Rejected, each with a diagnostic naming the node.
    bad = os.path.join(out, "bad")
    os.makedirs(bad, exist_ok=True)
    for name, op, shapes, types, out_shape, opset in (
            ("matmul_inner", "MatMul", [(3, 4), (5, 6)], [np.float32] * 2, (3, 6), 13),
            ("matmul_scalar", "MatMul", [(), (5, 6)], [np.float32] * 2, (6,), 13),
            ("matmul_batch", "MatMul", [(2, 3, 4), (3, 4, 6)], [np.float32] * 2, (2, 3, 6), 13),
            ("matmul_mixed", "MatMul", [(3, 4), (4, 6)], [np.float32, np.float64], (3, 6), 13),
            ("gemm_rank3", "Gemm", [(2, 3, 4), (4, 6)], [np.float32] * 2, (3, 6), 13),
            ("gemm_c_shape", "Gemm", [(3, 4), (4, 6), (2, 6)], [np.float32] * 3, (3, 6), 13),
            ("gemm_int64", "Gemm", [(3, 4), (4, 6)], [np.int64] * 2, (3, 6), 13),
            ("gemm_opset6_no_broadcast", "Gemm", [(3, 4), (4, 6), (6,)], [np.float32] * 3,
             (3, 6), 6)):
        names = ["a", "b", "c"][:len(shapes)]
        vis = [helper.make_tensor_value_info(n, ONNX_TYPES[t], list(s))
               for n, s, t in zip(names, shapes, types)]
        y = helper.make_tensor_value_info("y", ONNX_TYPES[types[0]], list(out_shape))
        g = helper.make_graph([helper.make_node(op, names, ["y"], name=name)],
                              name, vis, [y])
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
        with open(os.path.join(bad, name + ".onnx"), "wb") as f:
            f.write(m.SerializeToString())


if __name__ == "__main__":
    main()
