#include "provider/cty/value.h"

#include "absl/strings/str_cat.h"

namespace wildside::cty {

Value Value::String(std::string s) {
  Value v(Type::String(), State::kKnown);
  v.data_ = std::move(s);
  return v;
}

Value Value::Bool(bool b) {
  Value v(Type::Bool(), State::kKnown);
  v.data_ = b;
  return v;
}

Value Value::Number(std::string decimal) {
  Value v(Type::Number(), State::kKnown);
  v.data_ = std::move(decimal);
  return v;
}

Value Value::Number(int64_t n) { return Number(std::to_string(n)); }

Value Value::List(Type element, Elements elements) {
  Value v(Type::List(std::move(element)), State::kKnown);
  v.data_ = std::move(elements);
  return v;
}

Value Value::Set(Type element, Elements elements) {
  Value v(Type::Set(std::move(element)), State::kKnown);
  v.data_ = std::move(elements);
  return v;
}

Value Value::Map(Type element, Entries entries) {
  Value v(Type::Map(std::move(element)), State::kKnown);
  v.data_ = std::move(entries);
  return v;
}

Value Value::Object(Type type, Entries attributes) {
  for (const auto& [name, attr_type] : type.attributes()) {
    if (attributes.find(name) == attributes.end()) {
      attributes.emplace(name, Null(attr_type));
    }
  }
  Value v(std::move(type), State::kKnown);
  v.data_ = std::move(attributes);
  return v;
}

bool Value::IsWhollyKnown() const {
  if (state_ == State::kUnknown) return false;
  if (state_ == State::kNull) return true;
  if (const auto* els = std::get_if<Elements>(&data_)) {
    for (const Value& e : *els) {
      if (!e.IsWhollyKnown()) return false;
    }
  } else if (const auto* ents = std::get_if<Entries>(&data_)) {
    for (const auto& [k, e] : *ents) {
      if (!e.IsWhollyKnown()) return false;
    }
  }
  return true;
}

const Value& Value::GetAttr(std::string_view name) const {
  static const Value* kNullString = new Value();
  if (state_ != State::kKnown || type_.kind() != Type::Kind::kObject) return *kNullString;
  const Entries& ents = std::get<Entries>(data_);
  auto it = ents.find(name);
  return it == ents.end() ? *kNullString : it->second;
}

Value Value::TakeAttr(std::string_view name) {
  if (state_ != State::kKnown || type_.kind() != Type::Kind::kObject) return Value();
  Entries& ents = std::get<Entries>(data_);
  auto it = ents.find(name);
  if (it == ents.end()) return Value();
  Value out = std::move(it->second);
  it->second = Value::Null(out.type());
  return out;
}

void Value::SetAttr(std::string_view name, Value v) {
  if (state_ != State::kKnown || type_.kind() != Type::Kind::kObject) return;
  Entries& ents = std::get<Entries>(data_);
  auto it = ents.find(name);
  if (it == ents.end()) {
    ents.emplace(std::string(name), std::move(v));
  } else {
    it->second = std::move(v);
  }
}

bool operator==(const Value& a, const Value& b) {
  return a.state_ == b.state_ && a.type_ == b.type_ && a.data_ == b.data_;
}

std::string Value::DebugString() const {
  if (state_ == State::kNull) return "null";
  if (state_ == State::kUnknown) return "(unknown)";
  switch (type_.kind()) {
    case Type::Kind::kString: {
      const std::string& s = AsString();
      if (s.size() > 40) return absl::StrCat("\"", s.substr(0, 37), "...\" (", s.size(), " bytes)");
      return absl::StrCat("\"", s, "\"");
    }
    case Type::Kind::kNumber:
      return NumberText();
    case Type::Kind::kBool:
      return AsBool() ? "true" : "false";
    case Type::Kind::kDynamic:
      return "dynamic";
    case Type::Kind::kList:
    case Type::Kind::kSet: {
      std::string out = "[";
      for (const Value& e : elements())
        absl::StrAppend(&out, out.size() > 1 ? ", " : "", e.DebugString());
      return out + "]";
    }
    case Type::Kind::kMap:
    case Type::Kind::kObject: {
      std::string out = "{";
      for (const auto& [k, e] : entries()) {
        absl::StrAppend(&out, out.size() > 1 ? ", " : "", k, "=", e.DebugString());
      }
      return out + "}";
    }
  }
  return "?";
}

}  // namespace wildside::cty
