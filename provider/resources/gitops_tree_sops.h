// SOPS encryption of what wildside_gitops_tree writes (issue 22): which
// keys are written encrypted, the plan's check that each can be, and the
// tree an apply writes, with what it records to tell later, without a key,
// whether the file on disk is still the one it wrote.
//
// The drift model (docs/adr/0014-sops-encryption.md): the state describes
// the plaintext (`files` holds its SHA-256, a plain map its content, as for
// any file); the private data records per encrypted file what was written
// (PrivateState::EncryptedFile). A refresh that finds exactly that file
// reports the plaintext (no drift); an apply keeps it when the plaintext
// and the settings are unchanged too, and encrypts afresh otherwise.
#ifndef WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_SOPS_H_
#define WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_SOPS_H_

#include <map>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "provider/core/diagnostics.h"
#include "provider/resources/gitops_tree_prior.h"
#include "provider/resources/gitops_tree_settings.h"
#include "tree/desired_tree.h"

namespace wildside::tree {
class ReadSession;
}  // namespace wildside::tree

namespace wildside::resources::gitops {

// The SHA-256 (hex) of what the encryption of a file depends on besides
// its plaintext: the recipients (as a set), the encrypted keys, the format.
std::string EncryptionDigest(const Settings& settings);

// The keys of `desired` written encrypted: with recipients configured, the
// YAML keys (.yaml, .yml) that hold a v1 Secret or match `sops_files` and
// are not SOPS-encrypted already. Sorted.
std::set<std::string> KeysToEncrypt(const Settings& settings, const Desired& desired);

// At plan: one error per key of `keys` that cannot be encrypted (anchors,
// tags, non-string keys: what sops cannot represent), on the key's own
// attribute path, naming the line.
void CheckEncryptable(const Settings& settings, const Desired& desired,
                      const std::set<std::string>& keys, core::Diagnostics* diags);

// The tree an apply writes: `desired` with each key of `keys` replaced by
// its encrypted form. A key whose `prior` record matches its plaintext and
// the settings, and whose file on disk is still the one recorded, keeps
// that file (read back through `checkout`, so the apply leaves it
// untouched); any other is encrypted afresh. Built in place: `tree` holds
// views into `storage` and into `desired`.
struct EncryptedTree {
  tree::DesiredTree tree;
  std::map<std::string, std::string> storage;
  // What the state's private data records for each encrypted key.
  std::map<std::string, PrivateState::EncryptedFile> records;
  // The keys encrypted afresh (the others kept their file).
  std::set<std::string> fresh;
};
absl::Status EncryptForWrite(const tree::ReadSession& checkout, const Settings& settings,
                             const Desired& desired, const std::set<std::string>& keys,
                             const std::map<std::string, PrivateState::EncryptedFile>& prior,
                             EncryptedTree* out);

}  // namespace wildside::resources::gitops

#endif  // WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_SOPS_H_
