//===- LinalgToGPU.cpp - linalg ops on buffers to gpu.launch --------------===//
//
// The generic mapping of the GPU path: every linalg op left on the host
// after bufferization becomes one or two kernels, chosen by the shape of its
// iteration space (see Passes.td). Each kernel carries a `loss.mapping`
// attribute naming the mapping it got, for tests and for reading the IR.
//
//===----------------------------------------------------------------------===//

#include "ReductionUtils.h"
#include "loss-mlir/GPU/Transforms/GPUUtils.h"
#include "loss-mlir/GPU/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"

namespace mlir {
namespace loss {
#define GEN_PASS_DEF_MAPLINALGTOGPU
#include "loss-mlir/GPU/Transforms/Passes.h.inc"
} // namespace loss
} // namespace mlir

using namespace mlir;
using namespace mlir::loss;
using gpu::AllReduceOperation;

namespace {

struct MappingOptions {
  unsigned blockSize, maxGridSize, maxPartials;
};

/// The indices `map` gives for the loop values `ivs`.
SmallVector<Value> applyMap(OpBuilder &b, Location loc, AffineMap map,
                            ValueRange ivs) {
  SmallVector<Value> out;
  for (AffineExpr e : map.getResults()) {
    if (auto d = dyn_cast<AffineDimExpr>(e)) {
      out.push_back(ivs[d.getPosition()]);
    } else if (auto c = dyn_cast<AffineConstantExpr>(e)) {
      out.push_back(constIndex(b, loc, c.getValue()));
    } else {
      out.push_back(affine::AffineApplyOp::create(
          b, loc, AffineMap::get(map.getNumDims(), map.getNumSymbols(), e),
          ivs));
    }
  }
  return out;
}

/// Emits the body of `op` at the iteration point `ivs`: loads the inputs it
/// reads, binds the output block arguments to `accs` (null for unused ones),
/// clones the computation and returns the yielded values.
SmallVector<Value> emitBody(OpBuilder &b, Location loc, linalg::GenericOp op,
                            ValueRange ivs, ArrayRef<Value> accs) {
  Block &body = op.getRegion().front();
  IRMapping map;
  for (OpOperand *in : op.getDpsInputOperands()) {
    BlockArgument arg = op.getMatchingBlockArgument(in);
    if (arg.use_empty())
      continue;
    Value v = in->get();
    if (isa<MemRefType>(v.getType()))
      v = memref::LoadOp::create(
          b, loc, v, applyMap(b, loc, op.getMatchingIndexingMap(in), ivs));
    map.map(arg, v);
  }
  for (auto [i, init] : llvm::enumerate(op.getDpsInitsMutable()))
    if (accs[i])
      map.map(op.getMatchingBlockArgument(&init), accs[i]);
  for (Operation &o : body.without_terminator()) {
    if (auto idx = dyn_cast<linalg::IndexOp>(o)) {
      map.map(idx.getResult(), ivs[idx.getDim()]);
      continue;
    }
    Operation *clone = b.clone(o, map);
    // linalg.index nested in regions of the body (scf.if, ...).
    SmallVector<linalg::IndexOp> nested;
    clone->walk([&](linalg::IndexOp idx) { nested.push_back(idx); });
    for (linalg::IndexOp idx : nested) {
      idx.getResult().replaceAllUsesWith(ivs[idx.getDim()]);
      idx.erase();
    }
  }
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  SmallVector<Value> out;
  for (Value v : yield.getOperands())
    out.push_back(map.lookupOrDefault(v));
  return out;
}

/// How one result of a reduction is split across threads and merged.
///  * Combine: `acc = op(acc, v)` with `op` associative and commutative;
///    partials start from op's identity and merge with `op`.
///  * OnlineMax / OnlineSum: a pair (m, s) updated as in the online softmax
///    or the scaled p-norm, `raises = a > m` (or `a - m > 0`),
///    `m = raises ? a : m`, `s = raises ? s * q + 1 : s + q`, with
///    `q = q(a, m)` the weight of the smaller of a and m relative to the
///    larger. Then s = sum_k w(a_k) / w(m), and partial states merge as
///    M = max m_t, S = sum_t s_t q(m_t, M) (q(x, x) = 1). Partials start from
///    the output's own m and from s = 0.
struct OutputPlan {
  enum Kind { Combine, OnlineMax, OnlineSum } kind = Combine;
  AllReduceOperation op = AllReduceOperation::ADD;
  unsigned partner = 0; // the other output of an online pair
  Value a, q;           // OnlineSum: q(a, m) in the body
  BlockArgument maxArg; // OnlineSum: m's block argument
};

/// Whether `v`, inside `body`, depends on any of `args`.
bool dependsOn(Value v, Block &body, ArrayRef<BlockArgument> args) {
  SmallVector<Value> work{v};
  llvm::SmallPtrSet<Value, 16> seen;
  while (!work.empty()) {
    Value x = work.pop_back_val();
    if (!seen.insert(x).second)
      continue;
    if (auto arg = dyn_cast<BlockArgument>(x)) {
      if (llvm::is_contained(args, arg))
        return true;
      continue;
    }
    Operation *def = x.getDefiningOp();
    if (!def || !body.findAncestorOpInBlock(*def))
      continue;
    def->walk([&](Operation *nested) {
      for (Value operand : nested->getOperands())
        work.push_back(operand);
    });
  }
  return false;
}

/// Whether q can be evaluated from (a, m) alone: its ops in the body are
/// pure and region-free and reach no block argument but m (a cuts the
/// slice).
bool evaluableFrom(Value q, Value a, BlockArgument m, Block &body) {
  SmallVector<Value> work{q};
  llvm::SmallPtrSet<Value, 16> seen;
  while (!work.empty()) {
    Value x = work.pop_back_val();
    if (x == a || x == m || !seen.insert(x).second)
      continue;
    if (isa<BlockArgument>(x)) {
      if (cast<BlockArgument>(x).getOwner() == &body)
        return false;
      continue;
    }
    Operation *def = x.getDefiningOp();
    if (def->getBlock() != &body)
      continue;
    if (def->getNumRegions() || !isPure(def))
      return false;
    for (Value operand : def->getOperands())
      work.push_back(operand);
  }
  return true;
}

/// `x op y` in either order.
template <typename OpTy> OpTy matchCommutative(Value v, Value x, Value &other) {
  auto op = v.getDefiningOp<OpTy>();
  if (!op)
    return nullptr;
  if (op.getLhs() == x) {
    other = op.getRhs();
    return op;
  }
  if (op.getRhs() == x) {
    other = op.getLhs();
    return op;
  }
  return nullptr;
}

bool isFloatConstant(Value v, double value) {
  auto c = v.getDefiningOp<arith::ConstantOp>();
  auto f = c ? dyn_cast<FloatAttr>(c.getValue()) : nullptr;
  return f && f.getValueAsDouble() == value;
}

/// Matches the online sum `s' = raises ? s * q + 1 : s + q` of output j;
/// fills `raises`, `q`.
bool matchOnlineSum(Value y, BlockArgument s, Value &raises, Value &q) {
  auto sel = y.getDefiningOp<arith::SelectOp>();
  if (!sel || !isa<FloatType>(s.getType()))
    return false;
  Value q1, q2;
  auto add1 = sel.getTrueValue().getDefiningOp<arith::AddFOp>();
  if (!add1)
    return false;
  Value prod;
  if (isFloatConstant(add1.getRhs(), 1.0))
    prod = add1.getLhs();
  else if (isFloatConstant(add1.getLhs(), 1.0))
    prod = add1.getRhs();
  else
    return false;
  if (!matchCommutative<arith::MulFOp>(prod, s, q1) ||
      !matchCommutative<arith::AddFOp>(sel.getFalseValue(), s, q2) || q1 != q2)
    return false;
  // s feeds only these two updates.
  for (OpOperand &use : s.getUses())
    if (use.getOwner() != prod.getDefiningOp() &&
        use.getOwner() != sel.getFalseValue().getDefiningOp())
      return false;
  raises = sel.getCondition();
  q = q1;
  return true;
}

/// Matches `raises = a > m` or `raises = (a - m) > 0`; returns a.
Value matchRaises(Value raises, BlockArgument m) {
  auto cmp = raises.getDefiningOp<arith::CmpFOp>();
  if (!cmp || cmp.getPredicate() != arith::CmpFPredicate::OGT)
    return Value();
  if (cmp.getRhs() == m)
    return cmp.getLhs();
  if (isFloatConstant(cmp.getRhs(), 0.0))
    if (auto sub = cmp.getLhs().getDefiningOp<arith::SubFOp>())
      if (sub.getRhs() == m)
        return sub.getLhs();
  return Value();
}

/// A plan per output if every result can be split across threads.
std::optional<SmallVector<OutputPlan>> planReduction(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  unsigned n = op.getNumDpsInits();
  SmallVector<BlockArgument> accs;
  for (OpOperand &init : op.getDpsInitsMutable())
    accs.push_back(op.getMatchingBlockArgument(&init));
  for (BlockArgument acc : accs)
    if (!acc.getType().isIntOrIndexOrFloat())
      return std::nullopt;
  SmallVector<std::optional<OutputPlan>> plans(n);

  // Online pairs first.
  for (unsigned j = 0; j < n; ++j) {
    Value raises, q;
    if (!matchOnlineSum(yield.getOperand(j), accs[j], raises, q))
      continue;
    for (unsigned i = 0; i < n; ++i) {
      if (i == j || plans[i])
        continue;
      Value a = matchRaises(raises, accs[i]);
      auto sel = yield.getOperand(i).getDefiningOp<arith::SelectOp>();
      if (!a || !sel || sel.getCondition() != raises ||
          sel.getTrueValue() != a || sel.getFalseValue() != accs[i] ||
          a.getType() != accs[i].getType())
        continue;
      if (!evaluableFrom(q, a, accs[i], body))
        continue;
      // Neither a nor q may see another accumulator.
      SmallVector<BlockArgument> others;
      for (unsigned k = 0; k < n; ++k)
        if (k != i)
          others.push_back(accs[k]);
      if (dependsOn(a, body, accs) || dependsOn(q, body, others))
        continue;
      OutputPlan mx, sum;
      mx.kind = OutputPlan::OnlineMax;
      mx.partner = j;
      sum.kind = OutputPlan::OnlineSum;
      sum.partner = i;
      sum.a = a;
      sum.q = q;
      sum.maxArg = accs[i];
      plans[i] = mx;
      plans[j] = sum;
      break;
    }
  }

  // The rest: acc = kind(acc, v), v independent of every accumulator.
  for (unsigned i = 0; i < n; ++i) {
    if (plans[i])
      continue;
    BlockArgument acc = accs[i];
    Value y = yield.getOperand(i);
    Operation *def = y.getDefiningOp();
    if (!def || def->getBlock() != &body || def->getNumOperands() != 2 ||
        !acc.hasOneUse() || acc.getUses().begin()->getOwner() != def ||
        !y.hasOneUse() || def->getOperand(0) == def->getOperand(1))
      return std::nullopt;
    std::optional<AllReduceOperation> kind = reductionKindOf(def);
    if (!kind)
      return std::nullopt;
    Value v =
        def->getOperand(0) == acc ? def->getOperand(1) : def->getOperand(0);
    if (dependsOn(v, body, accs))
      return std::nullopt;
    OutputPlan plan;
    plan.op = *kind;
    plans[i] = plan;
  }
  SmallVector<OutputPlan> out;
  for (auto &p : plans)
    out.push_back(*p);
  return out;
}

/// Whether every output map is a permutation of exactly `dims`, so that
/// distinct points of `dims` write distinct output elements.
bool outputsIndexedBy(linalg::GenericOp op, ArrayRef<unsigned> dims) {
  for (OpOperand &init : op.getDpsInitsMutable()) {
    AffineMap map = op.getMatchingIndexingMap(&init);
    if (map.getNumResults() != dims.size())
      return false;
    llvm::SmallDenseSet<unsigned> seen;
    for (AffineExpr e : map.getResults()) {
      auto d = dyn_cast<AffineDimExpr>(e);
      if (!d || !llvm::is_contained(dims, d.getPosition()) ||
          !seen.insert(d.getPosition()).second)
        return false;
    }
  }
  return true;
}

class GenericMapper {
public:
  GenericMapper(linalg::GenericOp op, const MappingOptions &opts)
      : op(op), opts(opts), loc(op.getLoc()) {}

