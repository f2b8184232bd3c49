// Compiles OpenAPI v3 schemas (the bundle's and CRDs') into SchemaNodes.
#include "tree/checks/schema.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "tree/checks/checks.h"
#include "tree/checks/internal.h"

namespace wildside::tree::checks {

const SchemaNode* SchemaNode::Property(std::string_view name) const {
  auto it = std::lower_bound(properties.begin(), properties.end(), name,
                             [](const auto& p, std::string_view n) { return p.first < n; });
  if (it == properties.end() || it->first != name) return nullptr;
  return it->second;
}

// Turns JSON schemas into nodes of one catalog. `$ref`s name schemas of
// the bundle's `schemas` map and may be recursive: a named schema gets its
// node before its children are compiled.
class SchemaCompiler {
 public:
  SchemaCompiler(SchemaCatalog* catalog, const nlohmann::json* named)
      : catalog_(catalog), named_(named) {}

  const SchemaNode* Named(const std::string& name) {
    auto it = by_name_.find(name);
    if (it != by_name_.end()) return it->second;
    SchemaNode* node = &catalog_->nodes_.emplace_back();
    by_name_.emplace(name, node);
    if (named_ != nullptr) {
      auto s = named_->find(name);
      if (s != named_->end()) Fill(*s, node);
    }
    return node;
  }

  const SchemaNode* Inline(const nlohmann::json& s) {
    if (!s.is_object()) return nullptr;
    auto ref = s.find("$ref");
    if (ref != s.end() && ref->is_string()) return Named(ref->get<std::string>());
    SchemaNode* node = &catalog_->nodes_.emplace_back();
    Fill(s, node);
    return node;
  }

 private:
  static uint8_t TypeBit(const nlohmann::json& t) {
    if (!t.is_string()) return 0;
    const std::string& s = t.get_ref<const std::string&>();
    if (s == "object") return kTypeObject;
    if (s == "array") return kTypeArray;
    if (s == "string") return kTypeString;
    if (s == "integer") return kTypeInteger;
    if (s == "number") return kTypeNumber;
    if (s == "boolean") return kTypeBoolean;
    return 0;
  }

  static bool Flag(const nlohmann::json& s, const char* key) {
    auto it = s.find(key);
    return it != s.end() && it->is_boolean() && it->get<bool>();
  }

  // The types a schema allows: its own `type`, or for a union without
  // one (int-or-string, Quantity) those of its alternatives; 0 when any.
  static uint8_t Types(const nlohmann::json& s) {
    if (Flag(s, "x-kubernetes-int-or-string")) return kTypeInteger | kTypeString;
    auto format = s.find("format");
    if (format != s.end() && *format == "int-or-string") return kTypeInteger | kTypeString;
    auto type = s.find("type");
    if (type != s.end()) return TypeBit(*type);
    uint8_t bits = 0;
    for (const char* key : {"anyOf", "oneOf"}) {
      auto list = s.find(key);
      if (list == s.end() || !list->is_array()) continue;
      for (const nlohmann::json& alt : *list) {
        uint8_t b = alt.is_object() ? Types(alt) : 0;
        if (b == 0) return 0;  // an alternative without a type allows anything
        bits |= b;
      }
    }
    return bits;
  }

