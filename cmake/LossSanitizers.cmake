# Sanitizers and libFuzzer instrumentation for the compiler's libraries and
# tools. Included from the top-level CMakeLists.txt before the
# subdirectories, so that the flags apply to everything defined in them;
# loss_mlir_sanitizer_targets(), called after them, takes the flags off the
# run-time libraries that uninstrumented programs load, gives the tools the
# sanitizers' defaults (SanitizerOptions.cpp) and adds the fuzz targets
# (tools/loss-opt-fuzzer, tools/loss-onnx-fuzzer).
#
#   -DLOSS_MLIR_SANITIZE=address;undefined   ASan and UBSan (any of address,
#                                           undefined, leak); UBSan aborts on
#                                           the first report
#   -DLOSS_MLIR_FUZZ=ON                      coverage for libFuzzer, and the
#                                           fuzz targets
#
# The MLIR and LLVM shared libraries are Debian's and stay uninstrumented:
# bugs are found in loss-mlir's code and in what it calls with bad
# arguments, not inside MLIR itself.

set(_loss_known_sanitizers address undefined leak)
foreach(_s IN LISTS LOSS_MLIR_SANITIZE)
  if(NOT _s IN_LIST _loss_known_sanitizers)
    message(FATAL_ERROR "LOSS_MLIR_SANITIZE: unknown sanitizer '${_s}' "
                        "(known: ${_loss_known_sanitizers})")
  endif()
endforeach()
if(LOSS_MLIR_FUZZ AND NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "LOSS_MLIR_FUZZ needs clang (libFuzzer)")
endif()

set(LOSS_MLIR_SANITIZER_COMPILE_FLAGS "")
set(LOSS_MLIR_SANITIZER_LINK_FLAGS "")
if(LOSS_MLIR_SANITIZE)
  list(JOIN LOSS_MLIR_SANITIZE "," _loss_list)
  list(APPEND LOSS_MLIR_SANITIZER_COMPILE_FLAGS
    -fsanitize=${_loss_list} -fno-omit-frame-pointer -gline-tables-only)
  list(APPEND LOSS_MLIR_SANITIZER_LINK_FLAGS -fsanitize=${_loss_list})
  if("undefined" IN_LIST LOSS_MLIR_SANITIZE)
    # A report is a failure, not a warning to scroll past. vptr and
    # function are off as in LLVM's own sanitizer builds: they need
    # instrumented callers and callees across Debian's uninstrumented
    # MLIR, and report false positives there.
    list(APPEND LOSS_MLIR_SANITIZER_COMPILE_FLAGS
      -fno-sanitize-recover=all -fno-sanitize=vptr,function)
    list(APPEND LOSS_MLIR_SANITIZER_LINK_FLAGS
      -fno-sanitize-recover=all -fno-sanitize=vptr,function)
  endif()
endif()
if(LOSS_MLIR_FUZZ)
  # Coverage feedback in every library; only the fuzz targets link
  # libFuzzer's main (-fsanitize=fuzzer, tools/loss-fuzz).
  list(APPEND LOSS_MLIR_SANITIZER_COMPILE_FLAGS -fsanitize=fuzzer-no-link)
  list(APPEND LOSS_MLIR_SANITIZER_LINK_FLAGS -fsanitize=fuzzer-no-link)
  if(NOT LOSS_MLIR_SANITIZE)
    message(WARNING "LOSS_MLIR_FUZZ without LOSS_MLIR_SANITIZE: the "
                    "fuzzers find crashes only, no memory errors")
  endif()
endif()
if(LOSS_MLIR_SANITIZER_COMPILE_FLAGS)
  message(STATUS "Instrumenting with: ${LOSS_MLIR_SANITIZER_COMPILE_FLAGS}")
  add_compile_options(${LOSS_MLIR_SANITIZER_COMPILE_FLAGS})
  add_link_options(${LOSS_MLIR_SANITIZER_LINK_FLAGS})
endif()

# The sanitizers' default options (cmake/SanitizerOptions.cpp) in an
# instrumented executable.
function(loss_mlir_add_sanitizer_options target)
  if(LOSS_MLIR_SANITIZE)
    target_sources(${target} PRIVATE
      ${PROJECT_SOURCE_DIR}/cmake/SanitizerOptions.cpp)
    target_compile_definitions(${target} PRIVATE
      LOSS_MLIR_SYMBOLIZER="${LLVM_TOOLS_BINARY_DIR}/llvm-symbolizer")
  endif()
endfunction()

# A fuzz target: libFuzzer's main and the sanitizers' defaults.
function(loss_mlir_add_fuzzer_options target)
  target_link_options(${target} PRIVATE -fsanitize=fuzzer)
  loss_mlir_add_sanitizer_options(${target})
endfunction()

function(loss_mlir_sanitizer_targets)
  # Libraries loaded by uninstrumented programs (mlir-runner -shared-libs,
  # the CUDA runtime wrappers) must not reference the sanitizer runtime,
  # which only instrumented executables carry.
  foreach(_t loss_runner_utils loss_cuda_runtime)
    if(TARGET ${_t})
      foreach(_prop COMPILE_OPTIONS LINK_OPTIONS)
        get_target_property(_opts ${_t} ${_prop})
        if(_opts)
          list(REMOVE_ITEM _opts ${LOSS_MLIR_SANITIZER_COMPILE_FLAGS}
                                 ${LOSS_MLIR_SANITIZER_LINK_FLAGS})
          set_target_properties(${_t} PROPERTIES ${_prop} "${_opts}")
        endif()
      endforeach()
    endif()
  endforeach()
  # The instrumented tools abort on a report (so that lit's `not` sees a
  # crash, not a plain error exit) and print symbolized stacks.
  foreach(_t loss-opt loss-translate loss-run)
    if(TARGET ${_t})
      loss_mlir_add_sanitizer_options(${_t})
    endif()
  endforeach()
  if(LOSS_MLIR_FUZZ)
    add_subdirectory(${PROJECT_SOURCE_DIR}/tools/loss-opt-fuzzer
                     ${PROJECT_BINARY_DIR}/tools/loss-opt-fuzzer)
    add_subdirectory(${PROJECT_SOURCE_DIR}/tools/loss-onnx-fuzzer
                     ${PROJECT_BINARY_DIR}/tools/loss-onnx-fuzzer)
    add_custom_target(loss-fuzzers DEPENDS loss-opt-fuzzer loss-onnx-fuzzer)
  endif()
endfunction()
