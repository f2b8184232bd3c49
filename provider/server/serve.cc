#include "provider/server/serve.h"

#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "proto/grpc_controller.grpc.pb.h"
#include "provider/core/provider.h"
#include "provider/log/logger.h"
#include "provider/resources/functions.h"
#include "provider/resources/gitops_tree.h"
#include "provider/server/handshake.h"
#include "provider/server/provider_service.h"
#include "provider/server/test_hooks.h"
#include "provider/server/tls.h"

namespace wildside::server {
namespace {

// Protocol versions this binary speaks: tfplugin6 only.
const std::vector<int> kServerVersions = {6};

// OpenTofu sends requests up to 2 GiB; a 10,000-file tree is tens of MB in
// each of config, prior and proposed state. Mirror the client's limit.
constexpr int kMaxMessageBytes = INT_MAX;

// The one-way switch to shutting down. Three threads may throw it (the
// controller, the SIGTERM waiter, the client watcher), and
// absl::Notification aborts on a second Notify, so only the first counts.
class ShutdownRequest {
 public:
  void Request() {
    std::call_once(once_, [this] { done_.Notify(); });
  }
  void Wait() { done_.WaitForNotification(); }

 private:
  std::once_flag once_;
  absl::Notification done_;
};

class ControllerService final : public plugin::GRPCController::Service {
 public:
  explicit ControllerService(ShutdownRequest* shutdown) : shutdown_(shutdown) {}
  grpc::Status Shutdown(grpc::ServerContext*, const plugin::Empty*, plugin::Empty*) override {
    log::Debug("GRPCController.Shutdown received");
    // The server is shut down from the main thread: Server::Shutdown waits
    // for in-flight calls, this one included.
    shutdown_->Request();
    return grpc::Status::OK;
  }

 private:
  ShutdownRequest* shutdown_;
};

std::string Getenv(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

// The directory the socket goes in and the setting that chose it, in
// go-plugin's order: PLUGIN_UNIX_SOCKET_DIR, then TMPDIR, then /tmp.
struct SocketDir {
  std::string path;
  const char* set_by = nullptr;  // the variable, or nullptr for the default
};

SocketDir ChooseSocketDir() {
  for (const char* name : {"PLUGIN_UNIX_SOCKET_DIR", "TMPDIR"}) {
    std::string dir = Getenv(name);
    if (!dir.empty()) return {std::move(dir), name};
  }
  return {"/tmp", nullptr};
}

std::string SocketPathIn(const std::string& dir) {
  std::random_device rd;
  std::mt19937_64 rng(rd());
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string path = absl::StrCat(dir, "/plugin", rng() % 10000000000ULL);
    struct stat st;
    if (lstat(path.c_str(), &st) != 0) return path;
  }
  return absl::StrCat(dir, "/plugin", getpid());
}

// `s` with control characters, '|' (go-plugin splits a handshake line on
// it) and '"' (shown escaped in OpenTofu's quotation) as \xNN.
std::string ForHandshakeLine(std::string_view s) {
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '|' || c == '"') {
      absl::StrAppend(&out, "\\x", absl::Hex(u, absl::kZeroPad2));
    } else {
      out += c;
    }
  }
  return out;
}

// Why gRPC could not listen at `socket_path` in `dir` (it says nothing
// itself): what stat and access find, or the length of the path.
std::string WhyNoSocket(const std::string& dir, const std::string& socket_path) {
  struct stat st;
  if (stat(dir.c_str(), &st) != 0) return std::strerror(errno);
  if (!S_ISDIR(st.st_mode)) return std::strerror(ENOTDIR);
  if (access(dir.c_str(), W_OK | X_OK) != 0) return std::strerror(errno);
  if (socket_path.size() >= sizeof(sockaddr_un{}.sun_path)) {
    return absl::StrCat("the socket path is ", socket_path.size(),
                        " bytes long, and a unix socket address holds ",
                        sizeof(sockaddr_un{}.sun_path) - 1);
  }
  return "the gRPC server did not start";
}

