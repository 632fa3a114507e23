//===- loss-run.cpp - Compile and run losses on real inputs ---------------===//
//
//   loss-run --onnx-test DIR...           ONNX backend test directories
//   loss-run FILE.{mlir,onnx} --input NAME=FILE.{pb,npy} ...
//
// Imports (ONNX) or parses (MLIR), fuses, compiles for the host CPU with the
// --loss-lower-to-llvm pipeline, JIT-runs through MLIR's ExecutionEngine and
// compares or prints the outputs.
//
// --device=cuda compiles with --loss-lower-to-nvvm instead and runs the
// kernels on an NVIDIA GPU through libloss_cuda_runtime.so (found next to
// loss-run, in ../lib, or given with --cuda-runtime). --device=gpu-emulation
// runs the same kernels on the host (--loss-lower-to-gpu-emulation, OpenMP
// threads as GPU threads): a check of the GPU path without a GPU.
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/Dialect/Loss/IR/Loss.h"
#include "loss-mlir/Pipelines/Pipelines.h"
#include "loss-mlir/Target/ONNX/ImportONNX.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinOps.h"
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
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/DynamicLibrary.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"

#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstdlib>
#include <cstring>

using namespace mlir;
namespace cl = llvm::cl;

static cl::list<std::string> positional(cl::Positional,
                                        cl::desc("<model.onnx|file.mlir|test dir>..."));
static cl::opt<bool> onnxTest(
    "onnx-test",
    cl::desc("Treat the positional arguments as ONNX backend test directories "
             "(model.onnx + test_data_set_*/{input,output}_*.pb)"));
static cl::list<std::string>
    inputs("input", cl::desc("NAME=FILE: an input from a TensorProto .pb or "
                             "NumPy .npy file (in argument order if NAME is "
                             "omitted)"));
static cl::opt<std::string>
    outputDir("output-dir",
              cl::desc("Write each output as <dir>/<name>.npy instead of "
                       "printing it"));
static cl::opt<std::string> entry("entry",
                                  cl::desc("Function to run (default: the "
                                           "only public function)"));
static cl::opt<double> relTol("rtol", cl::desc("Relative tolerance"),
                            cl::init(1e-3));
static cl::opt<double> absTol("atol", cl::desc("Absolute tolerance"),
                            cl::init(1e-7));
static cl::opt<bool> noFuse("no-fuse",
                            cl::desc("Do not fuse log_softmax + nll"));
static cl::opt<std::string>
    device("device",
           cl::desc("cpu, cuda (an NVIDIA GPU) or gpu-emulation (the GPU "
                    "kernels on the host CPU, for testing)"),
           cl::init("cpu"));
static cl::opt<std::string>
    gpuChip("gpu-chip", cl::desc("GPU architecture for --device=cuda"),
            cl::init("sm_90"));
static cl::opt<std::string> cudaRuntime(
    "cuda-runtime",
    cl::desc("Path of libloss_cuda_runtime.so (default: next to loss-run or "
             "in ../lib)"));
static cl::opt<bool> dumpIR("dump-ir",
                            cl::desc("Print the imported IR before compiling"));

