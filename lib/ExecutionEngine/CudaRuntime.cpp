//===- CudaRuntime.cpp - The mgpu* runtime of the GPU path ----------------===//
//
// libloss_cuda_runtime.so: the functions that host code lowered by
// gpu-to-llvm calls (module loading, kernel launches, streams, events,
// memory), over the CUDA driver API. Debian's MLIR packages ship no CUDA
// runtime wrappers; this is loss-mlir's own, with the signatures of the
// calls MLIR 22 emits:
//
//   mgpuModuleLoad(data, size)        mgpuModuleLoadJIT(ptx, optLevel)
//   mgpuModuleUnload                  mgpuModuleGetFunction(module, name)
//   mgpuLaunchKernel(f, grid xyz, block xyz, smem, stream, params, extra, n)
//   mgpuLaunchClusterKernel(f, cluster xyz, grid xyz, block xyz, ...)
//   mgpuStream{Create,Destroy,Synchronize,WaitEvent}
//   mgpuEvent{Create,Destroy,Synchronize,Record}
//   mgpuMemAlloc(size, stream, hostShared)  mgpuMemFree(ptr, stream)
//   mgpuMemcpy  mgpuMemset32  mgpuMemset16
//   mgpuMemHostRegister[MemRef]  mgpuMemHostUnregister[MemRef]
//   mgpuSetDefaultDevice
//
// Every call runs with the primary context of the default device current.
// Errors are reported on stderr with the driver's name for them (a failed
// PTX JIT also prints the JIT log); LOSS_CUDA_RUNTIME_TRACE=1 traces calls.
//
//===----------------------------------------------------------------------===//

#include <cuda.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#define LOSS_CUDA_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

int defaultDevice = 0;

bool tracing() {
  static const bool on = [] {
    const char *v = std::getenv("LOSS_CUDA_RUNTIME_TRACE");
    return v && *v && *v != '0';
  }();
  return on;
}

#define TRACE(...)                                                             \
  do {                                                                         \
    if (tracing()) {                                                           \
      std::fprintf(stderr, "loss_cuda_runtime: " __VA_ARGS__);                 \
      std::fputc('\n', stderr);                                                \
    }                                                                          \
  } while (false)

/// Reports a failed driver call; returns whether it succeeded.
bool check(CUresult result, const char *call) {
  if (result == CUDA_SUCCESS)
    return true;
  const char *name = nullptr, *text = nullptr;
  cuGetErrorName(result, &name);
  cuGetErrorString(result, &text);
  std::fprintf(stderr, "loss_cuda_runtime: %s failed: %s (%s)\n", call,
               name ? name : "unknown error", text ? text : "");
  return false;
}

/// The primary context of the default device, retained once.
CUcontext primaryContext() {
  static CUcontext context = nullptr;
  static std::once_flag once;
  std::call_once(once, [] {
    if (!check(cuInit(0), "cuInit"))
      return;
    CUdevice device;
    if (!check(cuDeviceGet(&device, defaultDevice), "cuDeviceGet"))
      return;
    check(cuDevicePrimaryCtxRetain(&context, device),
          "cuDevicePrimaryCtxRetain");
    if (tracing()) {
      char name[256] = {0};
      cuDeviceGetName(name, sizeof(name), device);
      TRACE("device %d: %s", defaultDevice, name);
    }
  });
  return context;
}

/// Makes the primary context current for the lifetime of the object.
class ContextScope {
public:
  ContextScope() : pushed(false) {
    CUcontext ctx = primaryContext();
    if (ctx)
      pushed = check(cuCtxPushCurrent(ctx), "cuCtxPushCurrent");
  }
  ~ContextScope() {
    if (pushed)
      cuCtxPopCurrent(nullptr);
  }
  ContextScope(const ContextScope &) = delete;
  ContextScope &operator=(const ContextScope &) = delete;

private:
  bool pushed;
};

/// The data pointer and byte size of a contiguous ranked memref descriptor
/// { base, data, offset, sizes[rank], strides[rank] }.
struct MemRefSpan {
  char *data;
  uint64_t bytes;
};

