#include "provider/cty/msgpack.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <set>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tree/strings.h"

namespace wildside::cty {

using tree::AV;
using tree::SV;

namespace {

// Deeper than any schema we declare; bounds recursion on hostile input.
constexpr int kMaxDepth = 64;

// The exact decimal expansion of a finite double (every binary fraction has
// one), without trailing zeros. Decoded floats keep this text so that they
// re-encode as the same float64, and a decimal is sent as float64 only when
// float64 holds it exactly, as cty does ("0.5" yes, "0.1" no).
std::string FormatDouble(double d) {
  char buf[1200];
  int n = std::snprintf(buf, sizeof(buf), "%.1074f", d);
  if (n <= 0 || static_cast<size_t>(n) >= sizeof(buf)) return "0";
  std::string out(buf, static_cast<size_t>(n));
  if (out.find('.') != std::string::npos) {
    while (!out.empty() && out.back() == '0') out.pop_back();
    if (!out.empty() && out.back() == '.') out.pop_back();
  }
  if (out == "-0") out = "0";
  return out;
}

class Decoder {
 public:
  explicit Decoder(std::string_view in) : p_(in.data()), end_(in.data() + in.size()) {}

  // `skip`: top-level attributes of an object type that are checked for
  // shape but not built (they read as null).
  absl::StatusOr<Value> Decode(const Type& type,
                               const std::set<std::string, std::less<>>* skip = nullptr) {
    skip_ = skip;
    absl::StatusOr<Value> v = DecodeValue(type, 0);
    if (v.ok() && p_ != end_) {
      return absl::InvalidArgumentError(
          absl::StrCat("msgpack: ", end_ - p_, " trailing bytes after the value"));
    }
    return v;
  }

 private:
  std::string PathString() const {
    std::string out;
    for (const PathStep& step : path_) {
      switch (step.kind) {
        case PathStep::kIndex:
          absl::StrAppend(&out, "[", step.index, "]");
          break;
        case PathStep::kKey:
          absl::StrAppend(&out, "[\"", AV(step.name), "\"]");
          break;
        case PathStep::kAttr:
          absl::StrAppend(&out, ".", AV(step.name));
          break;
      }
    }
    return out.empty() ? "value" : (out[0] == '.' ? out.substr(1) : out);
  }

  absl::Status Error(std::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(PathString(), ": ", AV(what)));
  }

  size_t Left() const { return static_cast<size_t>(end_ - p_); }

  absl::Status Need(size_t n) const {
    if (Left() < n) return Error("msgpack: truncated input");
    return absl::OkStatus();
  }

  uint64_t ReadBE(int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(*p_++);
    return v;
  }

  // If the next item is an extension, skips it and returns true.
  absl::StatusOr<bool> SkipExtension() {
    uint8_t b = static_cast<uint8_t>(*p_);
    size_t len = 0;
    int header = 0;
    switch (b) {
      case 0xd4:
        len = 1;
        break;
      case 0xd5:
        len = 2;
        break;
      case 0xd6:
        len = 4;
        break;
      case 0xd7:
        len = 8;
        break;
      case 0xd8:
        len = 16;
        break;
      case 0xc7:
        header = 1;
        break;
      case 0xc8:
        header = 2;
        break;
      case 0xc9:
        header = 4;
        break;
      default:
        return false;
    }
    ++p_;
    if (header > 0) {
      if (absl::Status s = Need(header); !s.ok()) return s;
      len = ReadBE(header);
    }
    // One type byte, then the payload.
    if (absl::Status s = Need(1); !s.ok()) return s;
    ++p_;
    if (Left() < len) return Error("msgpack: truncated extension");
    p_ += len;
    return true;
  }