namespace {

/// A host tensor: element type, shape and packed little-endian bytes.
struct HostTensor {
  Type elementType;
  SmallVector<int64_t> shape;
  std::vector<char> bytes;
  int64_t numElements() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
};

size_t byteWidth(Type t) {
  return t.isInteger(1) ? 1 : t.getIntOrFloatBitWidth() / 8;
}

std::string typeName(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << t;
  return s;
}

std::string shapeName(ArrayRef<int64_t> shape) {
  return "[" + llvm::join(llvm::map_range(shape, [](int64_t d) {
                            return std::to_string(d);
                          }),
                          ", ") +
         "]";
}

double halfToDouble(uint16_t h) {
  int sign = h >> 15, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  double v;
  if (exp == 0)
    v = std::ldexp(mant, -24);
  else if (exp == 31)
    v = mant ? NAN : INFINITY;
  else
    v = std::ldexp(mant + 1024, exp - 25);
  return sign ? -v : v;
}

double elementAsDouble(const HostTensor &t, int64_t i) {
  const char *p = t.bytes.data() + i * byteWidth(t.elementType);
  Type el = t.elementType;
  if (el.isF32()) {
    float f;
    std::memcpy(&f, p, 4);
    return f;
  }
  if (el.isF64()) {
    double d;
    std::memcpy(&d, p, 8);
    return d;
  }
  if (el.isF16() || el.isBF16()) {
    uint16_t h;
    std::memcpy(&h, p, 2);
    if (el.isF16())
      return halfToDouble(h);
    uint32_t w = static_cast<uint32_t>(h) << 16;
    float f;
    std::memcpy(&f, &w, 4);
    return f;
  }
  int64_t v = 0;
  switch (byteWidth(el)) {
  case 1:
    v = el.isInteger(1) ? *reinterpret_cast<const uint8_t *>(p)
                        : *reinterpret_cast<const int8_t *>(p);
    break;
  case 2:
    v = *reinterpret_cast<const int16_t *>(p);
    break;
  case 4:
    v = *reinterpret_cast<const int32_t *>(p);
    break;
  default:
    std::memcpy(&v, p, 8);
  }
  return static_cast<double>(v);
}

//===----------------------------------------------------------------------===//
// Reading and writing tensors
//===----------------------------------------------------------------------===//

FailureOr<HostTensor> readTensorProto(MLIRContext *ctx, StringRef path,
                                      std::string &name) {
  auto buf = llvm::MemoryBuffer::getFile(path);
  if (!buf) {
    llvm::errs() << path << ": cannot read: " << buf.getError().message()
                 << "\n";
    return failure();
  }
  onnx::TensorProto proto;
  if (!proto.ParseFromArray((*buf)->getBufferStart(),
                            static_cast<int>((*buf)->getBufferSize()))) {
    llvm::errs() << path << ": not a valid TensorProto\n";
    return failure();
  }
  name = proto.name();
  // Reuse the importer's conversion through a one-node model would be heavy;
  // decode the few layouts directly.
  Builder b(ctx);
  HostTensor t;
  t.elementType = loss::convertONNXElementType(ctx, proto.data_type());
  if (!t.elementType) {
    llvm::errs() << path << ": unsupported data type " << proto.data_type()
                 << "\n";
    return failure();
  }
  t.shape.assign(proto.dims().begin(), proto.dims().end());
  size_t w = byteWidth(t.elementType);
  int64_t n = t.numElements();
  if (proto.has_raw_data()) {
    t.bytes.assign(proto.raw_data().begin(), proto.raw_data().end());
  } else {
    t.bytes.resize(n * w);
    auto put = [&](int64_t i, const void *src) {
      if (i < n)
        std::memcpy(t.bytes.data() + i * w, src, w);
    };
    int64_t i = 0;
    if (proto.data_type() == onnx::TensorProto::FLOAT)
      for (float f : proto.float_data())
        put(i++, &f);
    else if (proto.data_type() == onnx::TensorProto::DOUBLE)
      for (double d : proto.double_data())
        put(i++, &d);
    else if (proto.data_type() == onnx::TensorProto::INT64)
      for (int64_t v : proto.int64_data())
        put(i++, &v);
    else
      for (int32_t v : proto.int32_data()) {
        int64_t wide = v;
        put(i++, &wide); // little-endian: the low bytes come first
      }
    if (i != n) {
      llvm::errs() << path << ": holds " << i << " values, shape needs " << n
                   << "\n";
      return failure();
    }
  }
  if (static_cast<int64_t>(t.bytes.size()) != n * static_cast<int64_t>(w)) {
    llvm::errs() << path << ": raw data has " << t.bytes.size()
                 << " bytes, shape needs " << n * w << "\n";
    return failure();
  }
  return t;
}

FailureOr<HostTensor> readNpy(MLIRContext *ctx, StringRef path) {
  auto buf = llvm::MemoryBuffer::getFile(path);
  if (!buf) {
    llvm::errs() << path << ": cannot read: " << buf.getError().message()
                 << "\n";
    return failure();
  }
  StringRef data = (*buf)->getBuffer();
  if (data.size() < 10 || !data.starts_with("\x93NUMPY")) {
    llvm::errs() << path << ": not a .npy file\n";
    return failure();
  }
  unsigned major = static_cast<uint8_t>(data[6]);
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen = static_cast<uint8_t>(data[8]) |
                (static_cast<uint8_t>(data[9]) << 8);
    headerStart = 10;
  } else {
    if (data.size() < 12) {
      llvm::errs() << path << ": truncated .npy header\n";
      return failure();
    }
    uint32_t len;
    std::memcpy(&len, data.data() + 8, 4);
    headerLen = len;
    headerStart = 12;
  }
  if (headerStart + headerLen > data.size()) {
    llvm::errs() << path << ": truncated .npy header\n";
    return failure();
  }
  StringRef header = data.substr(headerStart, headerLen);
  auto field = [&](StringRef key) -> StringRef {
    size_t k = header.find(("'" + key + "'").str());
    if (k == StringRef::npos)
      return {};
    StringRef rest = header.drop_front(k + key.size() + 2).ltrim(" :");
    return rest;
  };
  StringRef descr = field("descr");
  if (!descr.consume_front("'")) {
    llvm::errs() << path << ": .npy header has no 'descr'\n";
    return failure();
  }
  descr = descr.take_until([](char c) { return c == '\''; });
  if (field("fortran_order").starts_with("True")) {
    llvm::errs() << path << ": Fortran-ordered arrays are not supported\n";
    return failure();
  }
  Builder b(ctx);
  HostTensor t;
  static const std::pair<const char *, int> kinds[] = {
      {"<f4", 0}, {"<f8", 1}, {"<f2", 2}, {"<i8", 3},
      {"<i4", 4}, {"<i2", 5}, {"|i1", 6}, {"|b1", 7}};
  int kind = -1;
  for (auto [s, k] : kinds)
    if (descr == s)
      kind = k;
  switch (kind) {
  case 0: t.elementType = b.getF32Type(); break;
  case 1: t.elementType = b.getF64Type(); break;
  case 2: t.elementType = b.getF16Type(); break;
  case 3: t.elementType = b.getI64Type(); break;
  case 4: t.elementType = b.getI32Type(); break;
  case 5: t.elementType = b.getI16Type(); break;
  case 6: t.elementType = b.getI8Type(); break;
  case 7: t.elementType = b.getI1Type(); break;
  default:
    llvm::errs() << path << ": unsupported dtype '" << descr << "'\n";
    return failure();
  }
  StringRef shape = field("shape");
  if (!shape.consume_front("(")) {
    llvm::errs() << path << ": .npy header has no shape\n";
    return failure();
  }
  shape = shape.take_until([](char c) { return c == ')'; });
  SmallVector<StringRef> dims;
  shape.split(dims, ',', -1, /*KeepEmpty=*/false);
  for (StringRef d : dims) {
    int64_t v;
    if (d.trim().getAsInteger(10, v) || v < 0) {
      llvm::errs() << path << ": bad shape in .npy header\n";
      return failure();
    }
    t.shape.push_back(v);
  }
  StringRef body = data.drop_front(headerStart + headerLen);
  size_t need = t.numElements() * byteWidth(t.elementType);
  if (body.size() < need) {
    llvm::errs() << path << ": holds " << body.size() << " bytes of data, "
                 << need << " needed\n";
    return failure();
  }
  t.bytes.assign(body.begin(), body.begin() + need);
  return t;
}

