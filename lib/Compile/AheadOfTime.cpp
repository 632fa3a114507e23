//===- AheadOfTime.cpp - Loss modules to libraries with a C ABI -----------===//
//
// The loss pipelines lower each exported function with results as
// out-params and with failed checks returning a status (asserts-to-status);
// a C entry point per function then builds the memref descriptors from
// plain pointers and dims, resets the status, calls the lowered function
// and returns the status. The module is translated to LLVM IR, optimized
// for the host at -O3 and emitted as a position-independent object file.
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/Compile/AheadOfTime.h"
#include "loss-mlir/Dialect/Loss/Transforms/Passes.h"
#include "loss-mlir/Pipelines/Pipelines.h"
#include "loss-mlir/Runner/JIT.h"
#include "loss-mlir/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

using namespace mlir;
using namespace mlir::loss;
using namespace mlir::loss::aot;

static constexpr llvm::StringLiteral kImplPrefix = "__loss_impl_";
static constexpr llvm::StringLiteral kStatusSymbol = "__loss_mlir_status";
static constexpr llvm::StringLiteral kMessageSymbol = "__loss_mlir_error";

std::optional<std::string> mlir::loss::aot::cTypeName(Type t) {
  if (t.isF32())
    return std::string("float");
  if (t.isF64())
    return std::string("double");
  if (t.isF16() || t.isBF16())
    return std::string("uint16_t");
  if (t.isInteger(1))
    return std::string("uint8_t");
  if (auto it = dyn_cast<IntegerType>(t)) {
    unsigned w = it.getWidth();
    if (w != 8 && w != 16 && w != 32 && w != 64)
      return std::nullopt;
    return (it.isUnsigned() ? "uint" : "int") + std::to_string(w) + "_t";
  }
  return std::nullopt;
}