  void run() {
    OpBuilder b(op);
    for (Range r :
         cast<linalg::LinalgOp>(op.getOperation()).createLoopRanges(b, loc))
      sizes.push_back(getValueOrCreateConstantIndexOp(b, loc, r.size));
    for (auto [d, it] : llvm::enumerate(op.getIteratorTypesArray())) {
      if (it == utils::IteratorType::parallel)
        parDims.push_back(d);
      else
        redDims.push_back(d);
    }

    if (redDims.empty()) {
      if (outputsIndexedBy(op, parDims))
        return mapElementwise(b);
      return mapSerial(b);
    }
    std::optional<SmallVector<OutputPlan>> planned = planReduction(op);
    if (!outputsIndexedBy(op, parDims))
      return mapSerial(b);
    if (!planned)
      return mapThreadPerRow(b);
    plans = *planned;
    bool singleRow = llvm::all_of(parDims, [&](unsigned d) {
      std::optional<int64_t> c = getConstantIntValue(sizes[d]);
      return c && *c == 1;
    });
    if (singleRow)
      return mapFullReduction(b);
    return mapBlockPerRow(b);
  }

private:
  SmallVector<Value> sizesOf(ArrayRef<unsigned> dims) {
    SmallVector<Value> out;
    for (unsigned d : dims)
      out.push_back(sizes[d]);
    return out;
  }