LogicalResult writeNpy(const HostTensor &t, StringRef path) {
  Type el = t.elementType;
  const char *descr = el.isF32()   ? "<f4"
                      : el.isF64() ? "<f8"
                      : el.isF16() ? "<f2"
                      : el.isInteger(64) ? "<i8"
                      : el.isInteger(32) ? "<i4"
                      : el.isInteger(16) ? "<i2"
                      : el.isInteger(8)  ? "|i1"
                      : el.isInteger(1)  ? "|b1"
                                         : nullptr;
  if (!descr) {
    llvm::errs() << path << ": cannot write " << el << " as .npy\n";
    return failure();
  }
  std::string shape = "(";
  for (int64_t d : t.shape)
    shape += std::to_string(d) + ",";
  if (t.shape.size() > 1)
    shape.pop_back();
  shape += ")";
  std::string header = "{'descr': '" + std::string(descr) +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  while ((10 + header.size() + 1) % 64)
    header += ' ';
  header += '\n';
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec) {
    llvm::errs() << path << ": " << ec.message() << "\n";
    return failure();
  }
  os << "\x93NUMPY" << '\x01' << '\x00';
  os << static_cast<char>(header.size() & 0xff)
     << static_cast<char>(header.size() >> 8);
  os << header;
  os.write(t.bytes.data(), t.bytes.size());
  return success();
}

