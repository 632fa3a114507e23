# Installation and packaging: `cmake --install build --prefix DIR` and
# `cpack -G DEB` (from build/). Included at the end of the top-level
# CMakeLists.txt, after every target is defined.
#
# The layout and the exported targets follow upstream MLIR's own: bin/,
# lib/ (the static libraries add_mlir_library installs, the run-time shared
# libraries), include/loss-mlir (headers, ODS, the generated .inc files) and
# lib/cmake/LossMLIR with LossMLIRConfig.cmake. add_mlir_library already puts
# each library in the export set MLIRTargets (AddMLIR's
# add_mlir_library_install); the tools and run-time libraries join it here,
# and it is installed as LossMLIRTargets.cmake. As in MLIRConfig.cmake, the
# imported targets keep their plain names (MLIRLoss, MLIRLossPipelines, ...),
# with no namespace.

include(GNUInstallDirs)

set(LOSS_MLIR_VERSION 0.1.0)
set(LOSS_MLIR_INSTALL_LIBDIR "lib${LLVM_LIBDIR_SUFFIX}")
set(LOSS_MLIR_INSTALL_CMAKEDIR "${LOSS_MLIR_INSTALL_LIBDIR}/cmake/LossMLIR")

# The tools and run-time libraries, where they are built (loss-compile and
# the CUDA runtime are optional).
set(_loss_install_targets)
foreach(_t loss-opt loss-translate loss-run loss-compile
           loss_runner_utils loss_cuda_runtime)
  if(TARGET ${_t})
    list(APPEND _loss_install_targets ${_t})
  endif()
endforeach()

# The installed tools find libMLIR.so in LLVM's library directory, which is
# not on the loader's path (llvm_setup_rpath gives them only $ORIGIN/../lib).
foreach(_t IN LISTS _loss_install_targets)
  set_property(TARGET ${_t} APPEND PROPERTY INSTALL_RPATH "${LLVM_LIBRARY_DIR}")
endforeach()
install(TARGETS ${_loss_install_targets}
  EXPORT MLIRTargets
  RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}"
  LIBRARY DESTINATION "${LOSS_MLIR_INSTALL_LIBDIR}"
  ARCHIVE DESTINATION "${LOSS_MLIR_INSTALL_LIBDIR}")

# Our libraries, as add_mlir_library recorded them; the project-wide
# include_directories() do not reach the exported targets, so each gets the
# installed include directory.
get_property(LOSS_MLIR_EXPORTED_LIBS GLOBAL PROPERTY MLIR_EXPORTS)
foreach(_t IN LISTS LOSS_MLIR_EXPORTED_LIBS)
  set_property(TARGET ${_t} APPEND PROPERTY INTERFACE_INCLUDE_DIRECTORIES
    "$<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>")
endforeach()

install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/loss-mlir"
                  "${PROJECT_BINARY_DIR}/include/loss-mlir"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
  FILES_MATCHING PATTERN "*.h" PATTERN "*.td" PATTERN "*.inc"
  PATTERN "CMakeFiles" EXCLUDE)

install(EXPORT MLIRTargets
  FILE LossMLIRTargets.cmake
  DESTINATION "${LOSS_MLIR_INSTALL_CMAKEDIR}")

include(CMakePackageConfigHelpers)
configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/LossMLIRConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/cmake/LossMLIRConfig.cmake"
  INSTALL_DESTINATION "${LOSS_MLIR_INSTALL_CMAKEDIR}"
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR CMAKE_INSTALL_BINDIR LOSS_MLIR_INSTALL_LIBDIR)
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/cmake/LossMLIRConfigVersion.cmake"
  VERSION ${LOSS_MLIR_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES
  "${PROJECT_BINARY_DIR}/cmake/LossMLIRConfig.cmake"
  "${PROJECT_BINARY_DIR}/cmake/LossMLIRConfigVersion.cmake"
  DESTINATION "${LOSS_MLIR_INSTALL_CMAKEDIR}")

# The Debian package: `cd build && cpack -G DEB`. It holds the development
# files too (headers, static libraries, the CMake package), so it depends on
# the -dev packages the CMake package finds.
set(CPACK_PACKAGE_NAME loss-mlir)
set(CPACK_PACKAGE_VERSION ${LOSS_MLIR_VERSION})
set(CPACK_PACKAGE_VENDOR "loss-mlir")
set(LOSS_MLIR_PACKAGE_MAINTAINER "loss-mlir maintainers <maintainers@localhost>"
  CACHE STRING "The Maintainer field of the Debian package")
set(CPACK_PACKAGE_CONTACT "${LOSS_MLIR_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "MLIR compiler for PyTorch loss functions: tools, libraries and CMake package")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
  "libmlir-22-dev, llvm-22-dev, libonnx-dev, libprotobuf-dev")
# LLVM's OpenMP runtime runs programs compiled with parallel=true.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libomp-22-dev")
include(CPack)