  /// Loop values from values of the parallel and the reduction dims.
  SmallVector<Value> mergeIvs(OpBuilder &b, ArrayRef<Value> par,
                              ArrayRef<Value> red) {
    SmallVector<Value> ivs(sizes.size());
    for (auto [i, d] : llvm::enumerate(parDims))
      ivs[d] = par.empty() ? constIndex(b, loc, 0) : par[i];
    for (auto [i, d] : llvm::enumerate(redDims))
      ivs[d] = red.empty() ? constIndex(b, loc, 0) : red[i];
    return ivs;
  }

  SmallVector<Value> loadOutputs(OpBuilder &b, ValueRange ivs, bool onlyUsed) {
    SmallVector<Value> accs;
    for (OpOperand &init : op.getDpsInitsMutable()) {
      if (onlyUsed && op.getMatchingBlockArgument(&init).use_empty()) {
        accs.push_back(Value());
        continue;
      }
      accs.push_back(memref::LoadOp::create(
          b, loc, init.get(),
          applyMap(b, loc, op.getMatchingIndexingMap(&init), ivs)));
    }
    return accs;
  }

  void storeOutputs(OpBuilder &b, ValueRange ivs, ValueRange values) {
    for (auto [i, init] : llvm::enumerate(op.getDpsInitsMutable()))
      memref::StoreOp::create(
          b, loc, values[i], init.get(),
          applyMap(b, loc, op.getMatchingIndexingMap(&init), ivs));
  }

