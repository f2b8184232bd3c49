// Reading a wildside_gitops_tree's checkout back into its state shape: what
// Read (refresh) reports and what a failed apply leaves in state.
#ifndef WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_REFRESH_H_
#define WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_REFRESH_H_

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "provider/cty/value.h"

namespace wildside::tree {
class ReadSession;
class Env;
}  // namespace wildside::tree

namespace wildside::resources::gitops {

// What `state` looks like on disk now: managed entries carry the actual
// content, missing files drop out, strays appear. nullopt when the
// checkout directory no longer exists.
// When `drift` is non-null, one line per file that differs from `state`
// is appended, sorted, naming the path and how, never the content:
// "<path>: edited (+N/-M lines)", "line endings only (CRLF versus LF)",
// "edited (A -> B bytes)" (not UTF-8 or too large to read), "mode a -> b",
// "deleted", "now claimed by cluster \"x\"", "stray (N bytes)".
// `session` is an open checkout of the same path to read through (an
// apply's locked one); without it a read-only session is opened over `env`
// (nullptr: the real filesystem).
// The state is taken over: unchanged contents move into the result
// instead of being copied. On an error it is handed back in *kept_on_error
// when that is given.
// `write_only` lists the managed keys written from rendered_manifests_wo
// (the private data's write_only_keys): such a file enters only `files`,
// with the hash and mode found on disk, never a map. When it is given
// (even empty: a write-only import), a stray's content stays out of state
// too (it could be a secret): it is listed in `files` by hash only.
// nullptr: no write-only keys, strays are shown with their content.
absl::StatusOr<std::optional<cty::Value>> RefreshFromDisk(cty::Value state, tree::Env* env,
                                                          std::vector<std::string>* drift = nullptr,
                                                          const tree::ReadSession* session = nullptr,
                                                          std::optional<cty::Value>* kept_on_error = nullptr,
                                                          const std::set<std::string>* write_only = nullptr);

}  // namespace wildside::resources::gitops

#endif  // WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_REFRESH_H_
