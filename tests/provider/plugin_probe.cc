// plugin_probe: starts a provider binary the way OpenTofu does (go-plugin
// environment, protocol 6, no TLS), checks its handshake line, asks it for
// its schema over the unix socket it announced and shuts it down through
// the go-plugin controller.
//
//   plugin_probe COMMAND...    e.g. plugin_probe qemu-aarch64-static ./terraform-provider-wildside
//
// COMMAND is a prefix, so a cross-built binary can be checked under an
// emulator by a client built for the host. Prints the handshake line, the
// resource types of the schema and the exit code; exits 0 only when the
// handshake is `1|6|unix|ADDRESS|grpc|`, GetProviderSchema answers with
// wildside_gitops_tree and the provider exits 0 after Shutdown.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "proto/grpc_controller.grpc.pb.h"
#include "proto/tfplugin6.grpc.pb.h"
#include "subprocess.h"

namespace {

using namespace std::chrono_literals;

// Under qemu the provider starts and answers several times slower.
constexpr auto kTimeout = 60s;
constexpr char kMagicCookie[] = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

int Fail(const std::string& what, wildside::testing::ChildProcess* child) {
  std::fprintf(stderr, "plugin_probe: %s\n", what.c_str());
  if (child != nullptr)
    std::fprintf(stderr, "provider stderr:\n%s\n", child->stderr_text().c_str());
  return 1;
}

std::chrono::system_clock::time_point Deadline() {
  return std::chrono::system_clock::now() + kTimeout;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: plugin_probe COMMAND... (e.g. qemu-aarch64-static ./provider)\n");
    return 2;
  }
  std::vector<std::string> command(argv + 1, argv + argc);
  std::vector<std::string> env = wildside::testing::EnvironmentWith(
      {{"TF_PLUGIN_MAGIC_COOKIE", kMagicCookie}, {"PLUGIN_PROTOCOL_VERSIONS", "6"}});
  env.push_back("PLUGIN_CLIENT_CERT=");  // empty: plain gRPC on the socket

  wildside::testing::ChildProcess child(command, env);
  if (!child.started()) return Fail("cannot start " + command[0], nullptr);

  std::optional<std::string> line = child.ReadStdoutLine(kTimeout);
  if (!line) return Fail("no handshake line on stdout", &child);
  std::printf("handshake: %s\n", line->c_str());
  std::vector<std::string> fields = absl::StrSplit(*line, '|');
  if (fields.size() != 6 || fields[0] != "1" || fields[1] != "6" || fields[2] != "unix" ||
      fields[4] != "grpc" || !fields[5].empty()) {
    return Fail("handshake is not 1|6|unix|ADDRESS|grpc| (no TLS): " + *line, &child);
  }

  auto channel = grpc::CreateChannel("unix:" + fields[3], grpc::InsecureChannelCredentials());
  tfplugin6::GetProviderSchema::Response schema;
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline());
    grpc::Status s = tfplugin6::Provider::NewStub(channel)->GetProviderSchema(
        &ctx, tfplugin6::GetProviderSchema::Request(), &schema);
    if (!s.ok()) return Fail("GetProviderSchema: " + s.error_message(), &child);
  }
  std::vector<std::string> resources;
  for (const auto& [name, unused] : schema.resource_schemas()) resources.push_back(name);
  std::sort(resources.begin(), resources.end());
  std::printf("GetProviderSchema: resources [%s], %d diagnostics\n",
              absl::StrJoin(resources, ", ").c_str(), schema.diagnostics_size());
  if (schema.resource_schemas().count("wildside_gitops_tree") != 1 ||
      schema.diagnostics_size() != 0) {
    return Fail("GetProviderSchema lacks wildside_gitops_tree or has diagnostics", &child);
  }

  {
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline());
    plugin::Empty empty;
    grpc::Status s =
        plugin::GRPCController::NewStub(channel)->Shutdown(&ctx, plugin::Empty(), &empty);
    if (!s.ok()) return Fail("Shutdown: " + s.error_message(), &child);
  }
  std::optional<int> code = child.Wait(kTimeout);
  if (!code) return Fail("still running after Shutdown", &child);
  std::printf("exit after Shutdown: %d\n", *code);
  return *code == 0 ? 0 : Fail("provider exited with " + std::to_string(*code), &child);
}
