//===- GPUUtils.cpp - Helpers for building GPU kernels --------------------===//

#include "loss-mlir/GPU/Transforms/GPUUtils.h"
#include "ReductionUtils.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loss;
using gpu::AllReduceOperation;

Value Kernel::globalId(OpBuilder &b, Location loc) const {
  return arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, blockId, blockSize), threadId);
}

Value Kernel::globalSize(OpBuilder &b, Location loc) const {
  return arith::MulIOp::create(b, loc, gridSize, blockSize);
}

Kernel mlir::loss::createKernel(OpBuilder &b, Location loc, Value grid,
                                Value block) {
  Value one = constIndex(b, loc, 1);
  auto launch = gpu::LaunchOp::create(b, loc, grid, one, one, block, one, one);
  Block &body = launch.getBody().front();
  b.setInsertionPointToEnd(&body);
  auto term = gpu::TerminatorOp::create(b, loc);
  b.setInsertionPoint(term);
  Kernel k;
  k.launch = launch;
  k.blockId = launch.getBlockIds().x;
  k.threadId = launch.getThreadIds().x;
  k.gridSize = launch.getGridSize().x;
  k.blockSize = launch.getBlockSize().x;
  return k;
}

Value mlir::loss::ceilDivIndex(OpBuilder &b, Location loc, Value a, Value c) {
  return arith::CeilDivUIOp::create(b, loc, a, c);
}

Value mlir::loss::clampIndex(OpBuilder &b, Location loc, Value v, int64_t lo,
                             int64_t hi) {
  return arith::MinUIOp::create(
      b, loc, arith::MaxUIOp::create(b, loc, v, constIndex(b, loc, lo)),
      constIndex(b, loc, hi));
}

Value mlir::loss::productIndex(OpBuilder &b, Location loc,
                               ArrayRef<Value> values) {
  Value p = constIndex(b, loc, 1);
  for (Value v : values)
    p = arith::MulIOp::create(b, loc, p, v);
  return p;
}

SmallVector<Value> mlir::loss::delinearizeIndex(OpBuilder &b, Location loc,
                                                Value linear,
                                                ArrayRef<Value> sizes) {
  // No sizes (a 0-d space): no indices; one size: the index itself.
  if (sizes.empty())
    return {};
  if (sizes.size() == 1)
    return {linear};
  // Upstream's op: lower-affine expands it, and canonicalization folds the
  // sizes that are constants into its static basis.
  auto op = affine::AffineDelinearizeIndexOp::create(b, loc, linear,
                                                     ValueRange(sizes));
  return SmallVector<Value>(op.getResults().begin(), op.getResults().end());
}

Value mlir::loss::blockSizeFor(OpBuilder &b, Location loc, Value work,
                               unsigned maxBlock) {
  int64_t granule = std::min<int64_t>(32, maxBlock);
  Value rounded = arith::MulIOp::create(
      b, loc, ceilDivIndex(b, loc, work, constIndex(b, loc, granule)),
      constIndex(b, loc, granule));
  return clampIndex(b, loc, rounded, granule, maxBlock);
}

Value mlir::loss::reductionIdentity(OpBuilder &b, Location loc,
                                    AllReduceOperation kind, Type type) {
  if (auto ft = dyn_cast<FloatType>(type)) {
    const llvm::fltSemantics &sem = ft.getFloatSemantics();
    APFloat v(sem);
    switch (kind) {
    case AllReduceOperation::ADD:
      v = APFloat::getZero(sem);
      break;
    case AllReduceOperation::MUL:
      v = APFloat::getOne(sem);
      break;
    case AllReduceOperation::MAXIMUMF:
      v = APFloat::getInf(sem, /*Negative=*/true);
      break;
    case AllReduceOperation::MINIMUMF:
      v = APFloat::getInf(sem, /*Negative=*/false);
      break;
    case AllReduceOperation::MAXNUMF:
    case AllReduceOperation::MINNUMF:
      v = APFloat::getNaN(sem);
      break;
    default:
      llvm_unreachable("not a float reduction");
    }
    return arith::ConstantOp::create(b, loc, type, b.getFloatAttr(type, v));
  }
  unsigned width = type.isIndex() ? 64 : cast<IntegerType>(type).getWidth();
  APInt v(width, 0);
  switch (kind) {
  case AllReduceOperation::ADD:
  case AllReduceOperation::OR:
  case AllReduceOperation::XOR:
  case AllReduceOperation::MAXUI:
    break;
  case AllReduceOperation::MUL:
    v = APInt(width, 1);
    break;
  case AllReduceOperation::AND:
  case AllReduceOperation::MINUI:
    v = APInt::getAllOnes(width);
    break;
  case AllReduceOperation::MAXSI:
    v = APInt::getSignedMinValue(width);
    break;
  case AllReduceOperation::MINSI:
    v = APInt::getSignedMaxValue(width);
    break;
  default:
    llvm_unreachable("not an integer reduction");
  }
  return arith::ConstantOp::create(b, loc, type, b.getIntegerAttr(type, v));
}

