//===- GenerateGradients.cpp - Value-and-grad functions of losses ---------===//
//
// Reverse mode over the loss dialect: every loss op has a gradient op that
// takes the forward operands and the adjoint of the result, so the backward
// of a loss function is those ops applied from the last forward op to the
// first, with adjoints summed where a value has several users. Only what a
// chosen argument reaches (through operands that have gradients) is
// differentiated; everything else is a constant of the backward.
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/Dialect/Loss/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"

namespace mlir {
namespace loss {
#define GEN_PASS_DEF_LOSSGENERATEGRADIENTS
#include "loss-mlir/Dialect/Loss/Transforms/Passes.h.inc"
} // namespace loss
} // namespace mlir

using namespace mlir;
using namespace mlir::loss;

namespace {

bool isFloatTensor(Type t) {
  auto ty = dyn_cast<RankedTensorType>(t);
  return ty && isa<FloatType>(ty.getElementType());
}

/// The loss ops whose gradient op `loss.<name>_grad` takes the forward's
/// operands (and attributes) then the adjoint, and returns the gradients of
/// the float ones among the first `count` operands, in order (an integer
/// target has none).
unsigned numLeadingDifferentiableOperands(StringRef name) {
  return llvm::StringSwitch<unsigned>(name)
      .Cases({"loss.l1", "loss.mse", "loss.smooth_l1", "loss.huber"}, 2)
      .Cases({"loss.bce_with_logits", "loss.poisson_nll", "loss.kl_div"}, 2)
      .Case("loss.bce", 2)
      .Case("loss.gaussian_nll", 3)
      .Cases({"loss.margin_ranking", "loss.cosine_embedding"}, 2)
      .Cases({"loss.hinge_embedding", "loss.soft_margin", "loss.multilabel_margin", "loss.multilabel_soft_margin", "loss.multi_margin"}, 1)
      .Case("loss.triplet_margin", 3)
      .Cases({"loss.nll", "loss.softmax_cross_entropy", "loss.ctc"}, 1)
      .Default(0);
}

/// The scalar arith op of an elementwise linalg.generic (identity maps, all
/// loops parallel, the body one addf/subf/mulf/divf/negf of the block's
/// input arguments), as importers spell arithmetic on tensors; with the
/// input operand each of its operands reads.
struct Elementwise {
  Operation *scalar = nullptr;
  SmallVector<unsigned> inputs;
};
std::optional<Elementwise> matchElementwise(Operation *op) {
  auto generic = dyn_cast<linalg::GenericOp>(op);
  if (!generic || generic.getNumDpsInits() != 1 ||
      generic.getNumParallelLoops() != generic.getNumLoops() ||
      !llvm::all_of(generic.getIndexingMapsArray(),
                    [](AffineMap m) { return m.isIdentity(); }))
    return std::nullopt;
  Block &body = generic.getRegion().front();
  if (body.getOperations().size() != 2)
    return std::nullopt;
  Operation *scalar = &body.front();
  if (!isa<arith::AddFOp, arith::SubFOp, arith::MulFOp, arith::DivFOp,
           arith::NegFOp>(scalar) ||
      body.getTerminator()->getOperand(0) != scalar->getResult(0))
    return std::nullopt;
  Elementwise e{scalar, {}};
  for (Value v : scalar->getOperands()) {
    auto arg = dyn_cast<BlockArgument>(v);
    if (!arg || arg.getOwner() != &body ||
        arg.getArgNumber() >= generic.getNumDpsInputs())
      return std::nullopt;
    e.inputs.push_back(arg.getArgNumber());
  }
  return e;
}

/// The operands of `op` through which a gradient flows, or nothing when the
/// op has no gradient rule at all.
std::optional<SmallVector<unsigned>> differentiableOperands(Operation *op) {
  if (isa<arith::AddFOp, arith::SubFOp, arith::MulFOp, arith::DivFOp,
          arith::NegFOp>(op)) {
    if (!llvm::all_of(op->getOperandTypes(), isFloatTensor))
      return std::nullopt;
    return llvm::to_vector(llvm::seq<unsigned>(0, op->getNumOperands()));
  }
  if (std::optional<Elementwise> e = matchElementwise(op))
    return e->inputs;
  if (isa<LogSoftmaxOp>(op))
    return SmallVector<unsigned>{0};
  unsigned n = numLeadingDifferentiableOperands(op->getName().getStringRef());
  if (n == 0)
    return std::nullopt;
  SmallVector<unsigned> diff;
  for (unsigned i = 0; i < n; ++i)
    if (isFloatTensor(op->getOperand(i).getType()))
      diff.push_back(i);
  return diff;
}

/// Builds the backward of one function in the value-and-grad clone.
class Differentiator {
public:
  Differentiator(func::FuncOp fn, ArrayRef<unsigned> wrt) : fn(fn), wrt(wrt) {}