MemRefSpan spanOf(int64_t rank, void *descriptor, int64_t elementSize) {
  struct Header {
    char *base;
    char *data;
    int64_t offset;
  };
  auto *h = static_cast<Header *>(descriptor);
  auto *sizes = reinterpret_cast<int64_t *>(h + 1);
  uint64_t n = 1;
  for (int64_t i = 0; i < rank; ++i)
    n *= static_cast<uint64_t>(sizes[i]);
  return {h->data + h->offset * elementSize,
          n * static_cast<uint64_t>(elementSize)};
}

} // namespace

//===----------------------------------------------------------------------===//
// Modules and kernels
//===----------------------------------------------------------------------===//

LOSS_CUDA_EXPORT void *mgpuModuleLoad(void *data, size_t size) {
  ContextScope scope;
  CUmodule module = nullptr;
  TRACE("mgpuModuleLoad(%p, %zu)", data, size);
  check(cuModuleLoadData(&module, data), "cuModuleLoadData");
  return module;
}

LOSS_CUDA_EXPORT void *mgpuModuleLoadJIT(void *data, int optLevel) {
  ContextScope scope;
  CUmodule module = nullptr;
  TRACE("mgpuModuleLoadJIT(%p, O%d)", data, optLevel);
  char errorLog[8192] = {0};
  char infoLog[8192] = {0};
  if (optLevel < 0)
    optLevel = 0;
  if (optLevel > 4)
    optLevel = 4;
  CUjit_option options[] = {CU_JIT_OPTIMIZATION_LEVEL, CU_JIT_ERROR_LOG_BUFFER,
                            CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
                            CU_JIT_INFO_LOG_BUFFER,
                            CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES};
  void *values[] = {reinterpret_cast<void *>(static_cast<intptr_t>(optLevel)),
                    errorLog, reinterpret_cast<void *>(sizeof(errorLog)),
                    infoLog, reinterpret_cast<void *>(sizeof(infoLog))};
  if (!check(cuModuleLoadDataEx(&module, data, 5, options, values),
             "cuModuleLoadDataEx (PTX JIT)")) {
    if (errorLog[0])
      std::fprintf(stderr, "loss_cuda_runtime: JIT log:\n%s\n", errorLog);
    return nullptr;
  }
  if (tracing() && infoLog[0])
    TRACE("JIT info: %s", infoLog);
  return module;
}

LOSS_CUDA_EXPORT void mgpuModuleUnload(void *module) {
  TRACE("mgpuModuleUnload(%p)", module);
  if (!module)
    return;
  ContextScope scope;
  check(cuModuleUnload(static_cast<CUmodule>(module)), "cuModuleUnload");
}

LOSS_CUDA_EXPORT void *mgpuModuleGetFunction(void *module, const char *name) {
  ContextScope scope;
  CUfunction function = nullptr;
  if (!module) {
    std::fprintf(stderr,
                 "loss_cuda_runtime: kernel %s: its module did not load\n",
                 name);
    return nullptr;
  }
  check(cuModuleGetFunction(&function, static_cast<CUmodule>(module), name),
        "cuModuleGetFunction");
  return function;
}

namespace {
/// Dynamic shared memory beyond the default 48 KiB must be opted into.
void allowSharedMemory(CUfunction f, int32_t smem) {
  if (smem <= 48 * 1024)
    return;
  check(cuFuncSetAttribute(f, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                           smem),
        "cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES)");
}
} // namespace

LOSS_CUDA_EXPORT void mgpuLaunchKernel(void *function, intptr_t gridX,
                                       intptr_t gridY, intptr_t gridZ,
                                       intptr_t blockX, intptr_t blockY,
                                       intptr_t blockZ, int32_t smem,
                                       void *stream, void **params,
                                       void **extra, size_t /*paramsCount*/) {
  TRACE("mgpuLaunchKernel(%p, grid %ld x %ld x %ld, block %ld x %ld x %ld, "
        "smem %d)",
        function, (long)gridX, (long)gridY, (long)gridZ, (long)blockX,
        (long)blockY, (long)blockZ, smem);
  if (!function)
    return;
  ContextScope scope;
  auto f = static_cast<CUfunction>(function);
  allowSharedMemory(f, smem);
  check(cuLaunchKernel(f, gridX, gridY, gridZ, blockX, blockY, blockZ, smem,
                       static_cast<CUstream>(stream), params, extra),
        "cuLaunchKernel");
}

