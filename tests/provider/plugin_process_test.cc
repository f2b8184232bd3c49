// Starts the built plugin binary the way OpenTofu does (magic cookie,
// PLUGIN_PROTOCOL_VERSIONS, PLUGIN_CLIENT_CERT), reads exactly one stdout
// line, connects over mutual TLS and calls RPCs.
#include <poll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <grp.h>
#include <sys/stat.h>

#include <openssl/conf.h>
#include <openssl/err.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugin_client.h"
#include "proto/grpc_controller.grpc.pb.h"
#include "proto/tfplugin6.grpc.pb.h"
#include "provider/server/handshake.h"
#include "provider/server/tls.h"
#include "status_matchers.h"
#include "subprocess.h"
#include "tests/provider/health.grpc.pb.h"

#ifndef WILDSIDE_PROVIDER_BINARY
#error "WILDSIDE_PROVIDER_BINARY must be defined by the build"
#endif

namespace wildside {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;
using namespace std::chrono_literals;

using testing::Handshake;

class PluginProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<server::ServerCertificate> client = server::GenerateServerCertificate();
    ASSERT_TRUE(client.ok());
    client_ = *client;
  }

  std::unique_ptr<testing::ChildProcess> Start(std::map<std::string, std::string> env) {
    env.emplace("TF_PLUGIN_MAGIC_COOKIE", std::string(server::kMagicCookieValue));
    env.emplace("PLUGIN_PROTOCOL_VERSIONS", "5,6");
    env.emplace("PLUGIN_MIN_PORT", "10000");
    env.emplace("PLUGIN_MAX_PORT", "25000");
    return std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{WILDSIDE_PROVIDER_BINARY}, testing::EnvironmentWith(env));
  }

  Handshake ReadHandshake(testing::ChildProcess* child) {
    std::optional<std::string> line = child->ReadStdoutLine(60s);
    EXPECT_TRUE(line.has_value()) << child->stderr_text();
    return line ? testing::ParseHandshake(*line) : Handshake{};
  }

  // Starts the plugin under `umask_for_child` with `env` and fills *st with
  // an lstat of the socket its handshake names.
  void StartAndStatSocket(std::map<std::string, std::string> env, mode_t umask_for_child,
                          struct stat* st) {
    mode_t saved = umask(umask_for_child);  // inherited by the child
    auto child = Start(std::move(env));
    umask(saved);
    std::optional<std::string> line = child->ReadStdoutLine(60s);
    ASSERT_TRUE(line.has_value()) << child->stderr_text();
    std::vector<std::string> fields = absl::StrSplit(*line, '|');
    ASSERT_THAT(fields, SizeIs(6));
    ASSERT_EQ(lstat(fields[3].c_str(), st), 0) << fields[3];
  }

  std::shared_ptr<grpc::Channel> Connect(const Handshake& hs, bool with_client_cert) {
    return with_client_cert ? testing::ConnectToPlugin(hs, client_.key_pem, client_.cert_pem)
                            : testing::ConnectToPlugin(hs, "", "");
  }

  server::ServerCertificate client_;
};

TEST_F(PluginProcessTest, RunByHandPrintsGoPluginMessageAndExits1) {
  auto child = std::make_unique<testing::ChildProcess>(
      std::vector<std::string>{WILDSIDE_PROVIDER_BINARY},
      testing::EnvironmentWith({{"TF_PLUGIN_MAGIC_COOKIE", ""}}));
  std::optional<int> code = child->Wait(60s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 1);
  EXPECT_EQ(child->stderr_text(), std::string(server::kNotAPluginMessage));
  EXPECT_EQ(child->DrainStdout(100ms), "");
}

