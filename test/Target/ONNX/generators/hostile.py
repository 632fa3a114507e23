#!/usr/bin/python3
"""Makes the models of test/Target/ONNX/hostile.test (issue #14's fuzzing
reproducers), at test time.

    /usr/bin/python3 hostile.py OUT
    /usr/bin/python3 hostile.py --abs-chain N OUT

The first form writes, built with onnx.helper:

* OUT/bad/<name>.onnx: models that the importer must reject with a message
  naming the node (rank-0 axes, duplicate Unsqueeze axes, ConstantOfShape
  with negative or huge dimensions, an initializer whose element count
  wraps, shape arithmetic that overflows, ...).
* OUT/pb/<name>.{pb,npy}: input files that loss-run must reject (negative
  dimensions, element counts or byte sizes past 64 bits, too little data).
* OUT/models/<name>/: ONNX backend test directories (model.onnx,
  test_data_set_0/{input,output}_*.pb) whose expected outputs NumPy
  computes: Unsqueeze of a scalar, Slice with extreme steps, integer Div by
  zero and INT_MIN / -1, and a graph listing one output twice.

The second writes OUT/models/abs_chain_N/: N chained Abs nodes on
float[8, 16] and NumPy's np.abs of the input (a compile-time test:
elementwise chains must not make bufferization superlinear).

Run with Debian's /usr/bin/python3 (python3-onnx, python3-numpy).
"""

import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

INT64_MIN = np.iinfo(np.int64).min
INT64_MAX = np.iinfo(np.int64).max
rng = np.random.RandomState(14)


def vi(name, elem, shape):
    """shape None: one symbolic dimension (libonnx's checker wants a shape
    on graph outputs; the importer does not read theirs)."""
    return helper.make_tensor_value_info(name, elem,
                                         ["n"] if shape is None else shape)


def ints(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def model(nodes, inputs, outputs, inits=(), opset=13):
    g = helper.make_graph(nodes, "hostile", inputs, outputs, list(inits))
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)],
                             producer_name="hostile.py")


def save(m, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(m.SerializeToString())


def backend_dir(out, name, m, inputs, outputs):
    """inputs/outputs: NumPy arrays, in graph order."""
    d = os.path.join(out, "models", name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "test_data_set_0"))
    save(m, os.path.join(d, "model.onnx"))
    for kind, arrays in (("input", inputs), ("output", outputs)):
        for i, a in enumerate(arrays):
            p = numpy_helper.from_array(a, "%s_%d" % (kind, i))
            with open(os.path.join(d, "test_data_set_0",
                                   "%s_%d.pb" % (kind, i)), "wb") as f:
                f.write(p.SerializeToString())