  /// The value-and-grad function, inserted after `fn`; failure after a
  /// diagnostic.
  FailureOr<func::FuncOp> run();

  /// The arguments that reach the first result only through differentiable
  /// operands (the default `wrt`).
  static SmallVector<unsigned> defaultArguments(func::FuncOp fn);

private:
  /// Marks what the chosen arguments reach; an active value reaching an
  /// operand without a gradient is an error at that op when `report`.
  LogicalResult propagateActivity(Block &body, bool report);
  void addAdjoint(OpBuilder &b, Value v, Value adj);
  LogicalResult backward(OpBuilder &b, Operation *op);
  LogicalResult backwardLossOp(OpBuilder &b, Operation *op, Value adj);

  func::FuncOp fn;
  SmallVector<unsigned> wrt;
  DenseSet<Value> active;
  DenseMap<Value, Value> adjoints;
};

LogicalResult Differentiator::propagateActivity(Block &body, bool report) {
  for (Operation &op : body.without_terminator()) {
    SmallVector<unsigned> activeOperands;
    for (OpOperand &use : op.getOpOperands())
      if (active.contains(use.get()))
        activeOperands.push_back(use.getOperandNumber());
    if (activeOperands.empty())
      continue;
    std::optional<SmallVector<unsigned>> diff = differentiableOperands(&op);
    if (!diff) {
      if (report)
        return op.emitOpError("has no gradient rule, but its operand #")
               << activeOperands.front()
               << " depends on an argument being differentiated";
      return failure();
    }
    for (unsigned i : activeOperands)
      if (!llvm::is_contained(*diff, i)) {
        if (report)
          return op.emitOpError("has no gradient with respect to operand #")
                 << i << ", which depends on an argument being differentiated";
        return failure();
      }
    for (Value r : op.getResults())
      if (isFloatTensor(r.getType()))
        active.insert(r);
  }
  return success();
}

SmallVector<unsigned> Differentiator::defaultArguments(func::FuncOp fn) {
  SmallVector<unsigned> args;
  Block &body = fn.getBody().front();
  Value loss = body.getTerminator()->getOperand(0);
  for (BlockArgument arg : body.getArguments()) {
    if (!isFloatTensor(arg.getType()))
      continue;
    Differentiator d(fn, {arg.getArgNumber()});
    d.active.insert(arg);
    if (succeeded(d.propagateActivity(body, /*report=*/false)) &&
        d.active.contains(loss))
      args.push_back(arg.getArgNumber());
  }
  return args;
}

void Differentiator::addAdjoint(OpBuilder &b, Value v, Value adj) {
  if (!active.contains(v))
    return;
  auto [it, inserted] = adjoints.try_emplace(v, adj);
  if (!inserted)
    it->second = arith::AddFOp::create(b, v.getLoc(), it->second, adj);
}

/// A tensor of `like`'s type filled with `value` (sizes from `like`).
Value splat(OpBuilder &b, Location loc, Value like, double value) {
  auto ty = cast<RankedTensorType>(like.getType());
  TypedAttr attr = b.getFloatAttr(ty.getElementType(), value);
  if (ty.hasStaticShape())
    return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(ty, attr));
  Value scalar = arith::ConstantOp::create(b, loc, attr);
  SmallVector<Value> dims;
  for (int64_t i = 0; i < ty.getRank(); ++i)
    if (ty.isDynamicDim(i))
      dims.push_back(tensor::DimOp::create(b, loc, like, i));
  return tensor::SplatOp::create(b, loc, scalar, ty, dims);
}