  void Fill(const nlohmann::json& s, SchemaNode* node) {
    if (!s.is_object()) return;
    auto ref = s.find("$ref");
    if (ref != s.end() && ref->is_string()) {
      // A reference with siblings (nullable, say): the referenced schema,
      // with the siblings' flags on top.
      *node = *Named(ref->get<std::string>());
      if (Flag(s, "nullable")) node->nullable = true;
      return;
    }
    node->types = Types(s);
    node->nullable = Flag(s, "nullable");
    node->embedded = Flag(s, "x-kubernetes-embedded-resource");
    FillProperties(s, node);
    auto all = s.find("allOf");
    if (all != s.end() && all->is_array()) {
      for (const nlohmann::json& part : *all) MergeAllOf(part, node);
    }
    auto items = s.find("items");
    if (items != s.end()) node->items = Inline(*items);
    FillValues(s, node);
    std::sort(node->properties.begin(), node->properties.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
  }

  void FillProperties(const nlohmann::json& s, SchemaNode* node) {
    auto props = s.find("properties");
    bool has_props = props != s.end() && props->is_object() && !props->empty();
    if (has_props) {
      for (auto it = props->begin(); it != props->end(); ++it) {
        node->properties.emplace_back(it.key(), Inline(it.value()));
      }
    }
    bool closed = has_props;
    auto ap = s.find("additionalProperties");
    if (ap != s.end()) {
      if (ap->is_boolean()) {
        closed = !ap->get<bool>();
      } else if (ap->is_object()) {
        node->additional = Inline(*ap);
        closed = false;
      }
    }
    if (Flag(s, "x-kubernetes-preserve-unknown-fields")) closed = false;
    node->open = !closed;
    auto req = s.find("required");
    if (req != s.end() && req->is_array()) {
      for (const nlohmann::json& r : *req) {
        if (r.is_string()) node->required.push_back(r.get<std::string>());
      }
    }
  }

  // allOf: every part applies; its properties and required fields join
  // the node's (structural schemas keep types out of allOf but for a
  // reference, which brings its own).
  void MergeAllOf(const nlohmann::json& part, SchemaNode* node) {
    const SchemaNode* p = Inline(part);
    if (p == nullptr) return;
    if (node->types == 0) node->types = p->types;
    for (const auto& prop : p->properties) {
      if (node->Property(prop.first) == nullptr) node->properties.push_back(prop);
    }
    node->required.insert(node->required.end(), p->required.begin(), p->required.end());
    if (!p->open && node->properties.size() == p->properties.size()) node->open = false;
    if (node->items == nullptr) node->items = p->items;
    if (node->additional == nullptr) node->additional = p->additional;
  }

  void FillValues(const nlohmann::json& s, SchemaNode* node) {
    auto en = s.find("enum");
    if (en != s.end() && en->is_array()) {
      for (const nlohmann::json& v : *en) {
        node->enum_values.push_back(v.is_string() ? v.get<std::string>() : v.dump());
      }
    }
    auto pattern = s.find("pattern");
    if (pattern != s.end() && pattern->is_string()) {
      node->pattern = pattern->get<std::string>();
      node->regex = Regex(node->pattern);
    }
  }

  // Patterns are RE2 (Go's regexp, which the API server runs); the ones
  // ECMAScript also reads are compiled, the others are not judged.
  std::shared_ptr<const std::regex> Regex(const std::string& pattern) {
    auto it = regexes_.find(pattern);
    if (it != regexes_.end()) return it->second;
    std::shared_ptr<const std::regex> re;
    try {
      re = std::make_shared<const std::regex>(pattern, std::regex::ECMAScript);
    } catch (const std::regex_error&) {
      re = nullptr;
    }
    regexes_.emplace(pattern, re);
    return re;
  }

  SchemaCatalog* catalog_;
  const nlohmann::json* named_;
  std::unordered_map<std::string, const SchemaNode*> by_name_;
  std::unordered_map<std::string, std::shared_ptr<const std::regex>> regexes_;
};

std::optional<SchemaCatalog> SchemaCatalog::FromBundle(std::string_view json,
                                                       const std::string& label,
                                                       std::string* error) {
  nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("kinds") || !doc.contains("schemas") ||
      !doc["kinds"].is_object() || !doc["schemas"].is_object()) {
    *error = "not a schema bundle (no kinds and schemas objects)";
    return std::nullopt;
  }
  SchemaCatalog catalog;
  // One source per distinct label: `the CRD of helm-controller v1.6.3`,
  // `Kubernetes v1.34.2`; `label` for a kind the bundle labels not.
  std::map<std::string, const SchemaSource*, std::less<>> by_label;
  auto source_of = [&](const std::string& l) {
    auto it = by_label.find(l);
    if (it != by_label.end()) return it->second;
    const SchemaSource* s = &catalog.labels_.emplace_back(SchemaSource{l});
    by_label.emplace(l, s);
    return s;
  };
  const nlohmann::json* labels = doc.contains("labels") ? &doc["labels"] : nullptr;
  SchemaCompiler compiler(&catalog, &doc["schemas"]);
  for (auto it = doc["kinds"].begin(); it != doc["kinds"].end(); ++it) {
    if (!it.value().is_string()) continue;
    const std::string& name = it.value().get_ref<const std::string&>();
    if (!doc["schemas"].contains(name)) {
      *error = "kind " + it.key() + " names a schema the bundle does not hold";
      return std::nullopt;
    }
    std::string l = label;
    if (labels != nullptr && labels->is_object()) {
      auto found = labels->find(it.key());
      if (found != labels->end() && found->is_string()) l = found->get<std::string>();
    }
    catalog.kinds_[it.key()] = Kind{compiler.Named(name), source_of(l)};
  }
  auto meta = doc.find("objectMeta");
  if (meta != doc.end() && meta->is_string()) {
    catalog.object_meta_ = compiler.Named(meta->get<std::string>());
  }
  auto sources = doc.find("sources");
  if (sources != doc.end() && sources->is_array()) {
    for (const nlohmann::json& s : *sources) {
      if (s.is_string()) catalog.sources_.push_back(s.get<std::string>());
    }
  }
  return catalog;
}

bool SchemaCatalog::AddCrdJson(std::string_view json, const std::string& label) {
  nlohmann::json crd = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!crd.is_object()) return false;
  const nlohmann::json* spec = crd.contains("spec") ? &crd["spec"] : nullptr;
  if (spec == nullptr || !spec->is_object()) return false;
  auto group = spec->find("group");
  auto names = spec->find("names");
  auto versions = spec->find("versions");
  if (group == spec->end() || !group->is_string() || names == spec->end() || !names->is_object() ||
      !names->contains("kind") || !(*names)["kind"].is_string() || versions == spec->end() ||
      !versions->is_array()) {
    return false;
  }
  const std::string kind = (*names)["kind"].get<std::string>();
  const std::string prefix = group->get<std::string>() + "/";
  const SchemaSource* source = &labels_.emplace_back(SchemaSource{label});
  SchemaCompiler compiler(this, nullptr);
  bool added = false;
  for (const nlohmann::json& v : *versions) {
    if (!v.is_object() || !v.contains("name") || !v["name"].is_string()) continue;
    const nlohmann::json* schema = nullptr;
    auto s = v.find("schema");
    if (s != v.end() && s->is_object() && s->contains("openAPIV3Schema")) {
      schema = &(*s)["openAPIV3Schema"];
    }
    if (schema == nullptr || !schema->is_object()) continue;
    kinds_[prefix + v["name"].get<std::string>() + "/" + kind] =
        Kind{compiler.Inline(*schema), source};
    added = true;
  }
  return added;
}

