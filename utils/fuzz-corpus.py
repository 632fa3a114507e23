#!/usr/bin/env python3
"""Seed corpora and dictionaries for the fuzz targets, from the test inputs.

    fuzz-corpus.py SOURCE_ROOT OUT_DIR [--max-len BYTES] [--generated DIR]...

writes
  OUT_DIR/mlir/      every test/**/*.mlir split at `// -----` (as
                     loss-opt --split-input-file does), comment lines
                     (RUN, CHECK, expected-error) dropped, deduplicated
  OUT_DIR/onnx/      test/**/*.onnx, the model.onnx of every ONNX backend
                     node test in Debian's libonnx-testdata, and the *.onnx
                     under each --generated DIR (a build's test/, where lit
                     left the models its generators build at test time:
                     opsets, hostile and malformed ones)
  OUT_DIR/mlir.dict  the loss dialect's op and attribute names (from ODS),
                     types and the syntax of loss programs
  OUT_DIR/onnx.dict  the op types and attribute names the importer knows
                     (the string literals of lib/Target/ONNX)

Plain Python 3 (no packages); rerunning replaces OUT_DIR's contents.
"""
import argparse
import glob
import hashlib
import os
import re
import shutil

ONNX_TESTDATA = "/usr/share/libonnx-testdata/data/node"

MLIR_SYNTAX = [
    "func.func", "@main", "return", "func.call", "module", "%arg0", "%0", "->",
    ": ", "(", ")", "{", "}", "<", ">", "[", "]", ",", "=", "x", "?",
    "tensor<", "tensor<?x", "memref<", "xf32>", "xf16>", "xbf16>", "xf64>",
    "xi64>", "xi32>", "xi8>", "xi1>", "f32", "f64", "i64", "i32", "index",
    "dense<", "dense<0.0>", "arith.constant", "arith.addf", "arith.mulf",
    "tensor.empty", "tensor.cast", "linalg.generic", "linalg.yield",
    "linalg.softmax", "math.exp", "math.log", "vector.print",
    "{llvm.emit_c_interface}", "attributes", "#loss<reduction none>",
    "reduction = ", "none", "sum", "mean", ": i64", ": f64", ": f32",
    "true", "false", "0", "1", "-1", "-100", "0x7FC00000", "0xFF800000",
    "1.0e+308", "2147483648", "9223372036854775807", "-9223372036854775808",
    "// -----",
]


def write_unique(directory, data, suffix, seen):
    digest = hashlib.sha1(data).hexdigest()
    if digest in seen:
        return
    seen.add(digest)
    with open(os.path.join(directory, digest + suffix), "wb") as f:
        f.write(data)


def mlir_seeds(root, out, max_len):
    seen = set()
    for path in sorted(glob.glob(os.path.join(root, "test", "**", "*.mlir"),
                                 recursive=True)):
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        for chunk in re.split(r"(?m)^// -----.*$", text):
            lines = [l for l in chunk.splitlines()
                     if not l.lstrip().startswith("//")]
            body = "\n".join(lines).strip()
            if not body:
                continue
            data = (body + "\n").encode()
            if len(data) <= max_len:
                write_unique(out, data, ".mlir", seen)
    return len(seen)


def onnx_seeds(root, out, max_len, generated):
    seen = set()
    paths = glob.glob(os.path.join(root, "test", "**", "*.onnx"), recursive=True)
    paths += glob.glob(os.path.join(ONNX_TESTDATA, "*", "model.onnx"))
    for d in generated:
        paths += glob.glob(os.path.join(d, "**", "*.onnx"), recursive=True)
    for path in sorted(paths):
        with open(path, "rb") as f:
            data = f.read()
        if len(data) <= max_len:
            write_unique(out, data, ".onnx", seen)
    return len(seen)


def dict_entry(token):
    escaped = "".join(
        c if 32 <= ord(c) < 127 and c not in '"\\' else "\\x%02x" % ord(c)
        for c in token)
    return '"%s"\n' % escaped


def mlir_dict(root):
    tokens = set(MLIR_SYNTAX)
    for td in glob.glob(os.path.join(root, "include", "loss-mlir", "Dialect",
                                     "Loss", "IR", "*.td")):
        with open(td, encoding="utf-8") as f:
            text = f.read()
        for name in re.findall(r'def \w+\s*:\s*\w+<"([a-z_0-9]+)"', text):
            tokens.add("loss." + name)
        for name in re.findall(r":\$([a-z_]+)", text):
            tokens.add(name)
            tokens.add(name + " = ")
    return sorted(tokens)


def onnx_dict(root):
    tokens = {"ai.onnx", "com.microsoft", "ai.onnx.ml", "ai.onnx.training"}
    for src in glob.glob(os.path.join(root, "lib", "Target", "ONNX", "*.cpp")):
        with open(src, encoding="utf-8") as f:
            text = f.read()
        tokens.update(re.findall(r'"([A-Za-z][A-Za-z0-9_.]{1,47})"', text))
    return sorted(tokens)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root")
    parser.add_argument("out")
    parser.add_argument("--max-len", type=int, default=16384,
                        help="skip seeds longer than this (the fuzzers' -max_len)")
    parser.add_argument("--generated", action="append", default=[],
                        help="a directory to collect more *.onnx seeds from")
    args = parser.parse_args()
    for sub in ("mlir", "onnx"):
        shutil.rmtree(os.path.join(args.out, sub), ignore_errors=True)
        os.makedirs(os.path.join(args.out, sub))
    n_mlir = mlir_seeds(args.root, os.path.join(args.out, "mlir"), args.max_len)
    n_onnx = onnx_seeds(args.root, os.path.join(args.out, "onnx"), args.max_len,
                        args.generated)
    with open(os.path.join(args.out, "mlir.dict"), "w") as f:
        f.writelines(dict_entry(t) for t in mlir_dict(args.root))
    with open(os.path.join(args.out, "onnx.dict"), "w") as f:
        f.writelines(dict_entry(t) for t in onnx_dict(args.root))
    print("seeds: %d MLIR, %d ONNX in %s" % (n_mlir, n_onnx, args.out))


if __name__ == "__main__":
    main()
