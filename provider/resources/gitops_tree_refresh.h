// Reading a wildside_gitops_tree's checkout back into its state shape: what
// Read (refresh) reports and what a failed apply leaves in state.
#ifndef WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_REFRESH_H_
#define WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_REFRESH_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "provider/cty/value.h"
#include "provider/resources/gitops_tree_prior.h"

namespace wildside::tree {
class ReadSession;
class Env;
}  // namespace wildside::tree

namespace wildside::resources::gitops {

// What RefreshFromDisk reads, and through what.
struct RefreshRequest {
  // The state to refresh. It is taken over: unchanged contents move into
  // the result instead of being copied.
  cty::Value state;
  // The filesystem seam (nullptr: the real filesystem), for the read-only
  // session opened when `session` is null.
  tree::Env* env = nullptr;
  // An open checkout of the same path to read through (an apply's locked
  // one), or nullptr.
  const tree::ReadSession* session = nullptr;
  // The managed keys written from rendered_manifests_wo (the private data's
  // write_only_keys): such a file enters only `files`, with the hash and
  // mode found on disk, never a map. When set (even empty: a write-only
  // import), a stray's content stays out of state too (it could be a
  // secret): it is listed in `files` by hash only. nullopt: no write-only
  // keys, strays are shown with their content.
  std::optional<std::set<std::string>> write_only;
  // Whether to describe the drift (RefreshResult::drift).
  bool describe_drift = false;
  // The files written SOPS-encrypted (the private data's "encrypted"), or
  // nullptr. A managed file on disk whose SHA-256 is the one recorded is
  // reported as its plaintext: the stored content and the recorded
  // plaintext hash (the encryption is not drift). Must outlive the call.
  const std::map<std::string, PrivateState::EncryptedFile>* encrypted = nullptr;
};

struct RefreshResult {
  // OK, or why the checkout could not be read.
  absl::Status status;
  // On OK: what the state looks like on disk now (managed entries carry the
  // actual content, missing files drop out, strays appear); nullopt when
  // the checkout directory no longer exists. On an error: the request's
  // state, handed back unchanged.
  std::optional<cty::Value> state;
  // With describe_drift: one line per file that differs from the request's
  // state, sorted, naming the path and how, never the content:
  // "<path>: edited (+N/-M lines)", "line endings only (CRLF versus LF)",
  // "edited (A -> B bytes)" (not UTF-8 or too large to read), "mode a -> b",
  // "deleted", "now claimed by cluster \"x\"", "stray (N bytes)".
  std::vector<std::string> drift;
};

RefreshResult RefreshFromDisk(RefreshRequest request);

}  // namespace wildside::resources::gitops

#endif  // WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_REFRESH_H_