// The one line, in place of the handshake, that tells the user why there
// is no socket and what moves it. One line with no '|': OpenTofu shows it
// as "Unrecognized remote plugin message: <line>".
std::string SocketFailureLine(const SocketDir& dir, const std::string& socket_path) {
  const std::string where = dir.set_by == nullptr
                                ? "(the default: neither PLUGIN_UNIX_SOCKET_DIR nor TMPDIR is set)"
                                : absl::StrCat("(from ", dir.set_by, ")");
  return absl::StrCat("terraform-provider-wildside: cannot create its plugin socket in ",
                      ForHandshakeLine(dir.path), " ", where, ": ",
                      WhyNoSocket(dir.path, socket_path),
                      ". Set PLUGIN_UNIX_SOCKET_DIR (or TMPDIR, when that is unset) to a "
                      "writable directory.");
}

// Returns once the reader of stdout is done with it, or after a bound.
//
// go-plugin, in OpenTofu, waits for the first stdout line and for the
// plugin's exit at once: an exit seen before the line has been taken in
// makes it report "plugin exited before we could connect" instead of
// showing the line. Once it has the line, it kills the plugin (a line that
// is no handshake is an error), and any reader that closes the pipe shows
// here as POLLERR. No fixed sleep: the bound (10 s) is only for a reader
// that does neither, and stdout that is no pipe or socket (a terminal, a
// file) has no such reader.
void AwaitStdoutReader() {
  constexpr auto kBound = std::chrono::seconds(10);
  struct stat st;
  if (fstat(STDOUT_FILENO, &st) != 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) return;
  const auto deadline = std::chrono::steady_clock::now() + kBound;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) return;
    pollfd p = {STDOUT_FILENO, 0, 0};  // POLLERR and POLLHUP are always reported
    const int n = poll(&p, 1, static_cast<int>(left));
    if (n > 0 || (n < 0 && errno != EINTR)) return;
  }
}

// The gid of group `name` in the group file (/etc/group format:
// name:password:gid:members). Read directly, never through getgrnam: in the
// static release binary getgrnam would follow nsswitch.conf and dlopen a
// shared NSS module, which loads a second libc into the process and crashes
// it (docs/release.md). Go's os/user does the same without cgo.
std::optional<gid_t> GroupIdFromFile(const char* file, const std::string& name) {
  std::FILE* f = std::fopen(file, "r");
  if (f == nullptr) return std::nullopt;
  std::optional<gid_t> out;
  char line[4096];
  while (!out && std::fgets(line, sizeof line, f) != nullptr) {
    std::string_view l(line);
    size_t first = l.find(':');
    if (first == std::string_view::npos || l.substr(0, first) != name) continue;
    size_t second = l.find(':', first + 1);
    if (second == std::string_view::npos) continue;
    size_t third = l.find(':', second + 1);
    std::string_view field = l.substr(second + 1, third - second - 1);
    uint32_t gid;
    if (absl::SimpleAtoi(absl::string_view(field.data(), field.size()), &gid))
      out = static_cast<gid_t>(gid);
  }
  std::fclose(f);
  return out;
}

void ApplySocketGroup(const std::string& path) {
  std::string group = Getenv("PLUGIN_UNIX_SOCKET_GROUP");
  if (group.empty()) return;
  gid_t gid;
  uint32_t numeric;
  if (absl::SimpleAtoi(group, &numeric)) {
    gid = numeric;
  } else {
    std::optional<gid_t> found = GroupIdFromFile("/etc/group", group);
    if (!found) {
      log::Warn(
          "PLUGIN_UNIX_SOCKET_GROUP names no group in /etc/group (give a numeric gid instead)",
          {{"group", group}});
      return;
    }
    gid = *found;
  }
  if (chown(path.c_str(), static_cast<uid_t>(-1), gid) != 0 || chmod(path.c_str(), 0660) != 0) {
    log::Warn("could not apply PLUGIN_UNIX_SOCKET_GROUP", {{"group", group}, {"socket", path}});
  }
}