std::optional<int> SchemaCatalog::AddCrdsFromYaml(std::string_view content, std::string_view name,
                                                  std::string* error) {
  FileFacts facts = CheckFile("crds.yaml", content, CheckOptions{});
  if (!facts.findings.empty()) {
    *error = FormatFinding(facts.findings.front(), "");
    error->erase(0, std::string_view("crds.yaml").size());
    error->insert(0, name);
    return std::nullopt;
  }
  int added = 0;
  const std::string label = "the CRD in \"" + ShortForDisplay(name) + "\"";
  for (const FileFacts::Object& o : facts.objects) {
    if (o.kind != "CustomResourceDefinition" || o.api_version != "apiextensions.k8s.io/v1") {
      continue;
    }
    std::optional<std::string> json = DocumentAsJson(content, o.document);
    if (json && AddCrdJson(*json, label)) ++added;
  }
  return added;
}

std::optional<SchemaCatalog::Kind> SchemaCatalog::Find(std::string_view api_version,
                                                       std::string_view kind) const {
  std::string key;
  key.reserve(api_version.size() + kind.size() + 1);
  key.append(api_version).append("/").append(kind);
  auto it = kinds_.find(key);
  if (it == kinds_.end()) {
    if (fallback_ != nullptr) return fallback_->Find(api_version, kind);
    return std::nullopt;
  }
  return it->second;
}

}  // namespace wildside::tree::checks
