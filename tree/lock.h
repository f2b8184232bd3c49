// CheckoutLock: the lock appliers take on a checkout.
//
// ApplyChangeSet, RenderGitopsTree and RemoveManagedFiles take
// flock(LOCK_EX) on the checkout root directory themselves. This class lets
// a caller hold the same lock across several calls of its own (e.g. a scan
// that must not race an apply), or a test simulate a concurrent applier.
// Do not call the locking functions above while holding a CheckoutLock on
// the same checkout from the same process: flock locks belong to open file
// descriptions, so that call would wait for the lock you hold.
#ifndef WILDSIDE_TREE_LOCK_H_
#define WILDSIDE_TREE_LOCK_H_

#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "tree/options.h"

namespace wildside::tree {

class CheckoutLock {
 public:
  // Locks existing checkout directory `root`, waiting up to
  // options.lock_timeout_ms. Errors: NotFound if `root` is missing;
  // Unavailable on timeout; other OS errors by errno.
  static absl::StatusOr<std::unique_ptr<CheckoutLock>> Acquire(
      std::string_view root, const TreeOptions& options);

  // Releases the lock.
  ~CheckoutLock();
  CheckoutLock(const CheckoutLock&) = delete;
  CheckoutLock& operator=(const CheckoutLock&) = delete;

 private:
  CheckoutLock(Env* env, int fd) : env_(env), fd_(fd) {}
  Env* env_;
  int fd_;
};

}  // namespace wildside::tree

#endif  // WILDSIDE_TREE_LOCK_H_
