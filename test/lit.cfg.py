# -*- Python -*-
import os
import shutil

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "LOSS_MLIR"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.loss_mlir_obj_root, "test")
config.excludes = ["CMakeLists.txt", "README.txt", "lit.cfg.py", "lit.site.cfg.py",
                   "generators", "Inputs"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%shlibext", ".so"))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

# Runtime libraries for programs executed with mlir-runner.
config.substitutions.append(
    ("%mlir_runner_utils", os.path.join(config.mlir_lib_dir, "libmlir_runner_utils.so")))
config.substitutions.append(
    ("%mlir_c_runner_utils", os.path.join(config.mlir_lib_dir, "libmlir_c_runner_utils.so")))
config.substitutions.append(
    ("%loss_runner_utils", os.path.join(config.loss_mlir_lib_dir, "libloss_runner_utils.so")))

tool_dirs = [config.loss_mlir_tools_dir, config.llvm_tools_dir]
tools = ["loss-opt", "loss-translate", "loss-run", "loss-compile", "mlir-runner",
         "FileCheck", "not"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# The oracle interpreter (generators only; tests never need it to pass).
if os.path.exists(config.python3_oracle):
    config.available_features.add("python-oracle")

# Installing the build and building a project against it (test/Install):
# the build's own cmake, cpack, ninja and compiler.
config.substitutions.append(("%cmake", config.cmake_command))
config.substitutions.append(("%cpack", config.cpack_command))
config.substitutions.append(("%make_program", config.cmake_make_program))
config.substitutions.append(("%host_cxx", config.host_cxx))
config.substitutions.append(("%loss_mlir_obj_root", config.loss_mlir_obj_root))
# The instrumented build (LOSS_MLIR_SANITIZE or LOSS_MLIR_FUZZ, build-fuzz/):
# its libraries need the sanitizer runtimes in whatever links them.
if config.loss_mlir_instrument_flags:
    config.available_features.add("loss-sanitized")
if shutil.which("dpkg-deb"):
    config.available_features.add("dpkg-deb")

# LLVM's OpenMP runtime, for programs compiled with parallel=true.
libomp = os.path.join(config.mlir_lib_dir, "libomp.so")
config.substitutions.append(("%libomp", libomp))
if os.path.exists(libomp):
    config.available_features.add("libomp")

# --- The GPU path (--loss-lower-to-nvvm) ---
import subprocess
import sys

# ptxas from the CUDA toolkit: tests that assemble kernels into cubins.
def _find_ptxas():
    for root in (os.environ.get("CUDA_HOME"), os.environ.get("CUDA_PATH"),
                 os.environ.get("CUDA_ROOT"), "/usr/local/cuda"):
        if root and os.path.exists(os.path.join(root, "bin", "ptxas")):
            return os.path.join(root, "bin", "ptxas")
    return shutil.which("ptxas")

_ptxas = _find_ptxas()
if _ptxas:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", _ptxas))

# libloss_cuda_runtime.so (built when the CUDA toolkit was found).
_cuda_runtime = os.path.join(config.loss_mlir_lib_dir, "libloss_cuda_runtime.so")
config.substitutions.append(("%loss_cuda_runtime", _cuda_runtime))
if os.path.exists(_cuda_runtime):
    config.available_features.add("cuda-runtime")

# A GPU to run kernels on: the driver loads and reports at least one device.
# Probed in a child process with a timeout, so that a broken driver can
# neither hang nor crash lit. LOSS_MLIR_CUDA_GPU=0/1 overrides the probe.
def _has_cuda_gpu():
    forced = os.environ.get("LOSS_MLIR_CUDA_GPU")
    if forced is not None:
        return forced not in ("", "0")
    probe = (
        "import ctypes, sys\n"
        "try:\n"
        "    cuda = ctypes.CDLL('libcuda.so.1')\n"
        "except OSError:\n"
        "    sys.exit(1)\n"
        "n = ctypes.c_int(0)\n"
        "ok = cuda.cuInit(0) == 0 and cuda.cuDeviceGetCount(ctypes.byref(n)) == 0\n"
        "sys.exit(0 if ok and n.value > 0 else 1)\n")
    try:
        return subprocess.run([sys.executable, "-c", probe], timeout=60,
                              stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False

if os.path.exists(_cuda_runtime) and _has_cuda_gpu():
    config.available_features.add("cuda-gpu")

# mlir-translate, to check the LLVM IR of GPU programs.
llvm_config.add_tool_substitutions(["mlir-translate"], tool_dirs)
