//===- OpRegistry.cpp - ONNX op type and version to handler ---------------===//
//
// The table of supported ops: each entry names an op type, the versions of
// it (their `since_version`s, every one up to opset 21) whose semantics its
// handler implements, and the handler. A node whose op's version in force at
// the model's opset is in no entry is rejected before import, naming the
// node, the version and the implemented ones.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::loss;
using namespace mlir::loss::onnx_import;

void OpRegistry::onOp(StringRef opType, std::initializer_list<int> versions,
                      OpHandlerFn fn) {
  SmallVector<OpHandler, 1> &entries = table[opType];
#ifndef NDEBUG
  for (int v : versions)
    assert(!lookup(opType, v) && "two handlers for one version of an op");
#endif
  entries.push_back(OpHandler{SmallVector<int, 4>(versions), std::move(fn)});
}

void OpRegistry::onOps(std::initializer_list<StringRef> opTypes,
                       std::initializer_list<int> versions,
                       const OpHandlerFn &fn) {
  for (StringRef op : opTypes)
    onOp(op, versions, fn);
}

SmallVector<int> OpRegistry::implementedVersions(StringRef opType) const {
  SmallVector<int> out;
  auto it = table.find(opType);
  if (it == table.end())
    return out;
  for (const OpHandler &h : it->second)
    llvm::append_range(out, h.versions);
  llvm::sort(out);
  return out;
}

const OpHandler *OpRegistry::lookup(StringRef opType, int version) const {
  auto it = table.find(opType);
  if (it == table.end())
    return nullptr;
  for (const OpHandler &h : it->second)
    if (llvm::is_contained(h.versions, version))
      return &h;
  return nullptr;
}

const OpRegistry &onnx_import::getOpRegistry() {
  static const OpRegistry registry = [] {
    OpRegistry r;
    populateLossHandlers(r);
    populateElementwiseHandlers(r);
    populateReductionHandlers(r);
    populateShapeHandlers(r);
    populateIndexingHandlers(r);
    return r;
  }();
  return registry;
}
