//===- JIT.cpp - Compile a loss module and call it on host buffers --------===//
//
// Lowering is the loss pipelines' with results as out-parameters; the JIT is
// MLIR's ExecutionEngine at -O3. A call goes through the packed wrapper of
// the lowered function, every memref argument expanded to (allocated,
// aligned, offset, sizes..., strides...).
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/Runner/JIT.h"
#include "loss-mlir/Dialect/Loss/IR/Loss.h"
#include "loss-mlir/Dialect/Loss/Transforms/Passes.h"
#include "loss-mlir/Pipelines/Pipelines.h"
#include "loss-mlir/Target/ONNX/ImportONNX.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/DynamicLibrary.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cstdlib>
#include <unistd.h>

using namespace mlir;
using namespace mlir::loss::runner;

std::optional<Device> mlir::loss::runner::parseDevice(StringRef name) {
  return llvm::StringSwitch<std::optional<Device>>(name)
      .Case("cpu", Device::CPU)
      .Case("cuda", Device::CUDA)
      .Case("gpu-emulation", Device::GPUEmulation)
      .Default(std::nullopt);
}

void mlir::loss::runner::registerRunnerDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registry.insert<loss::LossDialect>();
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
  // Device::CUDA: kernels to PTX, gpu.binary and launches to LLVM IR.
  registerAllGPUToLLVMIRTranslations(registry);
}

OwningOpRef<ModuleOp>
mlir::loss::runner::parseModule(std::unique_ptr<llvm::MemoryBuffer> buffer,
                                StringRef path, MLIRContext &ctx) {
  if (path.ends_with(".onnx"))
    return loss::importONNXModel(buffer->getBuffer(), path, &ctx);
  llvm::SourceMgr sm;
  sm.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  return parseSourceFile<ModuleOp>(sm, &ctx);
}

std::string mlir::loss::runner::findCudaRuntimeLibrary() {
  std::string exe = llvm::sys::fs::getMainExecutable(
      nullptr, reinterpret_cast<void *>(&findCudaRuntimeLibrary));
  SmallString<256> dir(llvm::sys::path::parent_path(exe));
  for (StringRef rel : {".", "../lib"}) {
    SmallString<256> p(dir);
    llvm::sys::path::append(p, rel, "libloss_cuda_runtime.so");
    if (llvm::sys::fs::exists(p)) {
      llvm::sys::fs::make_absolute(p);
      return std::string(p);
    }
  }
  return "";
}

namespace {
/// The machine's physical memory in bytes (no limit if unknown).
uint64_t physicalMemoryBytes() {
  long pages = ::sysconf(_SC_PHYS_PAGES), size = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || size <= 0)
    return UINT64_MAX;
  return static_cast<uint64_t>(pages) * static_cast<uint64_t>(size);
}

/// libloss_cuda_runtime.so: the option, else the one next to the tools,
/// else the loader's search path.
std::string cudaRuntimePath(const CompileOptions &options) {
  if (!options.cudaRuntime.empty())
    return options.cudaRuntime;
  std::string found = findCudaRuntimeLibrary();
  return found.empty() ? "libloss_cuda_runtime.so" : found;
}

/// Fills the signature of `c` from `fn`; every argument and result must be a
/// statically shaped tensor.
LogicalResult readSignature(func::FuncOp fn, CompiledFunction &c) {
  c.name = fn.getSymName().str();
  auto fnTy = fn.getFunctionType();
  for (auto [i, t] : llvm::enumerate(fnTy.getInputs())) {
    auto rt = dyn_cast<RankedTensorType>(t);
    if (!rt || !rt.hasStaticShape())
      return emitError(fn.getLoc())
             << "argument #" << i
             << " must be a statically shaped tensor, got " << t;
    c.argTypes.push_back(rt);
    auto n = fn.getArgAttrOfType<StringAttr>(i, "onnx.name");
    c.argNames.push_back(n ? n.str() : "arg" + std::to_string(i));
  }
  for (auto [i, t] : llvm::enumerate(fnTy.getResults())) {
    auto rt = dyn_cast<RankedTensorType>(t);
    if (!rt || !rt.hasStaticShape())
      return emitError(fn.getLoc())
             << "result #" << i << " must be a statically shaped tensor, got "
             << t;
    c.resultTypes.push_back(rt);
    auto n = fn.getResultAttrOfType<StringAttr>(i, "onnx.name");
    c.resultNames.push_back(n ? n.str() : "result" + std::to_string(i));
  }
  return success();
}
} // namespace

