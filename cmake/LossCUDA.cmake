# The CUDA toolkit, if installed: its driver API header and the driver's stub
# library (linking needs no GPU), and ptxas. Everything that needs it is
# optional; LOSS_CUDA_FOUND says whether the CUDA runtime library is built.
# Included once, from the top-level CMakeLists.txt.


set(LOSS_CUDA_TOOLKIT_HINTS $ENV{CUDA_HOME} $ENV{CUDA_PATH} $ENV{CUDA_ROOT}
    /usr/local/cuda /usr/lib/cuda)
find_path(LOSS_CUDA_INCLUDE_DIR cuda.h
  HINTS ${LOSS_CUDA_TOOLKIT_HINTS} PATH_SUFFIXES include
  DOC "Directory of the CUDA driver API header cuda.h")
find_library(LOSS_CUDA_DRIVER_LIBRARY cuda
  HINTS ${LOSS_CUDA_TOOLKIT_HINTS}
  PATH_SUFFIXES lib64/stubs lib/stubs lib64 lib targets/x86_64-linux/lib/stubs
  DOC "The CUDA driver library (the toolkit's stub is enough to link)")
find_program(LOSS_CUDA_PTXAS ptxas
  HINTS ${LOSS_CUDA_TOOLKIT_HINTS} PATH_SUFFIXES bin
  DOC "ptxas, to assemble PTX into cubins")

if(LOSS_CUDA_INCLUDE_DIR AND LOSS_CUDA_DRIVER_LIBRARY)
  set(LOSS_CUDA_FOUND TRUE)
  get_filename_component(_loss_cuda_root "${LOSS_CUDA_INCLUDE_DIR}" DIRECTORY)
  # targets/<arch>/include -> the toolkit root
  if(NOT EXISTS "${_loss_cuda_root}/nvvm" AND
     EXISTS "${_loss_cuda_root}/../../nvvm")
    get_filename_component(_loss_cuda_root "${_loss_cuda_root}/../.." ABSOLUTE)
  endif()
  set(LOSS_CUDA_TOOLKIT_DIR "${_loss_cuda_root}" CACHE PATH
      "CUDA toolkit root (libdevice, ptxas) for --loss-lower-to-nvvm")
  if(NOT LOSS_CUDA_REPORTED)
    message(STATUS "CUDA toolkit: ${LOSS_CUDA_TOOLKIT_DIR} (driver library "
                   "${LOSS_CUDA_DRIVER_LIBRARY}); building loss_cuda_runtime")
  endif()
else()
  set(LOSS_CUDA_FOUND FALSE)
  if(NOT LOSS_CUDA_REPORTED)
    message(STATUS "CUDA toolkit not found: no loss_cuda_runtime")
  endif()
endif()
set(LOSS_CUDA_REPORTED TRUE)