static bool isCIdentifier(StringRef s) {
  if (s.empty() || llvm::isDigit(s.front()))
    return false;
  return llvm::all_of(s, [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

/// `name` made a C identifier, unique among `used`.
static std::string cIdentifier(StringRef name, llvm::StringSet<> &used) {
  std::string id;
  for (char c : name)
    id += llvm::isAlnum(c) ? c : '_';
  if (id.empty() || llvm::isDigit(id.front()))
    id = "_" + id;
  std::string unique = id;
  for (int k = 2; !used.insert(unique).second; ++k)
    unique = id + "_" + std::to_string(k);
  return unique;
}

/// The (argument, dim) pairs that the dynamic dims of result `index` of
/// `fn` equal, from the returned value's ReifyRankedShapedTypeOpInterface;
/// the ops the reification builds are erased again.
static FailureOr<SmallVector<std::pair<unsigned, unsigned>>>
resultDimSources(func::FuncOp fn, unsigned index) {
  auto ret = cast<func::ReturnOp>(fn.getBody().back().getTerminator());
  Value v = ret.getOperand(index);
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<std::pair<unsigned, unsigned>> sources;
  auto argDim = [&](Value dimValue, unsigned d) -> LogicalResult {
    auto dim = dimValue.getDefiningOp<tensor::DimOp>();
    std::optional<int64_t> k = dim ? dim.getConstantIndex() : std::nullopt;
    auto arg = dim ? dyn_cast<BlockArgument>(dim.getSource()) : nullptr;
    if (!arg || !k || arg.getOwner() != &fn.getBody().front())
      return failure();
    sources.push_back({arg.getArgNumber(), static_cast<unsigned>(*k)});
    return success();
  };
  if (auto arg = dyn_cast<BlockArgument>(v)) {
    for (auto [d, size] : llvm::enumerate(type.getShape()))
      if (ShapedType::isDynamic(size))
        sources.push_back({arg.getArgNumber(), static_cast<unsigned>(d)});
    return sources;
  }
  auto reify = v.getDefiningOp<ReifyRankedShapedTypeOpInterface>();
  if (!reify)
    return failure();
  // Collect what reification creates, to erase it afterwards.
  struct Collect : public OpBuilder::Listener {
    SmallVector<Operation *> created;
    void notifyOperationInserted(Operation *op,
                                 OpBuilder::InsertPoint) override {
      created.push_back(op);
    }
  } listener;
  OpBuilder b(reify);
  b.setListener(&listener);
  ReifiedRankedShapedTypeDims dims;
  LogicalResult ok = reifyResultShapes(b, reify, dims);
  unsigned resultNumber = cast<OpResult>(v).getResultNumber();
  if (succeeded(ok)) {
    for (auto [d, size] : llvm::enumerate(type.getShape())) {
      if (!ShapedType::isDynamic(size))
        continue;
      auto dimValue = dyn_cast<Value>(dims[resultNumber][d]);
      if (!dimValue || failed(argDim(dimValue, d))) {
        ok = failure();
        break;
      }
    }
  }
  for (Operation *op : llvm::reverse(listener.created))
    if (op->use_empty())
      op->erase();
  if (failed(ok))
    return failure();
  return sources;
}

/// The ABI of `fn`, or a diagnostic on it.
static FailureOr<FunctionABI> functionABI(func::FuncOp fn) {
  FunctionABI abi;
  abi.name = fn.getSymName().str();
  if (!isCIdentifier(abi.name) || StringRef(abi.name).starts_with("__"))
    return fn.emitError() << "'" << abi.name
                          << "' is not a C identifier that a library can "
                             "export; rename the function";
  llvm::StringSet<> used;
  auto tensorABI = [&](Type t, StringAttr name, StringRef kind, unsigned i,
                       StringRef fallback) -> FailureOr<TensorABI> {
    auto rt = dyn_cast<RankedTensorType>(t);
    if (!rt || !cTypeName(rt.getElementType()))
      return fn.emitError() << kind << " #" << i << " of @" << abi.name
                            << " is " << t
                            << "; a C entry point takes ranked tensors of "
                               "f16, bf16, f32, f64, i1 or 8/16/32/64-bit "
                               "integers";
    TensorABI out;
    out.name = cIdentifier(name ? name.getValue() : fallback, used);
    out.elementType = rt.getElementType();
    out.shape.assign(rt.getShape().begin(), rt.getShape().end());
    return out;
  };
  auto fnTy = fn.getFunctionType();
  for (auto [i, t] : llvm::enumerate(fnTy.getInputs())) {
    auto a = tensorABI(t, fn.getArgAttrOfType<StringAttr>(i, "onnx.name"),
                       "argument", i, "arg" + std::to_string(i));
    if (failed(a))
      return failure();
    abi.args.push_back(std::move(*a));
  }
  for (auto [i, t] : llvm::enumerate(fnTy.getResults())) {
    auto r = tensorABI(t, fn.getResultAttrOfType<StringAttr>(i, "onnx.name"),
                       "result", i, "result" + std::to_string(i));
    if (failed(r))
      return failure();
    if (!cast<RankedTensorType>(t).hasStaticShape()) {
      auto sources = resultDimSources(fn, i);
      if (failed(sources))
        return fn.emitError()
               << "result #" << i << " of @" << abi.name << " (" << t
               << ") has a dynamic dim that is not an input's dim; a C "
                  "caller could not allocate it";
      r->dimSources = std::move(*sources);
    }
    abi.results.push_back(std::move(*r));
  }
  return abi;
}

FailureOr<SmallVector<FunctionABI, 0>>
mlir::loss::aot::selectFunctions(ModuleOp module, const AOTOptions &options) {
  SmallVector<func::FuncOp> chosen;
  for (auto fn : module.getOps<func::FuncOp>())
    if (!fn.isDeclaration() && fn.isPublic() &&
        (options.functions.empty() ||
         llvm::is_contained(options.functions, fn.getSymName())))
      chosen.push_back(fn);
  for (const std::string &name : options.functions)
    if (!llvm::any_of(chosen,
                      [&](func::FuncOp f) { return f.getSymName() == name; }))
      return emitError(module.getLoc())
             << "no public function named '" << name << "'";
  if (chosen.empty())
    return emitError(module.getLoc()) << "no public function to compile";

  if (options.grad) {
    LossGenerateGradientsOptions gradOptions;
    for (func::FuncOp fn : chosen)
      gradOptions.functions.push_back(fn.getSymName().str());
    gradOptions.wrt = llvm::to_vector_of<std::string>(options.gradWrt);
    PassManager pm(module.getContext());
    pm.addPass(createLossGenerateGradients(gradOptions));
    if (failed(pm.run(module)))
      return failure();
    for (size_t i = 0, e = chosen.size(); i < e; ++i) {
      std::string name = (chosen[i].getSymName() + "_value_and_grad").str();
      auto vg = module.lookupSymbol<func::FuncOp>(name);
      if (!vg)
        return emitError(module.getLoc())
               << "loss-generate-gradients made no '" << name << "'";
      vg.setPublic();
      chosen.push_back(vg);
    }
  }

  SmallVector<FunctionABI, 0> abis;
  for (func::FuncOp fn : chosen) {
    auto abi = functionABI(fn);
    if (failed(abi))
      return failure();
    abi->doc = StringRef(abi->name).ends_with("_value_and_grad")
                   ? "The loss's results, then its gradients."
                   : "";
    abis.push_back(std::move(*abi));
  }
  return abis;
}

namespace {
/// Builds the C entry point of one lowered function.
struct EntryPointBuilder {
  ModuleOp module;
  OpBuilder &b;
  Location loc;
  LLVM::GlobalOp status, message;
  Type i32, i64, ptr;

  EntryPointBuilder(ModuleOp module, OpBuilder &b, LLVM::GlobalOp status,
                    LLVM::GlobalOp message)
      : module(module), b(b), loc(module.getLoc()), status(status),
        message(message) {
    MLIRContext *ctx = module.getContext();
    i32 = IntegerType::get(ctx, 32);
    i64 = IntegerType::get(ctx, 64);
    ptr = LLVM::LLVMPointerType::get(ctx);
  }

  Value constI64(int64_t v) {
    return LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(v));
  }
  Value constI32(int32_t v) {
    return LLVM::ConstantOp::create(b, loc, i32, b.getI32IntegerAttr(v));
  }

  /// Appends a memref descriptor's expanded fields (allocated, aligned,
  /// offset, sizes, row-major strides).
  void appendDescriptor(Value data, ArrayRef<Value> sizes,
                        SmallVectorImpl<Value> &out) {
    out.append({data, data, constI64(0)});
    out.append(sizes.begin(), sizes.end());
    SmallVector<Value> strides(sizes.size());
    Value stride = constI64(1);
    for (int64_t d = static_cast<int64_t>(sizes.size()) - 1; d >= 0; --d) {
      strides[d] = stride;
      if (d > 0)
        stride = LLVM::MulOp::create(b, loc, stride, sizes[d]);
    }
    out.append(strides.begin(), strides.end());
  }

  LogicalResult build(const FunctionABI &abi) {
    auto impl = module.lookupSymbol<LLVM::LLVMFuncOp>(
        (kImplPrefix + abi.name).str());
    if (!impl)
      return emitError(loc) << "the pipeline left no lowered @" << kImplPrefix
                            << abi.name;
    impl.setLinkage(LLVM::Linkage::Internal);

    SmallVector<Type> params;
    for (const TensorABI &a : abi.args) {
      params.push_back(ptr);
      for (int64_t s : a.shape)
        if (ShapedType::isDynamic(s))
          params.push_back(i64);
    }
    for (size_t i = 0; i < abi.results.size(); ++i)
      params.push_back(ptr);
    b.setInsertionPointToEnd(module.getBody());
    auto fn = LLVM::LLVMFuncOp::create(b, loc, abi.name,
                                       LLVM::LLVMFunctionType::get(i32, params));
    Block *entry = fn.addEntryBlock(b);
    b.setInsertionPointToStart(entry);

    // Sizes of every operand; a dynamic dim is the caller's argument.
    unsigned next = 0;
    SmallVector<SmallVector<Value>> argSizes;
    SmallVector<Value> argData, dynamicDims;
    for (const TensorABI &a : abi.args) {
      argData.push_back(entry->getArgument(next++));
      SmallVector<Value> sizes;
      for (int64_t s : a.shape) {
        if (!ShapedType::isDynamic(s)) {
          sizes.push_back(constI64(s));
          continue;
        }
        sizes.push_back(entry->getArgument(next++));
        dynamicDims.push_back(sizes.back());
      }
      argSizes.push_back(std::move(sizes));
    }
    SmallVector<Value> operands;
    for (auto [data, sizes] : llvm::zip_equal(argData, argSizes))
      appendDescriptor(data, sizes, operands);
    for (const TensorABI &r : abi.results) {
      SmallVector<Value> sizes;
      unsigned dyn = 0;
      for (int64_t s : r.shape) {
        if (!ShapedType::isDynamic(s)) {
          sizes.push_back(constI64(s));
          continue;
        }
        auto [arg, dim] = r.dimSources[dyn++];
        sizes.push_back(argSizes[arg][dim]);
      }
      appendDescriptor(entry->getArgument(next++), sizes, operands);
    }
    if (impl.getNumArguments() != operands.size() ||
        impl.getFunctionType().getReturnType() !=
            LLVM::LLVMVoidType::get(b.getContext()))
      return emitError(loc) << "@" << abi.name
                            << " was not lowered to the expected "
                               "out-param signature";

    Value statusAddr = LLVM::AddressOfOp::create(b, loc, status);
    Value messageAddr = LLVM::AddressOfOp::create(b, loc, message);
    LLVM::StoreOp::create(b, loc, constI32(0), statusAddr);
    LLVM::StoreOp::create(b, loc, LLVM::ZeroOp::create(b, loc, ptr),
                          messageAddr);

    // A negative dim would make every size computation wrap.
    Block *call = b.createBlock(&fn.getBody());
    b.setInsertionPointToEnd(entry);
    Value bad = LLVM::ConstantOp::create(b, loc, b.getI1Type(),
                                         b.getBoolAttr(false));
    for (Value d : dynamicDims)
      bad = LLVM::OrOp::create(
          b, loc, bad,
          LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::slt, d,
                               constI64(0)));
    if (!dynamicDims.empty()) {
      Block *negative = b.createBlock(&fn.getBody());
      std::string why = "a dynamic dim given to " + abi.name + " is negative";
      why.push_back('\0');
      Value text = LLVM::createGlobalString(
          loc, b, "__loss_mlir_negative_dim_" + abi.name, why,
          LLVM::Linkage::Internal);
      LLVM::StoreOp::create(b, loc, constI32(1),
                            LLVM::AddressOfOp::create(b, loc, status));
      LLVM::StoreOp::create(b, loc, text,
                            LLVM::AddressOfOp::create(b, loc, message));
      LLVM::ReturnOp::create(b, loc, constI32(1));
      b.setInsertionPointToEnd(entry);
      LLVM::CondBrOp::create(b, loc, bad, negative, call);
    } else {
      LLVM::BrOp::create(b, loc, call);
    }

    b.setInsertionPointToStart(call);
    LLVM::CallOp::create(b, loc, impl, operands);
    Value result = LLVM::LoadOp::create(
        b, loc, i32, LLVM::AddressOfOp::create(b, loc, status));
    LLVM::ReturnOp::create(b, loc, result);
    return success();
  }
};

/// `llvm.func @name() -> !llvm.ptr` returning `value` (or, for the error
/// message, the thread's message or "").
void buildStringGetter(ModuleOp module, OpBuilder &b, StringRef name,
                       StringRef constant, LLVM::GlobalOp variable) {
  Location loc = module.getLoc();
  auto ptr = LLVM::LLVMPointerType::get(b.getContext());
  b.setInsertionPointToEnd(module.getBody());
  auto fn = LLVM::LLVMFuncOp::create(b, loc, name,
                                     LLVM::LLVMFunctionType::get(ptr, {}));
  b.setInsertionPointToStart(fn.addEntryBlock(b));
  std::string text = constant.str();
  text.push_back('\0');
  Value str = LLVM::createGlobalString(loc, b, ("__" + name + "_text").str(),
                                       text, LLVM::Linkage::Internal);
  if (variable) {
    Value v = LLVM::LoadOp::create(
        b, loc, ptr, LLVM::AddressOfOp::create(b, loc, variable));
    Value null = LLVM::ZeroOp::create(b, loc, ptr);
    Value isNull =
        LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::eq, v, null);
    str = LLVM::SelectOp::create(b, loc, isNull, str, v);
  }
  LLVM::ReturnOp::create(b, loc, str);
}
} // namespace

