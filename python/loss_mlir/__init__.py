"""loss-mlir from Python: compiled losses called on NumPy arrays.

    import loss_mlir
    f = loss_mlir.compile("examples/cross_entropy/model.onnx")
    loss, = f(logits, target)            # NumPy arrays in, NumPy arrays out

`compile` runs `loss-compile` (found through $LOSS_MLIR_COMPILE, then PATH,
then this checkout's build/bin) on a model file or MLIR text, caches the
shared library by content under $LOSS_MLIR_CACHE (default
~/.cache/loss-mlir) and loads it with ctypes. Inputs of the right dtype and
C order are passed without a copy; outputs are allocated here. A failed
run-time check raises `LossMLIRError` with the library's message. The
`loss_mlir.torch` module has drop-in `torch.nn` loss modules.
"""

import ctypes
import hashlib
import json
import os
import shutil
import subprocess
import tempfile

import numpy as np

__all__ = ["compile", "Library", "Function", "LossMLIRError", "find_compiler"]

# MLIR element types -> NumPy dtypes (bf16: its bits, as uint16).
_DTYPES = {
    "f16": np.float16, "bf16": np.uint16, "f32": np.float32,
    "f64": np.float64, "i1": np.bool_, "i8": np.int8, "i16": np.int16,
    "i32": np.int32, "i64": np.int64, "ui8": np.uint8, "ui16": np.uint16,
    "ui32": np.uint32, "ui64": np.uint64,
}


class LossMLIRError(RuntimeError):
    """A compile error (loss-compile's message) or a failed run-time check."""


def find_compiler():
    """The loss-compile executable."""
    env = os.environ.get("LOSS_MLIR_COMPILE")
    if env:
        return env
    found = shutil.which("loss-compile")
    if found:
        return found
    here = os.path.dirname(os.path.abspath(__file__))
    local = os.path.join(here, "..", "..", "build", "bin", "loss-compile")
    if os.path.exists(local):
        return os.path.normpath(local)
    raise LossMLIRError("loss-compile not found: set LOSS_MLIR_COMPILE or "
                        "put it on PATH")


def _cache_dir():
    d = os.environ.get("LOSS_MLIR_CACHE") or os.path.join(
        os.path.expanduser("~"), ".cache", "loss-mlir")
    os.makedirs(d, exist_ok=True)
    return d


class Function:
    """One entry point of a compiled library."""

    def __init__(self, library, spec):
        self.name = spec["name"]
        self.args = spec["args"]
        self.results = spec["results"]
        self._fn = getattr(library._dll, self.name)
        self._fn.restype = ctypes.c_int32
        self._library = library

    def _check(self, index, shape, dtype):
        spec = self.args[index]
        want = _DTYPES[spec["dtype"]]
        if np.dtype(dtype) != np.dtype(want):
            raise TypeError("%s: argument '%s' is %s, the function takes %s"
                            % (self.name, spec["name"], np.dtype(dtype),
                               spec["dtype"]))
        if len(shape) != len(spec["shape"]) or any(
                s is not None and s != d for s, d in zip(spec["shape"], shape)):
            raise ValueError("%s: argument '%s' has shape %s, the function "
                             "takes %s" % (self.name, spec["name"],
                                           tuple(shape), _shape_text(spec)))

    def result_shapes(self, arg_shapes):
        """The shape of each result, for inputs of `arg_shapes`."""
        out = []
        for r in self.results:
            sources = iter(r.get("dim_sources", []))
            shape = []
            for s in r["shape"]:
                if s is None:
                    a, d = next(sources)
                    s = arg_shapes[a][d]
                shape.append(s)
            out.append(tuple(shape))
        return out

    def call_pointers(self, args, outs):
        """The raw call: `args` are (address, shape) pairs, `outs` output
        addresses, all of the dtypes and shapes the function takes."""
        cargs = []
        for (addr, shape), spec in zip(args, self.args):
            cargs.append(ctypes.c_void_p(addr))
            for d, s in zip(shape, spec["shape"]):
                if s is None:
                    cargs.append(ctypes.c_int64(d))
        cargs += [ctypes.c_void_p(a) for a in outs]
        rc = self._fn(*cargs)
        if rc != 0:
            raise LossMLIRError("%s: %s" % (self.name,
                                            self._library.last_error()))

    def __call__(self, *arrays):
        if len(arrays) != len(self.args):
            raise TypeError("%s takes %d arguments (%s), got %d"
                            % (self.name, len(self.args),
                               ", ".join(a["name"] for a in self.args),
                               len(arrays)))
        ins = []
        for i, a in enumerate(arrays):
            a = np.asarray(a)
            self._check(i, a.shape, a.dtype)
            ins.append(np.ascontiguousarray(a))  # a copy only if strided
        outs = [np.empty(shape, dtype=_DTYPES[r["dtype"]])
                for shape, r in zip(self.result_shapes([a.shape for a in ins]),
                                    self.results)]
        self.call_pointers([(a.ctypes.data, a.shape) for a in ins],
                           [o.ctypes.data for o in outs])
        return tuple(outs)