// Returns once `parent`, the process that started the plugin, has exited.
//
// OpenTofu never tells a plugin that it is going away when it is killed
// itself: the connection just drops and the plugin is re-parented. Linux
// re-parents the orphan before it signals the parent's exit, so getppid()
// differing from the pid recorded at start is the test that decides. A
// pidfd on the parent wakes this up at the moment of the exit; where
// pidfd_open is unavailable (kernels before 5.3, seccomp filters), the
// periodic check of getppid() alone does the job. PR_SET_PDEATHSIG is no
// use: it fires when the parent *thread* that forked us exits, which in a
// Go parent happens while the process lives on.
void WaitForParentExit(pid_t parent) {
  // Also the bound on how long an orphan lingers without a pidfd.
  constexpr int kCheckIntervalMs = 500;
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, parent, 0));
  while (getppid() == parent) {
    if (pidfd < 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(kCheckIntervalMs));
      continue;
    }
    pollfd p = {pidfd, POLLIN, 0};
    if (poll(&p, 1, kCheckIntervalMs) > 0 && (p.revents & POLLIN) != 0) break;
  }
  if (pidfd >= 0) close(pidfd);
}

void WriteAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

// VmHWM of this process's address space, in KiB; -1 if unreadable.
int64_t PeakRssKb() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return -1;
  char line[256];
  int64_t kb = -1;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::strncmp(line, "VmHWM:", 6) == 0) {
      kb = std::strtoll(line + 6, nullptr, 10);
      break;
    }
  }
  std::fclose(f);
  return kb;
}

// The server's credentials: mTLS with a fresh certificate when the client
// sent its own (AutoMTLS), else insecure. `cert_der` is what the handshake
// line announces.
struct Credentials {
  std::shared_ptr<grpc::ServerCredentials> server;
  std::string cert_der;
};

absl::StatusOr<Credentials> MakeCredentials() {
  Credentials out;
  std::string client_cert = Getenv("PLUGIN_CLIENT_CERT");
  if (client_cert.empty()) {
    out.server = grpc::InsecureServerCredentials();
    return out;
  }
  absl::StatusOr<ServerCertificate> cert = GenerateServerCertificate();
  if (!cert.ok()) return cert.status();
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = client_cert;
  options.pem_key_cert_pairs.push_back({cert->key_pem, cert->cert_pem});
  out.server = grpc::SslServerCredentials(options);
  out.cert_der = std::move(cert->cert_der);
  return out;
}

// Builds and starts the gRPC server on `socket_path`; nullptr when it
// cannot listen.
std::unique_ptr<grpc::Server> StartServer(const std::string& socket_path,
                                          const Credentials& credentials,
                                          grpc::Service* provider_service,
                                          grpc::Service* controller_service) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(absl::StrCat("unix:", socket_path), credentials.server);
  builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
  builder.SetMaxSendMessageSize(kMaxMessageBytes);
  builder.RegisterService(provider_service);
  builder.RegisterService(controller_service);
  // bind(2) gives the socket 0777 minus the umask, so under umask 000 any
  // local user could connect. Narrow the umask while gRPC binds so the
  // socket is born 0600; ApplySocketGroup then widens it to 0660 for the
  // group go-plugin names. No other thread creates files meanwhile.
  mode_t saved_umask = umask(0177);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  umask(saved_umask);
  if (!server) return nullptr;
  ApplySocketGroup(socket_path);
  server->GetHealthCheckService()->SetServingStatus("plugin", true);
  return server;
}

// The two ways a shutdown is requested besides the Shutdown RPC: SIGTERM
// (blocked in every thread, waited for by one), and the client's exit.
void WatchForShutdown(ShutdownRequest* shutdown, sigset_t term_set, pid_t client_pid) {
  std::thread([shutdown, term_set] {
    int sig;
    if (sigwait(&term_set, &sig) == 0) {
      log::Info("SIGTERM received, shutting down");
      shutdown->Request();
    }
  }).detach();
  // A client killed mid-apply (SIGKILL, OOM) leaves us orphaned with
  // nobody to call Shutdown. Once it is gone, shut down as if it had asked:
  // Server::Shutdown waits for the call in flight, so an apply runs to its
  // end (each file is replaced atomically and the lock is released when
  // the apply returns), then the process exits instead of idling for ever.
  if (client_pid > 1) {
    std::thread([shutdown, client_pid] {
      WaitForParentExit(client_pid);
      log::Warn("the client process is gone; finishing the call in flight, then exiting",
                {{"client_pid", client_pid}});
      shutdown->Request();
    }).detach();
  }
}

