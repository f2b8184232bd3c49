#include "plugin_client.h"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_split.h"

namespace wildside::testing {
namespace {

std::string DerToPem(const std::string& der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  X509* x = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (x == nullptr) return "";
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, x);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  X509_free(x);
  return pem;
}

}  // namespace

Handshake ParseHandshake(const std::string& line) {
  Handshake hs;
  hs.fields = absl::StrSplit(line, '|');
  if (hs.fields.size() == 6 && !hs.fields[5].empty()) {
    std::string der;
    if (absl::Base64Unescape(hs.fields[5], &der)) hs.server_cert_pem = DerToPem(der);
  }
  return hs;
}

std::shared_ptr<grpc::Channel> ConnectToPlugin(const Handshake& hs,
                                               const std::string& client_key_pem,
                                               const std::string& client_cert_pem,
                                               const std::string& socket_prefix) {
  const std::string target = "unix:" + socket_prefix + (hs.fields.size() > 3 ? hs.fields[3] : "");
  if (hs.server_cert_pem.empty())
    return grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
  grpc::SslCredentialsOptions opts;
  opts.pem_root_certs = hs.server_cert_pem;
  opts.pem_private_key = client_key_pem;
  opts.pem_cert_chain = client_cert_pem;
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride("localhost");
  return grpc::CreateCustomChannel(target, grpc::SslCredentials(opts), args);
}

}  // namespace wildside::testing