LogicalResult
mlir::loss::aot::lowerToLibraryABI(ModuleOp module,
                                   ArrayRef<FunctionABI> functions,
                                   const AOTOptions &options) {
  if (!isCIdentifier(options.prefix))
    return emitError(module.getLoc())
           << "the library prefix '" << options.prefix
           << "' is not a C identifier";
  // The lowered functions move aside for the C entry points.
  for (const FunctionABI &abi : functions) {
    auto fn = module.lookupSymbol<func::FuncOp>(abi.name);
    std::string implName = (kImplPrefix + abi.name).str();
    if (failed(SymbolTable::replaceAllSymbolUses(
            fn, StringAttr::get(module.getContext(), implName), module)))
      return fn.emitError() << "cannot rename @" << abi.name;
    SymbolTable::setSymbolName(fn, implName);
  }

  PassManager pm(module.getContext());
  // Both targets: results as out-params, checks that return a status.
  auto library = [&](auto &pipeline) {
    pipeline.fuse = options.fuse;
    pipeline.resultsToOutParams = true;
    pipeline.checksReturnStatus = true;
  };
  if (options.target == Target::CUDA) {
    LossLowerToNVVMOptions pipeline;
    library(pipeline);
    pipeline.chip = options.gpuChip;
    buildLossLowerToNVVMPipeline(pm, pipeline);
  } else {
    LossLowerToLLVMOptions pipeline;
    library(pipeline);
    pipeline.parallel = options.parallel;
    buildLossLowerToLLVMPipeline(pm, pipeline);
  }
  if (failed(pm.run(module)))
    return failure();

  auto [status, message] =
      getOrCreateCheckStatusGlobals(module, kStatusSymbol, kMessageSymbol);
  OpBuilder b(module.getContext());
  EntryPointBuilder entries(module, b, status, message);
  for (const FunctionABI &abi : functions)
    if (failed(entries.build(abi)))
      return failure();
  buildStringGetter(module, b, options.prefix + "_last_error", "", message);
  buildStringGetter(module, b, options.prefix + "_manifest",
                    emitManifest(functions, options), nullptr);
  return success();
}

