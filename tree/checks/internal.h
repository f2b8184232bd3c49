// Helpers shared by the checks' translation units. Internal to tree/checks.
#ifndef WILDSIDE_TREE_CHECKS_INTERNAL_H_
#define WILDSIDE_TREE_CHECKS_INTERNAL_H_

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tree/checks/checks.h"

namespace wildside::tree::checks {

// `.yaml` or `.yml`, case-sensitive: what Flux's generator takes
// (filepath.Ext compared with both).
bool HasYamlExtension(std::string_view key);

// True if `key` matches one of options.exclude.
bool IsExcludedFromChecks(std::string_view key, const CheckOptions& options);

// `s` escaped for a message (EscapeForDisplay) and cut to at most `max`
// characters with "..." when longer: a YAML key or a referenced path is
// named, never a whole line.
std::string ShortForDisplay(std::string_view s, size_t max = 64);

// One object as a build holds it: where it was written, its id after the
// transformers met so far, and how the build reached it.
struct BuiltObject {
  const std::string* key = nullptr;  // the desired-tree key of its file
  const FileFacts::Object* written = nullptr;
  std::string name;        // after namePrefix/nameSuffix
  std::string namespace_;  // after `namespace:` transformers
  std::string via;         // e.g. `listed under resources[0] of "a/kustomization.yaml"`
  // The ids (ObjectId) it had before the current one, oldest first: as
  // written, then after each kustomization's transformers that changed
  // it. kustomize keeps them too, and a patch may name any of them.
  std::vector<std::string> earlier_ids;
};

// What one kustomization directory (or a build root) yields to whoever
// includes it: only objects whose ids are final. Objects it holds but
// cannot name (on disk only, not parsed, generated) are missing from it,
// and `complete` says so; a directory whose ids a patch, a transformer or
// a component may change yields nothing, and is not complete
// (docs/checks.md, "What of the build is modelled").
struct BuiltObjects {
  std::vector<BuiltObject> objects;
  bool complete = true;
};

// kustomize's id of an object as a comparable string: group, version,
// kind, name, and the namespace (`default` when a namespaced kind has
// none; nothing for a cluster-scoped kind).
std::string ObjectId(std::string_view api_version, std::string_view kind, std::string_view name,
                     std::string_view namespace_);
// The same id as kustomize prints it: Kind.version.group/name.namespace.
std::string ShownId(std::string_view api_version, std::string_view kind, std::string_view name,
                    std::string_view namespace_);

// kustomize's accumulation of one kustomization (api/internal/accumulator):
// objects are added in order, and one whose id is already there is a
// `duplicate-object` finding; then the kustomization's namespace,
// namePrefix and nameSuffix are applied, and a namespace that makes two
// ids one is a finding too. Ids are kustomize's: group, version and kind
// (case-sensitive), name, and the namespace, `default` when a namespaced
// kind has none; kinds in kustomize's table of cluster-scoped kinds have
// no namespace.
class Accumulator {
 public:
  using Sensitive = std::function<bool(std::string_view key)>;
  // `build` names the build in messages, e.g. `the build of "clusters/dev"`.
  Accumulator(std::string build, Sensitive sensitive, std::vector<Finding>* findings);

  void Add(BuiltObject object);
  // `namespace_from` says where transforms.namespace_ comes from, e.g.
  // "the `namespace` of \"a/kustomization.yaml\"".
  void Transform(const FileFacts::Transforms& transforms, std::string_view namespace_from);
  const std::vector<BuiltObject>& objects() const { return objects_; }
  std::vector<BuiltObject> Take() { return std::move(objects_); }

  static std::string IdOf(const BuiltObject& o);

 private:
  static std::string Shown(const BuiltObject& o);
  void Duplicate(const BuiltObject& first, const BuiltObject& again, std::string_view cause);

  std::string build_;
  Sensitive sensitive_;
  std::vector<Finding>* findings_;
  std::vector<BuiltObject> objects_;
  std::unordered_map<std::string, size_t> index_;  // id -> position in objects_
};

// What a YAML scalar is once resolved as kustomize resolves it (go-yaml
// v3: YAML 1.2's core schema, `yes` a string). kUnknown: a tag of its own.
enum class ScalarType { kNull, kBoolean, kInteger, kFloat, kString, kUnknown };
ScalarType ResolveScalar(std::string_view value, bool plain, std::string_view tag);

struct SchemaNode;
// The schema one document of a file is checked against.
struct DocumentSchema {
  int document = 0;  // 1-based index in the stream
  const SchemaNode* schema = nullptr;
  // Named in messages: `HelmRelease helm.toolkit.fluxcd.io/v2 (the built-in schemas)`.
  std::string what;
};
struct DocumentFinding {
  int document = 0;
  Finding finding;
};
// Follows each document of `content` named in `schemas` down its schema
// and reports unknown fields, wrong types, missing required fields and
// values outside an enum or pattern, at their nodes. `object_meta`, when
// set, is the schema of every object's `metadata`.
void ValidateDocuments(std::string_view key, std::string_view content,
                       const std::vector<DocumentSchema>& schemas, const SchemaNode* object_meta,
                       bool sensitive, std::vector<DocumentFinding>* out);

// Document `document` (1-based) of a YAML stream as JSON text, scalars
// typed as ResolveScalar types them; nullopt when it does not parse or
// holds an alias or a key that is not a scalar.
std::optional<std::string> DocumentAsJson(std::string_view content, int document);

// Checks `objects` (of the file `key`) against their schemas: a kind of
// `overlay` (the CRDs of the tree) wins over one of `catalog` (either may
// be null; `metadata` is checked as the catalog's ObjectMeta). Sets
// schema_checked and schema_findings of each object it finds a schema
// for, and leaves the others as they are.
void CheckObjectSchemas(std::string_view key, std::string_view content,
                        const SchemaCatalog* overlay, const SchemaCatalog* catalog,
                        const CheckOptions& options, std::vector<FileFacts::Object>* objects);

// True for the kinds kustomize treats as cluster-scoped (its built-in
// table, matched on the kind alone).
bool IsClusterScopedKind(std::string_view kind);

}  // namespace wildside::tree::checks

#endif  // WILDSIDE_TREE_CHECKS_INTERNAL_H_
