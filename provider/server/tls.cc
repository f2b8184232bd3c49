#include "provider/server/tls.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "tree/strings.h"

namespace wildside::server {

using tree::AV;

namespace {

template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using PKeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using NamePtr = std::unique_ptr<X509_NAME, Deleter<X509_NAME, X509_NAME_free>>;

absl::Status OpenSslError(std::string_view what) {
  unsigned long code = ERR_get_error();
  char buf[256] = "unknown error";
  if (code != 0) ERR_error_string_n(code, buf, sizeof(buf));
  ERR_clear_error();
  return absl::InternalError(absl::StrCat("TLS certificate: ", AV(what), ": ", buf));
}

absl::Status AddExtension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return OpenSslError(absl::StrCat("extension ", OBJ_nid2sn(nid)));
  int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (ok != 1) return OpenSslError("add extension");
  return absl::OkStatus();
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

}  // namespace

bool InitOpenSslWithoutConfig() {
  return OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, nullptr) == 1 &&
         OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG, nullptr) == 1;
}

absl::StatusOr<ServerCertificate> GenerateServerCertificate() {
  PKeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return OpenSslError("generate EC P-256 key");

  X509Ptr cert(X509_new());
  if (!cert) return OpenSslError("allocate certificate");
  X509_set_version(cert.get(), 2);  // v3

  unsigned char serial_bytes[16];
  if (RAND_bytes(serial_bytes, sizeof(serial_bytes)) != 1) return OpenSslError("random serial");
  serial_bytes[0] &= 0x7f;  // positive
  serial_bytes[0] |= 0x01;  // never zero
  BnPtr serial(BN_bin2bn(serial_bytes, sizeof(serial_bytes), nullptr));
  if (!serial || BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) {
    return OpenSslError("set serial");
  }

  if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -30) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), 30L * 365 * 24 * 3600) == nullptr) {
    return OpenSslError("set validity");
  }

  NamePtr name(X509_NAME_new());
  if (!name ||
      X509_NAME_add_entry_by_txt(name.get(), "O", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>("wildside"), -1, -1,
                                 0) != 1 ||
      X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>("localhost"), -1, -1,
                                 0) != 1 ||
      X509_set_subject_name(cert.get(), name.get()) != 1 ||
      X509_set_issuer_name(cert.get(), name.get()) != 1) {
    return OpenSslError("set names");
  }
  if (X509_set_pubkey(cert.get(), key.get()) != 1) return OpenSslError("set public key");

  for (auto [nid, value] :
       {std::pair{NID_subject_alt_name, "DNS:localhost"},
        std::pair{NID_basic_constraints, "critical,CA:TRUE"},
        std::pair{NID_key_usage,
                  "critical,digitalSignature,keyEncipherment,keyAgreement,keyCertSign"},
        std::pair{NID_ext_key_usage, "serverAuth,clientAuth"}}) {
    if (absl::Status s = AddExtension(cert.get(), nid, value); !s.ok()) return s;
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return OpenSslError("sign");

  ServerCertificate out;
  BioPtr key_bio(BIO_new(BIO_s_mem()));
  if (!key_bio || PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                           nullptr) != 1) {
    return OpenSslError("write key PEM");
  }
  out.key_pem = BioContents(key_bio.get());
  BioPtr cert_bio(BIO_new(BIO_s_mem()));
  if (!cert_bio || PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1)
    return OpenSslError("write cert PEM");
  out.cert_pem = BioContents(cert_bio.get());
  int der_len = i2d_X509(cert.get(), nullptr);
  if (der_len <= 0) return OpenSslError("encode DER");
  out.cert_der.resize(static_cast<size_t>(der_len));
  unsigned char* p = reinterpret_cast<unsigned char*>(out.cert_der.data());
  if (i2d_X509(cert.get(), &p) != der_len) return OpenSslError("encode DER");
  return out;
}

}  // namespace wildside::server