  // Reads a str or bin header and body.
  absl::StatusOr<std::string_view> ReadStringBytes() {
    if (absl::Status s = Need(1); !s.ok()) return s;
    uint8_t b = static_cast<uint8_t>(*p_);
    size_t len;
    if ((b & 0xe0) == 0xa0) {
      len = b & 0x1f;
      ++p_;
    } else if (b == 0xd9 || b == 0xc4) {
      ++p_;
      if (absl::Status s = Need(1); !s.ok()) return s;
      len = ReadBE(1);
    } else if (b == 0xda || b == 0xc5) {
      ++p_;
      if (absl::Status s = Need(2); !s.ok()) return s;
      len = ReadBE(2);
    } else if (b == 0xdb || b == 0xc6) {
      ++p_;
      if (absl::Status s = Need(4); !s.ok()) return s;
      len = ReadBE(4);
    } else {
      return Error(
          absl::StrCat("expected string, found msgpack type 0x", absl::Hex(b, absl::kZeroPad2)));
    }
    if (Left() < len) return Error("msgpack: string length exceeds the input");
    std::string_view out(p_, len);
    p_ += len;
    return out;
  }

  // Reads an array or map header: a fix form (`fix_tag` in the high nibble,
  // count in the low one) or the 16/32-bit forms. `min_item_bytes` is the
  // least each element takes, so the count is checked against the bytes
  // left before anyone allocates for it.
  absl::StatusOr<size_t> ReadContainerLen(uint8_t fix_tag, uint8_t tag16, uint8_t tag32,
                                          size_t min_item_bytes, const char* what) {
    uint8_t b = static_cast<uint8_t>(*p_);
    size_t n;
    if ((b & 0xf0) == fix_tag) {
      n = b & 0x0f;
      ++p_;
    } else if (b == tag16 || b == tag32) {
      int width = b == tag16 ? 2 : 4;
      ++p_;
      if (absl::Status s = Need(width); !s.ok()) return s;
      n = ReadBE(width);
    } else {
      return Error(absl::StrCat("expected ", what, ", found msgpack type 0x",
                                absl::Hex(b, absl::kZeroPad2)));
    }
    if (n > Left() / min_item_bytes)
      return Error(absl::StrCat("msgpack: ", what, " length exceeds the input"));
    return n;
  }

  absl::StatusOr<size_t> ReadArrayLen() { return ReadContainerLen(0x90, 0xdc, 0xdd, 1, "array"); }
  absl::StatusOr<size_t> ReadMapLen() { return ReadContainerLen(0x80, 0xde, 0xdf, 2, "map"); }

  absl::StatusOr<Value> DecodeNumber() {
    uint8_t b = static_cast<uint8_t>(*p_);
    if (b <= 0x7f) {
      ++p_;
      return Value::Number(static_cast<int64_t>(b));
    }
    if (b >= 0xe0) {
      ++p_;
      return Value::Number(static_cast<int64_t>(static_cast<int8_t>(b)));
    }
    auto fixed = [&](int n) -> absl::StatusOr<uint64_t> {
      ++p_;
      if (absl::Status s = Need(n); !s.ok()) return s;
      return ReadBE(n);
    };
    switch (b) {
      case 0xcc:
      case 0xcd:
      case 0xce:
      case 0xcf: {
        int n = 1 << (b - 0xcc);
        absl::StatusOr<uint64_t> u = fixed(n);
        if (!u.ok()) return u.status();
        return Value::Number(std::to_string(*u));
      }
      case 0xd0:
      case 0xd1:
      case 0xd2:
      case 0xd3: {
        int n = 1 << (b - 0xd0);
        absl::StatusOr<uint64_t> u = fixed(n);
        if (!u.ok()) return u.status();
        int64_t v;
        if (n == 1)
          v = static_cast<int8_t>(*u);
        else if (n == 2)
          v = static_cast<int16_t>(*u);
        else if (n == 4)
          v = static_cast<int32_t>(*u);
        else
          v = static_cast<int64_t>(*u);
        return Value::Number(v);
      }
      case 0xca: {
        absl::StatusOr<uint64_t> u = fixed(4);
        if (!u.ok()) return u.status();
        uint32_t bits = static_cast<uint32_t>(*u);
        float f;
        std::memcpy(&f, &bits, 4);
        if (!std::isfinite(f)) return Error("infinite or NaN numbers are not supported");
        return Value::Number(FormatDouble(f));
      }
      case 0xcb: {
        absl::StatusOr<uint64_t> u = fixed(8);
        if (!u.ok()) return u.status();
        double d;
        uint64_t bits = *u;
        std::memcpy(&d, &bits, 8);
        if (!std::isfinite(d)) return Error("infinite or NaN numbers are not supported");
        return Value::Number(FormatDouble(d));
      }
      default:
        break;
    }
    // Numbers that neither int64 nor float64 hold travel as decimal text.
    absl::StatusOr<std::string_view> text = ReadStringBytes();
    if (!text.ok()) return Error("expected number");
    double unused;
    if (!absl::SimpleAtod(AV(*text), &unused)) {
      return Error(absl::StrCat("\"", AV(*text), "\" is not a number"));
    }
    return Value::Number(std::string(*text));
  }