//===----------------------------------------------------------------------===//
// Header and manifest
//===----------------------------------------------------------------------===//

static std::string shapeText(const TensorABI &t,
                             ArrayRef<TensorABI> args = {}) {
  std::string s = "[";
  unsigned dyn = 0;
  for (auto [d, size] : llvm::enumerate(t.shape)) {
    if (d)
      s += ", ";
    if (!ShapedType::isDynamic(size)) {
      s += std::to_string(size);
      continue;
    }
    if (t.dimSources.empty()) {
      s += t.name + "_dim" + std::to_string(d);
      continue;
    }
    auto [arg, dim] = t.dimSources[dyn++];
    s += args[arg].name + "_dim" + std::to_string(dim);
  }
  return s + "]";
}

static std::string typeText(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << t;
  return s;
}

std::string mlir::loss::aot::emitHeader(ArrayRef<FunctionABI> functions,
                                        const AOTOptions &options,
                                        StringRef source) {
  std::string guard = StringRef(options.prefix).upper() + "_H";
  std::string out;
  llvm::raw_string_ostream os(out);
  os << "/* Generated by loss-compile from " << source
     << ". Do not edit.\n"
        " *\n"
        " * Each function takes its inputs as dense row-major buffers (after "
        "each,\n"
        " * one int64_t per dynamic dim), then one caller-allocated buffer "
        "per\n"
        " * output, and returns 0, or 1 when a run-time check failed (sizes "
        "that\n"
        " * disagree, a negative dim); " << options.prefix
     << "_last_error() then says which, and the\n"
        " * outputs are unspecified. f16 and bf16 elements are their 16 bits "
        "in a\n"
        " * uint16_t, i1 elements a uint8_t 0 or 1. */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include <stdint.h>\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  for (const FunctionABI &f : functions) {
    os << "/* " << f.name << (f.doc.empty() ? "" : ": " + f.doc) << "\n";
    for (const TensorABI &a : f.args)
      os << " *   in  " << a.name << ": " << typeText(a.elementType) << " "
         << shapeText(a) << "\n";
    for (const TensorABI &r : f.results)
      os << " *   out " << r.name << ": " << typeText(r.elementType) << " "
         << shapeText(r, f.args) << "\n";
    os << " */\nint32_t " << f.name << "(";
    bool first = true;
    auto sep = [&]() -> llvm::raw_ostream & {
      if (!first)
        os << ", ";
      first = false;
      return os;
    };
    for (const TensorABI &a : f.args) {
      sep() << "const " << *cTypeName(a.elementType) << " *" << a.name;
      for (auto [d, size] : llvm::enumerate(a.shape))
        if (ShapedType::isDynamic(size))
          sep() << "int64_t " << a.name << "_dim" << d;
    }
    for (const TensorABI &r : f.results)
      sep() << *cTypeName(r.elementType) << " *" << r.name;
    if (first)
      os << "void";
    os << ");\n\n";
  }
  os << "/* The message of this thread's last failed check (\"\" if none). */\n"
     << "const char *" << options.prefix << "_last_error(void);\n"
     << "/* A JSON description of the functions above. */\n"
     << "const char *" << options.prefix << "_manifest(void);\n\n"
     << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard << " */\n";
  return out;
}