void printTensor(const HostTensor &t, StringRef name) {
  llvm::outs() << name << ": tensor<";
  for (int64_t d : t.shape)
    llvm::outs() << d << "x";
  llvm::outs() << t.elementType << "> = [";
  int digits = t.elementType.isF64() ? 17 : 9;
  for (int64_t i = 0, e = t.numElements(); i < e; ++i) {
    if (i)
      llvm::outs() << ", ";
    llvm::outs() << llvm::format("%.*g", digits, elementAsDouble(t, i));
  }
  llvm::outs() << "]\n";
}

//===----------------------------------------------------------------------===//
// Compiling and running
//===----------------------------------------------------------------------===//

/// A compiled function taking its inputs and caller-allocated outputs.
struct Compiled {
  std::unique_ptr<ExecutionEngine> engine;
  std::string name;
  SmallVector<RankedTensorType> argTypes, resultTypes;
  SmallVector<std::string> argNames, resultNames;
};

/// libloss_cuda_runtime.so: --cuda-runtime, else next to this executable or
/// in ../lib (the build tree's layout).
std::string cudaRuntimePath() {
  if (!cudaRuntime.empty())
    return cudaRuntime;
  std::string exe = llvm::sys::fs::getMainExecutable(
      nullptr, reinterpret_cast<void *>(&cudaRuntimePath));
  SmallString<256> dir(llvm::sys::path::parent_path(exe));
  for (StringRef rel : {".", "../lib"}) {
    SmallString<256> p(dir);
    llvm::sys::path::append(p, rel, "libloss_cuda_runtime.so");
    if (llvm::sys::fs::exists(p))
      return std::string(p);
  }
  return "libloss_cuda_runtime.so"; // the dynamic loader's search path
}