  absl::StatusOr<Value> DecodeValue(const Type& type, int depth) {
    if (depth > kMaxDepth) return Error("msgpack: nested too deeply");
    if (absl::Status s = Need(1); !s.ok()) return s;
    uint8_t b = static_cast<uint8_t>(*p_);
    if (b == 0xc0) {
      ++p_;
      return Value::Null(type);
    }
    absl::StatusOr<bool> ext = SkipExtension();
    if (!ext.ok()) return ext.status();
    if (*ext) return Value::Unknown(type);

    switch (type.kind()) {
      case Type::Kind::kString: {
        absl::StatusOr<std::string_view> s = ReadStringBytes();
        if (!s.ok()) return s.status();
        return Value::String(std::string(*s));
      }
      case Type::Kind::kNumber:
        return DecodeNumber();
      case Type::Kind::kBool:
        if (b == 0xc2 || b == 0xc3) {
          ++p_;
          return Value::Bool(b == 0xc3);
        }
        return Error("expected bool");
      case Type::Kind::kList:
      case Type::Kind::kSet: {
        absl::StatusOr<size_t> n = ReadArrayLen();
        if (!n.ok()) return n.status();
        Value::Elements els;
        els.reserve(*n);
        for (size_t i = 0; i < *n; ++i) {
          path_.push_back({PathStep::kIndex, {}, i});
          absl::StatusOr<Value> e = DecodeValue(type.element(), depth + 1);
          path_.pop_back();
          if (!e.ok()) return e.status();
          els.push_back(*std::move(e));
        }
        return type.kind() == Type::Kind::kList ? Value::List(type.element(), std::move(els))
                                                : Value::Set(type.element(), std::move(els));
      }
      case Type::Kind::kMap: {
        absl::StatusOr<size_t> n = ReadMapLen();
        if (!n.ok()) return n.status();
        Value::Entries ents;
        for (size_t i = 0; i < *n; ++i) {
          absl::StatusOr<std::string_view> key = ReadStringBytes();
          if (!key.ok()) return key.status();
          path_.push_back({PathStep::kKey, *key, 0});
          absl::StatusOr<Value> e = DecodeValue(type.element(), depth + 1);
          path_.pop_back();
          if (!e.ok()) return e.status();
          ents.insert_or_assign(std::string(*key), *std::move(e));
        }
        return Value::Map(type.element(), std::move(ents));
      }
      case Type::Kind::kObject: {
        absl::StatusOr<size_t> n = ReadMapLen();
        if (!n.ok()) return n.status();
        Value::Entries ents;
        for (size_t i = 0; i < *n; ++i) {
          absl::StatusOr<std::string_view> key = ReadStringBytes();
          if (!key.ok()) return key.status();
          auto it = type.attributes().find(std::string(*key));
          if (it == type.attributes().end()) {
            return Error(absl::StrCat("unsupported attribute \"", AV(*key), "\""));
          }
          path_.push_back({PathStep::kAttr, *key, 0});
          if (depth == 0 && skip_ != nullptr && skip_->count(*key) != 0) {
            absl::Status skipped = SkipValue(it->second, depth + 1);
            path_.pop_back();
            if (!skipped.ok()) return skipped;
            continue;
          }
          absl::StatusOr<Value> e = DecodeValue(it->second, depth + 1);
          path_.pop_back();
          if (!e.ok()) return e.status();
          ents.insert_or_assign(std::string(*key), *std::move(e));
        }
        return Value::Object(type, std::move(ents));
      }
      case Type::Kind::kDynamic: {
        // [JSON type as bin or str, value encoded per that type]
        absl::StatusOr<size_t> n = ReadArrayLen();
        if (!n.ok()) return n.status();
        if (*n != 2) return Error("dynamic value must be a 2-element array");
        absl::StatusOr<std::string_view> type_json = ReadStringBytes();
        if (!type_json.ok()) return type_json.status();
        absl::StatusOr<Type> concrete = Type::FromJsonString(*type_json);
        if (!concrete.ok()) return Error(SV(concrete.status().message()));
        return DecodeValue(*concrete, depth + 1);
      }
    }
    return Error("unsupported type");
  }

