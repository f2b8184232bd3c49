// Object schemas for the checks (issue 17, item 2): which OpenAPI v3
// schema an apiVersion/kind has, compiled to what a validator reads.
//
// A catalog is built from a bundle (JSON made by tree/checks/schemas/gen
// from pinned sources: Kubernetes' OpenAPI v3 and Flux's CRDs) and from
// CustomResourceDefinitions (their openAPIV3Schema per version). Only a
// structural subset is read, the one Kubernetes itself enforces at
// server-side apply besides CEL: types, properties, additionalProperties,
// items, required, enum, pattern, nullable, int-or-string and
// preserve-unknown-fields. docs/checks.md ("Objects against their
// schemas") says how each is judged; ADR 0013 says where schemas come
// from and which wins.
//
// Thread safety: a catalog is immutable once built; Find and the nodes
// may be read from many threads.
#ifndef WILDSIDE_TREE_CHECKS_SCHEMA_H_
#define WILDSIDE_TREE_CHECKS_SCHEMA_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wildside::tree::checks {

// JSON types a node may take; 0 in SchemaNode::types means any.
enum SchemaType : uint8_t {
  kTypeObject = 1,
  kTypeArray = 2,
  kTypeString = 4,
  kTypeInteger = 8,
  kTypeNumber = 16,
  kTypeBoolean = 32,
};

struct SchemaNode {
  uint8_t types = 0;
  bool nullable = false;
  // Fields not under `properties` are accepted (no properties, an
  // additionalProperties, or x-kubernetes-preserve-unknown-fields).
  bool open = true;
  // x-kubernetes-embedded-resource: apiVersion, kind and metadata are
  // accepted beside the properties.
  bool embedded = false;
  std::vector<std::pair<std::string, const SchemaNode*>> properties;  // sorted by name
  const SchemaNode* additional = nullptr;
  const SchemaNode* items = nullptr;
  std::vector<std::string> required;
  // Allowed values as text (strings as they are, numbers and booleans as
  // JSON writes them); empty when the node has no enum.
  std::vector<std::string> enum_values;
  std::string pattern;                      // as written in the schema
  std::shared_ptr<const std::regex> regex;  // null when absent or not ECMAScript

  const SchemaNode* Property(std::string_view name) const;
};

// Where a kind's schema came from, for messages.
struct SchemaSource {
  std::string label;  // e.g. `the built-in schemas (Kubernetes v1.34.2)`, `the CRD in "crds.yaml"`
};

class SchemaCatalog {
 public:
  SchemaCatalog() = default;
  SchemaCatalog(const SchemaCatalog&) = delete;
  SchemaCatalog& operator=(const SchemaCatalog&) = delete;
  SchemaCatalog(SchemaCatalog&&) = default;
  SchemaCatalog& operator=(SchemaCatalog&&) = default;

  // A bundle as schema-gen writes it; nullopt with *error set when it is
  // not one. `label` names it in messages.
  static std::optional<SchemaCatalog> FromBundle(std::string_view json, const std::string& label,
                                                 std::string* error);

  // Adds the versions of one CustomResourceDefinition given as JSON text
  // (the whole object). A kind already present is replaced: the later
  // source wins. Returns false (and adds nothing) when it is not a CRD
  // with a group, a kind and at least one version with a schema.
  bool AddCrdJson(std::string_view json, const std::string& label);

  // Every CustomResourceDefinition (apiextensions.k8s.io/v1) of a YAML
  // stream (JSON is YAML too), each labelled `the CRD in "<name>"`;
  // documents of other kinds are skipped. Returns how many were added, or
  // nullopt with *error set when the stream does not parse.
  std::optional<int> AddCrdsFromYaml(std::string_view content, std::string_view name,
                                     std::string* error);

  // A catalog Find falls back on for a kind it does not hold (the
  // built-in schemas under the user's); must outlive this one.
  void set_fallback(const SchemaCatalog* fallback) { fallback_ = fallback; }

  struct Kind {
    const SchemaNode* schema = nullptr;
    const SchemaSource* source = nullptr;
  };
  // `apiVersion` as written ("v1", "apps/v1"); nullopt when unknown.
  std::optional<Kind> Find(std::string_view api_version, std::string_view kind) const;
  // Schema for every object's `metadata` (Kubernetes' ObjectMeta), or null.
  const SchemaNode* object_meta() const {
    return object_meta_ != nullptr || fallback_ == nullptr ? object_meta_
                                                           : fallback_->object_meta();
  }
  size_t kind_count() const { return kinds_.size(); }
  // The pinned modules the bundle was made from, a line each.
  const std::vector<std::string>& sources() const { return sources_; }

 private:
  friend class SchemaCompiler;
  std::deque<SchemaNode> nodes_;
  std::deque<SchemaSource> labels_;
  std::map<std::string, Kind, std::less<>> kinds_;  // "apps/v1/Deployment", "v1/ConfigMap"
  const SchemaNode* object_meta_ = nullptr;
  std::vector<std::string> sources_;
  const SchemaCatalog* fallback_ = nullptr;
};

// The catalog compiled into the program from the bundle of the build
// (tree/checks/schemas), parsed on first use; null when the program was
// built without one. Defined by the wildside_schemas library.
const SchemaCatalog* BuiltInSchemas();
// The bundle's JSON text as compiled in; empty without one.
std::string_view BuiltInSchemaBundle();

}  // namespace wildside::tree::checks

#endif  // WILDSIDE_TREE_CHECKS_SCHEMA_H_
