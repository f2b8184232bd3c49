#include "provider/cty/type.h"

#include <optional>

#include "absl/strings/str_cat.h"

namespace wildside::cty {
namespace {

// Bounds nesting when parsing untrusted type JSON.
constexpr int kMaxTypeDepth = 64;

const std::map<std::string, Type>& EmptyAttributes() {
  static const auto* empty = new std::map<std::string, Type>();
  return *empty;
}

}  // namespace

Type Type::List(Type element) {
  Type t(Kind::kList);
  t.element_ = std::make_shared<const Type>(std::move(element));
  return t;
}

Type Type::Set(Type element) {
  Type t(Kind::kSet);
  t.element_ = std::make_shared<const Type>(std::move(element));
  return t;
}

Type Type::Map(Type element) {
  Type t(Kind::kMap);
  t.element_ = std::make_shared<const Type>(std::move(element));
  return t;
}

Type Type::Object(std::map<std::string, Type> attributes) {
  Type t(Kind::kObject);
  t.attributes_ = std::make_shared<const std::map<std::string, Type>>(std::move(attributes));
  return t;
}

const std::map<std::string, Type>& Type::attributes() const {
  return attributes_ ? *attributes_ : EmptyAttributes();
}

nlohmann::json Type::ToJson() const {
  switch (kind_) {
    case Kind::kString:
      return "string";
    case Kind::kNumber:
      return "number";
    case Kind::kBool:
      return "bool";
    case Kind::kDynamic:
      return "dynamic";
    case Kind::kList:
      return nlohmann::json::array({"list", element_->ToJson()});
    case Kind::kSet:
      return nlohmann::json::array({"set", element_->ToJson()});
    case Kind::kMap:
      return nlohmann::json::array({"map", element_->ToJson()});
    case Kind::kObject: {
      nlohmann::json attrs = nlohmann::json::object();
      for (const auto& [name, type] : attributes()) attrs[name] = type.ToJson();
      return nlohmann::json::array({"object", std::move(attrs)});
    }
  }
  return nullptr;
}

// A tuple reaches the provider only inside a dynamic value: an HCL list
// literal (`["a", "b"]`) passed to a function's dynamic parameter. It is
// read as the list it converts to, which is all the provider reads it as;
// elements of different types cannot be, and are refused.
absl::StatusOr<Type> Type::TupleAsList(const nlohmann::json& j, int depth) {
  if (j.size() != 2 || !j[1].is_array()) {
    return absl::InvalidArgumentError("type: tuple takes a list of element types");
  }
  if (j[1].empty()) return List(Dynamic());
  std::optional<Type> element;
  for (const auto& sub : j[1]) {
    absl::StatusOr<Type> t = FromJson(sub, depth + 1);
    if (!t.ok()) return t.status();
    if (element.has_value() && *element != *t) {
      return absl::InvalidArgumentError(absl::StrCat("type: a list whose elements differ in type (",
                                                     element->FriendlyName(), " and ",
                                                     t->FriendlyName(), ")"));
    }
    element = *std::move(t);
  }
  return List(*std::move(element));
}

absl::StatusOr<Type> Type::FromJson(const nlohmann::json& j, int depth) {
  if (depth > kMaxTypeDepth) {
    return absl::InvalidArgumentError("type: nested too deeply");
  }
  if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    if (s == "string") return String();
    if (s == "number") return Number();
    if (s == "bool") return Bool();
    if (s == "dynamic") return Dynamic();
    return absl::InvalidArgumentError(absl::StrCat("type: unknown primitive type \"", s, "\""));
  }
  if (!j.is_array() || j.size() < 2 || !j[0].is_string()) {
    return absl::InvalidArgumentError(absl::StrCat("type: not a type description: ", j.dump()));
  }
  const std::string& kind = j[0].get_ref<const std::string&>();
  if (kind == "list" || kind == "set" || kind == "map") {
    if (j.size() != 2) return absl::InvalidArgumentError("type: collection takes one element type");
    absl::StatusOr<Type> element = FromJson(j[1], depth + 1);
    if (!element.ok()) return element.status();
    if (kind == "list") return List(*std::move(element));
    if (kind == "set") return Set(*std::move(element));
    return Map(*std::move(element));
  }
  if (kind == "object") {
    // A third element (optional attribute names) appears only in variable
    // type constraints; accept and ignore it.
    if (!j[1].is_object() || j.size() > 3) {
      return absl::InvalidArgumentError("type: object takes a map of attribute types");
    }
    std::map<std::string, Type> attrs;
    for (const auto& [name, sub] : j[1].items()) {
      absl::StatusOr<Type> t = FromJson(sub, depth + 1);
      if (!t.ok()) return t.status();
      attrs.emplace(name, *std::move(t));
    }
    return Object(std::move(attrs));
  }
  if (kind == "tuple") return TupleAsList(j, depth);
  return absl::InvalidArgumentError(absl::StrCat("type: unsupported type kind \"", kind, "\""));
}

absl::StatusOr<Type> Type::FromJsonString(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return absl::InvalidArgumentError("type: invalid JSON");
  return FromJson(j);
}

std::string Type::FriendlyName() const {
  switch (kind_) {
    case Kind::kString:
      return "string";
    case Kind::kNumber:
      return "number";
    case Kind::kBool:
      return "bool";
    case Kind::kDynamic:
      return "any";
    case Kind::kList:
      return absl::StrCat("list of ", element_->FriendlyName());
    case Kind::kSet:
      return absl::StrCat("set of ", element_->FriendlyName());
    case Kind::kMap:
      return absl::StrCat("map of ", element_->FriendlyName());
    case Kind::kObject:
      return "object";
  }
  return "?";
}

bool operator==(const Type& a, const Type& b) {
  if (a.kind_ != b.kind_) return false;
  if (a.IsCollection()) return *a.element_ == *b.element_;
  if (a.kind_ == Type::Kind::kObject) return a.attributes() == b.attributes();
  return true;
}

}  // namespace wildside::cty