  /// Where a thread's partials start: the identity of a Combine, the
  /// output's own value (at `ivs0`) for an online max, 0 for an online sum.
  SmallVector<Value> starts(OpBuilder &b, ValueRange ivs0) {
    SmallVector<Value> out;
    for (auto [i, init] : llvm::enumerate(op.getDpsInitsMutable())) {
      Type t = op.getMatchingBlockArgument(&init).getType();
      const OutputPlan &p = plans[i];
      if (p.kind == OutputPlan::Combine)
        out.push_back(reductionIdentity(b, loc, p.op, t));
      else if (p.kind == OutputPlan::OnlineMax)
        out.push_back(memref::LoadOp::create(
            b, loc, init.get(),
            applyMap(b, loc, op.getMatchingIndexingMap(&init), ivs0)));
      else
        out.push_back(
            arith::ConstantOp::create(b, loc, t, b.getFloatAttr(t, 0.0)));
    }
    return out;
  }

  /// q(x, y) of online sum `p`: its slice of the body re-evaluated with
  /// a = x and m = y.
  Value evalQ(OpBuilder &b, const OutputPlan &p, Value x, Value y) {
    Block &body = op.getRegion().front();
    llvm::SetVector<Operation *> slice;
    SmallVector<Value> work{p.q};
    while (!work.empty()) {
      Value v = work.pop_back_val();
      if (v == p.a || v == p.maxArg)
        continue;
      Operation *def = v.getDefiningOp();
      if (!def || def->getBlock() != &body || slice.contains(def))
        continue;
      slice.insert(def);
      for (Value operand : def->getOperands())
        work.push_back(operand);
    }
    IRMapping map;
    map.map(p.a, x);
    map.map(p.maxArg, y);
    for (Operation &o : body.without_terminator())
      if (slice.contains(&o))
        b.clone(o, map);
    return map.lookup(p.q);
  }