std::string mlir::loss::aot::emitManifest(ArrayRef<FunctionABI> functions,
                                          const AOTOptions &options) {
  llvm::json::Array fns;
  auto tensor = [](const TensorABI &t) {
    llvm::json::Array shape, sources;
    for (int64_t s : t.shape)
      shape.push_back(ShapedType::isDynamic(s) ? llvm::json::Value(nullptr)
                                               : llvm::json::Value(s));
    for (auto [arg, dim] : t.dimSources)
      sources.push_back(llvm::json::Array{arg, dim});
    llvm::json::Object o{{"name", t.name},
                         {"dtype", typeText(t.elementType)},
                         {"shape", std::move(shape)}};
    if (!t.dimSources.empty())
      o["dim_sources"] = std::move(sources);
    return o;
  };
  for (const FunctionABI &f : functions) {
    llvm::json::Array args, results;
    for (const TensorABI &a : f.args)
      args.push_back(tensor(a));
    for (const TensorABI &r : f.results)
      results.push_back(tensor(r));
    fns.push_back(llvm::json::Object{{"name", f.name},
                                     {"args", std::move(args)},
                                     {"results", std::move(results)}});
  }
  llvm::json::Object root{
      {"prefix", options.prefix},
      {"device", options.target == Target::CUDA ? "cuda" : "cpu"},
      {"functions", std::move(fns)}};
  std::string s;
  llvm::raw_string_ostream os(s);
  os << llvm::json::Value(std::move(root));
  return s;
}

