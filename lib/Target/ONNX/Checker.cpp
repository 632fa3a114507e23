//===- Checker.cpp - libonnx's checker and shape inference ----------------===//
//
// Before import, every model passes onnx::checker::check_model and
// onnx::shape_inference::InferShapes, whose static shapes the imported
// values must then match. libonnx 1.12 knows opsets up to 17 and IR
// versions up to 8: newer models are checked as a copy in the newest form
// libonnx knows (the same semantics).
//
// ONNX Runtime's training ops (TrainingNodes.cpp) have no schema in libonnx:
// their handlers check them (inputs, ranks, attributes), and the copy that
// libonnx sees has them in a private domain of their own, which the checker
// and shape inference leave to their owner (their outputs get no inferred
// shape; a graph output's declared one is still compared). Standard nodes
// are checked as before.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include <onnx/checker.h>
#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>

#include <cstring>

using namespace mlir;
using namespace mlir::loss;
using namespace mlir::loss::onnx_import;

namespace {

/// The private domain of the nodes libonnx leaves to their handlers.
constexpr llvm::StringLiteral kHandlerCheckedDomain =
    "loss-mlir.checked-by-importer";

/// The int64 contents of an integer TensorProto (for `axes` inputs of the
/// copy given to libonnx).
std::optional<std::vector<int64_t>> tensorInts(const onnx::TensorProto &t) {
  std::vector<int64_t> out;
  if (t.data_type() == onnx::TensorProto::INT64) {
    if (t.has_raw_data()) {
      out.resize(t.raw_data().size() / sizeof(int64_t));
      std::memcpy(out.data(), t.raw_data().data(),
                  out.size() * sizeof(int64_t));
    } else {
      out.assign(t.int64_data().begin(), t.int64_data().end());
    }
    return out;
  }
  if (t.data_type() == onnx::TensorProto::INT32 && !t.has_raw_data()) {
    out.assign(t.int32_data().begin(), t.int32_data().end());
    return out;
  }
  return std::nullopt;
}

/// One line out of libonnx's multi-line messages.
std::string oneLine(StringRef msg) {
  std::string out;
  bool space = false;
  for (char c : msg.trim()) {
    if (c == '\n' || c == ' ' || c == '\t' || c == '\r') {
      space = true;
      continue;
    }
    if (space && !out.empty())
      out += ' ';
    space = false;
    out += c;
  }
  return out;
}

} // namespace

LogicalResult onnx_import::checkWithLibONNX(
    ImportState &s, const onnx::ModelProto &model, ArrayRef<int> versions,
    llvm::StringMap<SmallVector<int64_t>> &inferredShapes) {
  int64_t opset = s.opset;
  // libonnx checks and infers a copy: with an IR version and opset it
  // knows, and nodes of newer versions in the form of the newest version it
  // knows (the same semantics: see the versions in OpRegistry).
  onnx::ModelProto copy = model;
  // IR versions 9 and 10 add element types (float8, 4-bit) that the
  // importer rejects by itself; libonnx 1.12 would refuse them wholesale.
  if (copy.ir_version() > onnx::IR_VERSION)
    copy.set_ir_version(onnx::IR_VERSION);
  // ONNX Runtime's training nodes, whose checks are their handlers'.
  const OpRegistry &registry = getOpRegistry();
  bool anyContrib = false;
  for (onnx::NodeProto &n : *copy.mutable_graph()->mutable_node())
    if (registry.isContrib(n.domain(), n.op_type())) {
      n.set_domain(kHandlerCheckedDomain.str());
      anyContrib = true;
    }
  if (anyContrib) {
    onnx::OperatorSetIdProto *o = copy.add_opset_import();
    o->set_domain(kHandlerCheckedDomain.str());
    o->set_version(1);
  }
  int64_t known = registryMaxOpset();
  if (opset > known) {
    for (auto &o : *copy.mutable_opset_import())
      if (o.domain().empty() || o.domain() == "ai.onnx")
        o.set_version(known);
    // Constant integer tensors by name, for `axes` inputs.
    llvm::StringMap<std::vector<int64_t>> ints;
    for (const auto &t : copy.graph().initializer())
      if (auto v = tensorInts(t))
        ints[t.name()] = *v;
    for (int i = 0; i < copy.graph().node_size(); ++i) {
      onnx::NodeProto &n = *copy.mutable_graph()->mutable_node(i);
      if (n.op_type() == "Constant" && n.output_size())
        for (const auto &a : n.attribute()) {
          if (a.name() == "value" && a.has_t())
            if (auto v = tensorInts(a.t()))
              ints[n.output(0)] = *v;
          if (a.name() == "value_ints")
            ints[n.output(0)] = {a.ints().begin(), a.ints().end()};
        }
      if (versions[i] <= known)
        continue;
      auto dropAttr = [&](StringRef name) -> int64_t {
        auto *attrs = n.mutable_attribute();
        for (int k = 0; k < attrs->size(); ++k)
          if (attrs->Get(k).name() == name) {
            int64_t v = attrs->Get(k).i();
            attrs->DeleteSubrange(k, 1);
            return v;
          }
        return 0;
      };
      if (n.op_type() == "Cast") {
        // `saturate` (Cast-19) only concerns float8 targets.
        dropAttr("saturate");
      } else if (n.op_type() == "ReduceMax" || n.op_type() == "ReduceMean") {
        // Version 18: `axes` moved from attribute to input.
        std::vector<int64_t> axes;
        if (n.input_size() > 1 && !n.input(1).empty())
          if (auto it = ints.find(n.input(1)); it != ints.end())
            axes = it->second;
        bool noop = dropAttr("noop_with_empty_axes");
        if (n.input_size() > 1)
          n.mutable_input()->DeleteSubrange(1, n.input_size() - 1);
        if (axes.empty() && noop) {
          n.set_op_type("Identity");
          n.clear_attribute();
        } else if (!axes.empty()) {
          onnx::AttributeProto *a = n.add_attribute();
          a->set_name("axes");
          a->set_type(onnx::AttributeProto::INTS);
          for (int64_t v : axes)
            a->add_ints(v);
        }
      }
    }
  }
  try {
    onnx::checker::check_model(copy);
  } catch (const std::exception &e) {
    emitError(s.fileLoc()) << "the ONNX checker rejects the model: "
                         << oneLine(e.what());
    return failure();
  }
  try {
    onnx::shape_inference::InferShapes(
        copy, onnx::OpSchemaRegistry::Instance(),
        onnx::ShapeInferenceOptions(/*check_type=*/false, /*error_mode=*/0,
                                    /*enable_data_propagation=*/true));
  } catch (const std::exception &e) {
    emitError(s.fileLoc()) << "ONNX shape inference fails on the model: "
                         << oneLine(e.what());
    return failure();
  }
  auto collect = [&](const onnx::ValueInfoProto &vi) {
    if (!vi.type().has_tensor_type() ||
        !vi.type().tensor_type().has_shape())
      return;
    SmallVector<int64_t> dims;
    for (const auto &d : vi.type().tensor_type().shape().dim()) {
      if (!d.has_dim_value())
        return;
      dims.push_back(d.dim_value());
    }
    inferredShapes[vi.name()] = dims;
  };
  for (const auto &vi : copy.graph().value_info())
    collect(vi);
  for (const auto &vi : copy.graph().output())
    collect(vi);
  return success();
}
