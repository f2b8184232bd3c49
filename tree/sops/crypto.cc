#include "tree/sops/crypto.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "tree/strings.h"

namespace wildside::sops {
namespace {

using tree::StrCat;

const unsigned char* U(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* U(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

absl::Status OpenSslError(std::string_view what) {
  const unsigned long code = ERR_get_error();  // NOLINT(google-runtime-int): OpenSSL's type
  std::array<char, 256> buf{};
  if (code != 0) ERR_error_string_n(code, buf.data(), buf.size());
  ERR_clear_error();
  return absl::InternalError(
      StrCat("OpenSSL: ", std::string(what), code != 0 ? ": " : "", buf.data()));
}

absl::Status NeedSize(std::string_view what, std::string_view s, size_t n) {
  if (s.size() == n) return absl::OkStatus();
  return absl::InvalidArgumentError(
      StrCat(std::string(what), " must be ", n, " bytes, not ", s.size()));
}

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
};
struct KdfFree {
  void operator()(EVP_KDF* p) const { EVP_KDF_free(p); }
};
struct KdfCtxFree {
  void operator()(EVP_KDF_CTX* p) const { EVP_KDF_CTX_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

// Seals plaintext with an AEAD cipher; the tag (16 bytes) is appended.
absl::StatusOr<std::string> AeadSeal(const EVP_CIPHER* cipher, int iv_ctrl, std::string_view key,
                                     std::string_view iv, std::string_view plaintext,
                                     std::string_view aad, std::string_view what) {
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), cipher, nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), iv_ctrl, static_cast<int>(iv.size()), nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, U(key), U(iv)) != 1) {
    return OpenSslError(what);
  }
  int len = 0;
  if (!aad.empty() &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1) {
    return OpenSslError(what);
  }
  std::string out(plaintext.size() + 16, '\0');
  int total = 0;
  if (!plaintext.empty()) {
    if (EVP_EncryptUpdate(ctx.get(), U(out), &len, U(plaintext),
                          static_cast<int>(plaintext.size())) != 1) {
      return OpenSslError(what);
    }
    total = len;
  }
  if (EVP_EncryptFinal_ex(ctx.get(), U(out) + total, &len) != 1) return OpenSslError(what);
  total += len;
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, 16, U(out) + total) != 1)
    return OpenSslError(what);
  out.resize(static_cast<size_t>(total) + 16);
  return out;
}

}  // namespace

absl::StatusOr<std::string> RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(U(out), static_cast<int>(n)) != 1) return OpenSslError("random bytes");
  return out;
}

absl::StatusOr<std::string> X25519PublicKey(std::string_view private_key) {
  if (auto s = NeedSize("an X25519 private key", private_key, 32); !s.ok()) return s;
  Pkey key(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, U(private_key), 32));
  std::string pub(32, '\0');
  size_t len = pub.size();
  if (!key || EVP_PKEY_get_raw_public_key(key.get(), U(pub), &len) != 1 || len != 32) {
    return OpenSslError("X25519 public key");
  }
  return pub;
}

absl::StatusOr<std::string> X25519Shared(std::string_view private_key,
                                         std::string_view peer_public) {
  if (auto s = NeedSize("an X25519 private key", private_key, 32); !s.ok()) return s;
  if (auto s = NeedSize("an X25519 public key", peer_public, 32); !s.ok()) return s;
  Pkey key(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, U(private_key), 32));
  Pkey peer(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, U(peer_public), 32));
  if (!key || !peer) return OpenSslError("X25519 key");
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new(key.get(), nullptr));
  std::string shared(32, '\0');
  size_t len = shared.size();
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) != 1 ||
      EVP_PKEY_derive(ctx.get(), U(shared), &len) != 1 || len != 32) {
    return OpenSslError("X25519");
  }
  if (std::all_of(shared.begin(), shared.end(), [](char c) { return c == 0; })) {
    return absl::InvalidArgumentError(
        "X25519 gave an all-zero shared secret (a low-order public key)");
  }
  return shared;
}

absl::StatusOr<std::string> HkdfSha256(std::string_view ikm, std::string_view salt,
                                       std::string_view info, size_t length) {
  std::unique_ptr<EVP_KDF, KdfFree> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  if (!kdf) return OpenSslError("HKDF");
  std::unique_ptr<EVP_KDF_CTX, KdfCtxFree> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) return OpenSslError("HKDF");
  char digest[] = "SHA256";
  std::string k(ikm), s(salt), i(info);  // OSSL_PARAM takes non-const pointers
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, k.data(), k.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, s.data(), s.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, i.data(), i.size()),
      OSSL_PARAM_construct_end(),
  };
  std::string out(length, '\0');
  if (EVP_KDF_derive(ctx.get(), U(out), out.size(), params) != 1) return OpenSslError("HKDF");
  return out;
}

absl::StatusOr<std::string> ChaCha20Poly1305Seal(std::string_view key, std::string_view nonce,
                                                 std::string_view plaintext) {
  if (auto s = NeedSize("a ChaCha20-Poly1305 key", key, 32); !s.ok()) return s;
  if (auto s = NeedSize("a ChaCha20-Poly1305 nonce", nonce, 12); !s.ok()) return s;
  return AeadSeal(EVP_chacha20_poly1305(), EVP_CTRL_AEAD_SET_IVLEN, key, nonce, plaintext, {},
                  "ChaCha20-Poly1305");
}

absl::StatusOr<std::string> Aes256GcmSeal(std::string_view key, std::string_view iv,
                                          std::string_view plaintext,
                                          std::string_view additional_data) {
  if (auto s = NeedSize("an AES-256 key", key, 32); !s.ok()) return s;
  if (iv.empty()) return absl::InvalidArgumentError("an AES-GCM IV must not be empty");
  return AeadSeal(EVP_aes_256_gcm(), EVP_CTRL_GCM_SET_IVLEN, key, iv, plaintext, additional_data,
                  "AES-256-GCM");
}

absl::StatusOr<std::string> HmacSha256(std::string_view key, std::string_view data) {
  std::string out(32, '\0');
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), U(data), data.size(), U(out),
           &len) == nullptr ||
      len != 32) {
    return OpenSslError("HMAC-SHA256");
  }
  return out;
}

struct Sha512::Ctx {
  struct Free {
    void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
  };
  std::unique_ptr<EVP_MD_CTX, Free> md{EVP_MD_CTX_new()};
  bool ok = false;
};

Sha512::Sha512() : ctx_(std::make_unique<Ctx>()) {
  ctx_->ok = ctx_->md && EVP_DigestInit_ex(ctx_->md.get(), EVP_sha512(), nullptr) == 1;
}
Sha512::~Sha512() = default;

void Sha512::Update(std::string_view data) {
  if (ctx_->ok && !data.empty())
    ctx_->ok = EVP_DigestUpdate(ctx_->md.get(), data.data(), data.size()) == 1;
}

absl::StatusOr<std::string> Sha512::Final() {
  std::string out(64, '\0');
  unsigned int len = 0;
  if (!ctx_->ok || EVP_DigestFinal_ex(ctx_->md.get(), U(out), &len) != 1 || len != 64) {
    return OpenSslError("SHA-512");
  }
  ctx_->ok = false;
  return out;
}

std::string Base64(std::string_view bytes, bool pad) {
  std::string out = absl::Base64Escape(absl::string_view(bytes.data(), bytes.size()));
  if (!pad) {
    while (!out.empty() && out.back() == '=') out.pop_back();
  }
  return out;
}

}  // namespace wildside::sops
