//===- MergeKernelModules.cpp - One gpu.module per host function ----------===//

#include "loss-mlir/GPU/Transforms/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/MapVector.h"

namespace mlir {
namespace loss {
#define GEN_PASS_DEF_GPUMERGEKERNELMODULES
#include "loss-mlir/GPU/Transforms/Passes.h.inc"
} // namespace loss
} // namespace mlir

using namespace mlir;

namespace {
struct GPUMergeKernelModulesPass
    : public loss::impl::GPUMergeKernelModulesBase<
          GPUMergeKernelModulesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);

    // The launches of each kernel module, and the host function of each.
    llvm::MapVector<gpu::GPUModuleOp, SmallVector<gpu::LaunchFuncOp>> uses;
    llvm::DenseMap<gpu::GPUModuleOp, Operation *> hostOf;
    llvm::DenseSet<gpu::GPUModuleOp> shared;
    module.walk([&](gpu::LaunchFuncOp launch) {
      auto gm = symbols.lookup<gpu::GPUModuleOp>(launch.getKernelModuleName());
      auto host = launch->getParentOfType<FunctionOpInterface>();
      if (!gm || !host)
        return;
      uses[gm].push_back(launch);
      auto [it, inserted] = hostOf.try_emplace(gm, host);
      if (!inserted && it->second != host)
        shared.insert(gm);
    });

    // Group by host function, in program order.
    llvm::MapVector<Operation *, SmallVector<gpu::GPUModuleOp>> groups;
    for (auto &[gm, launches] : uses)
      if (!shared.contains(gm) && !gm.getTargetsAttr() &&
          !gm.getOffloadingHandlerAttr())
        groups[hostOf[gm]].push_back(gm);

    for (auto &[host, modules] : groups) {
      if (modules.size() < 2)
        continue;
      auto hostName = cast<SymbolOpInterface>(host).getName();
      OpBuilder b(modules.front());
      auto merged = gpu::GPUModuleOp::create(b, modules.front().getLoc(),
                                             (hostName + "_kernels").str());
      symbols.insert(merged);
      SymbolTable mergedSymbols(merged);
      for (gpu::GPUModuleOp gm : modules) {
        // Each kernel takes its old module's (unique) name.
        llvm::DenseMap<StringAttr, StringAttr> renamed;
        SmallVector<Operation *> ops;
        for (Operation &op : gm.getBody()->getOperations())
          ops.push_back(&op);
        bool single = llvm::count_if(ops, [](Operation *op) {
                        return isa<gpu::GPUFuncOp>(op);
                      }) == 1;
        for (Operation *op : ops) {
          auto sym = dyn_cast<SymbolOpInterface>(op);
          if (!sym)
            return signalPassFailure();
          StringAttr old = sym.getNameAttr();
          std::string name = single && isa<gpu::GPUFuncOp>(op)
                                 ? gm.getName().str()
                                 : (gm.getName() + "_" + old.getValue()).str();
          op->moveBefore(merged.getBody(), merged.getBody()->end());
          StringAttr fresh = mergedSymbols.insert(op);
          if (fresh != StringAttr::get(op->getContext(), name)) {
            if (failed(mergedSymbols.rename(op, name)))
              return signalPassFailure();
            fresh = sym.getNameAttr();
          }
          renamed[old] = fresh;
        }
        // References between ops of the old module (globals of the kernel).
        for (Operation *op : ops)
          for (auto [old, fresh] : renamed)
            if (old != fresh &&
                failed(SymbolTable::replaceAllSymbolUses(old, fresh, op)))
              return signalPassFailure();
        for (gpu::LaunchFuncOp launch : uses[gm]) {
          StringAttr fresh = renamed.lookup(launch.getKernelName());
          launch.setKernelAttr(SymbolRefAttr::get(
              merged.getNameAttr(), {FlatSymbolRefAttr::get(fresh)}));
        }
        symbols.erase(gm);
      }
    }
  }
};
} // namespace
