// The plugin process: go-plugin's server side, as OpenTofu expects it.
//
// Checks the magic cookie, negotiates the protocol, listens on a fresh unix
// socket, sets up AutoMTLS when PLUGIN_CLIENT_CERT is present, serves the
// tfplugin6 Provider, go-plugin's GRPCController and gRPC health, prints the
// one handshake line on stdout, and returns when OpenTofu calls Shutdown,
// the process gets SIGTERM, or the process that started it (the client) has
// exited, e.g. `tofu` killed mid-apply; a call in flight is finished first.
// SIGINT is ignored, as go-plugin does: Ctrl-C reaches the whole process
// group and OpenTofu then calls StopProvider.
//
// The unix socket is created 0600 whatever the umask (0660 with the group
// named by PLUGIN_UNIX_SOCKET_GROUP), in PLUGIN_UNIX_SOCKET_DIR, else
// TMPDIR, else /tmp. When it cannot be created there, the one stdout line
// says so instead of the handshake (naming the directory and those
// variables), the process waits until the client has read it, and Serve
// returns 1.
#ifndef WILDSIDE_PROVIDER_SERVER_SERVE_H_
#define WILDSIDE_PROVIDER_SERVER_SERVE_H_

#include <functional>
#include <string_view>

#include "provider/core/provider.h"

namespace wildside::server {

// Runs the plugin; returns the process exit status.
// `provider_version` is logged at start (the release version).
int Serve(std::string_view provider_version = "dev");

// The same with another assembly of resources and functions, called once
// the process is known to be a plugin (logging set up): the one above
// serves wildside's; bench/echo_provider serves a resource that does
// nothing, to measure what any plugin costs OpenTofu.
using ProviderAssembly = std::function<core::Provider()>;
int Serve(std::string_view provider_version, const ProviderAssembly& assemble);

}  // namespace wildside::server

#endif  // WILDSIDE_PROVIDER_SERVER_SERVE_H_
