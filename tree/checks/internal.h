// Helpers shared by the checks' translation units. Internal to tree/checks.
#ifndef WILDSIDE_TREE_CHECKS_INTERNAL_H_
#define WILDSIDE_TREE_CHECKS_INTERNAL_H_

#include <cstddef>
#include <functional>
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
};

// What one kustomization directory (or a build root) yields to whoever
// includes it: only objects whose ids are final. Objects it holds but
// cannot name (on disk only, not parsed) are missing from it, and a
// directory whose ids a patch, a transformer or a component may change
// yields nothing (docs/checks.md, "What of the build is modelled").
using BuiltObjects = std::vector<BuiltObject>;

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
  std::vector<BuiltObject> Take() { return std::move(objects_); }

 private:
  std::string IdOf(const BuiltObject& o) const;
  std::string Shown(const BuiltObject& o) const;
  void Duplicate(const BuiltObject& first, const BuiltObject& again, std::string_view cause);

  std::string build_;
  Sensitive sensitive_;
  std::vector<Finding>* findings_;
  std::vector<BuiltObject> objects_;
  std::unordered_map<std::string, size_t> index_;  // id -> position in objects_
};

// True for the kinds kustomize treats as cluster-scoped (its built-in
// table, matched on the kind alone).
bool IsClusterScopedKind(std::string_view kind);

}  // namespace wildside::tree::checks

#endif  // WILDSIDE_TREE_CHECKS_INTERNAL_H_