  // Walks a value of `type` as DecodeValue does, with the same checks, but
  // builds nothing: no string is copied, no map node allocated.
  absl::Status SkipValue(const Type& type, int depth) {
    if (depth > kMaxDepth) return Error("msgpack: nested too deeply");
    if (absl::Status s = Need(1); !s.ok()) return s;
    uint8_t b = static_cast<uint8_t>(*p_);
    if (b == 0xc0) {
      ++p_;
      return absl::OkStatus();
    }
    absl::StatusOr<bool> ext = SkipExtension();
    if (!ext.ok()) return ext.status();
    if (*ext) return absl::OkStatus();
    switch (type.kind()) {
      case Type::Kind::kString:
        return ReadStringBytes().status();
      case Type::Kind::kNumber:
        return DecodeNumber().status();
      case Type::Kind::kBool:
        if (b == 0xc2 || b == 0xc3) {
          ++p_;
          return absl::OkStatus();
        }
        return Error("expected bool");
      case Type::Kind::kList:
      case Type::Kind::kSet: {
        absl::StatusOr<size_t> n = ReadArrayLen();
        if (!n.ok()) return n.status();
        for (size_t i = 0; i < *n; ++i) {
          if (absl::Status s = SkipValue(type.element(), depth + 1); !s.ok()) return s;
        }
        return absl::OkStatus();
      }
      case Type::Kind::kMap:
      case Type::Kind::kObject: {
        absl::StatusOr<size_t> n = ReadMapLen();
        if (!n.ok()) return n.status();
        for (size_t i = 0; i < *n; ++i) {
          absl::StatusOr<std::string_view> key = ReadStringBytes();
          if (!key.ok()) return key.status();
          const Type* element = &type;
          if (type.kind() == Type::Kind::kMap) {
            element = &type.element();
          } else {
            auto it = type.attributes().find(std::string(*key));
            if (it == type.attributes().end())
              return Error(absl::StrCat("unsupported attribute \"", AV(*key), "\""));
            element = &it->second;
          }
          if (absl::Status s = SkipValue(*element, depth + 1); !s.ok()) return s;
        }
        return absl::OkStatus();
      }
      case Type::Kind::kDynamic: {
        absl::StatusOr<size_t> n = ReadArrayLen();
        if (!n.ok()) return n.status();
        if (*n != 2) return Error("dynamic value must be a 2-element array");
        absl::StatusOr<std::string_view> type_json = ReadStringBytes();
        if (!type_json.ok()) return type_json.status();
        absl::StatusOr<Type> concrete = Type::FromJsonString(*type_json);
        if (!concrete.ok()) return Error(SV(concrete.status().message()));
        return SkipValue(*concrete, depth + 1);
      }
    }
    return Error("unsupported type");
  }

