//===- TensorIO.cpp - Host tensors, .npy and TensorProto files ------------===//
//
// The readers validate before they allocate: every dimension is
// non-negative, the element count and byte size fit in 64 bits, and the data
// present is exactly (TensorProto) or at least (.npy) what the shape needs.
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/Runner/TensorIO.h"
#include "loss-mlir/Target/ONNX/ImportONNX.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir;
using namespace mlir::loss::runner;

namespace {
/// An error whose message is the whole line "PATH: MESSAGE".
llvm::Error fileError(StringRef path, const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 ("error: " + path + ": " + message).str());
}

double halfToDouble(uint16_t h) {
  int sign = h >> 15, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  double v;
  if (exp == 0)
    v = std::ldexp(mant, -24);
  else if (exp == 31)
    v = mant ? NAN : INFINITY;
  else
    v = std::ldexp(mant + 1024, exp - 25);
  return sign ? -v : v;
}
} // namespace

int64_t HostTensor::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

size_t mlir::loss::runner::byteWidth(Type t) {
  return t.isInteger(1) ? 1 : t.getIntOrFloatBitWidth() / 8;
}

std::string mlir::loss::runner::typeName(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << t;
  return s;
}

std::string mlir::loss::runner::shapeName(ArrayRef<int64_t> shape) {
  return "[" + llvm::join(llvm::map_range(shape, [](int64_t d) {
                            return std::to_string(d);
                          }),
                          ", ") +
         "]";
}

double mlir::loss::runner::elementAsDouble(const HostTensor &t, int64_t i) {
  const char *p = t.bytes.data() + i * byteWidth(t.elementType);
  Type el = t.elementType;
  if (el.isF32()) {
    float f;
    std::memcpy(&f, p, 4);
    return f;
  }
  if (el.isF64()) {
    double d;
    std::memcpy(&d, p, 8);
    return d;
  }
  if (el.isF16() || el.isBF16()) {
    uint16_t h;
    std::memcpy(&h, p, 2);
    if (el.isF16())
      return halfToDouble(h);
    uint32_t w = static_cast<uint32_t>(h) << 16;
    float f;
    std::memcpy(&f, &w, 4);
    return f;
  }
  int64_t v = 0;
  switch (byteWidth(el)) {
  case 1:
    v = el.isInteger(1) ? *reinterpret_cast<const uint8_t *>(p)
                        : *reinterpret_cast<const int8_t *>(p);
    break;
  case 2: {
    int16_t s;
    std::memcpy(&s, p, 2);
    v = s;
    break;
  }
  case 4: {
    int32_t s;
    std::memcpy(&s, p, 4);
    v = s;
    break;
  }
  default:
    std::memcpy(&v, p, 8);
  }
  return static_cast<double>(v);
}

llvm::Expected<int64_t>
mlir::loss::runner::checkedNumElements(ArrayRef<int64_t> shape,
                                       size_t elementBytes, StringRef path) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return fileError(path, "negative dimension " + llvm::Twine(d) +
                                 " in shape " + shapeName(shape));
    if (llvm::MulOverflow(n, d, n))
      return fileError(path, "shape " + shapeName(shape) +
                                 " has more elements than fit in 64 bits");
  }
  int64_t bytes;
  if (llvm::MulOverflow(n, static_cast<int64_t>(elementBytes), bytes))
    return fileError(path, "shape " + shapeName(shape) +
                               " needs more bytes than fit in 64 bits");
  return n;
}

llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
mlir::loss::runner::readFile(StringRef path, bool isText) {
  auto buf = llvm::MemoryBuffer::getFile(path, isText);
  if (!buf)
    return fileError(path, "cannot read: " + buf.getError().message());
  return std::move(*buf);
}

//===----------------------------------------------------------------------===//
// TensorProto
//===----------------------------------------------------------------------===//

