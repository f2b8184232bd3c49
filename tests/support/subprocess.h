// Running child processes from tests: the plugin binary (read one stdout
// line, keep it running) and command-line tools such as tofu (run to
// completion, capture output).
#ifndef WILDSIDE_TESTS_SUPPORT_SUBPROCESS_H_
#define WILDSIDE_TESTS_SUPPORT_SUBPROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace wildside::testing {

struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal or on timeout
  bool timed_out = false;
  std::string out;
  std::string err;
};

// The current environment with `overrides` applied (an empty value removes
// the variable).
std::vector<std::string> EnvironmentWith(const std::map<std::string, std::string>& overrides);

// Runs argv[0] (searched on PATH) in `cwd` with `env`, stdin from /dev/null,
// and waits at most `timeout`.
CommandResult RunCommand(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                         const std::string& cwd, std::chrono::seconds timeout);

// A child whose stdout we read line by line and whose exit we wait for.
class ChildProcess {
 public:
  // Starts argv[0] (searched on PATH) with `env`, in `cwd` when not empty.
  ChildProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env,
               const std::string& cwd = "");
  ~ChildProcess();  // kills and reaps the child if still running

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // Reads one line from stdout (without the newline); nullopt on EOF/timeout.
  std::optional<std::string> ReadStdoutLine(std::chrono::milliseconds timeout);
  // Everything still readable on stdout within `timeout`.
  std::string DrainStdout(std::chrono::milliseconds timeout);
  // Closes this end of the child's stdout, as a client done reading does.
  void CloseStdout();
  // Waits for exit; returns the exit status, or nullopt on timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  // stderr collected so far (drained in Wait and ReadStdoutLine).
  const std::string& stderr_text();

 private:
  void PumpStderr();

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_buf_;
  std::string err_buf_;
  bool exited_ = false;
  int status_ = 0;
};

// Makes this process the reaper of orphaned descendants while it lives
// (PR_SET_CHILD_SUBREAPER), so a test can wait for a grandchild whose parent
// it killed.
class SubreaperScope {
 public:
  SubreaperScope();
  ~SubreaperScope();
  bool ok() const { return ok_; }

 private:
  bool ok_ = false;
};

// Waits for child `pid` to exit and reaps it: its exit status (-1 when
// killed by a signal), or nullopt while it still runs after `guard`, which
// only guards against a hang.
std::optional<int> WaitForChildExit(pid_t pid, std::chrono::seconds guard);

}  // namespace wildside::testing

#endif  // WILDSIDE_TESTS_SUPPORT_SUBPROCESS_H_
