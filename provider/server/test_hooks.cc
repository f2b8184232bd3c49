#include "provider/server/test_hooks.h"

#ifdef WILDSIDE_TEST_HOOKS

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "provider/log/logger.h"
#include "tree/testing/crash_env.h"

namespace wildside::server {
namespace {

// The fifo handshake described in the header. Failures only log: the test
// then sees no pid and fails on its own hang guard.
void PauseOnFifos(const std::string& dir, int call) {
  log::Info("test hooks: pausing before a mutating call", {{"call", call}});
  const std::string resume_path = dir + "/resume";
  const std::string paused_path = dir + "/paused";
  // Opened first, so the test cannot release us before we listen.
  int resume = ::open(resume_path.c_str(), O_RDONLY | O_CLOEXEC);
  int paused = ::open(paused_path.c_str(), O_WRONLY | O_CLOEXEC);
  if (resume < 0 || paused < 0) {
    log::Error("test hooks: cannot open the pause fifos", {{"dir", dir}});
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
  log::Info("test hooks: resuming", {{"call", call}});
}

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

tree::CrashEnv* MakeHookEnv() {
  bool present = false;
  const int crash_at = IntFromEnv("WILDSIDE_TEST_CRASH_AT", &present);
  const int pause_at = IntFromEnv("WILDSIDE_TEST_PAUSE_AT", &present);
  if (!present) return nullptr;
  const char* drop = std::getenv("WILDSIDE_TEST_CRASH_DROP_UNSYNCED");
  const char* dir = std::getenv("WILDSIDE_TEST_PAUSE_DIR");
  const bool drop_unsynced = drop != nullptr && std::string(drop) == "1";
  log::Warn("test hooks active",
            {{"crash_at", crash_at}, {"drop_unsynced", drop_unsynced}, {"pause_at", pause_at}});
  auto* env = new tree::CrashEnv();  // lives as long as the process
  env->CrashAt(crash_at, drop_unsynced);
  if (pause_at > 0) {
    env->PauseAt(pause_at, [dir = std::string(dir == nullptr ? "" : dir), pause_at] {
      PauseOnFifos(dir, pause_at);
    });
  }
  env->OnMutatingCall([](int n) { log::Info(absl::StrCat("test hooks: ", n, " mutating calls")); });
  return env;
}

}  // namespace

tree::Env* TestHookEnv() {
  static tree::Env* env = MakeHookEnv();
  return env;
}

}  // namespace wildside::server

#else  // !WILDSIDE_TEST_HOOKS

namespace wildside::server {

tree::Env* TestHookEnv() { return nullptr; }

}  // namespace wildside::server

#endif  // WILDSIDE_TEST_HOOKS
