#include "tree/testing/fault_env.h"

namespace wildside::tree {

std::string_view FaultOpName(FaultOp op) {
  switch (op) {
    case FaultOp::kOpen:
      return "open";
    case FaultOp::kWrite:
      return "write";
    case FaultOp::kSync:
      return "sync";
    case FaultOp::kRename:
      return "rename";
    case FaultOp::kUnlink:
      return "unlink";
    case FaultOp::kMkdir:
      return "mkdir";
    case FaultOp::kChmod:
      return "chmod";
    case FaultOp::kCount_:
      break;
  }
  return "?";
}

FaultEnv::FaultEnv(Env* base) : EnvWrapper(base) {}

void FaultEnv::Reset() {
  for (auto& c : counts_) c.store(0);
  fail_op_.store(-1);
  fail_n_.store(0);
  fired_.store(false);
}

void FaultEnv::FailNth(FaultOp op, int n, int err) {
  Reset();
  fail_errno_.store(err);
  fail_n_.store(n);
  fail_op_.store(static_cast<int>(op));
}

int FaultEnv::Count(FaultOp op) const { return counts_[static_cast<size_t>(op)].load(); }

void FaultEnv::SetHook(FaultOp op, std::function<void()> hook) {
  hooks_[static_cast<size_t>(op)] = std::move(hook);
}

bool FaultEnv::Tick(FaultOp op) {
  size_t i = static_cast<size_t>(op);
  if (hooks_[i]) hooks_[i]();
  int n = ++counts_[i];
  if (fail_op_.load() == static_cast<int>(op) && n == fail_n_.load()) {
    fired_.store(true);
    errno = fail_errno_.load();
    return true;
  }
  return false;
}

int FaultEnv::OpenAt(int dir_fd, const char* path, int flags, mode_t mode) {
  if (Tick(FaultOp::kOpen)) return -1;
  return EnvWrapper::OpenAt(dir_fd, path, flags, mode);
}
ssize_t FaultEnv::Write(int fd, const void* buf, size_t count) {
  if (Tick(FaultOp::kWrite)) return -1;
  return EnvWrapper::Write(fd, buf, count);
}
int FaultEnv::Fsync(int fd) {
  if (Tick(FaultOp::kSync)) return -1;
  return EnvWrapper::Fsync(fd);
}
int FaultEnv::SyncFs(int fd) {
  if (Tick(FaultOp::kSync)) return -1;
  return EnvWrapper::SyncFs(fd);
}
int FaultEnv::RenameAt(int old_dir_fd, const char* old_path, int new_dir_fd, const char* new_path) {
  if (Tick(FaultOp::kRename)) return -1;
  return EnvWrapper::RenameAt(old_dir_fd, old_path, new_dir_fd, new_path);
}
int FaultEnv::UnlinkAt(int dir_fd, const char* path, int flags) {
  if (Tick(FaultOp::kUnlink)) return -1;
  return EnvWrapper::UnlinkAt(dir_fd, path, flags);
}
int FaultEnv::MkdirAt(int dir_fd, const char* path, mode_t mode) {
  if (Tick(FaultOp::kMkdir)) return -1;
  return EnvWrapper::MkdirAt(dir_fd, path, mode);
}
int FaultEnv::Fchmod(int fd, mode_t mode) {
  if (Tick(FaultOp::kChmod)) return -1;
  return EnvWrapper::Fchmod(fd, mode);
}

}  // namespace wildside::tree
