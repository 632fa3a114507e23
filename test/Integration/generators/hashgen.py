"""Inputs built in IR from a hash of each element's linear index, and the
same inputs in torch, bit for bit: integer arithmetic, then an exact float64
scaling by a power of two, then one rounding to the element type. Used by
the large numeric tests (large_reductions.py) and by benchmarks/bench.py, so
that neither commits nor reads megabytes of inputs.
"""

import torch

from lossgen import MLIR_TYPES

M32 = 0xFFFFFFFF


def hashed(n, seed):
    """32-bit hash of 0..n-1 (int64 tensor)."""
    i = torch.arange(n, dtype=torch.int64)
    h = (i * 2654435761 + seed) & M32
    h = h ^ (h >> 16)
    h = (h * 0x45D9F3B) & M32
    h = h ^ (h >> 16)
    return h


class Gen:
    """An input built in IR from `hashed`: floats h * 2^scale_log2 + offset
    (exact in f64, then rounded to the dtype) or integers offset + h % mod."""

    def __init__(self, name, shape, dtype, seed, scale_log2=-32, offset=0.0,
                 mod=None, half=False):
        self.name, self.shape, self.dtype, self.seed = name, shape, dtype, seed
        self.scale_log2, self.offset, self.mod, self.half = (
            scale_log2, offset, mod, half)

    def numel(self):
        n = 1
        for d in self.shape:
            n *= d
        return n

    def torch_value(self):
        h = hashed(self.numel(), self.seed)
        if self.mod is not None:
            v = (h % self.mod + int(self.offset)).to(self.dtype)
        else:
            hf = h.double() + (0.5 if self.half else 0.0)
            v = (hf * 2.0 ** self.scale_log2 + self.offset).to(self.dtype)
        return v.reshape(self.shape)

    def emit(self, ssa):
        rank = len(self.shape)
        ty = "tensor<%s>" % "x".join([str(d) for d in self.shape] +
                                     [MLIR_TYPES[self.dtype]])
        el = MLIR_TYPES[self.dtype]
        dims = ", ".join("d%d" % k for k in range(rank))
        lines = ["  %s_e = tensor.empty() : %s" % (ssa, ty),
                 "  %s = linalg.generic {indexing_maps = [affine_map<(%s) -> (%s)>], "
                 "iterator_types = [%s]} outs(%s_e : %s) {" % (
                     ssa, dims, dims, ", ".join(['"parallel"'] * rank), ssa, ty),
                 "  ^bb0(%%out: %s):" % el]
        # Linear index, row-major.
        lines.append("    %lin0 = arith.constant 0 : index")
        prev = "%lin0"
        for k, d in enumerate(self.shape):
            lines.append("    %%i%d = linalg.index %d : index" % (k, k))
            lines.append("    %%s%d = arith.constant %d : index" % (k, d))
            lines.append("    %%m%d = arith.muli %s, %%s%d : index" % (k, prev, k))
            lines.append("    %%lin%d = arith.addi %%m%d, %%i%d : index" % (k + 1, k, k))
            prev = "%%lin%d" % (k + 1)
        lines += [
            "    %%li = arith.index_cast %s : index to i64" % prev,
            "    %mask = arith.constant 4294967295 : i64",
            "    %k1 = arith.constant 2654435761 : i64",
            "    %%seed = arith.constant %d : i64" % self.seed,
            "    %h0 = arith.muli %li, %k1 : i64",
            "    %h1 = arith.addi %h0, %seed : i64",
            "    %h2 = arith.andi %h1, %mask : i64",
            "    %c16 = arith.constant 16 : i64",
            "    %h3 = arith.shrui %h2, %c16 : i64",
            "    %h4 = arith.xori %h2, %h3 : i64",
            "    %k2 = arith.constant 73244475 : i64",
            "    %h5 = arith.muli %h4, %k2 : i64",
            "    %h6 = arith.andi %h5, %mask : i64",
            "    %h7 = arith.shrui %h6, %c16 : i64",
            "    %h = arith.xori %h6, %h7 : i64",
        ]
        if self.mod is not None:
            lines += [
                "    %%mod = arith.constant %d : i64" % self.mod,
                "    %hr0 = arith.remui %h, %mod : i64",
                "    %%off = arith.constant %d : i64" % int(self.offset),
                "    %hr1 = arith.addi %hr0, %off : i64",
            ]
            if el == "i64":
                lines.append("    linalg.yield %hr1 : i64")
            else:
                lines.append("    %%hr = arith.trunci %%hr1 : i64 to %s" % el)
                lines.append("    linalg.yield %%hr : %s" % el)
        else:
            lines += [
                "    %hf0 = arith.uitofp %h : i64 to f64",
                "    %%half = arith.constant %s : f64" % ("0.5" if self.half else "0.0"),
                "    %hf = arith.addf %hf0, %half : f64",
                "    %%scale = arith.constant %r : f64" % (2.0 ** self.scale_log2),
                "    %%offset = arith.constant %r : f64" % float(self.offset),
                "    %v0 = arith.mulf %hf, %scale : f64",
                "    %v1 = arith.addf %v0, %offset : f64",
            ]
            if el == "f64":
                lines.append("    linalg.yield %v1 : f64")
            else:
                lines.append("    %%v = arith.truncf %%v1 : f64 to %s" % el)
                lines.append("    linalg.yield %%v : %s" % el)
        lines.append("  } -> %s" % ty)
        return lines, ty