LogicalResult Differentiator::backwardLossOp(OpBuilder &b, Operation *op,
                                             Value adj) {
  Location loc = op->getLoc();
  unsigned n = numLeadingDifferentiableOperands(op->getName().getStringRef());
  std::string gradName = (op->getName().getStringRef() + "_grad").str();
  std::optional<RegisteredOperationName> gradOp =
      RegisteredOperationName::lookup(gradName, op->getContext());
  if (!gradOp)
    return op->emitOpError("has no gradient op '") << gradName << "'";
  OperationState state(loc, gradName);
  state.addOperands(op->getOperands());
  state.addOperands(adj);
  // One gradient per float operand among the first n, in order.
  SmallVector<unsigned> gradOperands;
  for (unsigned i = 0; i < n; ++i)
    if (isFloatTensor(op->getOperand(i).getType()))
      gradOperands.push_back(i);
  // The forward's attributes; the adjoint is one more operand segment.
  if (auto props =
          dyn_cast_or_null<DictionaryAttr>(op->getPropertiesAsAttribute())) {
    NamedAttrList attrs(props);
    if (auto segments = dyn_cast_or_null<DenseI32ArrayAttr>(
            attrs.get("operandSegmentSizes"))) {
      SmallVector<int32_t> sizes(segments.asArrayRef());
      sizes.push_back(1);
      attrs.set("operandSegmentSizes", b.getDenseI32ArrayAttr(sizes));
    }
    state.propertiesAttr = attrs.getDictionary(op->getContext());
  }
  state.addAttributes(llvm::to_vector(op->getDiscardableAttrs()));
  // The result types by the gradient op's own rule (InferTypeOpInterface),
  // read from a result-less copy that carries its properties.
  {
    Operation *probe = Operation::create(state);
    auto infer = dyn_cast<InferTypeOpInterface>(probe);
    SmallVector<Type> types;
    LogicalResult inferred =
        infer ? infer.inferReturnTypes(
                    op->getContext(), loc, probe->getOperands(),
                    probe->getRawDictionaryAttrs(),
                    probe->getPropertiesStorage(), probe->getRegions(), types)
              : failure();
    probe->destroy();
    if (failed(inferred) || types.size() != gradOperands.size())
      return op->emitOpError("cannot be differentiated: its gradient op '")
             << gradName << "' does not infer one gradient per float operand";
    state.addTypes(types);
  }
  Operation *grad = b.create(state);
  if (failed(mlir::verify(grad)))
    return op->emitOpError("cannot be differentiated: its gradient op "
                           "rejects these operands (see above)");
  for (auto [k, i] : llvm::enumerate(gradOperands))
    addAdjoint(b, op->getOperand(i), grad->getResult(k));
  return success();
}

