// age (https://age-encryption.org/v1) as SOPS uses it: one file key
// wrapped for X25519 recipients, the payload in the STREAM construction,
// ASCII armored (issue 22). Encryption only: the provider never holds a
// private key.
#ifndef WILDSIDE_TREE_SOPS_AGE_H_
#define WILDSIDE_TREE_SOPS_AGE_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace wildside::sops {

// An age X25519 recipient: its canonical text (`age1…`, lower case) and
// its 32-byte public key.
struct AgeRecipient {
  std::string text;
  std::string public_key;
};

// Parses `age1…` (Bech32, human-readable part "age", 32 bytes of data).
// Post-quantum recipients (`age1pq1…`), plugin recipients (`age1<name>1…`)
// and SSH keys are refused with a message saying which they are and why.
absl::StatusOr<AgeRecipient> ParseAgeRecipient(std::string_view text);

// Encrypts plaintext to every recipient (at least one) and returns the
// armored file ("-----BEGIN AGE ENCRYPTED FILE-----" …), as `age -a`
// writes it.
absl::StatusOr<std::string> AgeEncryptArmored(std::string_view plaintext,
                                              const std::vector<AgeRecipient>& recipients);

}  // namespace wildside::sops

#endif  // WILDSIDE_TREE_SOPS_AGE_H_