//===----------------------------------------------------------------------===//
// Object file and shared library
//===----------------------------------------------------------------------===//

static llvm::Error error(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "error: " + msg);
}

llvm::Error mlir::loss::aot::writeObjectFile(ModuleOp module, StringRef path,
                                             bool llvmIR) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    return builder.takeError();
  // A shared library's code must be position independent.
  builder->setRelocationModel(llvm::Reloc::PIC_);
  builder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  auto machine = builder->createTargetMachine();
  if (!machine)
    return machine.takeError();

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext);
  if (!llvmModule)
    return error("the lowered module does not translate to LLVM IR");
  llvmModule->setDataLayout((*machine)->createDataLayout());
  llvmModule->setTargetTriple((*machine)->getTargetTriple());
  if (llvm::Error err =
          makeOptimizingTransformer(3, 0, machine->get())(llvmModule.get()))
    return err;

  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return error("cannot write " + path + ": " + ec.message());
  if (llvmIR) {
    llvmModule->print(os, nullptr);
    return llvm::Error::success();
  }
  llvm::legacy::PassManager codegen;
  if ((*machine)->addPassesToEmitFile(codegen, os, nullptr,
                                      llvm::CodeGenFileType::ObjectFile))
    return error("the host target cannot emit object files");
  codegen.run(*llvmModule);
  return llvm::Error::success();
}

