// FaultEnv: an Env that fails the Nth call of a chosen operation.
//
// Wraps another Env (normally Env::Default()) and counts calls per
// operation. Armed with FailNth(op, n, err), the n-th call of `op` counted
// from the arming returns -1 with errno = err and does nothing; every other
// call is forwarded. Tests run an apply once to learn how many writes,
// renames and syncs it makes, then re-run it failing each one in turn and
// check that every file holds its old or its new content.
//
// A hook can run before an operation (e.g. to swap a directory for a symlink
// mid-apply). Counters are atomic; arming is not meant to race with calls.
#ifndef WILDSIDE_TREE_TESTING_FAULT_ENV_H_
#define WILDSIDE_TREE_TESTING_FAULT_ENV_H_

#include <array>
#include <atomic>
#include <cerrno>
#include <functional>
#include <string_view>

#include "tree/env.h"

namespace wildside::tree {

enum class FaultOp {
  kOpen,
  kWrite,
  kSync,
  kRename,
  kUnlink,
  kMkdir,
  kChmod,
  kCount_,  // number of operations; not an operation
};

std::string_view FaultOpName(FaultOp op);

class FaultEnv : public EnvWrapper {
 public:
  explicit FaultEnv(Env* base = Env::Default());

  // Resets counters and arms a failure of the n-th (1-based) call of `op`.
  void FailNth(FaultOp op, int n, int err = EIO);
  // Disarms and resets counters.
  void Reset();
  // Calls of `op` since the last FailNth/Reset.
  int Count(FaultOp op) const;
  // True once the armed failure has been injected.
  bool Fired() const { return fired_.load(); }
  // Runs `hook` before every call of `op` (nullptr to clear).
  void SetHook(FaultOp op, std::function<void()> hook);

  int OpenAt(int dir_fd, const char* path, int flags, mode_t mode) override;
  ssize_t Write(int fd, const void* buf, size_t count) override;
  int Fsync(int fd) override;
  int SyncFs(int fd) override;  // counted as kSync
  int RenameAt(int old_dir_fd, const char* old_path, int new_dir_fd, const char* new_path) override;
  int UnlinkAt(int dir_fd, const char* path, int flags) override;
  int MkdirAt(int dir_fd, const char* path, mode_t mode) override;
  int Fchmod(int fd, mode_t mode) override;

 private:
  // True if this call of `op` must fail (errno is then set).
  bool Tick(FaultOp op);

  static constexpr size_t kOps = static_cast<size_t>(FaultOp::kCount_);
  std::array<std::atomic<int>, kOps> counts_{};
  std::array<std::function<void()>, kOps> hooks_{};
  std::atomic<int> fail_op_{-1};
  std::atomic<int> fail_n_{0};
  std::atomic<int> fail_errno_{EIO};
  std::atomic<bool> fired_{false};
};

}  // namespace wildside::tree

#endif  // WILDSIDE_TREE_TESTING_FAULT_ENV_H_