LOSS_CUDA_EXPORT void
mgpuLaunchClusterKernel(void *function, intptr_t clusterX, intptr_t clusterY,
                        intptr_t clusterZ, intptr_t gridX, intptr_t gridY,
                        intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                        intptr_t blockZ, int32_t smem, void *stream,
                        void **params, void **extra, size_t /*paramsCount*/) {
  TRACE("mgpuLaunchClusterKernel(%p, cluster %ld x %ld x %ld)", function,
        (long)clusterX, (long)clusterY, (long)clusterZ);
  if (!function)
    return;
  ContextScope scope;
  auto f = static_cast<CUfunction>(function);
  allowSharedMemory(f, smem);
  if (clusterX * clusterY * clusterZ > 8)
    check(cuFuncSetAttribute(
              f, CU_FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED, 1),
          "cuFuncSetAttribute(NON_PORTABLE_CLUSTER_SIZE_ALLOWED)");
  CUlaunchAttribute attribute;
  attribute.id = CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION;
  attribute.value.clusterDim.x = static_cast<unsigned>(clusterX);
  attribute.value.clusterDim.y = static_cast<unsigned>(clusterY);
  attribute.value.clusterDim.z = static_cast<unsigned>(clusterZ);
  CUlaunchConfig config = {};
  config.gridDimX = static_cast<unsigned>(gridX);
  config.gridDimY = static_cast<unsigned>(gridY);
  config.gridDimZ = static_cast<unsigned>(gridZ);
  config.blockDimX = static_cast<unsigned>(blockX);
  config.blockDimY = static_cast<unsigned>(blockY);
  config.blockDimZ = static_cast<unsigned>(blockZ);
  config.sharedMemBytes = static_cast<unsigned>(smem);
  config.hStream = static_cast<CUstream>(stream);
  config.attrs = &attribute;
  config.numAttrs = 1;
  check(cuLaunchKernelEx(&config, f, params, extra), "cuLaunchKernelEx");
}

//===----------------------------------------------------------------------===//
// Streams and events
//===----------------------------------------------------------------------===//

LOSS_CUDA_EXPORT void *mgpuStreamCreate() {
  ContextScope scope;
  CUstream stream = nullptr;
  check(cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING), "cuStreamCreate");
  return stream;
}

LOSS_CUDA_EXPORT void mgpuStreamDestroy(void *stream) {
  ContextScope scope;
  check(cuStreamDestroy(static_cast<CUstream>(stream)), "cuStreamDestroy");
}

LOSS_CUDA_EXPORT void mgpuStreamSynchronize(void *stream) {
  ContextScope scope;
  check(cuStreamSynchronize(static_cast<CUstream>(stream)),
        "cuStreamSynchronize");
}

LOSS_CUDA_EXPORT void mgpuStreamWaitEvent(void *stream, void *event) {
  ContextScope scope;
  check(cuStreamWaitEvent(static_cast<CUstream>(stream),
                          static_cast<CUevent>(event), 0),
        "cuStreamWaitEvent");
}

LOSS_CUDA_EXPORT void *mgpuEventCreate() {
  ContextScope scope;
  CUevent event = nullptr;
  check(cuEventCreate(&event, CU_EVENT_DISABLE_TIMING), "cuEventCreate");
  return event;
}

LOSS_CUDA_EXPORT void mgpuEventDestroy(void *event) {
  ContextScope scope;
  check(cuEventDestroy(static_cast<CUevent>(event)), "cuEventDestroy");
}

LOSS_CUDA_EXPORT void mgpuEventSynchronize(void *event) {
  ContextScope scope;
  check(cuEventSynchronize(static_cast<CUevent>(event)), "cuEventSynchronize");
}

LOSS_CUDA_EXPORT void mgpuEventRecord(void *event, void *stream) {
  ContextScope scope;
  check(
      cuEventRecord(static_cast<CUevent>(event), static_cast<CUstream>(stream)),
      "cuEventRecord");
}

//===----------------------------------------------------------------------===//
// Memory
//===----------------------------------------------------------------------===//

/// Device memory, or managed memory (accessible from host and device) when
/// `isHostShared`. Empty buffers still get a valid pointer.
LOSS_CUDA_EXPORT void *mgpuMemAlloc(uint64_t sizeBytes, void * /*stream*/,
                                    bool isHostShared) {
  ContextScope scope;
  CUdeviceptr ptr = 0;
  uint64_t bytes = sizeBytes ? sizeBytes : 1;
  if (isHostShared)
    check(cuMemAllocManaged(&ptr, bytes, CU_MEM_ATTACH_GLOBAL),
          "cuMemAllocManaged");
  else
    check(cuMemAlloc(&ptr, bytes), "cuMemAlloc");
  TRACE("mgpuMemAlloc(%llu, %s) = %p", (unsigned long long)sizeBytes,
        isHostShared ? "managed" : "device", reinterpret_cast<void *>(ptr));
  return reinterpret_cast<void *>(ptr);
}