LogicalResult Differentiator::backward(OpBuilder &b, Operation *op) {
  Location loc = op->getLoc();
  SmallVector<Value> adj;
  bool any = false;
  for (Value r : op->getResults()) {
    adj.push_back(adjoints.lookup(r));
    any |= static_cast<bool>(adj.back());
  }
  if (!any)
    return success();
  if (std::optional<Elementwise> e = matchElementwise(op)) {
    // The same rule as the tensor arith op, with the generic's inputs as
    // operands: build that op (never inserted) to reuse it.
    OperationState state(loc, e->scalar->getName());
    for (unsigned i : e->inputs)
      state.addOperands(op->getOperand(i));
    state.addTypes(op->getResult(0).getType());
    Operation *tensorOp = Operation::create(state);
    adjoints[tensorOp->getResult(0)] = adj[0];
    LogicalResult r = backward(b, tensorOp);
    adjoints.erase(tensorOp->getResult(0));
    tensorOp->destroy();
    return r;
  }
  if (auto add = dyn_cast<arith::AddFOp>(op)) {
    addAdjoint(b, add.getLhs(), adj[0]);
    addAdjoint(b, add.getRhs(), adj[0]);
    return success();
  }
  if (auto sub = dyn_cast<arith::SubFOp>(op)) {
    addAdjoint(b, sub.getLhs(), adj[0]);
    if (active.contains(sub.getRhs()))
      addAdjoint(b, sub.getRhs(), arith::NegFOp::create(b, loc, adj[0]));
    return success();
  }
  if (auto neg = dyn_cast<arith::NegFOp>(op)) {
    addAdjoint(b, neg.getOperand(), arith::NegFOp::create(b, loc, adj[0]));
    return success();
  }
  if (auto mul = dyn_cast<arith::MulFOp>(op)) {
    if (active.contains(mul.getLhs()))
      addAdjoint(b, mul.getLhs(),
                 arith::MulFOp::create(b, loc, adj[0], mul.getRhs()));
    if (active.contains(mul.getRhs()))
      addAdjoint(b, mul.getRhs(),
                 arith::MulFOp::create(b, loc, adj[0], mul.getLhs()));
    return success();
  }
  if (auto div = dyn_cast<arith::DivFOp>(op)) {
    // d(a/b) = da / b - db * (a/b) / b.
    Value q = arith::DivFOp::create(b, loc, adj[0], div.getRhs());
    if (active.contains(div.getLhs()))
      addAdjoint(b, div.getLhs(), q);
    if (active.contains(div.getRhs()))
      addAdjoint(b, div.getRhs(),
                 arith::NegFOp::create(
                     b, loc, arith::MulFOp::create(b, loc, q, div.getResult())));
    return success();
  }
  if (auto ls = dyn_cast<LogSoftmaxOp>(op)) {
    addAdjoint(b, ls.getInput(),
               LogSoftmaxGradOp::create(b, loc, ls.getResult(), adj[0],
                                        ls.getAxis()));
    return success();
  }
  if (auto ce = dyn_cast<SoftmaxCrossEntropyOp>(op)) {
    // The log_prob result is log_softmax over the class axis.
    if (ce.getLogProb() && adj[1]) {
      int64_t axis = ce.getLogits().getType().getRank() == 1 ? 0 : 1;
      addAdjoint(b, ce.getLogits(),
                 LogSoftmaxGradOp::create(b, loc, ce.getLogProb(), adj[1],
                                          axis));
    }
    if (!adj[0])
      return success();
    addAdjoint(b, ce.getLogits(),
               SoftmaxCrossEntropyGradOp::create(
                   b, loc, ce.getLogits(), ce.getTarget(), ce.getWeight(),
                   adj[0], ce.getIgnoreIndex(), ce.getReduction(),
                   ce.getLabelSmoothingAttr().getValue())
                   .getGradLogits());
    return success();
  }
  if (op->getDialect() && isa<LossDialect>(op->getDialect()) &&
      op->getNumResults() == 1)
    return backwardLossOp(b, op, adj[0]);
  return op->emitOpError("has no gradient rule");
}

FailureOr<func::FuncOp> Differentiator::run() {
  Location loc = fn.getLoc();
  Block &src = fn.getBody().front();
  auto ret = cast<func::ReturnOp>(src.getTerminator());
  FunctionType fnTy = fn.getFunctionType();

  SmallVector<Type> results(fnTy.getResults());
  for (unsigned i : wrt)
    results.push_back(fnTy.getInput(i));
  OpBuilder b(fn->getContext());
  b.setInsertionPointAfter(fn);
  auto vg = func::FuncOp::create(
      b, loc, (fn.getName() + "_value_and_grad").str(),
      b.getFunctionType(fnTy.getInputs(), results));
  vg.setVisibility(fn.getVisibility());
  // Argument and result names (onnx.name), gradients as grad_<name>.
  for (unsigned i = 0; i < fnTy.getNumInputs(); ++i)
    vg.setArgAttrs(i, fn.getArgAttrDict(i));
  for (unsigned i = 0; i < fnTy.getNumResults(); ++i)
    vg.setResultAttrs(i, fn.getResultAttrDict(i));
  for (auto [k, i] : llvm::enumerate(wrt)) {
    std::string name = "arg" + std::to_string(i);
    if (auto attr = fn.getArgAttrOfType<StringAttr>(i, "onnx.name"))
      name = attr.str();
    vg.setResultAttr(fnTy.getNumResults() + k, "onnx.name",
                     b.getStringAttr("grad_" + name));
  }

  Block *body = vg.addEntryBlock();
  IRMapping map;
  map.map(src.getArguments(), body->getArguments());
  b.setInsertionPointToStart(body);
  for (Operation &op : src.without_terminator())
    b.clone(op, map);

  for (unsigned i : wrt)
    active.insert(body->getArgument(i));
  if (failed(propagateActivity(*body, /*report=*/true))) {
    vg.erase();
    return failure();
  }
  Value loss = map.lookup(ret.getOperand(0));
  SmallVector<Value> returned =
      llvm::map_to_vector(ret.getOperands(), [&](Value v) {
        return map.lookupOrDefault(v);
      });
  // The seed: a constant for static shapes (at the top, so that fusions
  // may move gradient ops next to their forward ops), else after the loss.
  if (cast<RankedTensorType>(loss.getType()).hasStaticShape() ||
      !loss.getDefiningOp())
    b.setInsertionPointToStart(body);
  else
    b.setInsertionPointAfterValue(loss);
  if (active.contains(loss))
    adjoints[loss] = splat(b, loss.getLoc(), loss, 1.0);

  b.setInsertionPointToEnd(body);
  SmallVector<Operation *> ops = llvm::map_to_vector(
      *body, [](Operation &op) { return &op; });
  for (Operation *op : llvm::reverse(ops))
    if (failed(backward(b, op))) {
      vg.erase();
      return failure();
    }
  for (unsigned i : wrt) {
    Value arg = body->getArgument(i);
    Value g = adjoints.lookup(arg);
    returned.push_back(g ? g : splat(b, loc, arg, 0.0));
  }
  func::ReturnOp::create(b, ret.getLoc(), returned);
  return vg;
}

