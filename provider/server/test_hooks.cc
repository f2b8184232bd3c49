#include "provider/resources/test_hooks.h"

#ifdef WILDSIDE_TEST_HOOKS

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <mutex>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "provider/log/logger.h"
#include "tree/testing/crash_env.h"

namespace wildside::resources {
namespace {

// Same rule as CrashEnv: an open that may create or write is mutating.
bool MayMutate(int flags) {
  return (flags & (O_CREAT | O_TRUNC)) != 0 || (flags & O_ACCMODE) != O_RDONLY;
}

// A CrashEnv behind a mutex, plus the pause at the N-th mutating call.
class HookEnv final : public tree::EnvWrapper {
 public:
  HookEnv(int crash_at, bool drop_unsynced, int pause_at, std::string dir)
      : EnvWrapper(&crash_), pause_at_(pause_at), dir_(std::move(dir)) {
    crash_.CrashAt(crash_at, drop_unsynced);
  }

  int MutatingCalls() {
    std::lock_guard<std::mutex> lock(mu_);
    return crash_.MutatingCalls();
  }

  int OpenAt(int dir_fd, const char* path, int flags, mode_t mode) override {
    if (!MayMutate(flags)) return EnvWrapper::OpenAt(dir_fd, path, flags, mode);
    std::lock_guard<std::mutex> lock(mu_);
    BeforeMutatingCall();
    return EnvWrapper::OpenAt(dir_fd, path, flags, mode);
  }
  ssize_t Write(int fd, const void* buf, size_t count) override {
    std::lock_guard<std::mutex> lock(mu_);
    BeforeMutatingCall();
    return EnvWrapper::Write(fd, buf, count);
  }
  int Fsync(int fd) override {
    std::lock_guard<std::mutex> lock(mu_);
    BeforeMutatingCall();
    return EnvWrapper::Fsync(fd);
  }
  int SyncFs(int fd) override {
    std::lock_guard<std::mutex> lock(mu_);
    BeforeMutatingCall();
    return EnvWrapper::SyncFs(fd);
  }
  int Fchmod(int fd, mode_t mode) override {
    std::lock_guard<std::mutex> lock(mu_);
    BeforeMutatingCall();
    return EnvWrapper::Fchmod(fd, mode);
  }
  int MkdirAt(int dir_fd, const char* path, mode_t mode) override {
    std::lock_guard<std::mutex> lock(mu_);
    BeforeMutatingCall();
    return EnvWrapper::MkdirAt(dir_fd, path, mode);
  }
  int UnlinkAt(int dir_fd, const char* path, int flags) override {
    std::lock_guard<std::mutex> lock(mu_);
    BeforeMutatingCall();
    return EnvWrapper::UnlinkAt(dir_fd, path, flags);
  }
  int RenameAt(int old_dir_fd, const char* old_path, int new_dir_fd, const char* new_path) override {
    std::lock_guard<std::mutex> lock(mu_);
    BeforeMutatingCall();
    return EnvWrapper::RenameAt(old_dir_fd, old_path, new_dir_fd, new_path);
  }
  int Flock(int fd, int operation) override {
    std::lock_guard<std::mutex> lock(mu_);
    BeforeMutatingCall();
    return EnvWrapper::Flock(fd, operation);
  }

 private:
  void BeforeMutatingCall() {
    if (pause_at_ > 0 && crash_.MutatingCalls() + 1 == pause_at_) Pause();
  }

  // The fifo handshake described in the header. Failures only log: the
  // test then sees no pid and fails on its own hang guard.
  void Pause() {
    log::Info("test hooks: pausing before a mutating call", {{"call", pause_at_}});
    const std::string resume_path = dir_ + "/resume";
    const std::string paused_path = dir_ + "/paused";
    // Opened first, so the test cannot release us before we listen.
    int resume = ::open(resume_path.c_str(), O_RDONLY | O_CLOEXEC);
    int paused = ::open(paused_path.c_str(), O_WRONLY | O_CLOEXEC);
    if (resume < 0 || paused < 0) {
      log::Error("test hooks: cannot open the pause fifos", {{"dir", dir_}});
    } else {
      std::string pid = absl::StrCat(getpid(), "\n");
      (void)::write(paused, pid.data(), pid.size());
      ::close(paused);
      paused = -1;
      char buf[64];
      while (::read(resume, buf, sizeof buf) > 0) {
      }
    }
    if (resume >= 0) ::close(resume);
    if (paused >= 0) ::close(paused);
    log::Info("test hooks: resuming", {{"call", pause_at_}});
  }

  std::mutex mu_;
  tree::CrashEnv crash_;
  const int pause_at_;
  const std::string dir_;
};

int IntFromEnv(const char* name, bool* present) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return 0;
  int n = 0;
  if (!absl::SimpleAtoi(v, &n) || n < 0) {
    log::Error("test hooks: not a count, ignored", {{"variable", name}, {"value", v}});
    return 0;
  }
  *present = true;
  return n;
}

HookEnv* Hooks() {
  static HookEnv* hooks = []() -> HookEnv* {
    bool present = false;
    int crash_at = IntFromEnv("WILDSIDE_TEST_CRASH_AT", &present);
    int pause_at = IntFromEnv("WILDSIDE_TEST_PAUSE_AT", &present);
    if (!present) return nullptr;
    const char* drop = std::getenv("WILDSIDE_TEST_CRASH_DROP_UNSYNCED");
    const char* dir = std::getenv("WILDSIDE_TEST_PAUSE_DIR");
    bool drop_unsynced = drop != nullptr && std::string(drop) == "1";
    log::Warn("test hooks active", {{"crash_at", crash_at},
                                    {"drop_unsynced", drop_unsynced},
                                    {"pause_at", pause_at}});
    return new HookEnv(crash_at, drop_unsynced, pause_at, dir == nullptr ? "" : dir);
  }();
  return hooks;
}

}  // namespace

tree::Env* TestHookEnv() { return Hooks(); }

void LogTestHookCalls() {
  if (HookEnv* hooks = Hooks()) {
    log::Info(absl::StrCat("test hooks: ", hooks->MutatingCalls(), " mutating calls"));
  }
}

}  // namespace wildside::resources

#else  // !WILDSIDE_TEST_HOOKS

namespace wildside::resources {

tree::Env* TestHookEnv() { return nullptr; }
void LogTestHookCalls() {}

}  // namespace wildside::resources

#endif  // WILDSIDE_TEST_HOOKS