Value mlir::loss::combineValues(OpBuilder &b, Location loc,
                                AllReduceOperation kind, Value lhs, Value rhs) {
  bool isFloat = isa<FloatType>(lhs.getType());
  switch (kind) {
  case AllReduceOperation::ADD:
    return isFloat ? arith::AddFOp::create(b, loc, lhs, rhs).getResult()
                   : arith::AddIOp::create(b, loc, lhs, rhs).getResult();
  case AllReduceOperation::MUL:
    return isFloat ? arith::MulFOp::create(b, loc, lhs, rhs).getResult()
                   : arith::MulIOp::create(b, loc, lhs, rhs).getResult();
  case AllReduceOperation::MAXIMUMF:
    return arith::MaximumFOp::create(b, loc, lhs, rhs);
  case AllReduceOperation::MINIMUMF:
    return arith::MinimumFOp::create(b, loc, lhs, rhs);
  case AllReduceOperation::MAXNUMF:
    return arith::MaxNumFOp::create(b, loc, lhs, rhs);
  case AllReduceOperation::MINNUMF:
    return arith::MinNumFOp::create(b, loc, lhs, rhs);
  case AllReduceOperation::MAXSI:
    return arith::MaxSIOp::create(b, loc, lhs, rhs);
  case AllReduceOperation::MINSI:
    return arith::MinSIOp::create(b, loc, lhs, rhs);
  case AllReduceOperation::MAXUI:
    return arith::MaxUIOp::create(b, loc, lhs, rhs);
  case AllReduceOperation::MINUI:
    return arith::MinUIOp::create(b, loc, lhs, rhs);
  case AllReduceOperation::AND:
    return arith::AndIOp::create(b, loc, lhs, rhs);
  case AllReduceOperation::OR:
    return arith::OrIOp::create(b, loc, lhs, rhs);
  case AllReduceOperation::XOR:
    return arith::XOrIOp::create(b, loc, lhs, rhs);
  }
  llvm_unreachable("unknown reduction");
}

std::optional<AllReduceOperation> mlir::loss::reductionKindOf(Operation *op) {
  using R = std::optional<AllReduceOperation>;
  return llvm::TypeSwitch<Operation *, R>(op)
      .Case<arith::AddFOp, arith::AddIOp>(
          [](auto) { return AllReduceOperation::ADD; })
      .Case<arith::MulFOp, arith::MulIOp>(
          [](auto) { return AllReduceOperation::MUL; })
      .Case<arith::MaximumFOp>(
          [](auto) { return AllReduceOperation::MAXIMUMF; })
      .Case<arith::MinimumFOp>(
          [](auto) { return AllReduceOperation::MINIMUMF; })
      .Case<arith::MaxNumFOp>([](auto) { return AllReduceOperation::MAXNUMF; })
      .Case<arith::MinNumFOp>([](auto) { return AllReduceOperation::MINNUMF; })
      .Case<arith::MaxSIOp>([](auto) { return AllReduceOperation::MAXSI; })
      .Case<arith::MinSIOp>([](auto) { return AllReduceOperation::MINSI; })
      .Case<arith::MaxUIOp>([](auto) { return AllReduceOperation::MAXUI; })
      .Case<arith::MinUIOp>([](auto) { return AllReduceOperation::MINUI; })
      .Case<arith::AndIOp>([](auto) { return AllReduceOperation::AND; })
      .Case<arith::OrIOp>([](auto) { return AllReduceOperation::OR; })
      .Case<arith::XOrIOp>([](auto) { return AllReduceOperation::XOR; })
      .Default([](Operation *) { return R(); });
}

