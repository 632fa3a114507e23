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
tools = ["loss-opt", "loss-translate", "loss-run", "mlir-runner", "FileCheck", "not"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# The oracle interpreter (generators only; tests never need it to pass).
if os.path.exists(config.python3_oracle):
    config.available_features.add("python-oracle")

# LLVM's OpenMP runtime, for programs compiled with parallel=true.
libomp = os.path.join(config.mlir_lib_dir, "libomp.so")
config.substitutions.append(("%libomp", libomp))
if os.path.exists(libomp):
    config.available_features.add("libomp")
