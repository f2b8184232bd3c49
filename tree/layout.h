// Layout: which parts of a GitOps checkout one tree instance owns.
//
// For cluster C the owned roots are `clusters/C/`, `modules/` and
// `platform/`. Keys under `platform/` must name a known component as their
// second segment (kBuiltinComponents plus TreeOptions::extra_components).
// Anything under `clusters/C/` is allowed, including the per-cluster nesting
// `clusters/C/platform/traefik/x.yaml`. Everything else in the checkout
// (README.md, .git/, other clusters) is never read, written or deleted.
//
// Pure string functions; no I/O; thread-safe.
#ifndef WILDSIDE_TREE_LAYOUT_H_
#define WILDSIDE_TREE_LAYOUT_H_

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "tree/options.h"

namespace wildside::tree {

inline constexpr std::array<std::string_view, 7> kBuiltinComponents = {
    "sources", "traefik", "cert-manager", "external-dns",
    "vault",   "databases", "redis"};

// Prefix of the engine's temporary files. Any regular file in an owned root
// whose name starts with it is a leftover of an interrupted apply and is
// removed by the next apply; keys may not use it.
inline constexpr std::string_view kTempPrefix = ".wildside-tmp-";

// The owned root directories for `cluster`, repo-relative, without trailing
// slash, sorted: {"clusters/<cluster>", "modules", "platform"}.
std::vector<std::string> OwnedRoots(std::string_view cluster);

// True if `path` is one of OwnedRoots(cluster) or lies beneath one.
bool IsOwned(std::string_view path, std::string_view cluster);

// True if `component` may appear as `platform/<component>/`.
bool IsKnownComponent(std::string_view component, const TreeOptions& options);

// Glob match of a whole repo-relative path: `*` and `?` stay within a
// segment, `**` as a whole segment matches zero or more segments.
bool GlobMatch(std::string_view pattern, std::string_view path);

// True if `path` matches any TreeOptions::exclude pattern. Because `**`
// matches zero segments, the directory `clusters/dev/flux-system` itself is
// excluded by the default pattern, and so is everything under it.
bool IsExcluded(std::string_view path, const TreeOptions& options);

// True if `name` is a DNS-1123 label: [a-z0-9]([a-z0-9-]*[a-z0-9])?, <= 63.
bool IsDns1123Label(std::string_view name);

// "a/b/c" -> "a/b"; "a" -> "".
std::string_view ParentPath(std::string_view path);
// "a/b/c" -> "c".
std::string_view BaseName(std::string_view path);
// Joins with '/', treating an empty side as absent.
std::string JoinPath(std::string_view a, std::string_view b);

}  // namespace wildside::tree

#endif  // WILDSIDE_TREE_LAYOUT_H_
