"""Assembles every PTX kernel of a module lowered with
--loss-lower-to-nvvm="format=isa" with ptxas, one gpu.binary at a time.

usage: ptxas_each.py PTXAS ARCH MODULE.mlir WORKDIR

Prints "ok <binary> (<arch>, <k> kernels)" or "FAILED <binary>: <ptxas
output>" per binary, then "<n> modules (<k> kernels) assembled, <m> failed";
exits 1 if any failed.
"""
import os
import re
import subprocess
import sys

OBJECT = re.compile(
    r'gpu\.binary @(\w+)\s*\[#gpu\.object<#nvvm\.target<[^>]*>,'
    r'[^\]]*?assembly = "((?:[^"\\]|\\.)*)"')


def unescape(s):
    """MLIR string attributes print \\XX hex escapes and \\\\, \\"."""
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\":
            nxt = s[i + 1]
            if nxt in '\\"':
                out.append(ord(nxt))
                i += 2
                continue
            out.append(int(s[i + 1:i + 3], 16))
            i += 3
            continue
        out.extend(c.encode())
        i += 1
    return bytes(out)


def main():
    ptxas, arch, module, workdir = sys.argv[1:5]
    os.makedirs(workdir, exist_ok=True)
    text = open(module).read()
    ok = failed = kernels = 0
    for name, escaped in OBJECT.findall(text):
        ptx = os.path.join(workdir, name + ".ptx")
        source = unescape(escaped)
        entries = len(re.findall(rb"^\.visible \.entry ", source, re.M))
        with open(ptx, "wb") as f:
            f.write(source)
        r = subprocess.run([ptxas, "-arch=" + arch, ptx, "-o",
                            os.path.join(workdir, name + ".cubin")],
                           capture_output=True, text=True)
        if r.returncode == 0:
            ok += 1
            kernels += entries
            print("ok %s (%s, %d kernels)" % (name, arch, entries))
        else:
            failed += 1
            print("FAILED %s: %s" % (name, (r.stdout + r.stderr).strip()))
    print("%d modules (%d kernels) assembled, %d failed" %
          (ok, kernels, failed))
    return 1 if failed or not ok else 0


if __name__ == "__main__":
    sys.exit(main())
