// What the cross-file pass reads of a tree, shared by its parts (the
// walk of what Flux decodes in tree_check.cc, the build model in
// build_model.cc): the desired tree's keys and facts, what exists on disk
// through CheckOptions::lookup (each path asked once), which kustomization
// file a directory has, and the findings so far. Internal to tree/checks.
#ifndef WILDSIDE_TREE_CHECKS_TREE_VIEW_H_
#define WILDSIDE_TREE_CHECKS_TREE_VIEW_H_

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tree/checks/checks.h"

namespace wildside::tree::checks {

// Remote forms kustomize fetches instead of reading the checkout: any URL,
// git's scp-like `git@host:...` and go-getter's `git::`.
bool IsUrlLike(std::string_view ref);
// The bare `github.com/org/repo` form: a host name as the first segment
// (remote only when the path does not resolve locally, which is the order
// kustomize tries them in).
bool HasHostLikeFirstSegment(std::string_view ref);
// `base` joined with `ref`, normalised ("." dropped, ".." applied);
// nullopt when it climbs above the checkout root.
std::optional<std::string> Normalize(std::string_view base, std::string_view ref);
// `path` is `dir` or below it.
bool IsUnder(std::string_view path, std::string_view dir);

// A directory Flux builds: `clusters/<cluster>` or a Flux Kustomization's
// spec.path, with what that Kustomization layers onto it.
struct Root {
  std::string dir;
  std::string target_namespace;
  std::string by;         // the Flux Kustomization's file, empty for a flux_roots entry
  bool decrypts = false;  // its spec.decryption.provider is sops
};

class TreeView {
 public:
  TreeView(const DesiredTree& desired, const FactsMap& facts, const CheckOptions& options);
  TreeView(const TreeView&) = delete;
  TreeView& operator=(const TreeView&) = delete;

  const DesiredTree& desired() const { return desired_; }
  const FactsMap& facts() const { return facts_; }
  const CheckOptions& options() const { return options_; }
  std::vector<Finding>& findings() { return findings_; }

  // What `path` (normalised) is after the apply: the desired tree's file
  // or directory, else what the lookup says.
  PathKind KindOf(const std::string& path);
  // The kustomization file kustomize would read in `dir`, if any.
  std::optional<std::string> KustomizationIn(const std::string& dir);
  // The first directory below `key`'s first `from` characters on the way
  // to `key` that holds a kustomization file.
  std::optional<std::string> FirstKustomizationBelow(size_t from, const std::string& key);
  void Add(const std::string& key, int line, int column, FindingKind kind, std::string message);
  bool Sensitive(std::string_view key) const;
  // `field "ref"` (or only `field` for a sensitive file).
  std::string Named(std::string_view key, const FileFacts::Reference& r) const;

 private:
  const DesiredTree& desired_;
  const FactsMap& facts_;
  const CheckOptions& options_;
  std::set<std::string, std::less<>> dirs_;
  std::unordered_map<std::string, PathKind> lookups_;
  std::unordered_map<std::string, std::optional<std::string>> kustomization_of_;
  std::vector<Finding> findings_;
};

}  // namespace wildside::tree::checks

#endif  // WILDSIDE_TREE_CHECKS_TREE_VIEW_H_
