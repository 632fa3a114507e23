//===- Tensors.cpp - ONNX element types and TensorProtos ------------------===//
//
// ONNX's element types and TensorProto contents (raw bytes or the typed
// repeated fields) as MLIR types and DenseElementsAttr.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include <cstring>

using namespace mlir;
using namespace mlir::loss;
using namespace mlir::loss::onnx_import;

Type onnx_import::convertElementType(MLIRContext *ctx, int32_t onnxType) {
  Builder b(ctx);
  switch (onnxType) {
  case onnx::TensorProto::FLOAT:
    return b.getF32Type();
  case onnx::TensorProto::DOUBLE:
    return b.getF64Type();
  case onnx::TensorProto::FLOAT16:
    return b.getF16Type();
  case onnx::TensorProto::BFLOAT16:
    return b.getBF16Type();
  case onnx::TensorProto::INT64:
    return b.getI64Type();
  case onnx::TensorProto::INT32:
    return b.getI32Type();
  case onnx::TensorProto::INT16:
    return b.getI16Type();
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
    return b.getI8Type();
  case onnx::TensorProto::BOOL:
    return b.getI1Type();
  default:
    return {};
  }
}

namespace {
template <typename T>
SmallVector<T> readRaw(const std::string &raw) {
  SmallVector<T> out(raw.size() / sizeof(T));
  std::memcpy(out.data(), raw.data(), out.size() * sizeof(T));
  return out;
}
} // namespace

FailureOr<DenseElementsAttr>
onnx_import::convertTensor(MLIRContext *ctx, const onnx::TensorProto &t,
                           Location loc) {
  Type el = convertElementType(ctx, t.data_type());
  if (!el) {
    emitError(loc) << "tensor '" << t.name() << "' has unsupported data type "
                   << t.data_type();
    return failure();
  }
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    emitError(loc) << "tensor '" << t.name()
                   << "' uses external data, which is not supported";
    return failure();
  }
  SmallVector<int64_t> shape(t.dims().begin(), t.dims().end());
  for (int64_t d : shape)
    if (d < 0) {
      emitError(loc) << "tensor '" << t.name() << "' has a negative dimension";
      return failure();
    }
  auto type = RankedTensorType::get(shape, el);
  int64_t n = type.getNumElements();
  bool raw = t.has_raw_data();
  auto sizeError = [&](int64_t got) {
    emitError(loc) << "tensor '" << t.name() << "' holds " << got
                   << " elements, its shape needs " << n;
    return failure();
  };
  // Types with a field of their own: raw bytes or that repeated field.
  auto typedValues = [&](const auto &field) -> FailureOr<DenseElementsAttr> {
    using T = std::decay_t<decltype(*field.begin())>;
    SmallVector<T> v = raw ? readRaw<T>(t.raw_data())
                           : SmallVector<T>(field.begin(), field.end());
    if ((int64_t)v.size() != n)
      return sizeError(v.size());
    return DenseElementsAttr::get(type, ArrayRef<T>(v));
  };

  switch (t.data_type()) {
  case onnx::TensorProto::FLOAT:
    return typedValues(t.float_data());
  case onnx::TensorProto::DOUBLE:
    return typedValues(t.double_data());
  case onnx::TensorProto::INT64:
    return typedValues(t.int64_data());
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::BOOL: {
    unsigned width = el.getIntOrFloatBitWidth();
    SmallVector<APInt> v;
    if (raw) {
      unsigned bytes = std::max(1u, width / 8);
      const std::string &r = t.raw_data();
      for (size_t i = 0; i + bytes <= r.size(); i += bytes) {
        uint64_t word = 0;
        std::memcpy(&word, r.data() + i, bytes);
        v.push_back(APInt(width, word, /*isSigned=*/false, /*implicitTrunc=*/true));
      }
    } else {
      for (int32_t x : t.int32_data())
        v.push_back(APInt(width, static_cast<uint64_t>(static_cast<int64_t>(x)),
                          /*isSigned=*/true, /*implicitTrunc=*/true));
    }
    if ((int64_t)v.size() != n)
      return sizeError(v.size());
    return DenseElementsAttr::get(type, v);
  }
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16: {
    const auto &sem = cast<FloatType>(el).getFloatSemantics();
    SmallVector<APFloat> v;
    auto push = [&](uint16_t bits) { v.push_back(APFloat(sem, APInt(16, bits))); };
    if (raw) {
      for (uint16_t bits : readRaw<uint16_t>(t.raw_data()))
        push(bits);
    } else {
      for (int32_t x : t.int32_data())
        push(static_cast<uint16_t>(x));
    }
    if ((int64_t)v.size() != n)
      return sizeError(v.size());
    return DenseElementsAttr::get(type, v);
  }
  default:
    break;
  }
  emitError(loc) << "tensor '" << t.name() << "' has unsupported data type";
  return failure();
}