def bad_models(out):
    bad = lambda name, m: save(m, os.path.join(out, "bad", name + ".onnx"))
    F, I64 = TensorProto.FLOAT, TensorProto.INT64

    # 1. Axes on rank-0 inputs (a scalar has no axis 0).
    bad("squeeze_scalar", model(
        [helper.make_node("Squeeze", ["x", "axes"], ["y"], name="sq")],
        [vi("x", F, [])], [vi("y", F, [])], [ints("axes", [0])]))
    bad("squeeze1_scalar", model(
        [helper.make_node("Squeeze", ["x"], ["y"], name="sq1", axes=[0])],
        [vi("x", F, [])], [vi("y", F, [])], opset=11))
    bad("slice_scalar", model(
        [helper.make_node("Slice", ["x", "s", "e", "a"], ["y"], name="sl")],
        [vi("x", F, [])], [vi("y", F, [])],
        [ints("s", [0]), ints("e", [1]), ints("a", [0])]))
    bad("reduce_scalar", model(
        [helper.make_node("ReduceSum", ["x", "axes"], ["y"], name="rs")],
        [vi("x", F, [])], [vi("y", F, [])], [ints("axes", [0])]))
    # Unsqueeze's axes range over the output's rank (1 here).
    bad("unsqueeze_scalar_axis1", model(
        [helper.make_node("Unsqueeze", ["x", "axes"], ["y"], name="unsq")],
        [vi("x", F, [])], [vi("y", F, [1])], [ints("axes", [1])]))
    # 2. Duplicate Unsqueeze axes (ONNX: they must be unique), also as a
    # negative and a positive axis naming the same dimension.
    bad("unsqueeze_duplicate", model(
        [helper.make_node("Unsqueeze", ["x", "axes"], ["y"], name="unsq")],
        [vi("x", F, [3])], [vi("y", F, [1, 1, 1, 3])],
        [ints("axes", [0, 0, 0])]))
    bad("unsqueeze_duplicate_negative", model(
        [helper.make_node("Unsqueeze", ["x"], ["y"], name="unsq1",
                          axes=[0, -3])],
        [vi("x", F, [2])], [vi("y", F, ["a", "b"])], opset=11))
    # 3. ConstantOfShape: a negative dimension, a huge one, and dimensions
    # whose product wraps.
    for name, shape in (("cos_negative", [-1]), ("cos_huge", [2 ** 40]),
                        ("cos_wraps", [2 ** 32, 2 ** 32, 2 ** 32])):
        bad(name, model(
            [helper.make_node("ConstantOfShape", ["shape"], ["y"], name="cos")],
            [], [vi("y", F, ["d%d" % i for i in range(len(shape))])],
            [ints("shape", shape)]))
    # 4. Initializers: dims whose element count wraps, with no data; a
    # declared size larger than the data present; raw bytes that are not a
    # whole number of elements.
    w = TensorProto(name="w", data_type=F, dims=[2 ** 62, 4])
    bad("init_wraps", model(
        [helper.make_node("Identity", ["w"], ["y"], name="id")],
        [], [vi("y", F, ["a", "b"])], [w]))
    w = TensorProto(name="w", data_type=F, dims=[2 ** 40])
    bad("init_no_data", model(
        [helper.make_node("Identity", ["w"], ["y"], name="id")],
        [], [vi("y", F, None)], [w]))
    w = TensorProto(name="w", data_type=F, dims=[1], raw_data=b"\0\0\0\0\0")
    bad("init_ragged_raw", model(
        [helper.make_node("Identity", ["w"], ["y"], name="id")],
        [], [vi("y", F, None)], [w]))
    # 9. Shape arithmetic that overflows: Reshape's product of the known
    # dimensions, a graph input of more bytes than 64 bits count, and a
    # broadcast whose result does.
    bad("reshape_wraps", model(
        [helper.make_node("Reshape", ["x", "shape"], ["y"], name="rs")],
        [vi("x", F, [4])], [vi("y", F, None)],
        [ints("shape", [2 ** 32, 2 ** 32, -1])]))
    bad("input_wraps", model(
        [helper.make_node("ReduceMean", ["x"], ["y"], name="rm", keepdims=0)],
        [vi("x", F, [2 ** 31, 2 ** 31, 4])], [vi("y", F, [])]))
    bad("broadcast_wraps", model(
        [helper.make_node("Add", ["x", "z"], ["y"], name="add")],
        [vi("x", F, [2 ** 32, 1]), vi("z", F, [1, 2 ** 32])],
        [vi("y", F, [2 ** 32, 2 ** 32])]))


def bad_inputs(out):
    d = os.path.join(out, "pb")
    os.makedirs(d, exist_ok=True)

    def pb(name, t):
        with open(os.path.join(d, name + ".pb"), "wb") as f:
            f.write(t.SerializeToString())

    F = TensorProto.FLOAT
    pb("negative_dim", TensorProto(name="x", data_type=F, dims=[-1]))
    pb("count_wraps", TensorProto(name="x", data_type=F, dims=[2 ** 62, 4]))
    pb("bytes_wrap", TensorProto(name="x", data_type=F, dims=[2 ** 62]))
    pb("too_little_data", TensorProto(name="x", data_type=F, dims=[4, 5],
                                      float_data=[1.0, 2.0]))
    pb("ragged_raw", TensorProto(name="x", data_type=F, dims=[4, 5],
                                 raw_data=b"\0" * 79))

    def npy(name, header, body=b""):
        header = header.ljust(118) + "\n"
        with open(os.path.join(d, name + ".npy"), "wb") as f:
            f.write(b"\x93NUMPY\x01\x00" + bytes([len(header), 0]))
            f.write(header.encode() + body)

    npy("negative_dim", "{'descr': '<f4', 'fortran_order': False, "
        "'shape': (-1,), }")
    npy("count_wraps", "{'descr': '<f4', 'fortran_order': False, "
        "'shape': (%d, 4), }" % 2 ** 62)
    npy("too_little_data", "{'descr': '<f4', 'fortran_order': False, "
        "'shape': (4, 5), }", b"\0" * 8)


