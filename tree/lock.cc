#include "tree/lock.h"

#include "tree/internal/fs.h"

namespace wildside::tree {

absl::StatusOr<std::unique_ptr<CheckoutLock>> CheckoutLock::Acquire(
    std::string_view root, const TreeOptions& options) {
  Env* env = options.GetEnv();
  absl::StatusOr<internal::Fd> fd =
      internal::OpenRoot(env, root, /*create=*/false, options.dir_mode, nullptr);
  if (!fd.ok()) return fd.status();
  absl::Status s =
      internal::LockRoot(env, fd->get(), root, options.lock_timeout_ms);
  if (!s.ok()) return s;
  return std::unique_ptr<CheckoutLock>(new CheckoutLock(env, fd->Release()));
}

CheckoutLock::~CheckoutLock() { env_->Close(fd_); }

}  // namespace wildside::tree
