// Filesystem helpers shared by scan, apply and remove. Internal to tree/.
//
// This is the one place where errno becomes an absl::Status. Every message
// reads "<path>: <what>: <why>" with the repo-relative path (or the checkout
// root for the root itself).
//
// Everything below the checkout root is reached with openat(2) from a
// directory descriptor, one segment at a time, with O_NOFOLLOW: a symlink
// swapped in anywhere on the way makes the call fail (ELOOP) instead of
// redirecting it outside the checkout.
#ifndef WILDSIDE_TREE_INTERNAL_FS_H_
#define WILDSIDE_TREE_INTERNAL_FS_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tree/env.h"

namespace wildside::tree::internal {

// "<where>: <what>: <strerror>" with a code chosen by meaning: ELOOP and
// ENOTDIR (a symlink or file where a directory must be) are
// FailedPrecondition; the rest follow absl::ErrnoToStatus, except
// EIO, which is Internal rather than the generic Unknown.
// The status carries `where` as a payload (ErrorPath reads it back), so a
// caller can tell which file failed without parsing the message.
absl::Status OsError(std::string_view where, std::string_view what, int err);

// The `where` of an OsError, if `status` is one.
std::optional<std::string> ErrorPath(const absl::Status& status);

// The error for a symlink (`is_symlink`) or a fifo, socket or device met at
// `path` inside an owned root, which the engine never follows or opens:
// FailedPrecondition naming the path. The message does not say how to
// have the entry pruned instead: that depends on the caller (a CLI flag,
// or nothing at all), which recognises this error by IsUnfollowedError
// (tree::IsUnfollowedEntry) and adds its own hint.
absl::Status UnfollowedError(std::string_view path, bool is_symlink);
bool IsUnfollowedError(const absl::Status& status);

// Owns a file descriptor and closes it through the Env.
class Fd {
 public:
  Fd() = default;
  Fd(Env* env, int fd) : env_(env), fd_(fd) {}
  Fd(Fd&& o) noexcept : env_(o.env_), fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      Reset();
      env_ = o.env_;
      fd_ = o.fd_;
      o.fd_ = -1;
    }
    return *this;
  }
  ~Fd() { Reset(); }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Gives up ownership without closing.
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void Reset() {
    if (fd_ >= 0) env_->Close(fd_);
    fd_ = -1;
  }

 private:
  Env* env_ = nullptr;
  int fd_ = -1;
};

// Opens the checkout root directory (following symlinks in the root path
// itself: that path is the caller's choice). With `create`, missing
// directories are made like `mkdir -p`, each fchmod'ed to `dir_mode`, and
// counted in *dirs_created. NotFound if missing and !create.
absl::StatusOr<Fd> OpenRoot(Env* env, std::string_view root, bool create, uint32_t dir_mode,
                            uint64_t* dirs_created);

// Takes flock(LOCK_EX) on the root directory descriptor, polling every 20 ms
// for up to `timeout_ms`; Unavailable naming the checkout on timeout. The
// lock dies with the descriptor, so nothing is ever left in the tree.
absl::Status LockRoot(Env* env, int root_fd, std::string_view root, int64_t timeout_ms);

// Writes all of `data`, looping over short writes.
absl::Status WriteAll(Env* env, int fd, std::string_view data, std::string_view where);

// Directory descriptors below a root, opened one segment at a time with
// O_NOFOLLOW and cached, so applying 10,000 files does not re-walk every
// path. Directories that received new entries, renames or unlinks are
// marked dirty and fsynced by SyncDirty (or when evicted), which is what
// makes a rename or unlink durable.
class DirCache {
 public:
  DirCache(Env* env, int root_fd, uint32_t dir_mode);
  ~DirCache();
  DirCache(const DirCache&) = delete;
  DirCache& operator=(const DirCache&) = delete;

  // Descriptor of directory `rel` ("" is the root). Valid until the next
  // Open/Forget call. With `create`, missing directories are created with
  // dir_mode (fchmod'ed) and their paths appended to *created.
  // NotFound if missing and !create; FailedPrecondition on a symlink or a
  // non-directory on the way.
  absl::StatusOr<int> Open(std::string_view rel, bool create, std::vector<std::string>* created);
  void MarkDirty(std::string_view rel);
  // Drops a cached descriptor (after the directory was removed).
  void Forget(std::string_view rel);
  // fsyncs every dirty directory.
  absl::Status SyncDirty();
  // Forgets the dirty set, for a caller that made everything durable with
  // one syncfs instead.
  void ClearDirty() { dirty_.clear(); }

 private:
  absl::StatusOr<int> OpenUncached(std::string_view rel, bool create,
                                   std::vector<std::string>* created);
  absl::Status EvictAll();

  Env* env_;
  int root_fd_;
  uint32_t dir_mode_;
  std::map<std::string, int, std::less<>> fds_;
  std::set<std::string, std::less<>> dirty_;
};

}  // namespace wildside::tree::internal

#endif  // WILDSIDE_TREE_INTERNAL_FS_H_