/// The C compiler driver that links: the LLVM toolchain's clang, else
/// clang-22 or cc on PATH.
static llvm::Expected<std::string> findLinkerDriver() {
  SmallString<256> clang(LOSS_MLIR_LLVM_TOOLS_DIR);
  llvm::sys::path::append(clang, "clang");
  if (llvm::sys::fs::can_execute(clang))
    return std::string(clang);
  for (StringRef name : {"clang-22", "clang", "cc"})
    if (auto p = llvm::sys::findProgramByName(name))
      return *p;
  return error("no C compiler driver (clang-22 or cc) to link with; "
               "use -c for an object file");
}

llvm::Error mlir::loss::aot::linkSharedLibrary(StringRef object,
                                               StringRef output,
                                               const AOTOptions &options) {
  auto driver = findLinkerDriver();
  if (!driver)
    return driver.takeError();
  SmallVector<std::string> args = {*driver, "-shared", "-o", output.str(),
                                   object.str(),
                                   // Missing symbols fail here, not at load.
                                   "-Wl,-z,defs"};
  auto addLibrary = [&](StringRef dir, StringRef name) {
    args.push_back(("-L" + dir).str());
    args.push_back(("-l" + name).str());
    args.push_back(("-Wl,-rpath," + dir).str());
  };
  if (options.target == Target::CUDA) {
    std::string dir =
        llvm::sys::path::parent_path(runner::findCudaRuntimeLibrary()).str();
    if (dir.empty())
      return error("--device=cuda links against libloss_cuda_runtime.so, "
                   "which is not next to loss-compile or in ../lib");
    addLibrary(dir, "loss_cuda_runtime");
  } else if (options.parallel) {
    addLibrary(LOSS_MLIR_LLVM_LIBRARY_DIR, "omp");
  }
  args.push_back("-lm");
  SmallVector<StringRef> argRefs(args.begin(), args.end());
  std::string message;
  SmallString<128> log;
  if (auto ec = llvm::sys::fs::createTemporaryFile("loss-compile-link", "log",
                                                   log))
    return error("cannot create a temporary file: " + ec.message());
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(log),
                                          StringRef(log)};
  int rc = llvm::sys::ExecuteAndWait(*driver, argRefs, std::nullopt,
                                     redirects, 0, 0, &message);
  std::string output_text;
  if (auto buf = llvm::MemoryBuffer::getFile(log))
    output_text = (*buf)->getBuffer().trim().str();
  llvm::sys::fs::remove(log);
  if (rc != 0)
    return error("linking " + output + " failed (" + llvm::join(args, " ") +
                 "): " + (output_text.empty() ? message : output_text));
  return llvm::Error::success();
}
