// DesiredTree: the tree the caller wants on disk.
//
// A map from repo-relative POSIX path (e.g. "platform/traefik/helm.yaml") to
// the exact bytes of that file. Contents are views: the caller owns the
// storage and must keep it alive for the duration of the call, so manifests
// that are megabytes long are never copied between layers. The map is
// ordered, which gives every later stage a deterministic order for free.
#ifndef WILDSIDE_TREE_DESIRED_TREE_H_
#define WILDSIDE_TREE_DESIRED_TREE_H_

#include <map>
#include <string>
#include <string_view>

namespace wildside::tree {

using DesiredTree = std::map<std::string, std::string_view>;

// Views into `owned`; `owned` must outlive the result.
inline DesiredTree ViewDesiredTree(const std::map<std::string, std::string>& owned) {
  DesiredTree out;
  for (const auto& [path, content] : owned) out.emplace_hint(out.end(), path, content);
  return out;
}

}  // namespace wildside::tree

#endif  // WILDSIDE_TREE_DESIRED_TREE_H_