LOSS_CUDA_EXPORT void mgpuMemFree(void *ptr, void * /*stream*/) {
  TRACE("mgpuMemFree(%p)", ptr);
  if (!ptr)
    return;
  ContextScope scope;
  check(cuMemFree(reinterpret_cast<CUdeviceptr>(ptr)), "cuMemFree");
}

LOSS_CUDA_EXPORT void mgpuMemcpy(void *dst, void *src, size_t sizeBytes,
                                 void *stream) {
  ContextScope scope;
  check(cuMemcpyAsync(reinterpret_cast<CUdeviceptr>(dst),
                      reinterpret_cast<CUdeviceptr>(src), sizeBytes,
                      static_cast<CUstream>(stream)),
        "cuMemcpyAsync");
}

LOSS_CUDA_EXPORT void mgpuMemset32(void *dst, unsigned int value, size_t count,
                                   void *stream) {
  ContextScope scope;
  check(cuMemsetD32Async(reinterpret_cast<CUdeviceptr>(dst), value, count,
                         static_cast<CUstream>(stream)),
        "cuMemsetD32Async");
}

LOSS_CUDA_EXPORT void mgpuMemset16(void *dst, unsigned short value,
                                   size_t count, void *stream) {
  ContextScope scope;
  check(cuMemsetD16Async(reinterpret_cast<CUdeviceptr>(dst), value, count,
                         static_cast<CUstream>(stream)),
        "cuMemsetD16Async");
}

/// Page-locks host memory and maps it for the device (gpu.host_register).
LOSS_CUDA_EXPORT void mgpuMemHostRegister(void *ptr, uint64_t sizeBytes) {
  TRACE("mgpuMemHostRegister(%p, %llu)", ptr, (unsigned long long)sizeBytes);
  if (!ptr || !sizeBytes)
    return;
  ContextScope scope;
  CUresult r = cuMemHostRegister(ptr, sizeBytes,
                                 CU_MEMHOSTREGISTER_PORTABLE |
                                     CU_MEMHOSTREGISTER_DEVICEMAP);
  if (r == CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED)
    return;
  if (r == CUDA_ERROR_INVALID_VALUE || r == CUDA_ERROR_NOT_PERMITTED)
    // Read-only pages (constants) can only be registered read-only.
    r = cuMemHostRegister(ptr, sizeBytes,
                          CU_MEMHOSTREGISTER_PORTABLE |
                              CU_MEMHOSTREGISTER_DEVICEMAP |
                              CU_MEMHOSTREGISTER_READ_ONLY);
  if (r != CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED)
    check(r, "cuMemHostRegister");
}

LOSS_CUDA_EXPORT void mgpuMemHostRegisterMemRef(int64_t rank, void *descriptor,
                                                int64_t elementSizeBytes) {
  MemRefSpan span = spanOf(rank, descriptor, elementSizeBytes);
  mgpuMemHostRegister(span.data, span.bytes);
}

LOSS_CUDA_EXPORT void mgpuMemHostUnregister(void *ptr) {
  TRACE("mgpuMemHostUnregister(%p)", ptr);
  if (!ptr)
    return;
  ContextScope scope;
  CUresult r = cuMemHostUnregister(ptr);
  if (r != CUDA_ERROR_HOST_MEMORY_NOT_REGISTERED)
    check(r, "cuMemHostUnregister");
}

LOSS_CUDA_EXPORT void mgpuMemHostUnregisterMemRef(int64_t rank,
                                                  void *descriptor,
                                                  int64_t elementSizeBytes) {
  mgpuMemHostUnregister(spanOf(rank, descriptor, elementSizeBytes).data);
}

/// Selects the device whose primary context later calls use; effective only
/// before the first call that needs a context.
LOSS_CUDA_EXPORT void mgpuSetDefaultDevice(int32_t device) {
  TRACE("mgpuSetDefaultDevice(%d)", device);
  defaultDevice = device;
}