  /// s * q(m, to), 0 when s is 0 and s when m == to: the contribution of a
  /// partial online sum (s, m) to one whose max is `to` >= m.
  Value rescale(OpBuilder &b, const OutputPlan &p, Value s, Value m, Value to) {
    Type t = s.getType();
    Value zero = arith::ConstantOp::create(b, loc, t, b.getFloatAttr(t, 0.0));
    Value one = arith::ConstantOp::create(b, loc, t, b.getFloatAttr(t, 1.0));
    Value same =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, m, to);
    Value q = arith::SelectOp::create(b, loc, same, one, evalQ(b, p, m, to));
    Value empty =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, s, zero);
    return arith::SelectOp::create(b, loc, empty, zero,
                                   arith::MulFOp::create(b, loc, s, q));
  }

  /// Sequentially merges the partial `values` into the running `accs`.
  SmallVector<Value> mergeSequential(OpBuilder &b, ValueRange accs,
                                     ValueRange values) {
    SmallVector<Value> out(accs.begin(), accs.end());
    for (auto [i, p] : llvm::enumerate(plans)) {
      if (p.kind == OutputPlan::Combine) {
        out[i] = combineValues(b, loc, p.op, accs[i], values[i]);
      } else if (p.kind == OutputPlan::OnlineSum) {
        unsigned mi = p.partner;
        Value m = arith::MaximumFOp::create(b, loc, accs[mi], values[mi]);
        out[i] =
            arith::AddFOp::create(b, loc, rescale(b, p, accs[i], accs[mi], m),
                                  rescale(b, p, values[i], values[mi], m));
        out[mi] = m;
      }
    }
    return out;
  }

  void finish(Kernel &k, StringRef mapping) {
    k.launch->setAttr("loss.mapping",
                      StringAttr::get(op.getContext(), mapping));
  }

  /// All loops parallel: a grid-stride loop over the linearised space.
  void mapElementwise(OpBuilder &b) {
    Value total = productIndex(b, loc, sizes);
    Value block = constIndex(b, loc, opts.blockSize);
    Value grid = clampIndex(b, loc, ceilDivIndex(b, loc, total, block), 1,
                            opts.maxGridSize);
    OpBuilder::InsertionGuard guard(b);
    Kernel k = createKernel(b, loc, grid, block);
    scf::ForOp::create(
        b, loc, k.globalId(b, loc), total, k.globalSize(b, loc), ValueRange{},
        [&](OpBuilder &nb, Location nl, Value i, ValueRange) {
          SmallVector<Value> ivs = delinearizeIndex(nb, nl, i, sizes);
          SmallVector<Value> accs = loadOutputs(nb, ivs, /*onlyUsed=*/true);
          storeOutputs(nb, ivs, emitBody(nb, nl, op, ivs, accs));
          scf::YieldOp::create(nb, nl);
        });
    finish(k, "elementwise");
  }

  /// Anything: one thread runs the loop nest in order.
  void mapSerial(OpBuilder &b) {
    Value total = productIndex(b, loc, sizes);
    Value one = constIndex(b, loc, 1);
    OpBuilder::InsertionGuard guard(b);
    Kernel k = createKernel(b, loc, one, one);
    scf::ForOp::create(b, loc, constIndex(b, loc, 0), total, one, ValueRange{},
                       [&](OpBuilder &nb, Location nl, Value i, ValueRange) {
                         SmallVector<Value> ivs =
                             delinearizeIndex(nb, nl, i, sizes);
                         SmallVector<Value> accs =
                             loadOutputs(nb, ivs, /*onlyUsed=*/true);
                         storeOutputs(nb, ivs, emitBody(nb, nl, op, ivs, accs));
                         scf::YieldOp::create(nb, nl);
                       });
    finish(k, "serial");
  }

  /// A reduction that cannot be split: one thread per output point.
  void mapThreadPerRow(OpBuilder &b) {
    SmallVector<Value> parSizes = sizesOf(parDims), redSizes = sizesOf(redDims);
    Value rows = productIndex(b, loc, parSizes);
    Value red = productIndex(b, loc, redSizes);
    Value block = constIndex(b, loc, opts.blockSize);
    Value grid = clampIndex(b, loc, ceilDivIndex(b, loc, rows, block), 1,
                            opts.maxGridSize);
    OpBuilder::InsertionGuard guard(b);
    Kernel k = createKernel(b, loc, grid, block);
    scf::ForOp::create(
        b, loc, k.globalId(b, loc), rows, k.globalSize(b, loc), ValueRange{},
        [&](OpBuilder &nb, Location nl, Value r, ValueRange) {
          SmallVector<Value> pIvs = delinearizeIndex(nb, nl, r, parSizes);
          SmallVector<Value> ivs0 = mergeIvs(nb, pIvs, {});
          SmallVector<Value> accs = loadOutputs(nb, ivs0, /*onlyUsed=*/false);
          auto loop = scf::ForOp::create(
              nb, nl, constIndex(nb, nl, 0), red, constIndex(nb, nl, 1), accs,
              [&](OpBuilder &lb, Location ll, Value j, ValueRange iter) {
                SmallVector<Value> rIvs = delinearizeIndex(lb, ll, j, redSizes);
                SmallVector<Value> ivs = mergeIvs(lb, pIvs, rIvs);
                SmallVector<Value> in(iter.begin(), iter.end());
                scf::YieldOp::create(lb, ll, emitBody(lb, ll, op, ivs, in));
              });
          storeOutputs(nb, ivs0, loop.getResults());
          scf::YieldOp::create(nb, nl);
        });
    finish(k, "thread-per-row");
  }

  /// Thread-strided partials over `[start, end)` by `step` of the linear
  /// reduction space.
  SmallVector<Value> stridedPartials(OpBuilder &b, ArrayRef<Value> pIvs,
                                     ArrayRef<Value> redSizes, Value start,
                                     Value end, Value step) {
    auto loop = scf::ForOp::create(
        b, loc, start, end, step, starts(b, mergeIvs(b, pIvs, {})),
        [&](OpBuilder &lb, Location ll, Value j, ValueRange iter) {
          SmallVector<Value> rIvs = delinearizeIndex(lb, ll, j, redSizes);
          SmallVector<Value> ivs = mergeIvs(lb, pIvs, rIvs);
          SmallVector<Value> in(iter.begin(), iter.end());
          scf::YieldOp::create(lb, ll, emitBody(lb, ll, op, ivs, in));
        });
    return SmallVector<Value>(loop.getResults());
  }

  /// Merges the threads' partials across the block; every thread gets the
  /// block's totals. Ends with a barrier (the reductions' shared buffers are
  /// reused by the next row).
  SmallVector<Value> allReduce(OpBuilder &b, ArrayRef<Value> partials) {
    SmallVector<Value> totals(partials.size());
    for (auto [i, p] : llvm::enumerate(plans))
      if (p.kind == OutputPlan::Combine)
        totals[i] = blockAllReduce(b, loc, partials[i], p.op);
      else if (p.kind == OutputPlan::OnlineMax)
        totals[i] =
            blockAllReduce(b, loc, partials[i], AllReduceOperation::MAXIMUMF);
    for (auto [i, p] : llvm::enumerate(plans))
      if (p.kind == OutputPlan::OnlineSum)
        totals[i] = blockAllReduce(
            b, loc,
            rescale(b, p, partials[i], partials[p.partner], totals[p.partner]),
            AllReduceOperation::ADD);
    gpu::BarrierOp::create(b, loc);
    return totals;
  }

  /// Thread 0 folds the block's totals into the outputs at `ivs0`.
  void foldIntoOutputs(OpBuilder &b, const Kernel &k, ValueRange ivs0,
                       ArrayRef<Value> totals) {
    ifThreadZero(b, loc, k, [&](OpBuilder &nb, Location nl) {
      SmallVector<Value> cur = loadOutputs(nb, ivs0, /*onlyUsed=*/false);
      storeOutputs(nb, ivs0, mergeSequential(nb, cur, totals));
    });
  }

  /// One block per output point; threads split the reduction.
  void mapBlockPerRow(OpBuilder &b) {
    SmallVector<Value> parSizes = sizesOf(parDims), redSizes = sizesOf(redDims);
    Value rows = productIndex(b, loc, parSizes);
    Value red = productIndex(b, loc, redSizes);
    Value grid = clampIndex(b, loc, rows, 1, opts.maxGridSize);
    Value block = blockSizeFor(b, loc, red, opts.blockSize);
    OpBuilder::InsertionGuard guard(b);
    Kernel k = createKernel(b, loc, grid, block);
    scf::ForOp::create(b, loc, k.blockId, rows, k.gridSize, ValueRange{},
                       [&](OpBuilder &nb, Location nl, Value r, ValueRange) {
                         SmallVector<Value> pIvs =
                             delinearizeIndex(nb, nl, r, parSizes);
                         SmallVector<Value> partials = stridedPartials(
                             nb, pIvs, redSizes, k.threadId, red, k.blockSize);
                         SmallVector<Value> totals = allReduce(nb, partials);
                         foldIntoOutputs(nb, k, mergeIvs(nb, pIvs, {}), totals);
                         scf::YieldOp::create(nb, nl);
                       });
    finish(k, "block-per-row");
  }

  /// A reduction to single output points: per-block partials, then one
  /// block reduces them.
  void mapFullReduction(OpBuilder &b) {
    SmallVector<Value> redSizes = sizesOf(redDims);
    SmallVector<Value> pIvs(parDims.size(), Value());
    Value zero = constIndex(b, loc, 0);
    for (Value &v : pIvs)
      v = zero;
    Value red = productIndex(b, loc, redSizes);
    Value block = constIndex(b, loc, opts.blockSize);
    Value grid = clampIndex(b, loc, ceilDivIndex(b, loc, red, block), 1,
                            opts.maxPartials);
    SmallVector<Value> buffers;
    for (OpOperand &init : op.getDpsInitsMutable()) {
      Type t = op.getMatchingBlockArgument(&init).getType();
      buffers.push_back(memref::AllocOp::create(
          b, loc, MemRefType::get({ShapedType::kDynamic}, t),
          ValueRange{grid}));
    }
    {
      OpBuilder::InsertionGuard guard(b);
      Kernel k = createKernel(b, loc, grid, block);
      SmallVector<Value> partials = stridedPartials(
          b, pIvs, redSizes, k.globalId(b, loc), red, k.globalSize(b, loc));
      SmallVector<Value> totals = allReduce(b, partials);
      ifThreadZero(b, loc, k, [&](OpBuilder &nb, Location nl) {
        for (auto [t, buf] : llvm::zip(totals, buffers))
          memref::StoreOp::create(nb, nl, t, buf, ValueRange{k.blockId});
      });
      finish(k, "full-reduction-partials");
    }
    {
      OpBuilder::InsertionGuard guard(b);
      Kernel k = createKernel(b, loc, constIndex(b, loc, 1), block);
      auto loop = scf::ForOp::create(
          b, loc, k.threadId, grid, k.blockSize,
          starts(b, mergeIvs(b, pIvs, {})),
          [&](OpBuilder &lb, Location ll, Value j, ValueRange iter) {
            SmallVector<Value> values;
            for (Value buf : buffers)
              values.push_back(
                  memref::LoadOp::create(lb, ll, buf, ValueRange{j}));
            scf::YieldOp::create(lb, ll, mergeSequential(lb, iter, values));
          });
      SmallVector<Value> partials(loop.getResults());
      SmallVector<Value> totals = allReduce(b, partials);
      foldIntoOutputs(b, k, mergeIvs(b, pIvs, {}), totals);
      finish(k, "full-reduction-final");
    }
    for (Value buf : buffers)
      memref::DeallocOp::create(b, loc, buf);
  }

  linalg::GenericOp op;
  const MappingOptions &opts;
  Location loc;
  SmallVector<Value> sizes;
  SmallVector<unsigned> parDims, redDims;
  SmallVector<OutputPlan> plans;
};