def numeric_models(out):
    F = TensorProto.FLOAT

    # 1. Unsqueeze of a scalar: axes over the output's rank (0 and -1 name
    # the one new axis).
    x = np.array(rng.randn(), dtype=np.float32)
    for name, axes in (("unsqueeze_scalar", [0]),
                       ("unsqueeze_scalar_negative", [-1])):
        m = model([helper.make_node("Unsqueeze", ["x", "axes"], ["y"],
                                    name="unsq")],
                  [vi("x", F, [])], [vi("y", F, [1])], [ints("axes", axes)])
        backend_dir(out, name, m, [x], [np.expand_dims(x, axes[0])])

    # 9. Slice with extreme steps, starts and ends: NumPy's basic slicing
    # (which clamps as ONNX does) is the reference.
    x = rng.randn(4).astype(np.float32)
    cases = [
        ("slice_step_int64_min", 5, 0, INT64_MIN),
        ("slice_step_int64_max", 0, 4, INT64_MAX),
        ("slice_step_int64_max_from_min", INT64_MIN, INT64_MAX, INT64_MAX),
        ("slice_step_neg_from_max", INT64_MAX, INT64_MIN, -3),
        ("slice_step_int64_min_full", INT64_MAX, INT64_MIN, INT64_MIN),
    ]
    for name, s, e, st in cases:
        want = x[int(s):int(e):int(st)]
        m = model([helper.make_node("Slice", ["x", "s", "e", "a", "st"],
                                    ["y"], name="sl")],
                  [vi("x", F, [4])], [vi("y", F, list(want.shape))],
                  [ints("s", [s]), ints("e", [e]), ints("a", [0]),
                   ints("st", [st])])
        backend_dir(out, name, m, [x], [want])
    # 7. Integer Div (ONNX: truncating) by zero and INT_MIN / -1. NumPy's
    # integer division gives 0 for x / 0 and wraps INT_MIN / -1 to INT_MIN;
    # its floor division, corrected to truncation, is the reference.
    for dt, elem in ((np.int64, TensorProto.INT64),
                     (np.int32, TensorProto.INT32)):
        lo = np.iinfo(dt).min
        a = np.array([7, -7, 7, -7, 0, lo, lo, 5, -5, lo], dtype=dt)
        b = np.array([2, 2, -2, -2, 0, -1, 0, 0, 3, 1], dtype=dt)
        with np.errstate(all="ignore"):
            q = np.floor_divide(a, b)
            r = np.remainder(a, b)
        want = (q + ((r != 0) & ((a < 0) != (b < 0)))).astype(dt)
        m = model([helper.make_node("Div", ["a", "b"], ["y"], name="div")],
                  [vi("a", elem, [10]), vi("b", elem, [10])],
                  [vi("y", elem, [10])])
        backend_dir(out, "div_by_zero_%s" % np.dtype(dt).name, m, [a, b],
                    [want])

    # 6. One output listed twice (and the graph input returned as is):
    # each gets a buffer of its own.
    x = rng.randn(2, 5).astype(np.float32)
    x64 = x.astype(np.float64)
    e = np.exp(x64 - x64.max(axis=1, keepdims=True))
    lsm = (np.log(e / e.sum(axis=1, keepdims=True))).astype(np.float32)
    m = model([helper.make_node("LogSoftmax", ["x"], ["y"], name="lsm",
                                axis=1),
               helper.make_node("Identity", ["x"], ["z"], name="id")],
              [vi("x", F, [2, 5])],
              [vi("y", F, [2, 5]), vi("y", F, [2, 5]), vi("z", F, [2, 5])])
    backend_dir(out, "repeated_output", m, [x], [lsm, lsm, x])


def abs_chain(out, n):
    F = TensorProto.FLOAT
    nodes = [helper.make_node("Abs", ["v%d" % i], ["v%d" % (i + 1)],
                              name="abs%d" % i) for i in range(n)]
    m = model(nodes, [vi("v0", F, [8, 16])], [vi("v%d" % n, F, [8, 16])])
    x = rng.randn(8, 16).astype(np.float32)
    backend_dir(out, "abs_chain_%d" % n, m, [x], [np.abs(x)])


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--abs-chain":
        abs_chain(sys.argv[3], int(sys.argv[2]))
    elif len(sys.argv) == 2:
        bad_models(sys.argv[1])
        bad_inputs(sys.argv[1])
        numeric_models(sys.argv[1])
    else:
        sys.exit(__doc__)
