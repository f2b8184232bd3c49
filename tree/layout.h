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

#include "tree/internal/paths.h"
#include "tree/options.h"

namespace wildside::tree {

inline constexpr std::array<std::string_view, 7> kBuiltinComponents = {
    "sources", "traefik", "cert-manager", "external-dns", "vault", "databases", "redis"};

// Prefix of the engine's temporary files. Any regular file in an owned root
// whose name starts with it is a leftover of an interrupted apply and is
// removed by the next apply; keys may not use it.
inline constexpr std::string_view kTempPrefix = ".wildside-tmp-";

// The file name of a cluster's ownership inventory (tree/inventory.h). A
// key whose last segment is this name is refused (tree/validate.h),
// wherever it is. Here rather than in tree/inventory.h so that validation,
// which inventory parsing builds on, need not include it.
inline constexpr std::string_view kInventoryName = ".wildside-inventory";

// The owned root directories for `cluster`, repo-relative, without trailing
// slash, sorted: {"clusters/<cluster>", "modules", "platform"}. Each is a
// top-level directory or one level below one (ParentPath of it is then the
// directory on the way, `clusters`, which no tree instance owns).
std::vector<std::string> OwnedRoots(std::string_view cluster);

// The owned root `path` is or lies beneath, for whichever cluster the path
// names: "clusters/<c>" for `clusters/<c>` and anything below it, "modules"
// and "platform" for themselves and anything below them; empty for any
// other path (`README.md`, `clusters` itself). The result is a prefix of
// `path`. For a key ValidateKey accepted for cluster C it is one of
// OwnedRoots(C). This is the one place that knows where a key's owned root
// ends: the diff stops at it when looking for obstacles, and removal stops
// pruning empty directories at it.
std::string_view OwnedRootOf(std::string_view path);

// True if `path` is one of OwnedRoots(cluster) or lies beneath one.
bool IsOwned(std::string_view path, std::string_view cluster);

// Where a file key stands against the layout of one cluster: kOwned, or
// the one reason it is not a file the tree instance may own.
enum class KeyPlacement {
  kOwned,
  kOutsideRoots,      // not under clusters/, modules/ or platform/
  kClusterRootOnly,   // under clusters/ but not clusters/<name>/<path>
  kOtherCluster,      // clusters/<another cluster>/<path>
  kModulesRootOnly,   // `modules` itself, not a file under it
  kPlatformRootOnly,  // under platform/ but not platform/<component>/<path>
  kUnknownComponent,  // platform/<component>/<path>, component not known
};

// Places `key`, a path that passed the shape checks (non-empty segments),
// against the owned roots of `cluster` and the components of `options`.
// kOtherCluster is reported whatever `cluster` is; a caller holding an
// invalid cluster name may choose not to judge it.
KeyPlacement PlaceKey(std::string_view key, std::string_view cluster, const TreeOptions& options);

// True if `component` may appear as `platform/<component>/`.
bool IsKnownComponent(std::string_view component, const TreeOptions& options);

// Glob match of a whole repo-relative path: `*` and `?` stay within a
// segment, `**` as a whole segment matches zero or more segments.
bool GlobMatch(std::string_view pattern, std::string_view path);

// True if `path` matches any TreeOptions::exclude pattern. Because `**`
// matches zero segments, the directory `clusters/dev/flux-system` itself is
// excluded by the default pattern, and so is everything under it.
bool IsExcluded(std::string_view path, const TreeOptions& options);

// The first TreeOptions::exclude pattern that matches `path` or one of its
// parent directories, trying `path` first and then each parent upwards;
// nullptr if none does (the path may be written, read and pruned).
const std::string* ExcludingPattern(std::string_view path, const TreeOptions& options);

// True if `name` is a DNS-1123 label: [a-z0-9]([a-z0-9-]*[a-z0-9])?, <= 63.
bool IsDns1123Label(std::string_view name);

// Path arithmetic (tree/internal/paths.h): ParentPath("a/b/c") is "a/b"
// and ParentPath("a") is ""; BaseName("a/b/c") is "c"; JoinPath joins with
// '/', treating an empty side as absent.
using internal::BaseName;
using internal::JoinPath;
using internal::ParentPath;

}  // namespace wildside::tree

#endif  // WILDSIDE_TREE_LAYOUT_H_