llvm::Expected<HostTensor>
mlir::loss::runner::readTensorProto(MLIRContext *ctx, StringRef path,
                                    std::string *name) {
  auto buf = readFile(path);
  if (!buf)
    return buf.takeError();
  onnx::TensorProto proto;
  if ((*buf)->getBufferSize() >
          static_cast<size_t>(std::numeric_limits<int>::max()) ||
      !proto.ParseFromArray((*buf)->getBufferStart(),
                            static_cast<int>((*buf)->getBufferSize())))
    return fileError(path, "not a valid TensorProto");
  if (name)
    *name = proto.name();
  // The element types are the importer's; the few data layouts are decoded
  // here (a one-node model through the importer would be heavy).
  HostTensor t;
  t.elementType = loss::convertONNXElementType(ctx, proto.data_type());
  if (!t.elementType)
    return fileError(path,
                     "unsupported data type " + llvm::Twine(proto.data_type()));
  t.shape.assign(proto.dims().begin(), proto.dims().end());
  size_t w = byteWidth(t.elementType);
  auto count = checkedNumElements(t.shape, w, path);
  if (!count)
    return count.takeError();
  int64_t n = *count;
  int64_t needBytes = n * static_cast<int64_t>(w);
  if (proto.has_raw_data()) {
    const std::string &raw = proto.raw_data();
    if (static_cast<int64_t>(raw.size()) != needBytes)
      return fileError(path, "raw data has " + llvm::Twine(raw.size()) +
                                 " bytes, shape needs " +
                                 llvm::Twine(needBytes));
    t.bytes.assign(raw.begin(), raw.end());
    return t;
  }
  // Typed data: FLOAT, DOUBLE and INT64 have their own fields; every other
  // supported type (f16/bf16 bits, i32, i16, i8, u8, bool) is in int32_data.
  int32_t type = proto.data_type();
  int64_t present = type == onnx::TensorProto::FLOAT ? proto.float_data_size()
                    : type == onnx::TensorProto::DOUBLE
                        ? proto.double_data_size()
                    : type == onnx::TensorProto::INT64
                        ? proto.int64_data_size()
                        : proto.int32_data_size();
  if (present != n)
    return fileError(path, "holds " + llvm::Twine(present) +
                               " values, shape needs " + llvm::Twine(n));
  t.bytes.resize(needBytes);
  char *out = t.bytes.data();
  if (type == onnx::TensorProto::FLOAT)
    for (float f : proto.float_data())
      std::memcpy(out, &f, w), out += w;
  else if (type == onnx::TensorProto::DOUBLE)
    for (double d : proto.double_data())
      std::memcpy(out, &d, w), out += w;
  else if (type == onnx::TensorProto::INT64)
    for (int64_t v : proto.int64_data())
      std::memcpy(out, &v, w), out += w;
  else
    for (int32_t v : proto.int32_data()) {
      int64_t wide = v; // little-endian: the low bytes come first
      std::memcpy(out, &wide, w), out += w;
    }
  return t;
}

//===----------------------------------------------------------------------===//
// NumPy .npy
//===----------------------------------------------------------------------===//