def _shape_text(spec):
    return "[" + ", ".join("?" if s is None else str(s)
                           for s in spec["shape"]) + "]"


class Library:
    """A shared library made by loss-compile: its functions by name."""

    def __init__(self, path):
        self.path = path
        self._dll = ctypes.CDLL(path)
        prefix = os.path.basename(path)
        prefix = prefix[3:] if prefix.startswith("lib") else prefix
        prefix = prefix.split(".")[0]
        manifest = getattr(self._dll, prefix + "_manifest")
        manifest.restype = ctypes.c_char_p
        self.manifest = json.loads(manifest().decode())
        self._last_error = getattr(self._dll, prefix + "_last_error")
        self._last_error.restype = ctypes.c_char_p
        self.functions = {f["name"]: Function(self, f)
                          for f in self.manifest["functions"]}

    def last_error(self):
        return self._last_error().decode()

    def __getattr__(self, name):
        fns = self.__dict__.get("functions", {})
        if name in fns:
            return fns[name]
        raise AttributeError(name)

    def __call__(self, *arrays):
        """Calls the library's one function (other than value-and-grad)."""
        main = [f for n, f in self.functions.items()
                if not n.endswith("_value_and_grad")]
        if len(main) != 1:
            raise TypeError("the library has %d functions (%s); call one by "
                            "name" % (len(main), ", ".join(self.functions)))
        return main[0](*arrays)


def compile(source, grad=False, grad_wrt=None, device="cpu", threads=True,
            functions=None, fuse=True):
    """Compiles an ONNX model or MLIR file (a path) or MLIR text into a
    `Library`; with `grad`, also each function's `<name>_value_and_grad`
    (the results, then the gradients w.r.t. `grad_wrt`, names or indices;
    default every float input the loss depends on)."""
    if isinstance(source, (bytes, bytearray)):
        data, suffix = bytes(source), ".mlir"
    elif os.path.exists(str(source)):
        with open(source, "rb") as f:
            data = f.read()
        suffix = ".onnx" if str(source).endswith(".onnx") else ".mlir"
    else:
        data, suffix = str(source).encode(), ".mlir"
    compiler = find_compiler()
    flags = ["--device=" + device]
    if grad:
        flags.append("--grad")
        if grad_wrt:
            flags.append("--grad-wrt=" + ",".join(str(w) for w in grad_wrt))
    if not threads:
        flags.append("--no-threads")
    if functions:
        flags.append("--function=" + ",".join(functions))
    if not fuse:
        flags.append("--no-fuse")
    key = hashlib.sha256()
    key.update(data)
    key.update(suffix.encode())
    key.update(" ".join(flags).encode())
    stat = os.stat(compiler)
    key.update(("%s %d %d" % (os.path.realpath(compiler), stat.st_size,
                              stat.st_mtime_ns)).encode())
    name = "loss_" + key.hexdigest()[:24]
    out = os.path.join(_cache_dir(), "lib%s.so" % name)
    if not os.path.exists(out):
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "input" + suffix)
            with open(src, "wb") as f:
                f.write(data)
            lib = os.path.join(tmp, "lib%s.so" % name)
            run = subprocess.run([compiler, src, "-o", lib] + flags,
                                 capture_output=True, text=True)
            if run.returncode != 0:
                raise LossMLIRError(run.stderr.strip() or
                                    "loss-compile failed (exit %d)"
                                    % run.returncode)
            os.replace(lib, out)  # atomic: concurrent compiles are safe
    return Library(out)