// After a requested shutdown: stops the server and leaves the process.
[[noreturn]] void StopAndExit(grpc::Server* server, const std::string& socket_path) {
  // OpenTofu calls Shutdown only when no other call is in flight, and waits
  // at most 2 s for the exit. A short grace period lets the Shutdown reply
  // go out; then whatever is left (an idle client connection keeps a
  // graceful shutdown waiting) is cancelled.
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(100));
  unlink(socket_path.c_str());
  // The process's own peak memory, for benchmarks that must tell the
  // provider's share from OpenTofu's (bench/tofu_scale.sh reads it). Not
  // getrusage's ru_maxrss: Linux carries it across execve, and Go starts
  // plugins with a vfork-style clone, so it would report tofu's own RSS.
  log::Debug("plugin exiting", {{"peak_rss_kb", PeakRssKb()}});
  // Skip static destructors: gRPC's globals can block at exit, and OpenTofu
  // kills a provider that has not exited 2 s after Shutdown.
  std::fflush(nullptr);
  _exit(0);
}

// What a plugin process sets up before it serves: the cookie check, the
// logging, OpenSSL and the signals. nullopt (the reason written to stderr)
// when the process cannot serve.
struct PluginProcess {
  pid_t client_pid;
  sigset_t term_set;
};
std::optional<PluginProcess> BecomePlugin() {
  if (Getenv(std::string(kMagicCookieKey).c_str()) != kMagicCookieValue) {
    WriteAll(STDERR_FILENO, std::string(kNotAPluginMessage));
    return std::nullopt;
  }
  PluginProcess process{};
  // Recorded before anything else: the client is the process that started us.
  process.client_pid = getppid();
  log::InitFromEnvironment();
  if (!InitOpenSslWithoutConfig()) {
    log::Error("cannot initialise OpenSSL");
    WriteAll(STDERR_FILENO, "cannot initialise OpenSSL\n");
    return std::nullopt;
  }

  signal(SIGINT, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  // SIGTERM is handled by a thread of ours; block it before gRPC starts its
  // threads so they inherit the mask.
  sigemptyset(&process.term_set);
  sigaddset(&process.term_set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &process.term_set, nullptr);
  return process;
}

}  // namespace

int Serve(std::string_view provider_version) {
  return Serve(provider_version, [] {
    // The one place that decides which filesystem the resources use.
    return core::Provider(resources::AllResources(TestHookEnv()), resources::AllFunctions());
  });
}

int Serve(std::string_view provider_version, const ProviderAssembly& assemble) {
  const std::optional<PluginProcess> process = BecomePlugin();
  if (!process) return 1;

  int version = NegotiateProtocolVersion(Getenv("PLUGIN_PROTOCOL_VERSIONS"), kServerVersions);
  absl::StatusOr<Credentials> credentials = MakeCredentials();
  if (!credentials.ok()) {
    log::Error(std::string(credentials.status().message()));
    WriteAll(STDERR_FILENO, absl::StrCat(credentials.status().message(), "\n"));
    return 1;
  }

  const core::Provider provider = assemble();
  ProviderService provider_service(&provider);
  ShutdownRequest shutdown;
  ControllerService controller_service(&shutdown);

  const SocketDir socket_dir = ChooseSocketDir();
  std::string socket_path = SocketPathIn(socket_dir.path);
  std::unique_ptr<grpc::Server> server =
      StartServer(socket_path, *credentials, &provider_service, &controller_service);
  if (!server) {
    // OpenTofu drops a plugin's stderr unless TF_LOG is set; only the first
    // stdout line reaches the user. So the reason goes there, and the
    // process stays until the client has read it.
    std::string line = SocketFailureLine(socket_dir, socket_path);
    log::Error(line, {{"socket", socket_path}});
    WriteAll(STDOUT_FILENO, line + "\n");
    AwaitStdoutReader();
    return 1;
  }
  WatchForShutdown(&shutdown, process->term_set, process->client_pid);

  log::Info("plugin serving", {{"version", std::string(provider_version)},
                               {"socket", socket_path},
                               {"protocol_version", version},
                               {"tls", !credentials->cert_der.empty()}});
  // The handshake: besides SocketFailureLine, the only write to stdout.
  WriteAll(STDOUT_FILENO,
           FormatHandshakeLine(version, "unix", socket_path, credentials->cert_der) + "\n");

  shutdown.Wait();
  StopAndExit(server.get(), socket_path);
}

}  // namespace wildside::server