struct MapLinalgToGPUPass
    : public loss::impl::MapLinalgToGPUBase<MapLinalgToGPUPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    SmallVector<linalg::LinalgOp> ops;
    WalkResult walk = func.walk([&](linalg::LinalgOp op) {
      if (op->getParentOfType<gpu::LaunchOp>())
        return WalkResult::advance();
      if (!op.hasPureBufferSemantics()) {
        op.emitError("map-linalg-to-gpu needs linalg ops on buffers "
                     "(bufferize first)");
        return WalkResult::interrupt();
      }
      ops.push_back(op);
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();

    MappingOptions opts{blockSize, maxGridSize, maxPartials};
    if (opts.blockSize == 0 || opts.maxGridSize == 0 || opts.maxPartials == 0) {
      func.emitError("block-size, max-grid-size and max-partials must be "
                     "positive");
      return signalPassFailure();
    }
    IRRewriter rewriter(func.getContext());
    for (linalg::LinalgOp op : ops) {
      auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
      if (!generic) {
        rewriter.setInsertionPoint(op);
        FailureOr<linalg::GenericOp> g =
            linalg::generalizeNamedOp(rewriter, op);
        if (failed(g)) {
          op.emitError("cannot map this linalg op to the GPU");
          return signalPassFailure();
        }
        generic = *g;
      }
      GenericMapper(generic, opts).run();
      generic.erase();
    }
  }
};

} // namespace
