// Incremental SHA-256 over OpenSSL's EVP interface. Internal to tree/.
#ifndef WILDSIDE_TREE_INTERNAL_SHA256_H_
#define WILDSIDE_TREE_INTERNAL_SHA256_H_

#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace wildside::tree::internal {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(const void* data, size_t size);
  // Lowercase hex digest; the hasher is reset and can be reused.
  std::string FinishHex();

 private:
  evp_md_ctx_st* ctx_;
};

// Lowercase hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace wildside::tree::internal

#endif  // WILDSIDE_TREE_INTERNAL_SHA256_H_
