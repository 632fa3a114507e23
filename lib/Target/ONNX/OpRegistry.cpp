//===- OpRegistry.cpp - ONNX op type and version to handler ---------------===//
//
// The table of supported ops: each entry names an op type, the versions of
// it (their `since_version`s, every one up to opset 21) whose semantics its
// handler implements, and the handler. A node whose op's version in force at
// the model's opset is in no entry is rejected before import, naming the
// node, the version and the implemented ones.
//
// ONNX Runtime's training ops (TrainingNodes.cpp) are entries of their own
// (onContribOp): in the com.microsoft domain or, for the older ones, in the
// default domain under names libonnx does not know; their versions are the
// `since_version`s of ONNX Runtime's schemas.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::loss;
using namespace mlir::loss::onnx_import;

std::string OpRegistry::key(StringRef domain, StringRef opType) {
  domain = canonicalDomain(domain);
  return domain.empty() ? opType.str() : (domain + "::" + opType).str();
}

void OpRegistry::onOp(StringRef opType, std::initializer_list<int> versions,
                      OpHandlerFn fn) {
  SmallVector<OpHandler, 1> &entries = table[opType];
#ifndef NDEBUG
  for (int v : versions)
    assert(!lookup(opType, v) && "two handlers for one version of an op");
#endif
  entries.push_back(OpHandler{SmallVector<int, 4>(versions), std::move(fn)});
}

void OpRegistry::onContribOp(StringRef domain, StringRef opType,
                             std::initializer_list<int> versions,
                             OpHandlerFn fn) {
  std::string k = key(domain, opType);
#ifndef NDEBUG
  for (int v : versions)
    assert(!lookup(domain, opType, v) &&
           "two handlers for one version of an op");
#endif
  contrib[k] = true;
  table[k].push_back(
      OpHandler{SmallVector<int, 4>(versions), std::move(fn)});
}

int OpRegistry::versionInForce(StringRef domain, StringRef opType,
                               int64_t opset) const {
  if (!isContrib(domain, opType))
    return canonicalDomain(domain).empty()
               ? onnx_import::versionInForce(opType, opset)
               : 0;
  int newest = 0;
  for (int v : implementedVersions(domain, opType))
    if (v <= opset)
      newest = v;
  return newest;
}

void OpRegistry::onOps(std::initializer_list<StringRef> opTypes,
                       std::initializer_list<int> versions,
                       const OpHandlerFn &fn) {
  for (StringRef op : opTypes)
    onOp(op, versions, fn);
}

SmallVector<int> OpRegistry::implementedVersions(StringRef domain,
                                                 StringRef opType) const {
  SmallVector<int> out;
  auto it = table.find(key(domain, opType));
  if (it == table.end())
    return out;
  for (const OpHandler &h : it->second)
    llvm::append_range(out, h.versions);
  llvm::sort(out);
  return out;
}

const OpHandler *OpRegistry::lookup(StringRef domain, StringRef opType,
                                    int version) const {
  auto it = table.find(key(domain, opType));
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
    populateLinearHandlers(r);
    populateReductionHandlers(r);
    populateShapeHandlers(r);
    populateIndexingHandlers(r);
    populateTrainingHandlers(r);
    return r;
  }();
  return registry;
}

StringRef onnx_import::canonicalDomain(StringRef domain) {
  return domain == "ai.onnx" ? StringRef() : domain;
}

LogicalResult onnx_import::readContribOpset(ImportState &s,
                                            const onnx::ModelProto &model) {
  for (const auto &o : model.opset_import()) {
    if (o.domain() != kMSDomain)
      continue;
    if (o.version() != kMSOpset) {
      emitError(s.fileLoc())
          << "com.microsoft opset " << o.version()
          << " is not supported (ONNX Runtime's training ops are in opset "
          << kMSOpset << ")";
      return failure();
    }
    s.msOpset = o.version();
  }
  return success();
}

FailureOr<int64_t> onnx_import::domainOpset(ImportState &s,
                                            const onnx::NodeProto &node) {
  StringRef domain = canonicalDomain(node.domain());
  if (domain.empty())
    return s.opset;
  if (domain != kMSDomain) {
    nodeError(s, node) << "unsupported domain '" << node.domain() << "'";
    return failure();
  }
  if (!s.msOpset) {
    nodeError(s, node) << "is in domain '" << kMSDomain
                       << "', which the model does not import (its "
                          "opset_import needs {domain: \"" << kMSDomain
                       << "\", version: " << kMSOpset << "})";
    return failure();
  }
  return s.msOpset;
}
