#include "provider/cty/json.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace wildside::cty {
namespace {

using nlohmann::json;

constexpr int kMaxDepth = 64;

absl::StatusOr<Value> FromJson(const json& j, const Type& type, const std::string& path,
                               int depth) {
  auto error = [&](absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat(path.empty() ? "value" : path, ": ", what));
  };
  if (depth > kMaxDepth) return error("nested too deeply");
  if (j.is_null()) return Value::Null(type);
  switch (type.kind()) {
    case Type::Kind::kString:
      if (j.is_string()) return Value::String(j.get<std::string>());
      if (j.is_boolean()) return Value::String(j.get<bool>() ? "true" : "false");
      if (j.is_number()) return Value::String(j.dump());
      return error("expected string");
    case Type::Kind::kNumber:
      if (j.is_number()) return Value::Number(j.dump());
      if (j.is_string()) {
        double d;
        if (absl::SimpleAtod(j.get<std::string>(), &d)) return Value::Number(j.get<std::string>());
      }
      return error("expected number");
    case Type::Kind::kBool:
      if (j.is_boolean()) return Value::Bool(j.get<bool>());
      if (j.is_string() && (j == "true" || j == "false")) return Value::Bool(j == "true");
      return error("expected bool");
    case Type::Kind::kList:
    case Type::Kind::kSet: {
      if (!j.is_array()) return error("expected array");
      Value::Elements els;
      els.reserve(j.size());
      for (size_t i = 0; i < j.size(); ++i) {
        absl::StatusOr<Value> e =
            FromJson(j[i], type.element(), absl::StrCat(path, "[", i, "]"), depth + 1);
        if (!e.ok()) return e.status();
        els.push_back(*std::move(e));
      }
      return type.kind() == Type::Kind::kList ? Value::List(type.element(), std::move(els))
                                              : Value::Set(type.element(), std::move(els));
    }
    case Type::Kind::kMap: {
      if (!j.is_object()) return error("expected object");
      Value::Entries ents;
      for (const auto& [k, sub] : j.items()) {
        absl::StatusOr<Value> e =
            FromJson(sub, type.element(), absl::StrCat(path, "[\"", k, "\"]"), depth + 1);
        if (!e.ok()) return e.status();
        ents.emplace(k, *std::move(e));
      }
      return Value::Map(type.element(), std::move(ents));
    }
    case Type::Kind::kObject: {
      if (!j.is_object()) return error("expected object");
      Value::Entries ents;
      for (const auto& [k, sub] : j.items()) {
        auto it = type.attributes().find(k);
        if (it == type.attributes().end())
          return error(absl::StrCat("unsupported attribute \"", k, "\""));
        absl::StatusOr<Value> e =
            FromJson(sub, it->second, path.empty() ? k : absl::StrCat(path, ".", k), depth + 1);
        if (!e.ok()) return e.status();
        ents.emplace(k, *std::move(e));
      }
      return Value::Object(type, std::move(ents));
    }
    case Type::Kind::kDynamic: {
      if (!j.is_object() || !j.contains("value") || !j.contains("type")) {
        return error("dynamic value must be {\"value\": ..., \"type\": ...}");
      }
      absl::StatusOr<Type> concrete = Type::FromJson(j["type"]);
      if (!concrete.ok()) return error(concrete.status().message());
      return FromJson(j["value"], *concrete, path, depth + 1);
    }
  }
  return error("unsupported type");
}

absl::StatusOr<json> ToJson(const Value& v) {
  if (v.IsNull()) return json(nullptr);
  if (v.IsUnknown()) return absl::InvalidArgumentError("json: unknown values cannot be encoded");
  switch (v.type().kind()) {
    case Type::Kind::kString:
      return json(v.AsString());
    case Type::Kind::kNumber: {
      json n = json::parse(v.NumberText(), nullptr, false);
      if (n.is_discarded()) return json(v.NumberText());
      return n;
    }
    case Type::Kind::kBool:
      return json(v.AsBool());
    case Type::Kind::kList:
    case Type::Kind::kSet: {
      json arr = json::array();
      for (const Value& e : v.elements()) {
        absl::StatusOr<json> sub = ToJson(e);
        if (!sub.ok()) return sub.status();
        arr.push_back(*std::move(sub));
      }
      return arr;
    }
    case Type::Kind::kMap:
    case Type::Kind::kObject: {
      json obj = json::object();
      for (const auto& [k, e] : v.entries()) {
        absl::StatusOr<json> sub = ToJson(e);
        if (!sub.ok()) return sub.status();
        obj[k] = *std::move(sub);
      }
      return obj;
    }
    case Type::Kind::kDynamic:
      break;
  }
  return absl::InvalidArgumentError("json: unsupported type");
}

}  // namespace

absl::StatusOr<Value> DecodeJson(std::string_view text, const Type& type) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return absl::InvalidArgumentError("state JSON: not valid JSON");
  return FromJson(j, type, "", 0);
}

absl::StatusOr<std::string> EncodeJson(const Value& value) {
  absl::StatusOr<json> j = ToJson(value);
  if (!j.ok()) return j.status();
  return j->dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace wildside::cty