llvm::Expected<HostTensor> mlir::loss::runner::readNpy(MLIRContext *ctx,
                                                       StringRef path) {
  auto buf = readFile(path);
  if (!buf)
    return buf.takeError();
  StringRef data = (*buf)->getBuffer();
  if (data.size() < 10 || !data.starts_with("\x93NUMPY"))
    return fileError(path, "not a .npy file");
  unsigned major = static_cast<uint8_t>(data[6]);
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen = static_cast<uint8_t>(data[8]) |
                (static_cast<uint8_t>(data[9]) << 8);
    headerStart = 10;
  } else {
    if (data.size() < 12)
      return fileError(path, "truncated .npy header");
    uint32_t len;
    std::memcpy(&len, data.data() + 8, 4);
    headerLen = len;
    headerStart = 12;
  }
  if (headerLen > data.size() - headerStart)
    return fileError(path, "truncated .npy header");
  StringRef header = data.substr(headerStart, headerLen);
  auto field = [&](StringRef key) -> StringRef {
    size_t k = header.find(("'" + key + "'").str());
    if (k == StringRef::npos)
      return {};
    return header.drop_front(k + key.size() + 2).ltrim(" :");
  };
  StringRef descr = field("descr");
  if (!descr.consume_front("'"))
    return fileError(path, ".npy header has no 'descr'");
  descr = descr.take_until([](char c) { return c == '\''; });
  if (field("fortran_order").starts_with("True"))
    return fileError(path, "Fortran-ordered arrays are not supported");
  Builder b(ctx);
  HostTensor t;
  t.elementType = llvm::StringSwitch<Type>(descr)
                      .Case("<f4", b.getF32Type())
                      .Case("<f8", b.getF64Type())
                      .Case("<f2", b.getF16Type())
                      .Case("<i8", b.getI64Type())
                      .Case("<i4", b.getI32Type())
                      .Case("<i2", b.getI16Type())
                      .Case("|i1", b.getI8Type())
                      .Case("|b1", b.getI1Type())
                      .Default(Type());
  if (!t.elementType)
    return fileError(path, "unsupported dtype '" + descr + "'");
  StringRef shape = field("shape");
  if (!shape.consume_front("("))
    return fileError(path, ".npy header has no shape");
  shape = shape.take_until([](char c) { return c == ')'; });
  SmallVector<StringRef> dims;
  shape.split(dims, ',', -1, /*KeepEmpty=*/false);
  for (StringRef d : dims) {
    int64_t v;
    if (d.trim().getAsInteger(10, v) || v < 0)
      return fileError(path, "bad shape in .npy header");
    t.shape.push_back(v);
  }
  size_t w = byteWidth(t.elementType);
  auto count = checkedNumElements(t.shape, w, path);
  if (!count)
    return count.takeError();
  StringRef body = data.drop_front(headerStart + headerLen);
  uint64_t need = static_cast<uint64_t>(*count) * w;
  if (body.size() < need)
    return fileError(path, "holds " + llvm::Twine(body.size()) +
                               " bytes of data, " + llvm::Twine(need) +
                               " needed");
  t.bytes.assign(body.begin(), body.begin() + need);
  return t;
}

llvm::Expected<HostTensor>
mlir::loss::runner::readTensorFile(MLIRContext *ctx, StringRef path) {
  return path.ends_with(".npy") ? readNpy(ctx, path)
                                : readTensorProto(ctx, path);
}

llvm::Error mlir::loss::runner::writeNpy(const HostTensor &t, StringRef path) {
  Type el = t.elementType;
  const char *descr = el.isF32()         ? "<f4"
                      : el.isF64()       ? "<f8"
                      : el.isF16()       ? "<f2"
                      : el.isInteger(64) ? "<i8"
                      : el.isInteger(32) ? "<i4"
                      : el.isInteger(16) ? "<i2"
                      : el.isInteger(8)  ? "|i1"
                      : el.isInteger(1)  ? "|b1"
                                         : nullptr;
  if (!descr)
    return fileError(path, "cannot write " + typeName(el) + " as .npy");
  std::string shape = "(";
  for (int64_t d : t.shape)
    shape += std::to_string(d) + ",";
  if (t.shape.size() > 1)
    shape.pop_back();
  shape += ")";
  std::string header = "{'descr': '" + std::string(descr) +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  while ((10 + header.size() + 1) % 64)
    header += ' ';
  header += '\n';
  if (header.size() > 0xffff)
    return fileError(path, "shape " + shapeName(t.shape) +
                               " is too long for a version 1.0 .npy header");
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return fileError(path, ec.message());
  os << "\x93NUMPY" << '\x01' << '\x00';
  os << static_cast<char>(header.size() & 0xff)
     << static_cast<char>(header.size() >> 8);
  os << header;
  os.write(t.bytes.data(), t.bytes.size());
  os.close();
  if (os.has_error()) {
    std::string message = os.error().message();
    os.clear_error();
    return fileError(path, message);
  }
  return llvm::Error::success();
}

void mlir::loss::runner::printTensor(const HostTensor &t, StringRef name,
                                     llvm::raw_ostream &os) {
  os << name << ": tensor<";
  for (int64_t d : t.shape)
    os << d << "x";
  os << t.elementType << "> = [";
  int digits = t.elementType.isF64() ? 17 : 9;
  for (int64_t i = 0, e = t.numElements(); i < e; ++i) {
    if (i)
      os << ", ";
    os << llvm::format("%.*g", digits, elementAsDouble(t, i));
  }
  os << "]\n";
}