FailureOr<CompiledFunction>
mlir::loss::runner::compileModule(OwningOpRef<ModuleOp> module,
                                  const CompileOptions &options) {
  MLIRContext *ctx = module->getContext();
  const std::string &entry = options.entry;
  func::FuncOp fn;
  for (auto f : module->getOps<func::FuncOp>()) {
    if (f.isDeclaration() ||
        (entry.empty() ? f.isPrivate() : f.getSymName() != entry))
      continue;
    if (fn)
      return emitError(f.getLoc())
             << "more than one public function; pick one with --entry";
    fn = f;
  }
  if (!fn)
    return emitError(module->getLoc())
           << (entry.empty() ? "no public function to run"
                             : "no function named '" + entry + "'");
  if (options.grad) {
    // The value-and-grad function replaces the entry.
    loss::LossGenerateGradientsOptions gradOptions;
    gradOptions.functions = {fn.getSymName().str()};
    gradOptions.wrt = llvm::to_vector_of<std::string>(options.gradWrt);
    PassManager gradPm(ctx);
    gradPm.addPass(loss::createLossGenerateGradients(gradOptions));
    std::string name = (fn.getSymName() + "_value_and_grad").str();
    if (failed(gradPm.run(*module)))
      return failure();
    fn = module->lookupSymbol<func::FuncOp>(name);
    if (!fn)
      return emitError(module->getLoc())
             << "loss-generate-gradients made no '" << name << "' function";
    fn.setPublic();
  }
  CompiledFunction c;
  if (failed(readSignature(fn, c)))
    return failure();

  PassManager pm(ctx);
  SmallVector<std::string> libs;
  switch (options.device) {
  case Device::CUDA: {
    loss::LossLowerToNVVMOptions pipeline;
    pipeline.fuse = options.fuse;
    pipeline.resultsToOutParams = true;
    pipeline.chip = options.gpuChip;
    loss::buildLossLowerToNVVMPipeline(pm, pipeline);
    libs.push_back(cudaRuntimePath(options));
    // Say why rather than failing to resolve mgpu* symbols later.
    std::string why;
    if (!llvm::sys::DynamicLibrary::getPermanentLibrary(libs.back().c_str(),
                                                       &why)
             .isValid())
      return emitError(UnknownLoc::get(ctx))
             << "--device=cuda needs " << libs.back()
             << " and the NVIDIA driver (libcuda.so.1): " << why;
    break;
  }
  case Device::GPUEmulation: {
    loss::LossLowerToGPUEmulationOptions pipeline;
    pipeline.fuse = options.fuse;
    pipeline.resultsToOutParams = true;
    loss::buildLossLowerToGPUEmulationPipeline(pm, pipeline);
    libs.push_back(LOSS_MLIR_LLVM_LIBRARY_DIR "/libomp.so");
    // Emulated GPU threads wait at barriers: sleep there rather than spin
    // (read when libomp loads, below; a value set by the user wins).
    ::setenv("KMP_BLOCKTIME", "0", /*overwrite=*/0);
    break;
  }
  case Device::CPU: {
    loss::LossLowerToLLVMOptions pipeline;
    pipeline.fuse = options.fuse;
    pipeline.resultsToOutParams = true;
    loss::buildLossLowerToLLVMPipeline(pm, pipeline);
    break;
  }
  }
  {
    // A pass that fails without a diagnostic still gets a message.
    bool anyError = false;
    ScopedDiagnosticHandler countErrors(ctx, [&](Diagnostic &d) {
      anyError |= d.getSeverity() == DiagnosticSeverity::Error;
      return failure(); // on to the enclosing handler
    });
    if (failed(pm.run(*module))) {
      if (!anyError)
        emitError(module->getLoc())
            << "the lowering pipeline fails on '" << c.name << "'";
      return failure();
    }
  }

  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  ExecutionEngineOptions engineOptions;
  auto optimize = makeOptimizingTransformer(3, 0, nullptr);
  engineOptions.transformer = optimize;
  SmallVector<StringRef> libRefs(libs.begin(), libs.end());
  engineOptions.sharedLibPaths = libRefs;
  auto engine = ExecutionEngine::create(*module, engineOptions);
  if (!engine)
    return emitError(UnknownLoc::get(ctx))
           << "JIT compilation failed: " << llvm::toString(engine.takeError());
  c.engine = std::move(*engine);
  return c;
}

llvm::Error CompiledFunction::call(ArrayRef<HostTensor *> inputs,
                                   SmallVectorImpl<HostTensor> &outputs) {
  return run(inputs, outputs, /*repetitions=*/1, nullptr);
}

llvm::Expected<BenchmarkTimes>
CompiledFunction::benchmark(ArrayRef<HostTensor *> inputs, unsigned calls) {
  SmallVector<HostTensor> outputs;
  BenchmarkTimes times;
  if (llvm::Error err = run(inputs, outputs, calls, &times.seconds))
    return std::move(err);
  for (HostTensor *t : inputs)
    times.bytes += t->bytes.size();
  for (HostTensor &t : outputs)
    times.bytes += t.bytes.size();
  llvm::sort(times.seconds);
  return times;
}

