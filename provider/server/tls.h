// The server half of go-plugin's AutoMTLS: a fresh self-signed certificate
// per process, which OpenTofu pins from the handshake line.
#ifndef WILDSIDE_PROVIDER_SERVER_TLS_H_
#define WILDSIDE_PROVIDER_SERVER_TLS_H_

#include <string>

#include "absl/status/statusor.h"

namespace wildside::server {

struct ServerCertificate {
  std::string key_pem;
  std::string cert_pem;
  std::string cert_der;
};

// An EC P-256 key and a self-signed certificate for SAN DNS:localhost, valid
// from 30 s ago (clock skew) for 30 years like go-plugin's own, with a
// positive random 127-bit serial (Go rejects negative serials), CA:TRUE and
// both server and client auth usages. Internal on an OpenSSL failure.
absl::StatusOr<ServerCertificate> GenerateServerCertificate();

// Initialises OpenSSL without reading its configuration file. Called first
// thing in Serve, before gRPC or GenerateServerCertificate touch OpenSSL:
// OpenSSL reads its configuration at most once per process, so once this
// ran, gRPC's own initialisation cannot load one either. Otherwise an
// OPENSSL_CONF in OpenTofu's environment could make the provider load (and,
// in the static release binary, dlopen) modules, or break its TLS so that
// it never hand-shakes. Returns false when OpenSSL cannot initialise.
bool InitOpenSslWithoutConfig();

}  // namespace wildside::server

#endif  // WILDSIDE_PROVIDER_SERVER_TLS_H_