struct LossGenerateGradientsPass
    : public loss::impl::LossGenerateGradientsBase<LossGenerateGradientsPass> {
  using Base::Base;

  /// The argument indices `wrt` names for `fn`.
  FailureOr<SmallVector<unsigned>> chosenArguments(func::FuncOp fn) {
    if (wrt.empty()) {
      SmallVector<unsigned> args = Differentiator::defaultArguments(fn);
      if (args.empty())
        return fn.emitError("no float argument reaches the first result "
                            "through differentiable operands: nothing to "
                            "differentiate (name arguments with `wrt` to "
                            "see what blocks them)");
      return args;
    }
    SmallVector<unsigned> args;
    for (const std::string &w : wrt) {
      std::optional<unsigned> index;
      unsigned n;
      if (!StringRef(w).getAsInteger(10, n))
        index = n;
      for (unsigned i = 0; !index && i < fn.getNumArguments(); ++i)
        if (auto name = fn.getArgAttrOfType<StringAttr>(i, "onnx.name");
            name && name.getValue() == w)
          index = i;
      if (!index || *index >= fn.getNumArguments())
        return fn.emitError("no argument '") << w << "' to differentiate";
      if (!isFloatTensor(fn.getArgumentTypes()[*index]))
        return fn.emitError("argument '")
               << w << "' is not a float tensor: it has no gradient";
      args.push_back(*index);
    }
    return args;
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> fns;
    if (functions.empty()) {
      for (auto fn : module.getOps<func::FuncOp>())
        if (fn.isPublic() && !fn.isExternal() &&
            !fn.getName().ends_with("_value_and_grad"))
          fns.push_back(fn);
    } else {
      for (const std::string &name : functions) {
        auto fn = symbols.lookup<func::FuncOp>(name);
        if (!fn || fn.isExternal()) {
          module.emitError("no function '") << name << "' to differentiate";
          return signalPassFailure();
        }
        fns.push_back(fn);
      }
    }
    for (func::FuncOp fn : fns) {
      bool differentiable = fn.getBody().hasOneBlock() &&
                            fn.getNumResults() != 0 &&
                            isFloatTensor(fn.getResultTypes()[0]);
      // By default, functions that return no loss (a test's main) are not
      // candidates; a function asked for by name must be one.
      if (!differentiable && functions.empty())
        continue;
      if (!differentiable) {
        fn.emitError("can only differentiate a one-block function whose "
                     "first result is a float tensor (the loss)");
        return signalPassFailure();
      }
      // A declaration of the value-and-grad function (so that callers can
      // be written before the pass runs) is replaced by the definition.
      std::optional<SymbolTable::Visibility> declared;
      std::string vgName = (fn.getName() + "_value_and_grad").str();
      if (Operation *existing = symbols.lookup(vgName)) {
        auto decl = dyn_cast<func::FuncOp>(existing);
        if (!decl || !decl.isExternal()) {
          fn.emitError("already has a '") << vgName << "' function";
          return signalPassFailure();
        }
        declared = decl.getVisibility();
        symbols.erase(decl);
      }
      FailureOr<SmallVector<unsigned>> args = chosenArguments(fn);
      if (failed(args))
        return signalPassFailure();
      Differentiator d(fn, *args);
      FailureOr<func::FuncOp> vg = d.run();
      if (failed(vg))
        return signalPassFailure();
      if (declared)
        vg->setVisibility(*declared);
      symbols.insert(*vg);
    }
  }
};
} // namespace