FailureOr<Compiled> compile(OwningOpRef<ModuleOp> module) {
  MLIRContext *ctx = module->getContext();
  func::FuncOp fn;
  for (auto f : module->getOps<func::FuncOp>()) {
    if (f.isDeclaration() || (entry.empty() ? f.isPrivate()
                                            : f.getSymName() != entry))
      continue;
    if (fn) {
      emitError(f.getLoc()) << "more than one public function; pick one with "
                               "--entry";
      return failure();
    }
    fn = f;
  }
  if (!fn) {
    emitError(module->getLoc())
        << (entry.empty() ? "no public function to run"
                          : "no function named '" + entry + "'");
    return failure();
  }
  Compiled c;
  c.name = fn.getSymName().str();
  auto fnTy = fn.getFunctionType();
  for (auto [i, t] : llvm::enumerate(fnTy.getInputs())) {
    auto rt = dyn_cast<RankedTensorType>(t);
    if (!rt || !rt.hasStaticShape()) {
      emitError(fn.getLoc()) << "argument #" << i
                             << " must be a statically shaped tensor, got "
                             << t;
      return failure();
    }
    c.argTypes.push_back(rt);
    auto n = fn.getArgAttrOfType<StringAttr>(i, "onnx.name");
    c.argNames.push_back(n ? n.str() : "arg" + std::to_string(i));
  }
  for (auto [i, t] : llvm::enumerate(fnTy.getResults())) {
    auto rt = dyn_cast<RankedTensorType>(t);
    if (!rt || !rt.hasStaticShape()) {
      emitError(fn.getLoc()) << "result #" << i
                             << " must be a statically shaped tensor, got "
                             << t;
      return failure();
    }
    c.resultTypes.push_back(rt);
    auto n = fn.getResultAttrOfType<StringAttr>(i, "onnx.name");
    c.resultNames.push_back(n ? n.str() : "result" + std::to_string(i));
  }

  PassManager pm(ctx);
  SmallVector<std::string> libs;
  if (device == "cuda") {
    loss::LossLowerToNVVMOptions options;
    options.fuse = !noFuse;
    options.resultsToOutParams = true;
    options.chip = gpuChip;
    loss::buildLossLowerToNVVMPipeline(pm, options);
    libs.push_back(cudaRuntimePath());
    // Say why rather than failing to resolve mgpu* symbols later.
    std::string why;
    if (llvm::sys::DynamicLibrary::getPermanentLibrary(libs.back().c_str(),
                                                      &why)
            .isValid() == false) {
      llvm::errs() << "error: --device=cuda needs " << libs.back()
                   << " and the NVIDIA driver (libcuda.so.1): " << why
                   << "\n";
      return failure();
    }
  } else if (device == "gpu-emulation") {
    loss::LossLowerToGPUEmulationOptions options;
    options.fuse = !noFuse;
    options.resultsToOutParams = true;
    loss::buildLossLowerToGPUEmulationPipeline(pm, options);
    libs.push_back(LOSS_MLIR_LLVM_LIBRARY_DIR "/libomp.so");
  } else {
    loss::LossLowerToLLVMOptions options;
    options.fuse = !noFuse;
    options.resultsToOutParams = true;
    loss::buildLossLowerToLLVMPipeline(pm, options);
  }
  if (failed(pm.run(*module)))
    return failure();

  ExecutionEngineOptions engineOptions;
  auto optimize = makeOptimizingTransformer(3, 0, nullptr);
  engineOptions.transformer = optimize;
  SmallVector<StringRef> libRefs(libs.begin(), libs.end());
  engineOptions.sharedLibPaths = libRefs;
  auto engine = ExecutionEngine::create(*module, engineOptions);
  if (!engine) {
    llvm::errs() << "error: JIT compilation failed: "
                 << llvm::toString(engine.takeError()) << "\n";
    return failure();
  }
  c.engine = std::move(*engine);
  return c;
}

/// Calls the packed wrapper of the lowered function: every memref argument
/// expands to (allocated, aligned, offset, sizes..., strides...).
LogicalResult run(Compiled &c, ArrayRef<HostTensor *> ins,
                  SmallVectorImpl<HostTensor> &outs) {
  outs.clear();
  for (RankedTensorType t : c.resultTypes) {
    HostTensor h;
    h.elementType = t.getElementType();
    h.shape.assign(t.getShape().begin(), t.getShape().end());
    h.bytes.assign(h.numElements() * byteWidth(h.elementType), 0);
    outs.push_back(std::move(h));
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
  for (HostTensor *t : ins)
    addDesc(*t);
  for (HostTensor &t : outs)
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
  if (llvm::Error err = c.engine->invokePacked(c.name, args)) {
    llvm::errs() << "error: " << llvm::toString(std::move(err)) << "\n";
    return failure();
  }
  return success();
}

LogicalResult checkInput(const Compiled &c, size_t i, const HostTensor &t,
                         StringRef from) {
  RankedTensorType want = c.argTypes[i];
  if (t.elementType != want.getElementType() ||
      ArrayRef<int64_t>(t.shape) != want.getShape()) {
    llvm::errs() << from << ": input '" << c.argNames[i] << "' is "
                 << shapeName(t.shape) << " " << typeName(t.elementType)
                 << ", the model expects " << want << "\n";
    return failure();
  }
  return success();
}

OwningOpRef<ModuleOp> load(MLIRContext &ctx, StringRef path) {
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buf) {
    llvm::errs() << path << ": cannot read: " << buf.getError().message()
                 << "\n";
    return {};
  }
  OwningOpRef<ModuleOp> module;
  if (path.ends_with(".onnx")) {
    module = loss::importONNXModel((*buf)->getBuffer(), path, &ctx);
  } else {
    llvm::SourceMgr sm;
    sm.AddNewSourceBuffer(std::move(*buf), llvm::SMLoc());
    module = parseSourceFile<ModuleOp>(sm, &ctx);
  }
  if (module && dumpIR)
    module->print(llvm::outs());
  return module;
}

