//===- Tensors.cpp - ONNX element types and TensorProtos ------------------===//
//
// ONNX's element types and TensorProto contents (raw bytes or the typed
// repeated fields) as MLIR types and DenseElementsAttr.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

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

std::optional<int64_t>
onnx_import::checkedNumElements(ArrayRef<int64_t> shape,
                                int64_t elementBytes) {
  int64_t n = 1;
  for (int64_t d : shape)
    if (d < 0 || llvm::MulOverflow(n, d, n))
      return std::nullopt;
  int64_t bytes;
  if (llvm::MulOverflow(n, elementBytes, bytes))
    return std::nullopt;
  return n;
}

int64_t onnx_import::elementBytes(Type el) {
  return el.isInteger(1) ? 1 : llvm::divideCeil(el.getIntOrFloatBitWidth(), 8);
}

namespace {
/// Little-endian raw bytes as `T`s; the caller has checked that `raw` is a
/// whole number of them.
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
  auto shapeText = [&] {
    std::string str;
    llvm::raw_string_ostream os(str);
    os << "[";
    llvm::interleaveComma(shape, os);
    os << "]";
    return str;
  };
  for (int64_t d : shape)
    if (d < 0) {
      emitError(loc) << "tensor '" << t.name() << "' has a negative dimension "
                     << d << " in shape " << shapeText();
      return failure();
    }
  // Checked before anything is allocated: a count that wraps (dims
  // [2^62, 4] make 0) would otherwise pass the size checks below, which
  // then bound the size by the data present (a protobuf holds 2 GiB at
  // most).
  int64_t width = elementBytes(el);
  std::optional<int64_t> count = checkedNumElements(shape, width);
  if (!count) {
    emitError(loc) << "tensor '" << t.name() << "' has shape " << shapeText()
                   << ", whose size in bytes does not fit in 64 bits";
    return failure();
  }
  int64_t n = *count;
  auto type = RankedTensorType::get(shape, el);
  bool raw = t.has_raw_data();
  if (raw && (int64_t)t.raw_data().size() != n * width) {
    emitError(loc) << "tensor '" << t.name() << "' has "
                   << t.raw_data().size() << " bytes of raw data, its shape "
                   << shapeText() << " needs " << n * width;
    return failure();
  }
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
    unsigned bits = el.getIntOrFloatBitWidth();
    SmallVector<APInt> v;
    if (raw) {
      const std::string &r = t.raw_data();
      for (size_t i = 0; i + width <= r.size(); i += width) {
        uint64_t word = 0;
        std::memcpy(&word, r.data() + i, width);
        v.push_back(APInt(bits, word, /*isSigned=*/false, /*implicitTrunc=*/true));
      }
    } else {
      for (int32_t x : t.int32_data())
        v.push_back(APInt(bits, static_cast<uint64_t>(static_cast<int64_t>(x)),
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
