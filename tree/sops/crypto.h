// The primitives SOPS and age are built from, each a thin call into
// OpenSSL 3.0 (issue 22): nothing here is a cipher written by hand.
//
// Bytes travel as std::string (any byte value); a fixed-size key is a
// string of exactly that many bytes, checked by the callee. Every
// function is thread-safe and returns an error instead of aborting when
// OpenSSL refuses (it should not, with the sizes checked here).
#ifndef WILDSIDE_TREE_SOPS_CRYPTO_H_
#define WILDSIDE_TREE_SOPS_CRYPTO_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace wildside::sops {

// n bytes from OpenSSL's CSPRNG.
absl::StatusOr<std::string> RandomBytes(size_t n);

// X25519: the public key of a 32-byte private scalar, and the shared
// secret of a private scalar with a peer's public key. An all-zero shared
// secret (a low-order peer key) is an error, as age requires.
absl::StatusOr<std::string> X25519PublicKey(std::string_view private_key);
absl::StatusOr<std::string> X25519Shared(std::string_view private_key,
                                         std::string_view peer_public);

// HKDF-SHA256 (RFC 5869), extract then expand, `length` bytes.
absl::StatusOr<std::string> HkdfSha256(std::string_view ikm, std::string_view salt,
                                       std::string_view info, size_t length);

// ChaCha20-Poly1305 (RFC 8439) with a 32-byte key and 12-byte nonce, no
// additional data: the ciphertext followed by the 16-byte tag.
absl::StatusOr<std::string> ChaCha20Poly1305Seal(std::string_view key, std::string_view nonce,
                                                 std::string_view plaintext);

// AES-256-GCM with a 32-byte key and an IV of any length (SOPS uses 32):
// the ciphertext followed by the 16-byte tag.
absl::StatusOr<std::string> Aes256GcmSeal(std::string_view key, std::string_view iv,
                                          std::string_view plaintext,
                                          std::string_view additional_data);

// HMAC-SHA256 of data under key.
absl::StatusOr<std::string> HmacSha256(std::string_view key, std::string_view data);

// SHA-512, fed in pieces.
class Sha512 {
 public:
  Sha512();
  ~Sha512();
  Sha512(const Sha512&) = delete;
  Sha512& operator=(const Sha512&) = delete;
  void Update(std::string_view data);
  // The 64-byte digest; call once.
  absl::StatusOr<std::string> Final();

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

// Base64, standard alphabet; with '=' padding or without.
std::string Base64(std::string_view bytes, bool pad = true);

}  // namespace wildside::sops

#endif  // WILDSIDE_TREE_SOPS_CRYPTO_H_