/// One ONNX backend test directory; returns the number of data sets that
/// failed (or 1 if nothing could run).
int runOnnxTest(MLIRContext &ctx, StringRef dir, int &passed, int &failedN) {
  StringRef testName = llvm::sys::path::filename(dir);
  SmallString<256> model(dir);
  llvm::sys::path::append(model, "model.onnx");
  OwningOpRef<ModuleOp> module = load(ctx, model);
  FailureOr<Compiled> compiled =
      module ? compile(std::move(module)) : FailureOr<Compiled>(failure());
  if (failed(compiled)) {
    llvm::outs() << "FAIL " << testName << ": does not compile\n";
    ++failedN;
    return 1;
  }
  SmallVector<std::string> sets;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec))
    if (llvm::sys::path::filename(it->path()).starts_with("test_data_set_"))
      sets.push_back(it->path());
  llvm::sort(sets);
  if (sets.empty()) {
    llvm::outs() << "FAIL " << testName << ": no test_data_set_* directory\n";
    ++failedN;
    return 1;
  }
  int bad = 0;
  for (const std::string &set : sets) {
    std::string label =
        (testName + "/" + llvm::sys::path::filename(set)).str();
    SmallVector<HostTensor> ins, expected;
    bool ok = true;
    for (size_t i = 0; ok && i < compiled->argTypes.size(); ++i) {
      std::string name, file = set + "/input_" + std::to_string(i) + ".pb";
      FailureOr<HostTensor> t = readTensorProto(&ctx, file, name);
      ok = succeeded(t) && succeeded(checkInput(*compiled, i, *t, file));
      if (ok)
        ins.push_back(std::move(*t));
    }
    for (size_t i = 0; ok && i < compiled->resultTypes.size(); ++i) {
      std::string name, file = set + "/output_" + std::to_string(i) + ".pb";
      FailureOr<HostTensor> t = readTensorProto(&ctx, file, name);
      ok = succeeded(t);
      if (ok)
        expected.push_back(std::move(*t));
    }
    SmallVector<HostTensor *> inPtrs;
    for (HostTensor &t : ins)
      inPtrs.push_back(&t);
    SmallVector<HostTensor> outs;
    if (ok)
      ok = succeeded(run(*compiled, inPtrs, outs));
    if (!ok) {
      llvm::outs() << "FAIL " << label << ": could not run\n";
      ++bad;
      continue;
    }
    double worst = 0.0;
    std::string why;
    for (size_t o = 0; o < outs.size() && why.empty(); ++o) {
      const HostTensor &got = outs[o], &want = expected[o];
      if (got.shape != want.shape) {
        why = "output " + std::to_string(o) + " has shape " +
              shapeName(got.shape) + ", expected " + shapeName(want.shape);
        break;
      }
      for (int64_t i = 0, e = got.numElements(); i < e; ++i) {
        double g = elementAsDouble(got, i), w = elementAsDouble(want, i);
        if (std::isnan(g) && std::isnan(w))
          continue;
        double err = std::fabs(g - w);
        bool close = (std::isinf(g) || std::isinf(w)) ? g == w
                                                      : err <= absTol + relTol * std::fabs(w);
        if (!close) {
          char buf[160];
          snprintf(buf, sizeof(buf),
                   "output %zu element %lld: got %.9g, expected %.9g", o,
                   static_cast<long long>(i), g, w);
          why = buf;
          break;
        }
        if (std::isfinite(err))
          worst = std::max(worst, err);
      }
    }
    if (why.empty()) {
      llvm::outs() << "PASS " << label << " (max abs error "
                   << llvm::format("%.3g", worst) << ")\n";
      ++passed;
    } else {
      llvm::outs() << "FAIL " << label << ": " << why << "\n";
      ++bad;
    }
  }
  failedN += bad;
  return bad;
}

