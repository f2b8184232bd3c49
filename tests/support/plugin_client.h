// A go-plugin client for tests, as OpenTofu is one: starts nothing itself,
// parses the plugin's handshake line and opens a mutual-TLS gRPC channel to
// the unix socket it names.
#ifndef WILDSIDE_TESTS_SUPPORT_PLUGIN_CLIENT_H_
#define WILDSIDE_TESTS_SUPPORT_PLUGIN_CLIENT_H_

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

namespace wildside::testing {

struct Handshake {
  // core version | protocol version | network | address | protocol | cert
  std::vector<std::string> fields;
  std::string server_cert_pem;  // from the base64 DER in field 6, if any
};

// Splits a handshake line and decodes the server certificate.
Handshake ParseHandshake(const std::string& line);

// A channel to the plugin's unix socket. `socket_prefix` is prepended to the
// socket path (for a plugin running in a chroot). With a server certificate
// in the handshake the channel is TLS, presenting the client certificate
// when `client_cert_pem` is not empty.
std::shared_ptr<grpc::Channel> ConnectToPlugin(const Handshake& hs,
                                               const std::string& client_key_pem,
                                               const std::string& client_cert_pem,
                                               const std::string& socket_prefix = "");

}  // namespace wildside::testing

#endif  // WILDSIDE_TESTS_SUPPORT_PLUGIN_CLIENT_H_
