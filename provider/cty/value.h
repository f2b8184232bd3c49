// cty values: what a DynamicValue decodes into.
//
// A Value is null, unknown ("known after apply") or known, and carries its
// type. Known values hold a bool, a string (also used for the decimal text of
// numbers, so no precision is lost), a vector of elements (list, set) or a
// sorted map of entries (map elements, object attributes).
//
// Values are plain data: copyable, movable, and safe to read from several
// threads once built. File contents arrive here as strings of up to tens of
// megabytes; callers pass `const Value&` and take `std::string_view`s rather
// than copying them.
#ifndef WILDSIDE_PROVIDER_CTY_VALUE_H_
#define WILDSIDE_PROVIDER_CTY_VALUE_H_

#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "provider/cty/type.h"

namespace wildside::cty {

class Value {
 public:
  using Elements = std::vector<Value>;
  using Entries = std::map<std::string, Value, std::less<>>;

  // A null string; exists so containers can default-construct values.
  Value() : type_(Type::String()), state_(State::kNull) {}

  static Value Null(Type type) { return Value(std::move(type), State::kNull); }
  static Value Unknown(Type type) { return Value(std::move(type), State::kUnknown); }
  static Value String(std::string s);
  static Value Bool(bool b);
  // `decimal` is the number's decimal text as cty prints it (e.g. "42", "0.1").
  static Value Number(std::string decimal);
  static Value Number(int64_t n);
  static Value List(Type element, Elements elements);
  static Value Set(Type element, Elements elements);
  static Value Map(Type element, Entries entries);
  // `type` must be an object type; missing attributes are filled with nulls.
  static Value Object(Type type, Entries attributes);

  const Type& type() const { return type_; }
  bool IsNull() const { return state_ == State::kNull; }
  bool IsUnknown() const { return state_ == State::kUnknown; }
  bool IsKnown() const { return state_ == State::kKnown; }
  // True when neither this value nor anything nested in it is unknown.
  bool IsWhollyKnown() const;

  // Accessors; each requires IsKnown() and the matching type kind.
  const std::string& AsString() const { return std::get<std::string>(data_); }
  bool AsBool() const { return std::get<bool>(data_); }
  const std::string& NumberText() const { return std::get<std::string>(data_); }
  const Elements& elements() const { return std::get<Elements>(data_); }
  const Entries& entries() const { return std::get<Entries>(data_); }

  // Move-out access, so a large value (a manifest map) can be handed on
  // instead of copied. Each requires IsKnown() and the matching kind, and
  // leaves this value's data moved-from (do not read it afterwards).
  std::string TakeString() && { return std::move(std::get<std::string>(data_)); }
  Entries TakeEntries() && { return std::move(std::get<Entries>(data_)); }
  // The attribute `name` of a known object, moved out and replaced by a
  // null of its type; a null string when there is no such attribute.
  Value TakeAttr(std::string_view name);

  // Object attribute lookup. Returns a null of string type when this is not a
  // known object or has no such attribute.
  const Value& GetAttr(std::string_view name) const;
  // Sets an attribute of a known object value; ignored otherwise.
  void SetAttr(std::string_view name, Value v);

  // Deep equality of type, state and data.
  friend bool operator==(const Value& a, const Value& b);
  friend bool operator!=(const Value& a, const Value& b) { return !(a == b); }

  // A short rendering for logs and test failures; long strings are elided.
  std::string DebugString() const;

 private:
  enum class State { kNull, kUnknown, kKnown };
  Value(Type type, State state) : type_(std::move(type)), state_(state) {}

  Type type_;
  State state_;
  std::variant<std::monostate, bool, std::string, Elements, Entries> data_;
};

}  // namespace wildside::cty

#endif  // WILDSIDE_PROVIDER_CTY_VALUE_H_
