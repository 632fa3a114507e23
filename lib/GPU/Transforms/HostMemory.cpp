//===- HostMemory.cpp - Managed memory for the buffers kernels touch ------===//
//
// Host code keeps running on the CPU and reads and writes buffers that
// kernels also use (the constants of a test, the results it checks, the
// scalars of a `mean`). Every such buffer is put in CUDA managed memory
// (`gpu.alloc host_shared`, cuMemAllocManaged), which both sides can
// dereference; kernel launches are synchronous, so host code never sees a
// buffer while a kernel writes it. See Passes.td.
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/GPU/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/StringSet.h"

namespace mlir {
namespace loss {
#define GEN_PASS_DEF_GPUHOSTMEMORY
#include "loss-mlir/GPU/Transforms/Passes.h.inc"
} // namespace loss
} // namespace mlir

using namespace mlir;
using namespace mlir::loss;

namespace {

bool inKernel(Operation *op) {
  return op->getParentOfType<gpu::LaunchOp>() != nullptr;
}

/// The results of `user` that alias its operand `v` (views and casts).
SmallVector<Value> aliasingResults(Operation *user, Value v) {
  SmallVector<Value> out;
  if (auto view = dyn_cast<ViewLikeOpInterface>(user)) {
    if (view.getViewSource() == v)
      out.append(user->result_begin(), user->result_end());
  } else if (isa<memref::CastOp, memref::ReinterpretCastOp,
                 memref::MemorySpaceCastOp, memref::AssumeAlignmentOp>(user)) {
    out.append(user->result_begin(), user->result_end());
  }
  return out;
}

/// Every use of `root` and of the views of it.
SmallVector<OpOperand *> transitiveUses(Value root) {
  SmallVector<OpOperand *> uses;
  SmallVector<Value> work{root};
  llvm::SmallPtrSet<Value, 8> seen;
  while (!work.empty()) {
    Value v = work.pop_back_val();
    if (!seen.insert(v).second)
      continue;
    for (OpOperand &use : v.getUses()) {
      uses.push_back(&use);
      for (Value r : aliasingResults(use.getOwner(), v))
        if (isa<BaseMemRefType>(r.getType()))
          work.push_back(r);
    }
  }
  return uses;
}

/// Whether the buffer may be used by a kernel, handed to a function of this
/// module, or leave the function or region it lives in.
bool mayReachDevice(Value root, const llvm::StringSet<> &defined) {
  for (OpOperand *use : transitiveUses(root)) {
    Operation *user = use->getOwner();
    if (inKernel(user) || isa<gpu::LaunchOp>(user))
      return true;
    if (auto call = dyn_cast<func::CallOp>(user))
      if (defined.contains(call.getCallee()))
        return true;
    if (user->hasTrait<OpTrait::IsTerminator>())
      return true;
  }
  return false;
}

/// Whether the buffer escapes through a terminator (return, yield).
bool escapes(Value root) {
  return llvm::any_of(transitiveUses(root), [](OpOperand *use) {
    return use->getOwner()->hasTrait<OpTrait::IsTerminator>();
  });
}

/// Whether anything may write the buffer, other than `except`.
bool mayBeWritten(Value root, Operation *except) {
  for (OpOperand *use : transitiveUses(root)) {
    Operation *user = use->getOwner();
    if (user == except || !aliasingResults(user, use->get()).empty())
      continue;
    if (isa<memref::LoadOp, memref::DimOp, memref::ExtractStridedMetadataOp,
            memref::ExtractAlignedPointerAsIndexOp, memref::DeallocOp,
            gpu::DeallocOp>(user))
      continue;
    if (auto copy = dyn_cast<memref::CopyOp>(user))
      if (copy.getSource() == use->get())
        continue;
    return true;
  }
  return false;
}

/// The last op of `block` that is, or holds, a use of `root` or its views.
Operation *lastUserIn(Value root, Block *block) {
  Operation *last = nullptr;
  for (OpOperand *use : transitiveUses(root)) {
    Operation *anc = block->findAncestorOpInBlock(*use->getOwner());
    if (anc && (!last || last->isBeforeInBlock(anc)))
      last = anc;
  }
  return last;
}

/// A managed buffer like `like` (identity layout), sized from `source`.
Value allocManaged(OpBuilder &b, Location loc, MemRefType type, Value source) {
  SmallVector<Value> dynSizes;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (type.isDynamicDim(i))
      dynSizes.push_back(memref::DimOp::create(b, loc, source, i));
  return gpu::AllocOp::create(b, loc, type, /*asyncToken=*/Type(), ValueRange{},
                              dynSizes, ValueRange{},
                              /*hostShared=*/true)
      .getMemref();
}

/// gpu.dealloc (only the async form lowers): wait, dealloc, wait.
void deallocManaged(OpBuilder &b, Location loc, Value buffer) {
  Type token = gpu::AsyncTokenType::get(b.getContext());
  Value t0 = gpu::WaitOp::create(b, loc, token, ValueRange{}).getAsyncToken();
  Value t1 = gpu::DeallocOp::create(b, loc, token, ValueRange{t0}, buffer)
                 .getAsyncToken();
  gpu::WaitOp::create(b, loc, Type(), ValueRange{t1});
}

bool isPlainMemRef(Type t) {
  auto mt = dyn_cast<MemRefType>(t);
  return mt && mt.getLayout().isIdentity() && !mt.getMemorySpace();
}

struct GPUHostMemoryPass
    : public loss::impl::GPUHostMemoryBase<GPUHostMemoryPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::StringSet<> defined;
    for (auto f : module.getOps<func::FuncOp>())
      if (!f.isExternal())
        defined.insert(f.getSymName());
    for (auto f : module.getOps<func::FuncOp>())
      if (!f.isExternal())
        if (failed(runOn(f, defined)))
          return signalPassFailure();
  }

  LogicalResult runOn(func::FuncOp func, const llvm::StringSet<> &defined) {
    OpBuilder b(func.getContext());

    // Heap buffers of host code: managed.
    SmallVector<memref::AllocOp> allocs;
    SmallVector<memref::DeallocOp> deallocs;
    SmallVector<memref::GetGlobalOp> globals;
    SmallVector<memref::AllocaOp> allocas;
    func.walk([&](Operation *op) {
      if (inKernel(op))
        return;
      if (auto a = dyn_cast<memref::AllocaOp>(op))
        allocas.push_back(a);
      if (auto a = dyn_cast<memref::AllocOp>(op))
        allocs.push_back(a);
      else if (auto d = dyn_cast<memref::DeallocOp>(op))
        deallocs.push_back(d);
      else if (auto g = dyn_cast<memref::GetGlobalOp>(op))
        globals.push_back(g);
    });
    for (memref::AllocOp a : allocs) {
      if (!a.getSymbolOperands().empty() || a.getType().getMemorySpace())
        continue;
      b.setInsertionPoint(a);
      Value m = gpu::AllocOp::create(b, a.getLoc(), a.getType(), Type(),
                                     ValueRange{}, a.getDynamicSizes(),
                                     ValueRange{}, /*hostShared=*/true)
                    .getMemref();
      a.getResult().replaceAllUsesWith(m);
      a.erase();
    }
    for (memref::DeallocOp d : deallocs) {
      b.setInsertionPoint(d);
      deallocManaged(b, d.getLoc(), d.getMemref());
      d.erase();
    }

    // Stack buffers a kernel may use: managed, freed after their last use
    // in their block (or never, if they leave it).
    for (memref::AllocaOp a : allocas) {
      if (!a.getSymbolOperands().empty() || a.getType().getMemorySpace() ||
          !mayReachDevice(a, defined))
        continue;
      b.setInsertionPoint(a);
      Value m = gpu::AllocOp::create(b, a.getLoc(), a.getType(), Type(),
                                     ValueRange{}, a.getDynamicSizes(),
                                     ValueRange{}, /*hostShared=*/true)
                    .getMemref();
      a.getResult().replaceAllUsesWith(m);
      Block *block = a->getBlock();
      a.erase();
      if (escapes(m))
        continue;
      Operation *last = lastUserIn(m, block);
      b.setInsertionPointAfter(last ? last : m.getDefiningOp());
      deallocManaged(b, m.getLoc(), m);
    }

    // Constants: a managed copy where they are read.
    for (memref::GetGlobalOp g : globals) {
      if (!isPlainMemRef(g.getType()) || !mayReachDevice(g, defined))
        continue;
      Location loc = g.getLoc();
      b.setInsertionPointAfter(g);
      Value m = allocManaged(b, loc, g.getType(), g);
      auto copy = memref::CopyOp::create(b, loc, g, m);
      g.getResult().replaceAllUsesExcept(m, copy);
      if (escapes(m))
        continue;
      Operation *last = lastUserIn(m, g->getBlock());
      b.setInsertionPointAfter(last ? last : copy.getOperation());
      deallocManaged(b, loc, m);
    }

    // Arguments of entry points: copied in, and back out if written.
    if (!copyArguments || func.isPrivate())
      return success();
    SmallVector<func::ReturnOp> returns;
    func.walk([&](func::ReturnOp r) { returns.push_back(r); });
    Block &entry = func.getBody().front();
    for (BlockArgument arg : func.getArguments()) {
      if (!isPlainMemRef(arg.getType())) {
        if (isa<BaseMemRefType>(arg.getType()) && mayReachDevice(arg, defined))
          return func.emitError()
                 << "argument #" << arg.getArgNumber()
                 << " is a memref with a layout, memory space or unknown "
                    "rank that a kernel may use; the GPU path copies only "
                    "identity-layout ranked memref arguments";
        continue;
      }
      if (!mayReachDevice(arg, defined))
        continue;
      Location loc = arg.getLoc();
      b.setInsertionPointToStart(&entry);
      Value m = allocManaged(b, loc, cast<MemRefType>(arg.getType()), arg);
      auto copyIn = memref::CopyOp::create(b, loc, arg, m);
      // Every use but the copy and the sizes of the managed buffer.
      Operation *allocOp = m.getDefiningOp();
      arg.replaceUsesWithIf(m, [&](OpOperand &use) {
        Operation *user = use.getOwner();
        return user != copyIn &&
               !(isa<memref::DimOp>(user) && user->getBlock() == &entry &&
                 user->isBeforeInBlock(allocOp));
      });
      bool written = mayBeWritten(m, copyIn);
      bool escaping = escapes(m);
      for (func::ReturnOp r : returns) {
        b.setInsertionPoint(r);
        if (written)
          memref::CopyOp::create(b, loc, m, arg);
        if (!escaping)
          deallocManaged(b, loc, m);
      }
    }
    return success();
  }
};

} // namespace