  const std::set<std::string, std::less<>>* skip_ = nullptr;
  const char* p_;
  const char* end_;
  // Where decoding is, for error messages. Steps are views into the input
  // and are formatted only when an error is reported, so a 10,000-entry map
  // costs no string building on the success path.
  struct PathStep {
    enum Kind { kIndex, kKey, kAttr } kind;
    std::string_view name;
    size_t index;
  };
  std::vector<PathStep> path_;
};

void PutBE(std::string* out, uint64_t v, int n) {
  for (int i = n - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void PutStringHeader(std::string* out, size_t len) {
  if (len < 32) {
    out->push_back(static_cast<char>(0xa0 | len));
  } else if (len <= 0xff) {
    out->push_back(static_cast<char>(0xd9));
    PutBE(out, len, 1);
  } else if (len <= 0xffff) {
    out->push_back(static_cast<char>(0xda));
    PutBE(out, len, 2);
  } else {
    out->push_back(static_cast<char>(0xdb));
    PutBE(out, len, 4);
  }
}

void PutString(std::string* out, std::string_view s) {
  PutStringHeader(out, s.size());
  out->append(s);
}

void PutBin(std::string* out, std::string_view s) {
  if (s.size() <= 0xff) {
    out->push_back(static_cast<char>(0xc4));
    PutBE(out, s.size(), 1);
  } else if (s.size() <= 0xffff) {
    out->push_back(static_cast<char>(0xc5));
    PutBE(out, s.size(), 2);
  } else {
    out->push_back(static_cast<char>(0xc6));
    PutBE(out, s.size(), 4);
  }
  out->append(s);
}

// Array and map headers: a fix form for fewer than 16 items (`fix_tag` |
// count), else a 16- or 32-bit count after its tag.
void PutContainerHeader(std::string* out, size_t n, uint8_t fix_tag, uint8_t tag16, uint8_t tag32) {
  if (n < 16) {
    out->push_back(static_cast<char>(fix_tag | n));
  } else {
    bool wide = n > 0xffff;
    out->push_back(static_cast<char>(wide ? tag32 : tag16));
    PutBE(out, n, wide ? 4 : 2);
  }
}

void PutArrayHeader(std::string* out, size_t n) { PutContainerHeader(out, n, 0x90, 0xdc, 0xdd); }
void PutMapHeader(std::string* out, size_t n) { PutContainerHeader(out, n, 0x80, 0xde, 0xdf); }

void PutInt(std::string* out, int64_t v) {
  if (v >= 0) {
    uint64_t u = static_cast<uint64_t>(v);
    if (u <= 0x7f) {
      out->push_back(static_cast<char>(u));
    } else if (u <= 0xff) {
      out->push_back(static_cast<char>(0xcc));
      PutBE(out, u, 1);
    } else if (u <= 0xffff) {
      out->push_back(static_cast<char>(0xcd));
      PutBE(out, u, 2);
    } else if (u <= 0xffffffffULL) {
      out->push_back(static_cast<char>(0xce));
      PutBE(out, u, 4);
    } else {
      out->push_back(static_cast<char>(0xcf));
      PutBE(out, u, 8);
    }
    return;
  }
  if (v >= -32) {
    out->push_back(static_cast<char>(static_cast<int8_t>(v)));
  } else if (v >= std::numeric_limits<int8_t>::min()) {
    out->push_back(static_cast<char>(0xd0));
    PutBE(out, static_cast<uint8_t>(v), 1);
  } else if (v >= std::numeric_limits<int16_t>::min()) {
    out->push_back(static_cast<char>(0xd1));
    PutBE(out, static_cast<uint16_t>(v), 2);
  } else if (v >= std::numeric_limits<int32_t>::min()) {
    out->push_back(static_cast<char>(0xd2));
    PutBE(out, static_cast<uint32_t>(v), 4);
  } else {
    out->push_back(static_cast<char>(0xd3));
    PutBE(out, static_cast<uint64_t>(v), 8);
  }
}

void PutNumber(std::string* out, const std::string& text) {
  int64_t i;
  if (absl::SimpleAtoi(text, &i) && std::to_string(i) == text) {
    PutInt(out, i);
    return;
  }
  double d;
  if (absl::SimpleAtod(text, &d) && std::isfinite(d) && FormatDouble(d) == text &&
      d != std::trunc(d)) {
    uint64_t bits;
    std::memcpy(&bits, &d, 8);
    out->push_back(static_cast<char>(0xcb));
    PutBE(out, bits, 8);
    return;
  }
  PutString(out, text);
}

// What to reserve before encoding `v`: every header at its widest (9
// bytes), numbers as their text or a 9-byte number. An upper bound except
// where the schema type is dynamic (the type JSON is written too); then
// the buffer just grows, so this is only ever a hint.
size_t EncodedSizeBound(const Value& v) {
  constexpr size_t kHeader = 9;
  if (!v.IsKnown()) return kHeader + 8;
  size_t n = kHeader;
  switch (v.type().kind()) {
    case Type::Kind::kString:
      return n + v.AsString().size();
    case Type::Kind::kNumber:
      return n + v.NumberText().size();
    case Type::Kind::kBool:
      return n;
    case Type::Kind::kList:
    case Type::Kind::kSet:
      for (const Value& e : v.elements()) n += EncodedSizeBound(e);
      return n;
    case Type::Kind::kMap:
    case Type::Kind::kObject:
      for (const auto& [k, e] : v.entries()) n += kHeader + k.size() + EncodedSizeBound(e);
      return n;
    default:
      return n + 256;  // dynamic: [type JSON, value]; rare and small
  }
}

absl::Status Encode(const Value& v, const Type& type, std::string* out, int depth) {
  if (depth > kMaxDepth) return absl::InvalidArgumentError("msgpack: nested too deeply");
  if (v.IsNull()) {
    out->push_back(static_cast<char>(0xc0));
    return absl::OkStatus();
  }
  if (v.IsUnknown()) {
    out->append("\xd4\x00\x00", 3);
    return absl::OkStatus();
  }
  if (type.kind() == Type::Kind::kDynamic) {
    PutArrayHeader(out, 2);
    PutBin(out, v.type().ToJsonString());
    return Encode(v, v.type(), out, depth + 1);
  }
  if (v.type().kind() != type.kind()) {
    return absl::InvalidArgumentError(absl::StrCat("msgpack: value of type ",
                                                   v.type().FriendlyName(), " where ",
                                                   type.FriendlyName(), " is required"));
  }
  switch (type.kind()) {
    case Type::Kind::kString:
      PutString(out, v.AsString());
      return absl::OkStatus();
    case Type::Kind::kNumber:
      PutNumber(out, v.NumberText());
      return absl::OkStatus();
    case Type::Kind::kBool:
      out->push_back(static_cast<char>(v.AsBool() ? 0xc3 : 0xc2));
      return absl::OkStatus();
    case Type::Kind::kList:
    case Type::Kind::kSet:
      PutArrayHeader(out, v.elements().size());
      for (const Value& e : v.elements()) {
        if (absl::Status s = Encode(e, type.element(), out, depth + 1); !s.ok()) return s;
      }
      return absl::OkStatus();
    case Type::Kind::kMap:
      PutMapHeader(out, v.entries().size());
      for (const auto& [k, e] : v.entries()) {
        PutString(out, k);
        if (absl::Status s = Encode(e, type.element(), out, depth + 1); !s.ok()) return s;
      }
      return absl::OkStatus();
    case Type::Kind::kObject: {
      const auto& attrs = type.attributes();
      PutMapHeader(out, attrs.size());
      for (const auto& [name, attr_type] : attrs) {
        PutString(out, name);
        auto it = v.entries().find(name);
        if (it == v.entries().end()) {
          out->push_back(static_cast<char>(0xc0));
          continue;
        }
        if (absl::Status s = Encode(it->second, attr_type, out, depth + 1); !s.ok()) {
          return absl::InvalidArgumentError(absl::StrCat(name, ": ", s.message()));
        }
      }
      for (const auto& [name, unused] : v.entries()) {
        if (attrs.find(name) == attrs.end()) {
          return absl::InvalidArgumentError(
              absl::StrCat("msgpack: unsupported attribute \"", name, "\""));
        }
      }
      return absl::OkStatus();
    }
    case Type::Kind::kDynamic:
      break;
  }
  return absl::InvalidArgumentError("msgpack: unsupported type");
}

}  // namespace

absl::StatusOr<Value> DecodeMsgpack(std::string_view bytes, const Type& type) {
  return Decoder(bytes).Decode(type);
}

absl::StatusOr<Value> DecodeMsgpackSkipping(std::string_view bytes, const Type& type,
                                            const std::set<std::string, std::less<>>& skip) {
  return Decoder(bytes).Decode(type, &skip);
}

absl::Status EncodeMsgpack(const Value& value, const Type& type, std::string* out) {
  // One allocation for the whole encoding: growing a 40 MB buffer by
  // doubling would briefly hold it twice.
  out->reserve(out->size() + EncodedSizeBound(value));
  return Encode(value, type, out, 0);
}

absl::StatusOr<std::string> EncodeMsgpack(const Value& value, const Type& type) {
  std::string out;
  out.reserve(EncodedSizeBound(value));
  if (absl::Status s = Encode(value, type, &out, 0); !s.ok()) return s;
  return out;
}

}  // namespace wildside::cty
