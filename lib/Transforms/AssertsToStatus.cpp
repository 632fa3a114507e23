//===- AssertsToStatus.cpp - Failed checks return a status ----------------===//
//
// A library must report a bad call to its caller, not abort the process:
// function-level cf.asserts become branches to a block that records the
// failure in thread-local globals and returns.
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/Transforms/Passes.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir {
namespace loss {
#define GEN_PASS_DEF_ASSERTSTOSTATUS
#include "loss-mlir/Transforms/Passes.h.inc"
} // namespace loss
} // namespace mlir

using namespace mlir;

namespace {
/// `name` as an internal thread-local global of `type`, zero-initialised
/// (created at the start of `module` if absent).
LLVM::GlobalOp getOrCreateThreadLocal(ModuleOp module, StringRef name,
                                      Type type) {
  if (auto g = module.lookupSymbol<LLVM::GlobalOp>(name))
    return g;
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  Location loc = module.getLoc();
  auto global = LLVM::GlobalOp::create(
      b, loc, type, /*isConstant=*/false, LLVM::Linkage::Internal, name,
      /*value=*/Attribute(), /*alignment=*/0, /*addrSpace=*/0,
      /*dsoLocal=*/true, /*thread_local_=*/true);
  // A pointer has no attribute initialiser: an initializer region yields 0.
  Block *init = b.createBlock(&global.getInitializerRegion());
  b.setInsertionPointToStart(init);
  Value zero = isa<LLVM::LLVMPointerType>(type)
                   ? LLVM::ZeroOp::create(b, loc, type).getResult()
                   : LLVM::ConstantOp::create(b, loc, type,
                                              b.getIntegerAttr(type, 0))
                         .getResult();
  LLVM::ReturnOp::create(b, loc, zero);
  return global;
}

} // namespace

std::pair<LLVM::GlobalOp, LLVM::GlobalOp>
mlir::loss::getOrCreateCheckStatusGlobals(ModuleOp module,
                                          StringRef statusSymbol,
                                          StringRef messageSymbol) {
  MLIRContext *ctx = module.getContext();
  return {getOrCreateThreadLocal(module, statusSymbol,
                                 IntegerType::get(ctx, 32)),
          getOrCreateThreadLocal(module, messageSymbol,
                                 LLVM::LLVMPointerType::get(ctx))};
}

namespace {
struct AssertsToStatusPass
    : public loss::impl::AssertsToStatusBase<AssertsToStatusPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<cf::AssertOp> asserts;
    for (auto fn : module.getOps<func::FuncOp>()) {
      if (fn.isDeclaration() || fn.getNumResults() != 0)
        continue;
      for (Block &block : fn.getBody())
        for (auto a : block.getOps<cf::AssertOp>())
          asserts.push_back(a);
    }
    if (asserts.empty())
      return;

    auto i32 = IntegerType::get(&getContext(), 32);
    auto [status, message] =
        loss::getOrCreateCheckStatusGlobals(module, statusSymbol, messageSymbol);

    unsigned count = 0;
    for (cf::AssertOp a : asserts) {
      Location loc = a.getLoc();
      Block *block = a->getBlock();
      Region *body = block->getParent();
      // Everything after the assert continues on success.
      Block *rest = block->splitBlock(a->getNextNode());
      Block *fail = new Block();
      body->push_back(fail);

      OpBuilder b = OpBuilder::atBlockEnd(fail);
      Value one = LLVM::ConstantOp::create(b, loc, i32, b.getI32IntegerAttr(1));
      Value statusAddr = LLVM::AddressOfOp::create(b, loc, status);
      LLVM::StoreOp::create(b, loc, one, statusAddr);
      Value text = LLVM::createGlobalString(
          loc, b, (messageSymbol + "_" + llvm::Twine(count++)).str(),
          (a.getMsg() + llvm::Twine('\0')).str(), LLVM::Linkage::Internal);
      Value messageAddr = LLVM::AddressOfOp::create(b, loc, message);
      LLVM::StoreOp::create(b, loc, text, messageAddr);
      func::ReturnOp::create(b, loc);

      b.setInsertionPoint(a);
      cf::CondBranchOp::create(b, loc, a.getArg(), rest, ValueRange{}, fail,
                               ValueRange{});
      a.erase();
    }
  }
};
} // namespace
