#include "tree/internal/sha256.h"

#include <openssl/evp.h>

namespace wildside::tree::internal {

// EVP_sha256 never fails to initialise with the default provider; if
// allocation fails we still must not crash, so every call checks ctx_.
Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ != nullptr) EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr);
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

void Sha256::Update(const void* data, size_t size) {
  if (ctx_ != nullptr) EVP_DigestUpdate(ctx_, data, size);
}

std::string Sha256::FinishHex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (ctx_ == nullptr || EVP_DigestFinal_ex(ctx_, digest, &len) != 1) {
    return std::string();
  }
  EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(2 * len, '0');
  for (unsigned int i = 0; i < len; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0xF];
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  Sha256 h;
  h.Update(data.data(), data.size());
  return h.FinishHex();
}

}  // namespace wildside::tree::internal
