// The typed model of what a wildside_gitops_tree already is: its private
// data parsed once per RPC (PrivateState), the prior state decoded at most
// once and only when read (Prior), and the one answer to "which keys does
// the prior own, and how" (OwnedKeys) that Read, Plan, Apply, Destroy and
// every warning share. No I/O here.
#ifndef WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_PRIOR_H_
#define WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_PRIOR_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "provider/core/diagnostics.h"
#include "provider/cty/lazy_value.h"
#include "provider/cty/type.h"
#include "provider/cty/value.h"
#include "tree/desired_tree.h"

namespace wildside::resources::gitops {

// The private data: one JSON object on the wire (empty bytes: no member),
// with optional members:
// - "replace_in_place": only in a create plan: the checkout it will own
//   and its keys. OpenTofu hands it to the destroy half of a replacement (a
//   tainted resource, or a changed path or cluster), so that destroy can
//   leave the files the create will own in place (docs/design.md).
// - "replaces": only in a plan with a prior state (an update plan), and in
//   a create plan that received one: the prior's id. When OpenTofu
//   replaces the resource instead (-replace, a changed path or cluster) it
//   hands the update plan's private to the create plan, so a create plan
//   that carries its own id is the create half of a -replace, exempt from
//   the takeover refusal; the destroy half receives the create plan's and
//   hands the kept files over to the create (docs/adr/0011). Every apply
//   returns private data without it, so no state keeps it.
// - "hashes_only": true in the state of a write-only import, until the
//   first apply: every file found is owned and known by hash only.
// - "write_only_keys": in state, the keys the last apply wrote from
//   rendered_manifests_wo. They appear in no map of the state, so Read,
//   prune, destroy and the deletion of a dropped key learn from here that
//   the resource owns them. A plan passes the prior's on unchanged (an
//   apply needs the old set to delete the keys dropped since) and an apply
//   stores the configuration's. Either a list of keys, or the string
//   "files": every key of the state's `files` that is in neither map. An
//   apply stores "files" (its `files` is exactly the configured tree), so
//   the private of a 10,000-file tree stays a few bytes instead of a
//   second copy of every path; a refresh that finds the key set of `files`
//   changed (a stray, a deletion) replaces it with the list it stood for.
// - "encrypted": in state, per file the last apply wrote SOPS-encrypted
//   (issue 22): [SHA-256 of the file it wrote, SHA-256 of the plaintext it
//   encrypted, the digest of the encryption settings (EncryptionDigest)].
//   A refresh that finds that very file on disk reports the plaintext's
//   hash and content (the encryption is not drift); any other file there is
//   drift, and an apply rewrites it. Every apply stores the files it wrote
//   or kept; a plan, a refresh and a failed apply pass them on.
// Unreadable bytes (written by no version of this provider) read as no
// member.
struct PrivateState {
  struct EncryptedFile {
    std::string written;   // SHA-256 (hex) of the file on disk
    std::string plain;     // SHA-256 (hex) of the rendered plaintext
    std::string settings;  // EncryptionDigest of the settings used
    bool operator==(const EncryptedFile&) const = default;
  };
  struct Replacement {
    std::string id;              // MakeId(cluster, path) of the create
    std::set<std::string> keys;  // the keys the create will own
  };
  enum class WriteOnlyForm { kNone, kList, kFiles };

  std::optional<Replacement> replace_in_place;
  std::optional<std::string> replaces;  // the id of the prior an update plan saw
  bool hashes_only = false;
  WriteOnlyForm write_only_form = WriteOnlyForm::kNone;
  std::set<std::string> write_only_list;  // when kList
  // The rule set (tree::checks::kRuleSet) the state's tree was checked
  // with; 0: never checked (an import, a state from before the checks, or
  // checks = "off"). A plan sets it, an apply keeps the plan's.
  int checked_rules = 0;
  std::map<std::string, EncryptedFile> encrypted;

  static PrivateState Parse(std::string_view bytes);
  // Empty bytes when no member is set, as before any member existed.
  std::string Serialize() const;

  // The private of a state that an apply or a refresh has just settled: no
  // replacement, no import mark, and the write-only keys `keys` (in the
  // list form) or, with AsFiles, "every key of `files` in neither map"
  // (only for a state whose `files` is exactly the configured tree); and
  // the rule set the tree was checked with.
  static PrivateState WriteOnlyList(std::set<std::string> keys, int checked_rules);
  static PrivateState WriteOnlyAsFiles(bool any, int checked_rules);
  // The private of a write-only import (see "hashes_only").
  static PrivateState HashesOnlyImport();

  // The keys of the replacement's create when it is for checkout `id`;
  // nullptr otherwise.
  const std::set<std::string>* KeptForReplacement(std::string_view id) const;
};

// How the prior owns a key.
enum class Ownership {
  kRendered,   // a key of its rendered_manifests
  kSensitive,  // a key of its sensitive_manifests
  kWriteOnly,  // a write-only key its private data lists
  kImported,   // found by a write-only import that was never applied
};

// Which keys `prior` (a decoded state) owns, and how, with `priv` its
// private data. A key that is only the display form of a file found on disk
// (IsDisplayOnlyKey) is never owned: the resource never wrote it.
std::map<std::string, Ownership> OwnedKeys(const cty::Value& prior, const PrivateState& priv);

// The keys of `owned` with ownership `how`.
std::set<std::string> KeysOwnedAs(const std::map<std::string, Ownership>& owned, Ownership how);

// The prior state of a plan or an apply. It arrives encoded and is decoded
// at most once, and only when read (docs/adr/0007-copy-policy.md): the
// whole of it at Get(), or only its settings and `files` at Slim(), which
// leaves the bytes for a later Get(). After Take() nothing is left to read,
// so it is only for the value a result returns.
class Prior {
 public:
  Prior(cty::LazyValue lazy, cty::Type type) : lazy_(std::move(lazy)), type_(std::move(type)) {}

  // Without decoding.
  bool IsNull() const { return lazy_.IsNull(); }

  // The whole prior, decoded on the first call.
  absl::StatusOr<const cty::Value*> Get();

  // The prior without its manifest maps: its settings and `files`. From the
  // decoded value when Get() already ran, else from the bytes.
  absl::StatusOr<cty::Value> Slim() const;

  // The prior as the state a failed apply keeps; a null (and the reason in
  // `diags`) when it cannot be decoded.
  cty::Value Take(core::Diagnostics* diags) &&;

 private:
  cty::LazyValue lazy_;  // once decoded, it holds the decoded value
  cty::Type type_;
};

}  // namespace wildside::resources::gitops

#endif  // WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_PRIOR_H_