llvm::Error CompiledFunction::run(ArrayRef<HostTensor *> inputs,
                                  SmallVectorImpl<HostTensor> &outputs,
                                  unsigned repetitions,
                                  SmallVectorImpl<double> *seconds) {
  outputs.clear();
  // The results' buffers, checked before they are allocated: their sizes
  // come from the model (a broadcast of two small inputs can be huge), and
  // an allocation that fails aborts.
  uint64_t total = 0;
  for (auto [t, name] : llvm::zip_equal(resultTypes, resultNames)) {
    auto n = checkedNumElements(t.getShape(), byteWidth(t.getElementType()),
                                "output '" + name + "'");
    if (!n)
      return n.takeError();
    uint64_t bytes = *n * byteWidth(t.getElementType());
    total += bytes;
    if (total > physicalMemoryBytes())
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          "error: output '" + name + "' (" + typeName(t) + ", " +
              llvm::Twine(bytes) +
              " bytes) does not fit in this machine's memory with the "
              "outputs before it");
  }
  for (RankedTensorType t : resultTypes) {
    HostTensor h;
    h.elementType = t.getElementType();
    h.shape.assign(t.getShape().begin(), t.getShape().end());
    h.bytes.assign(h.numElements() * byteWidth(h.elementType), 0);
    outputs.push_back(std::move(h));
  }
  struct Desc {
    void *ptr;
    int64_t offset = 0;
    SmallVector<int64_t> sizes, strides;
  };
  SmallVector<Desc> descs;
  auto addDesc = [&](HostTensor &t) {
    Desc d;
    // Empty tensors still need a valid, aligned pointer.
    static int64_t dummy[2];
    d.ptr = t.bytes.empty() ? static_cast<void *>(dummy)
                            : static_cast<void *>(t.bytes.data());
    d.sizes.assign(t.shape.begin(), t.shape.end());
    d.strides.resize(t.shape.size());
    int64_t s = 1;
    for (int64_t i = static_cast<int64_t>(t.shape.size()) - 1; i >= 0; --i) {
      d.strides[i] = s;
      s *= t.shape[i];
    }
    descs.push_back(std::move(d));
  };
  for (HostTensor *t : inputs)
    addDesc(*t);
  for (HostTensor &t : outputs)
    addDesc(t);
  SmallVector<void *> args;
  for (Desc &d : descs) {
    args.push_back(&d.ptr); // allocated
    args.push_back(&d.ptr); // aligned
    args.push_back(&d.offset);
    for (int64_t &s : d.sizes)
      args.push_back(&s);
    for (int64_t &s : d.strides)
      args.push_back(&s);
  }
  // Repeated calls (benchmark) reuse the buffers: only the call is timed.
  for (unsigned i = 0; i < repetitions; ++i) {
    auto start = std::chrono::steady_clock::now();
    if (llvm::Error err = engine->invokePacked(name, args))
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "error: " +
                                         llvm::toString(std::move(err)));
    if (seconds)
      seconds->push_back(std::chrono::duration<double>(
                             std::chrono::steady_clock::now() - start)
                             .count());
  }
  return llvm::Error::success();
}


llvm::Error mlir::loss::runner::checkInput(const CompiledFunction &c,
                                           size_t i, const HostTensor &t,
                                           StringRef from) {
  RankedTensorType want = c.argTypes[i];
  if (t.elementType == want.getElementType() &&
      ArrayRef<int64_t>(t.shape) == want.getShape())
    return llvm::Error::success();
  std::string msg;
  llvm::raw_string_ostream os(msg);
  os << from << ": input '" << c.argNames[i] << "' is " << shapeName(t.shape)
     << " " << typeName(t.elementType) << ", the model expects " << want;
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

llvm::Expected<SmallVector<HostTensor>>
mlir::loss::runner::bindInputs(MLIRContext *ctx, const CompiledFunction &c,
                               ArrayRef<std::string> specs) {
  auto error = [](const llvm::Twine &msg) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "error: " + msg);
  };
  SmallVector<HostTensor> ins(c.argTypes.size());
  SmallVector<bool> given(c.argTypes.size(), false);
  size_t nextPositional = 0;
  for (const std::string &spec : specs) {
    auto [name, file] = StringRef(spec).split('=');
    if (file.empty()) {
      file = name;
      name = "";
    }
    size_t idx = nextPositional;
    if (!name.empty()) {
      auto it = llvm::find(c.argNames, name);
      if (it == c.argNames.end())
        return error("--input " + spec + ": the function has no input named '" +
                     name + "' (inputs: " + llvm::join(c.argNames, ", ") +
                     ")");
      idx = it - c.argNames.begin();
    } else {
      ++nextPositional;
    }
    if (idx >= ins.size())
      return error("more --input files than function inputs (" +
                   llvm::Twine(ins.size()) + ")");
    llvm::Expected<HostTensor> t = readTensorFile(ctx, file);
    if (!t)
      return t.takeError();
    if (llvm::Error err = checkInput(c, idx, *t, file))
      return std::move(err);
    ins[idx] = std::move(*t);
    given[idx] = true;
  }
  for (size_t i = 0; i < given.size(); ++i)
    if (!given[i])
      return error("no value for input '" + c.argNames[i] + "' (" +
                   typeName(c.argTypes[i]) + "); pass --input " +
                   c.argNames[i] + "=FILE");
  return ins;
}
