//===- Versions.cpp - The version of an ONNX op in force at an opset ------===//
//
// Every node is imported with the semantics of the version of its op in
// force at the model's opset (1 to 21), found in libonnx's schema registry
// (`since_version`). libonnx 1.12 knows opsets up to 17; for 18 to 21 a table
// of the ops that changed in those opsets (from ONNX's docs/Changelog.md)
// supplies the newer versions.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "llvm/ADT/STLExtras.h"

#include <onnx/defs/schema.h>

#include <algorithm>

using namespace mlir;
using namespace mlir::loss;
using namespace mlir::loss::onnx_import;

namespace {

/// The versions of default-domain ops introduced in opsets 18 to 21, which
/// libonnx 1.12's registry (up to opset 17) does not know; from ONNX's
/// docs/Changelog.md.
ArrayRef<int> laterVersions(StringRef op) {
  static const llvm::StringMap<SmallVector<int, 3>> table = {
      {"AffineGrid", {20}},         {"AveragePool", {19}},
      {"BitwiseAnd", {18}},         {"BitwiseNot", {18}},
      {"BitwiseOr", {18}},          {"BitwiseXor", {18}},
      {"Cast", {19, 21}},           {"CastLike", {19, 21}},
      {"CenterCropPad", {18}},      {"Col2Im", {18}},
      {"Constant", {19, 21}},       {"ConstantOfShape", {20, 21}},
      {"DFT", {20}},                {"DeformConv", {19}},
      {"DequantizeLinear", {19, 21}}, {"Equal", {19}},
      {"Flatten", {21}},            {"Gelu", {20}},
      {"GridSample", {20}},         {"GroupNormalization", {18, 21}},
      {"Identity", {19, 21}},       {"If", {19, 21}},
      {"ImageDecoder", {20}},       {"IsInf", {20}},
      {"IsNaN", {20}},              {"Loop", {19, 21}},
      {"LpPool", {18}},             {"Mish", {18}},
      {"OptionalGetElement", {18}}, {"OptionalHasElement", {18}},
      {"Pad", {18, 19, 21}},        {"QLinearMatMul", {21}},
      {"QuantizeLinear", {19, 21}}, {"ReduceL1", {18}},
      {"ReduceL2", {18}},           {"ReduceLogSum", {18}},
      {"ReduceLogSumExp", {18}},    {"ReduceMax", {18, 20}},
      {"ReduceMean", {18}},         {"ReduceMin", {18, 20}},
      {"ReduceProd", {18}},         {"ReduceSumSquare", {18}},
      {"RegexFullMatch", {20}},     {"Reshape", {19, 21}},
      {"Resize", {18, 19}},         {"Scan", {19, 21}},
      {"ScatterElements", {18}},    {"ScatterND", {18}},
      {"Shape", {19, 21}},          {"Size", {19, 21}},
      {"Split", {18}},              {"Squeeze", {21}},
      {"StringConcat", {20}},       {"StringSplit", {20}},
      {"Transpose", {21}},          {"Unsqueeze", {21}},
  };
  auto it = table.find(op);
  return it == table.end() ? ArrayRef<int>() : ArrayRef<int>(it->second);
}

} // namespace

int64_t onnx_import::registryMaxOpset() {
  const auto &m =
      onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
  auto it = m.find(onnx::ONNX_DOMAIN);
  return it == m.end() ? 0 : it->second.second;
}

int onnx_import::versionInForce(StringRef op, int64_t opset) {
  int64_t known = registryMaxOpset();
  if (opset > known)
    for (int v : llvm::reverse(laterVersions(op)))
      if (v <= opset)
        return v;
  const onnx::OpSchema *schema = onnx::OpSchemaRegistry::Schema(
      op.str(), static_cast<int>(std::min(opset, known)), onnx::ONNX_DOMAIN);
  return schema ? schema->since_version() : 0;
}