// OpenTofu shows only the first stdout line of a plugin that fails to
// start: it must name the directory and the variables that move it, and
// the process must not exit before the client has read it.
TEST_F(PluginProcessTest, SocketDirectoryThatCannotHoldASocketIsNamedOnStdoutAndExits1) {
  char tmpl[] = "/tmp/wildside-nosocket-XXXXXX";
  const std::string root = mkdtemp(tmpl);
  const std::string file = root + "/file";
  { std::ofstream(file) << "x"; }
  struct Case {
    std::map<std::string, std::string> env;
    std::string line;
  };
  const std::vector<Case> cases = {
      {{{"PLUGIN_UNIX_SOCKET_DIR", root + "/missing"}, {"TMPDIR", root}},
       "terraform-provider-wildside: cannot create its plugin socket in " + root +
           "/missing (from PLUGIN_UNIX_SOCKET_DIR): No such file or directory. Set "
           "PLUGIN_UNIX_SOCKET_DIR (or TMPDIR, when that is unset) to a writable directory."},
      {{{"PLUGIN_UNIX_SOCKET_DIR", ""}, {"TMPDIR", file}},
       "terraform-provider-wildside: cannot create its plugin socket in " + file +
           " (from TMPDIR): Not a directory. Set PLUGIN_UNIX_SOCKET_DIR (or TMPDIR, when that is "
           "unset) to a writable directory."},
  };
  for (const Case& c : cases) {
    auto child = Start(c.env);
    ASSERT_TRUE(child->started());
    std::optional<std::string> line = child->ReadStdoutLine(60s);
    ASSERT_TRUE(line.has_value()) << child->stderr_text();
    EXPECT_EQ(*line, c.line);
    // Still there while the client holds stdout open: an exit first would
    // make go-plugin report "plugin exited before we could connect".
    EXPECT_FALSE(child->Wait(300ms).has_value()) << "exited before the client closed stdout";
    child->CloseStdout();
    // Well within its own 10 s bound: the close is what ends it.
    std::optional<int> code = child->Wait(5s);
    ASSERT_TRUE(code.has_value()) << "still running after stdout was closed";
    EXPECT_EQ(*code, 1);
  }
  std::filesystem::remove_all(root);
}

TEST_F(PluginProcessTest, MutualTlsSchemaThenShutdownExits) {
  auto child = Start({{"PLUGIN_CLIENT_CERT", client_.cert_pem}, {"TF_LOG_PROVIDER", "DEBUG"}});
  ASSERT_TRUE(child->started());
  Handshake hs = ReadHandshake(child.get());
  ASSERT_THAT(hs.fields, SizeIs(6));
  EXPECT_EQ(hs.fields[0], "1");
  EXPECT_EQ(hs.fields[1], "6");
  EXPECT_EQ(hs.fields[2], "unix");
  EXPECT_EQ(hs.fields[4], "grpc");
  EXPECT_EQ(hs.fields[5].find('='), std::string::npos);
  ASSERT_THAT(hs.server_cert_pem, HasSubstr("BEGIN CERTIFICATE"));

  auto channel = Connect(hs, /*with_client_cert=*/true);
  auto provider = tfplugin6::Provider::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + 10s);
  tfplugin6::GetProviderSchema::Request req;
  tfplugin6::GetProviderSchema::Response resp;
  grpc::Status s = provider->GetProviderSchema(&ctx, req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message() << "\n" << child->stderr_text();
  EXPECT_TRUE(resp.has_provider());
  EXPECT_TRUE(resp.provider().has_block());
  ASSERT_EQ(resp.resource_schemas().count("wildside_gitops_tree"), 1u);
  const auto& schema = resp.resource_schemas().at("wildside_gitops_tree");
  std::vector<std::string> names;
  for (const auto& a : schema.block().attributes()) names.push_back(a.name());
  EXPECT_THAT(names, ::testing::IsSupersetOf(
                         {"id", "path", "cluster", "rendered_manifests", "rendered_manifests_wo"}));
  // Field 11: only the write-only map is declared so, and it is optional
  // (a write-only attribute can be neither required nor computed).
  for (const auto& a : schema.block().attributes()) {
    EXPECT_EQ(a.write_only(), a.name() == "rendered_manifests_wo") << a.name();
    if (a.write_only()) EXPECT_TRUE(a.optional() && !a.required() && !a.computed()) << a.name();
  }
  EXPECT_FALSE(resp.server_capabilities().get_provider_schema_optional());

  grpc::ClientContext stop_ctx;
  tfplugin6::StopProvider::Response stop_resp;
  ASSERT_TRUE(provider->StopProvider(&stop_ctx, {}, &stop_resp).ok());
  EXPECT_EQ(stop_resp.error(), "");

  auto controller = plugin::GRPCController::NewStub(channel);
  grpc::ClientContext shut_ctx;
  shut_ctx.set_deadline(std::chrono::system_clock::now() + 5s);
  plugin::Empty empty;
  grpc::Status shut = controller->Shutdown(&shut_ctx, empty, &empty);
  EXPECT_TRUE(shut.ok() || shut.error_code() == grpc::StatusCode::UNAVAILABLE)
      << shut.error_message();
  // The plugin exits by itself while this client still holds its channel
  // open (gRPC's own Shutdown would wait for it). The bound only guards
  // against a hang; how fast it exits is not asserted (a busy machine may
  // take its time), see bench/ for that.
  std::optional<int> code = child->Wait(60s);
  ASSERT_TRUE(code.has_value()) << "plugin still running 60 s after Shutdown";
  EXPECT_EQ(*code, 0);
  // Only the handshake line on stdout.
  EXPECT_EQ(child->DrainStdout(100ms), "");
  // Logs on stderr are hclog JSON lines.
  EXPECT_THAT(child->stderr_text(), HasSubstr("\"@level\":\"debug\""));
}