int runFile(MLIRContext &ctx, StringRef path) {
  OwningOpRef<ModuleOp> module = load(ctx, path);
  if (!module)
    return 1;
  FailureOr<Compiled> compiled = compile(std::move(module));
  if (failed(compiled))
    return 1;
  Compiled &c = *compiled;
  SmallVector<HostTensor> ins(c.argTypes.size());
  SmallVector<bool> given(c.argTypes.size(), false);
  size_t nextPositional = 0;
  for (const std::string &spec : inputs) {
    StringRef name, file;
    std::tie(name, file) = StringRef(spec).split('=');
    if (file.empty()) {
      file = name;
      name = "";
    }
    size_t idx = nextPositional;
    if (!name.empty()) {
      auto it = llvm::find(c.argNames, name);
      if (it == c.argNames.end()) {
        llvm::errs() << "error: --input " << spec << ": the function has no "
                     << "input named '" << name << "' (inputs: "
                     << llvm::join(c.argNames, ", ") << ")\n";
        return 1;
      }
      idx = it - c.argNames.begin();
    } else {
      ++nextPositional;
    }
    if (idx >= ins.size()) {
      llvm::errs() << "error: more --input files than function inputs ("
                   << ins.size() << ")\n";
      return 1;
    }
    std::string protoName;
    FailureOr<HostTensor> t = file.ends_with(".npy")
                                  ? readNpy(&ctx, file)
                                  : readTensorProto(&ctx, file, protoName);
    if (failed(t) || failed(checkInput(c, idx, *t, file)))
      return 1;
    ins[idx] = std::move(*t);
    given[idx] = true;
  }
  for (size_t i = 0; i < given.size(); ++i)
    if (!given[i]) {
      llvm::errs() << "error: no value for input '" << c.argNames[i]
                   << "' (" << c.argTypes[i] << "); pass --input "
                   << c.argNames[i] << "=FILE\n";
      return 1;
    }
  SmallVector<HostTensor *> inPtrs;
  for (HostTensor &t : ins)
    inPtrs.push_back(&t);
  SmallVector<HostTensor> outs;
  if (failed(run(c, inPtrs, outs)))
    return 1;
  for (size_t i = 0; i < outs.size(); ++i) {
    if (outputDir.empty()) {
      printTensor(outs[i], c.resultNames[i]);
      continue;
    }
    SmallString<256> p(outputDir);
    llvm::sys::path::append(p, c.resultNames[i] + ".npy");
    if (failed(writeNpy(outs[i], p)))
      return 1;
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM y(argc, argv);
  cl::ParseCommandLineOptions(argc, argv, "loss-mlir runner\n");
  if (device != "cpu" && device != "cuda" && device != "gpu-emulation") {
    llvm::errs() << "error: --device=" << device
                 << " is not supported (cpu, cuda or gpu-emulation)\n";
    return 2;
  }
  // Emulated GPU threads wait at barriers: sleep there rather than spin.
  if (device == "gpu-emulation")
    ::setenv("KMP_BLOCKTIME", "0", /*overwrite=*/0);
  if (positional.empty()) {
    llvm::errs() << "error: nothing to run (see --help)\n";
    return 2;
  }
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();

  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registry.insert<loss::LossDialect>();
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
  // --device=cuda: kernels to PTX, gpu.binary and launches to LLVM IR.
  registerAllGPUToLLVMIRTranslations(registry);
  MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();

  if (onnxTest) {
    int passed = 0, failedN = 0;
    for (const std::string &dir : positional)
      runOnnxTest(ctx, dir, passed, failedN);
    llvm::outs() << passed << " passed, " << failedN << " failed\n";
    return failedN ? 1 : 0;
  }
  if (positional.size() != 1) {
    llvm::errs() << "error: give one model or IR file (or --onnx-test DIR...)\n";
    return 2;
  }
  return runFile(ctx, positional[0]);
}
