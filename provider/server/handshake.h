// go-plugin's startup contract with OpenTofu: the magic cookie, protocol
// version negotiation and the one handshake line printed on stdout.
#ifndef WILDSIDE_PROVIDER_SERVER_HANDSHAKE_H_
#define WILDSIDE_PROVIDER_SERVER_HANDSHAKE_H_

#include <string>
#include <string_view>
#include <vector>

namespace wildside::server {

inline constexpr std::string_view kMagicCookieKey = "TF_PLUGIN_MAGIC_COOKIE";
inline constexpr std::string_view kMagicCookieValue =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
// Printed on stderr, with exit status 1, when the binary is run by hand.
inline constexpr std::string_view kNotAPluginMessage =
    "This binary is a plugin. These are not meant to be executed directly.\n"
    "Please execute the program that consumes these plugins, which will\n"
    "load any plugins automatically\n";

// Picks the app protocol version as go-plugin's server does: the highest of
// `server_versions` that appears in the client's comma-separated list (any
// order, bad entries skipped); if none matches, the server's lowest version,
// so the client reports the mismatch.
int NegotiateProtocolVersion(std::string_view client_list, const std::vector<int>& server_versions);

// Base64 with the standard alphabet and no '=' padding (Go's RawStdEncoding).
std::string Base64RawStd(std::string_view bytes);

// `1|<app>|<network>|<address>|grpc|<base64 DER or empty>` without newline.
std::string FormatHandshakeLine(int app_version, std::string_view network, std::string_view address,
                                std::string_view cert_der);

}  // namespace wildside::server

#endif  // WILDSIDE_PROVIDER_SERVER_HANDSHAKE_H_
