//===- Emulate.cpp - Run gpu.launch kernels on the host with OpenMP -------===//
//
// A test harness, not a code generator: machines without a GPU can still
// run the kernels of the GPU path, with the same thread structure (one
// OpenMP thread per GPU thread of a block, real barriers), so that the
// mappings' indexing, striding, cross-thread merges and barrier placement
// are checked numerically by the same tests that run on a GPU.
//
//===----------------------------------------------------------------------===//

#include "ReductionUtils.h"
#include "loss-mlir/GPU/Transforms/GPUUtils.h"
#include "loss-mlir/GPU/Transforms/Passes.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"

namespace mlir {
namespace loss {
#define GEN_PASS_DEF_GPUEMULATE
#include "loss-mlir/GPU/Transforms/Passes.h.inc"
} // namespace loss
} // namespace mlir

using namespace mlir;
using namespace mlir::loss;

namespace {

func::FuncOp declareOmpQuery(ModuleOp module, StringRef name) {
  if (auto f = module.lookupSymbol<func::FuncOp>(name))
    return f;
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  auto f = func::FuncOp::create(b, module.getLoc(), name,
                                b.getFunctionType({}, {b.getI32Type()}));
  f.setPrivate();
  return f;
}

Value callOmpQuery(OpBuilder &b, Location loc, func::FuncOp f) {
  Value v = func::CallOp::create(b, loc, f, ValueRange{}).getResult(0);
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
}

LogicalResult emulateLaunch(gpu::LaunchOp launch, func::FuncOp threadNum,
                            func::FuncOp numThreads) {
  Location loc = launch.getLoc();
  if (launch.getAsyncToken() || !launch.getAsyncDependencies().empty() ||
      launch.getDynamicSharedMemorySize() ||
      launch.getNumWorkgroupAttributions() ||
      launch.getNumPrivateAttributions() || launch.hasClusterSize() ||
      !launch.getBody().hasOneBlock())
    return launch.emitError("gpu-emulate handles synchronous launches "
                            "with one block and no attributions, clusters "
                            "or dynamic shared memory");
  SmallVector<gpu::AllReduceOp> reductions;
  WalkResult walk = launch.getBody().walk([&](gpu::AllReduceOp r) {
    if (!r.getOp())
      return WalkResult::interrupt();
    reductions.push_back(r);
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return launch.emitError("gpu-emulate handles gpu.all_reduce with an "
                            "operation attribute only");

  OpBuilder b(launch);
  gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
  gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
  Value nThreads = arith::MulIOp::create(
      b, loc, arith::MulIOp::create(b, loc, block.x, block.y), block.z);

  // One scratch slot per thread for each all_reduce, shared by the block;
  // the clones find theirs through the id attribute.
  SmallVector<Value> scratch;
  for (auto [i, r] : llvm::enumerate(reductions)) {
    r->setAttr("loss.emulate_id", b.getIndexAttr(i));
    scratch.push_back(memref::AllocOp::create(
        b, loc, MemRefType::get({ShapedType::kDynamic}, r.getType()),
        ValueRange{nThreads}));
  }

  Value c0 = constIndex(b, loc, 0), c1 = constIndex(b, loc, 1);
  auto loopZ = scf::ForOp::create(b, loc, c0, grid.z, c1);
  b.setInsertionPointToStart(loopZ.getBody());
  auto loopY = scf::ForOp::create(b, loc, c0, grid.y, c1);
  b.setInsertionPointToStart(loopY.getBody());
  auto loopX = scf::ForOp::create(b, loc, c0, grid.x, c1);
  b.setInsertionPointToStart(loopX.getBody());

  omp::ParallelOperands clauses;
  clauses.numThreads =
      arith::IndexCastOp::create(b, loc, b.getI32Type(), nThreads);
  auto parallel = omp::ParallelOp::create(b, loc, clauses);
  Block *body = b.createBlock(&parallel.getRegion());
  b.setInsertionPointToStart(body);

  Value tid = callOmpQuery(b, loc, threadNum);
  Value got = callOmpQuery(b, loc, numThreads);
  cf::AssertOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, got, nThreads),
      b.getStringAttr("gpu-emulate: OpenMP gave fewer threads than the "
                      "block has GPU threads"));
  Value tx = arith::RemUIOp::create(b, loc, tid, block.x);
  Value rest = arith::DivUIOp::create(b, loc, tid, block.x);
  Value ty = arith::RemUIOp::create(b, loc, rest, block.y);
  Value tz = arith::DivUIOp::create(b, loc, rest, block.y);

  IRMapping map;
  gpu::KernelDim3 ids = launch.getBlockIds(), tids = launch.getThreadIds(),
                  gsz = launch.getGridSize(), bsz = launch.getBlockSize();
  map.map(ids.x, loopX.getInductionVar());
  map.map(ids.y, loopY.getInductionVar());
  map.map(ids.z, loopZ.getInductionVar());
  map.map(tids.x, tx);
  map.map(tids.y, ty);
  map.map(tids.z, tz);
  map.map(gsz.x, grid.x);
  map.map(gsz.y, grid.y);
  map.map(gsz.z, grid.z);
  map.map(bsz.x, block.x);
  map.map(bsz.y, block.y);
  map.map(bsz.z, block.z);
  for (Operation &op : launch.getBody().front().without_terminator())
    b.clone(op, map);
  omp::TerminatorOp::create(b, loc);

  // Rewrite the GPU ops of the cloned body.
  SmallVector<Operation *> gpuOps;
  parallel.getRegion().walk([&](Operation *op) {
    if (isa<gpu::GPUDialect>(op->getDialect()))
      gpuOps.push_back(op);
  });
  for (Operation *op : gpuOps) {
    b.setInsertionPoint(op);
    Location l = op->getLoc();
    auto dimValue = [&](gpu::Dimension d, gpu::KernelDim3 v) -> Value {
      return d == gpu::Dimension::x ? v.x : d == gpu::Dimension::y ? v.y : v.z;
    };
    auto tidDim = gpu::KernelDim3{tx, ty, tz};
    auto bidDim =
        gpu::KernelDim3{loopX.getInductionVar(), loopY.getInductionVar(),
                        loopZ.getInductionVar()};
    if (isa<gpu::BarrierOp>(op)) {
      omp::BarrierOp::create(b, l);
    } else if (auto t = dyn_cast<gpu::ThreadIdOp>(op)) {
      t.replaceAllUsesWith(dimValue(t.getDimension(), tidDim));
    } else if (auto t = dyn_cast<gpu::BlockIdOp>(op)) {
      t.replaceAllUsesWith(dimValue(t.getDimension(), bidDim));
    } else if (auto t = dyn_cast<gpu::BlockDimOp>(op)) {
      t.replaceAllUsesWith(dimValue(t.getDimension(), block));
    } else if (auto t = dyn_cast<gpu::GridDimOp>(op)) {
      t.replaceAllUsesWith(dimValue(t.getDimension(), grid));
    } else if (auto r = dyn_cast<gpu::AllReduceOp>(op)) {
      // Every thread stores its value, then folds all of them in thread
      // order; the second barrier keeps the slots until everyone has read.
      auto id = r->getAttrOfType<IntegerAttr>("loss.emulate_id");
      Value buf = scratch[id.getInt()];
      memref::StoreOp::create(b, l, r.getValue(), buf, ValueRange{tid});
      omp::BarrierOp::create(b, l);
      Value first = memref::LoadOp::create(b, l, buf, ValueRange{c0});
      auto fold = scf::ForOp::create(
          b, l, c1, nThreads, c1, ValueRange{first},
          [&](OpBuilder &nb, Location nl, Value i, ValueRange acc) {
            Value x = memref::LoadOp::create(nb, nl, buf, ValueRange{i});
            scf::YieldOp::create(nb, nl,
                                 combineValues(nb, nl, *r.getOp(), acc[0], x));
          });
      omp::BarrierOp::create(b, l);
      r.replaceAllUsesWith(fold.getResult(0));
    } else {
      return op->emitError("gpu-emulate cannot run this op on the host");
    }
    op->erase();
  }

  b.setInsertionPointAfter(loopZ);
  for (Value s : scratch)
    memref::DeallocOp::create(b, loc, s);
  launch.erase();
  return success();
}

/// gpu.alloc/gpu.dealloc to memref.alloc/memref.dealloc; gpu.wait goes.
void emulateMemory(ModuleOp module) {
  SmallVector<Operation *> ops;
  module.walk([&](Operation *op) {
    if (isa<gpu::AllocOp, gpu::DeallocOp, gpu::WaitOp>(op))
      ops.push_back(op);
  });
  OpBuilder b(module.getContext());
  for (Operation *op : ops) {
    b.setInsertionPoint(op);
    if (auto a = dyn_cast<gpu::AllocOp>(op)) {
      Value m =
          memref::AllocOp::create(b, a.getLoc(), a.getType(),
                                  a.getDynamicSizes(), a.getSymbolOperands());
      a.getMemref().replaceAllUsesWith(m);
    } else if (auto d = dyn_cast<gpu::DeallocOp>(op)) {
      memref::DeallocOp::create(b, d.getLoc(), d.getMemref());
    }
  }
  // Tokens only flow between these ops: drop them users first.
  for (Operation *op : llvm::reverse(ops))
    op->dropAllUses();
  for (Operation *op : llvm::reverse(ops))
    op->erase();
}

struct GPUEmulatePass
    : public loss::impl::GPUEmulateBase<GPUEmulatePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::LaunchOp> launches;
    module.walk([&](gpu::LaunchOp l) { launches.push_back(l); });
    if (!launches.empty()) {
      func::FuncOp threadNum = declareOmpQuery(module, "omp_get_thread_num");
      func::FuncOp numThreads = declareOmpQuery(module, "omp_get_num_threads");
      for (gpu::LaunchOp l : launches)
        if (failed(emulateLaunch(l, threadNum, numThreads)))
          return signalPassFailure();
    }
    emulateMemory(module);
  }
};

} // namespace
