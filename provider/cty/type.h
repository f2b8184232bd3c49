// cty types: the type system OpenTofu uses for every value on the wire.
//
// A Type is an immutable, cheaply copyable description: a primitive
// (string, number, bool), the dynamic pseudo-type, a collection (list, set,
// map) of one element type, or an object with named attribute types. Tuples
// are not needed by this provider and are not modelled.
//
// Types convert to and from the JSON syntax OpenTofu uses in schemas
// (`"string"`, `["map","string"]`, `["object",{"a":"string"}]`).
//
// Thread-safe: Types are immutable after construction.
#ifndef WILDSIDE_PROVIDER_CTY_TYPE_H_
#define WILDSIDE_PROVIDER_CTY_TYPE_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace wildside::cty {

class Type {
 public:
  enum class Kind { kString, kNumber, kBool, kDynamic, kList, kSet, kMap, kObject };

  static Type String() { return Type(Kind::kString); }
  static Type Number() { return Type(Kind::kNumber); }
  static Type Bool() { return Type(Kind::kBool); }
  static Type Dynamic() { return Type(Kind::kDynamic); }
  static Type List(Type element);
  static Type Set(Type element);
  static Type Map(Type element);
  static Type Object(std::map<std::string, Type> attributes);

  Kind kind() const { return kind_; }
  bool IsCollection() const {
    return kind_ == Kind::kList || kind_ == Kind::kSet || kind_ == Kind::kMap;
  }
  // Element type of a collection. Requires IsCollection().
  const Type& element() const { return *element_; }
  // Attribute types of an object, sorted by name. Empty for other kinds.
  const std::map<std::string, Type>& attributes() const;

  // The JSON type syntax, e.g. ["map","string"].
  nlohmann::json ToJson() const;
  std::string ToJsonString() const { return ToJson().dump(); }
  // Parses the JSON type syntax. InvalidArgument on anything else. A tuple
  // type (only ever inside a dynamic value: a function argument) whose
  // elements share one type reads as a list of it; any other is refused.
  static absl::StatusOr<Type> FromJson(const nlohmann::json& j, int depth = 0);
  static absl::StatusOr<Type> FromJsonString(std::string_view text);

  // A short human form ("map of string") for diagnostics.
  std::string FriendlyName() const;

  friend bool operator==(const Type& a, const Type& b);
  friend bool operator!=(const Type& a, const Type& b) { return !(a == b); }

 private:
  explicit Type(Kind kind) : kind_(kind) {}
  static absl::StatusOr<Type> TupleAsList(const nlohmann::json& j, int depth);

  Kind kind_;
  std::shared_ptr<const Type> element_;
  std::shared_ptr<const std::map<std::string, Type>> attributes_;
};

}  // namespace wildside::cty

#endif  // WILDSIDE_PROVIDER_CTY_TYPE_H_