Value mlir::loss::blockAllReduce(OpBuilder &b, Location loc, Value v,
                                 AllReduceOperation kind) {
  Type ty = v.getType();
  Value wide = v;
  if (auto ft = dyn_cast<FloatType>(ty)) {
    if (ft.getWidth() < 32)
      wide = arith::ExtFOp::create(b, loc, b.getF32Type(), v);
  } else if (ty.isIndex()) {
    wide = arith::IndexCastOp::create(b, loc, b.getI64Type(), v);
  } else if (cast<IntegerType>(ty).getWidth() < 32) {
    bool isSigned =
        kind == AllReduceOperation::MAXSI || kind == AllReduceOperation::MINSI;
    wide = isSigned
               ? arith::ExtSIOp::create(b, loc, b.getI32Type(), v).getResult()
               : arith::ExtUIOp::create(b, loc, b.getI32Type(), v).getResult();
  }
  Value r = gpu::AllReduceOp::create(
      b, loc, wide, gpu::AllReduceOperationAttr::get(b.getContext(), kind),
      /*uniform=*/true);
  if (wide == v)
    return r;
  if (isa<FloatType>(ty))
    return arith::TruncFOp::create(b, loc, ty, r);
  if (ty.isIndex())
    return arith::IndexCastOp::create(b, loc, ty, r);
  return arith::TruncIOp::create(b, loc, ty, r);
}

void mlir::loss::launchBlockPerItem(
    OpBuilder &b, Location loc, Value grid, Value block, StringRef mapping,
    Value numItems,
    function_ref<void(OpBuilder &, Location, const Kernel &, Value)> body) {
  OpBuilder::InsertionGuard guard(b);
  Kernel k = createKernel(b, loc, grid, block);
  k.launch->setAttr("loss.mapping", b.getStringAttr(mapping));
  scf::ForOp::create(b, loc, k.blockId, numItems, k.gridSize, ValueRange{},
                     [&](OpBuilder &nb, Location nl, Value item, ValueRange) {
                       body(nb, nl, k, item);
                       scf::YieldOp::create(nb, nl);
                     });
}

void mlir::loss::ifThreadZero(OpBuilder &b, Location loc, const Kernel &k,
                              function_ref<void(OpBuilder &, Location)> body) {
  Value isZero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                       k.threadId, constIndex(b, loc, 0));
  scf::IfOp::create(b, loc, isZero, [&](OpBuilder &nb, Location nl) {
    body(nb, nl);
    scf::YieldOp::create(nb, nl);
  });
}

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

Value mlir::loss::kernelInput(OpBuilder &b, Location loc, Value tensor) {
  auto ty = cast<TensorType>(tensor.getType());
  auto memTy = bufferization::getMemRefTypeWithFullyDynamicLayout(ty);
  return bufferization::ToBufferOp::create(b, loc, memTy, tensor,
                                           /*read_only=*/true);
}

Value mlir::loss::kernelOutput(OpBuilder &b, Location loc,
                               ArrayRef<OpFoldResult> shape, Type elementType) {
  SmallVector<int64_t> staticShape;
  SmallVector<Value> dynSizes;
  dispatchIndexOpFoldResults(shape, dynSizes, staticShape);
  return memref::AllocOp::create(
      b, loc, MemRefType::get(staticShape, elementType), dynSizes);
}

Value mlir::loss::kernelResult(OpBuilder &b, Location loc, Value buffer) {
  auto memTy = cast<MemRefType>(buffer.getType());
  auto ty = RankedTensorType::get(memTy.getShape(), memTy.getElementType());
  return bufferization::ToTensorOp::create(b, loc, ty, buffer,
                                           /*restrict=*/true,
                                           /*writable=*/true);
}