TEST_F(PluginProcessTest, ClientWithoutCertificateIsRefused) {
  auto child = Start({{"PLUGIN_CLIENT_CERT", client_.cert_pem}});
  Handshake hs = ReadHandshake(child.get());
  ASSERT_THAT(hs.fields, SizeIs(6));
  auto provider = tfplugin6::Provider::NewStub(Connect(hs, /*with_client_cert=*/false));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + 5s);
  tfplugin6::GetProviderSchema::Response resp;
  grpc::Status s = provider->GetProviderSchema(&ctx, {}, &resp);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
}

TEST_F(PluginProcessTest, PlaintextWhenNoClientCertAndHealthServing) {
  auto child = Start({{"PLUGIN_CLIENT_CERT", ""}, {"PLUGIN_PROTOCOL_VERSIONS", "6,5"}});
  std::optional<std::string> line = child->ReadStdoutLine(60s);
  ASSERT_TRUE(line.has_value()) << child->stderr_text();
  std::vector<std::string> fields = absl::StrSplit(*line, '|');
  ASSERT_THAT(fields, SizeIs(6));
  EXPECT_EQ(fields[1], "6");
  EXPECT_EQ(fields[5], "");
  auto channel = grpc::CreateChannel("unix:" + fields[3], grpc::InsecureChannelCredentials());
  // Standard health service, status of "plugin".
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + 5s);
  auto health = grpc::health::v1::Health::NewStub(channel);
  grpc::health::v1::HealthCheckRequest req;
  req.set_service("plugin");
  grpc::health::v1::HealthCheckResponse resp;
  grpc::Status s = health->Check(&ctx, req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

// No waiting for SIGINT to act: the plugin ignores it (SIG_IGN, set before
// the handshake line), so the kernel discards it when it is sent; had it
// the default action, it would be fatal from the moment kill(2) returns,
// and the exit would be by SIGINT. Either way the SIGTERM that follows
// decides nothing: a clean exit 0 proves the SIGINT was survived.
TEST_F(PluginProcessTest, IgnoresSigintAndExitsOnSigterm) {
  auto child = Start({{"PLUGIN_CLIENT_CERT", ""}, {"TF_LOG_PROVIDER", "INFO"}});
  std::optional<std::string> line = child->ReadStdoutLine(60s);
  ASSERT_TRUE(line.has_value()) << child->stderr_text();
  ASSERT_EQ(kill(child->pid(), SIGINT), 0);
  // Still serving after the SIGINT.
  std::vector<std::string> fields = absl::StrSplit(*line, '|');
  ASSERT_THAT(fields, SizeIs(6));
  auto channel = grpc::CreateChannel("unix:" + fields[3], grpc::InsecureChannelCredentials());
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + 60s);
  grpc::health::v1::HealthCheckRequest req;
  req.set_service("plugin");
  grpc::health::v1::HealthCheckResponse resp;
  grpc::Status s = grpc::health::v1::Health::NewStub(channel)->Check(&ctx, req, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message() << "\n" << child->stderr_text();
  ASSERT_EQ(kill(child->pid(), SIGTERM), 0);
  std::optional<int> code = child->Wait(60s);
  ASSERT_TRUE(code.has_value()) << "plugin still running 60 s after SIGTERM";
  EXPECT_EQ(*code, 0) << "-1: killed by a signal (the SIGINT)\n" << child->stderr_text();
  EXPECT_THAT(child->stderr_text(), HasSubstr("SIGTERM received"));
}

// Starts the plugin under `umask_for_child` with `env` and fills *st with
// an lstat of the socket its handshake names.
// The socket's permission bits must not come from the umask: under umask
// 000 bind(2) alone would make it 0777, connectable by every local user.
TEST_F(PluginProcessTest, SocketIsOwnerOnlyUnderUmaskZero) {
  struct stat st;
  ASSERT_NO_FATAL_FAILURE(StartAndStatSocket({{"PLUGIN_CLIENT_CERT", ""}}, 0, &st));
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST_F(PluginProcessTest, SocketIsGroupReadWriteWithPluginUnixSocketGroup) {
  struct stat st;
  ASSERT_NO_FATAL_FAILURE(StartAndStatSocket(
      {{"PLUGIN_CLIENT_CERT", ""}, {"PLUGIN_UNIX_SOCKET_GROUP", std::to_string(getgid())}}, 0,
      &st));
  EXPECT_EQ(st.st_mode & 07777, 0660u);
  EXPECT_EQ(st.st_gid, getgid());
}

// OpenSSL's configuration is never loaded from the environment: an
// OPENSSL_CONF naming a module (here one whose constructor leaves a marker
// file) would make the provider dlopen it, which a fully static program
// cannot do safely, and a module that fails would break its TLS. Started as
// OpenTofu starts it (AutoMTLS), the provider hand-shakes and serves, and
// the marker never appears; the same configuration loaded on purpose does
// load the module, so the test can fail.
TEST_F(PluginProcessTest, NeverLoadsOpenSslConfigurationFromTheEnvironment) {
  const std::string dir = ::testing::TempDir() + "openssl-conf-" + std::to_string(getpid());
  ASSERT_EQ(mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST, true);
  const std::string conf = dir + "/openssl.cnf";
  const std::string marker = dir + "/marker";
  const std::string control_marker = dir + "/control-marker";
  unlink(marker.c_str());
  unlink(control_marker.c_str());
  {
    std::ofstream out(conf);
    out << "openssl_conf = openssl_init\n[openssl_init]\nproviders = provider_sect\n"
        << "[provider_sect]\nmarker = marker_sect\n[marker_sect]\nmodule = "
        << WILDSIDE_OPENSSL_MARKER_MODULE << "\nactivate = 1\n";
  }
  auto child = Start({{"PLUGIN_CLIENT_CERT", client_.cert_pem},
                      {"OPENSSL_CONF", conf},
                      {"WILDSIDE_MARKER_FILE", marker}});
  ASSERT_TRUE(child->started());
  Handshake hs = ReadHandshake(child.get());
  ASSERT_THAT(hs.fields, SizeIs(6)) << child->stderr_text();
  ASSERT_THAT(hs.server_cert_pem, HasSubstr("BEGIN CERTIFICATE"));
  auto channel = Connect(hs, /*with_client_cert=*/true);
  auto provider = tfplugin6::Provider::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + 10s);
  tfplugin6::GetProviderSchema::Response resp;
  grpc::Status s = provider->GetProviderSchema(&ctx, {}, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message() << "\n" << child->stderr_text();
  auto controller = plugin::GRPCController::NewStub(channel);
  grpc::ClientContext shut_ctx;
  shut_ctx.set_deadline(std::chrono::system_clock::now() + 5s);
  plugin::Empty empty;
  (void)controller->Shutdown(&shut_ctx, empty, &empty);
  std::optional<int> code = child->Wait(60s);
  ASSERT_TRUE(code.has_value()) << "plugin still running 60 s after Shutdown";
  EXPECT_EQ(*code, 0);
  EXPECT_NE(access(marker.c_str(), F_OK), 0) << "the provider loaded " << conf;

  // The control: this configuration, loaded, does load the module.
  ASSERT_EQ(setenv("WILDSIDE_MARKER_FILE", control_marker.c_str(), 1), 0);
  (void)CONF_modules_load_file(conf.c_str(), nullptr, 0);
  ERR_clear_error();
  unsetenv("WILDSIDE_MARKER_FILE");
  EXPECT_EQ(access(control_marker.c_str(), F_OK), 0) << "the control did not load the module";
}

// A group given by name is looked up in /etc/group (never through NSS, which
// the static release binary cannot use); an unknown name is a warning.
TEST_F(PluginProcessTest, SocketGroupByNameComesFromEtcGroup) {
  struct group* mine = getgrgid(getgid());
  ASSERT_NE(mine, nullptr);
  struct stat st;
  ASSERT_NO_FATAL_FAILURE(StartAndStatSocket(
      {{"PLUGIN_CLIENT_CERT", ""}, {"PLUGIN_UNIX_SOCKET_GROUP", mine->gr_name}}, 022, &st));
  EXPECT_EQ(st.st_mode & 07777, 0660u);
  EXPECT_EQ(st.st_gid, getgid());

  auto unknown = Start({{"PLUGIN_CLIENT_CERT", ""},
                        {"PLUGIN_UNIX_SOCKET_GROUP", "wildside-no-such-group"},
                        {"TF_LOG_PROVIDER", "WARN"}});
  ASSERT_TRUE(unknown->ReadStdoutLine(60s).has_value()) << unknown->stderr_text();
  EXPECT_THAT(unknown->stderr_text(), HasSubstr("names no group in /etc/group"));
}

// Makes this test process the reaper of orphans below it, so a plugin whose
// parent dies becomes our child and its exit can be waited for exactly.

// A client that dies without calling Shutdown (tofu killed) must not leave
// the plugin running for ever: it notices its parent is gone and exits.
TEST_F(PluginProcessTest, ExitsWhenTheProcessThatStartedItDies) {
  testing::SubreaperScope subreaper;
  ASSERT_TRUE(subreaper.ok());
  // A stand-in client: starts the plugin, reports its pid, then idles until
  // we kill it.
  std::map<std::string, std::string> env = {
      {"TF_PLUGIN_MAGIC_COOKIE", std::string(server::kMagicCookieValue)},
      {"PLUGIN_PROTOCOL_VERSIONS", "6"},
      {"PLUGIN_CLIENT_CERT", ""},
      {"TF_LOG_PROVIDER", "INFO"},
  };
  testing::ChildProcess client(
      {"sh", "-c", "\"$0\" & echo \"pid=$!\"; exec sleep 100000", WILDSIDE_PROVIDER_BINARY},
      testing::EnvironmentWith(env));
  ASSERT_TRUE(client.started());
  pid_t plugin = -1;
  std::string socket;
  for (int i = 0; i < 2; ++i) {
    std::optional<std::string> line = client.ReadStdoutLine(60s);
    ASSERT_TRUE(line.has_value()) << client.stderr_text();
    if (line->rfind("pid=", 0) == 0) {
      plugin = std::stoi(line->substr(4));
    } else {
      std::vector<std::string> fields = absl::StrSplit(*line, '|');
      ASSERT_THAT(fields, SizeIs(6)) << *line;
      socket = fields[3];
    }
  }
  ASSERT_GT(plugin, 0);
  ASSERT_FALSE(socket.empty());
  // The handshake line is printed only once the plugin watches its parent.
  ASSERT_EQ(kill(client.pid(), SIGKILL), 0);
  ASSERT_TRUE(client.Wait(60s).has_value());

  std::optional<int> code = testing::WaitForChildExit(plugin, 120s);
  if (!code.has_value()) kill(plugin, SIGKILL);
  ASSERT_TRUE(code.has_value()) << "plugin still running 120 s after its client died\n"
                                << client.stderr_text();
  EXPECT_EQ(*code, 0);
  EXPECT_THAT(client.stderr_text(), HasSubstr("the client process is gone"));
  struct stat st;
  EXPECT_NE(lstat(socket.c_str(), &st), 0) << "socket left behind: " << socket;
}

}  // namespace
}  // namespace wildside
