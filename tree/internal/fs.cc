#include "tree/internal/fs.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/cord.h"
#include "tree/internal/escape.h"
#include "tree/internal/paths.h"
#include "tree/strings.h"

namespace wildside::tree::internal {

namespace {
constexpr char kErrorPathPayload[] = "type.wildside.dev/tree.ErrorPath";
constexpr char kUnfollowedEntryPayload[] = "type.wildside.dev/tree.UnfollowedEntry";

absl::Status StatusFor(const std::string& message, int err) {
  switch (err) {
    case ELOOP:
    case ENOTDIR:
      return absl::FailedPreconditionError(message);
    case EIO:
      return absl::InternalError(message);
    default:
      return absl::Status(absl::ErrnoToStatusCode(err), message);
  }
}
}  // namespace

absl::Status OsError(std::string_view where, std::string_view what, int err) {
  absl::Status s = StatusFor(StrCat(EscapeText(where), ": ", what, ": ", std::strerror(err)), err);
  s.SetPayload(kErrorPathPayload, absl::Cord(absl::string_view(where.data(), where.size())));
  return s;
}

std::optional<std::string> ErrorPath(const absl::Status& status) {
  // An absl::optional: Debian 12's abseil does not alias it to std::optional.
  auto p = status.GetPayload(kErrorPathPayload);
  if (!p.has_value()) return std::nullopt;
  return std::string(*p);
}

absl::Status UnfollowedError(std::string_view path, bool is_symlink) {
  absl::Status s = absl::FailedPreconditionError(
      StrCat(EscapeText(path), ": ", is_symlink ? "symbolic link" : "special file",
             " inside an owned root: the engine never follows or opens it, so it "
             "cannot manage what is there; remove it"));
  s.SetPayload(kUnfollowedEntryPayload, absl::Cord(absl::string_view(path.data(), path.size())));
  return s;
}

bool IsUnfollowedError(const absl::Status& status) {
  return status.GetPayload(kUnfollowedEntryPayload).has_value();
}

namespace {

absl::Status MakeDirs(Env* env, const std::string& path, uint32_t dir_mode, uint64_t* dirs_created,
                      int depth) {
  if (depth > 2048) {
    return absl::InvalidArgumentError(StrCat(path, ": cannot create checkout directory: too deep"));
  }
  if (env->MkdirAt(AT_FDCWD, path.c_str(), dir_mode) != 0) {
    int err = errno;
    if (err == EEXIST) return absl::OkStatus();
    if (err != ENOENT) {
      return OsError(path, "cannot create checkout directory", err);
    }
    size_t slash = path.find_last_of('/');
    if (slash == std::string::npos || slash == 0) {
      return OsError(path, "cannot create checkout directory", err);
    }
    absl::Status s = MakeDirs(env, path.substr(0, slash), dir_mode, dirs_created, depth + 1);
    if (!s.ok()) return s;
    if (env->MkdirAt(AT_FDCWD, path.c_str(), dir_mode) != 0) {
      err = errno;
      if (err == EEXIST) return absl::OkStatus();
      return OsError(path, "cannot create checkout directory", err);
    }
  }
  if (dirs_created != nullptr) ++*dirs_created;
  // mkdir applies the umask; set the requested bits explicitly.
  int fd = env->OpenAt(AT_FDCWD, path.c_str(), O_RDONLY | O_DIRECTORY, 0);
  if (fd < 0) return OsError(path, "cannot open created directory", errno);
  Fd guard(env, fd);
  if (env->Fchmod(fd, dir_mode) != 0) {
    return OsError(path, "cannot set directory mode", errno);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Fd> OpenRoot(Env* env, std::string_view root, bool create, uint32_t dir_mode,
                            uint64_t* dirs_created) {
  std::string path(root);
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  if (path.empty()) {
    return absl::InvalidArgumentError("checkout root: empty path");
  }
  if (path.find('\0') != std::string::npos) {
    return absl::InvalidArgumentError("checkout root: path contains NUL");
  }
  int fd = env->OpenAt(AT_FDCWD, path.c_str(), O_RDONLY | O_DIRECTORY, 0);
  if (fd >= 0) return Fd(env, fd);
  int err = errno;
  if (err != ENOENT || !create) {
    return OsError(path, "cannot open checkout directory", err);
  }
  absl::Status s = MakeDirs(env, path, dir_mode, dirs_created, 0);
  if (!s.ok()) return s;
  fd = env->OpenAt(AT_FDCWD, path.c_str(), O_RDONLY | O_DIRECTORY, 0);
  if (fd < 0) return OsError(path, "cannot open checkout directory", errno);
  return Fd(env, fd);
}

absl::Status LockRoot(Env* env, int root_fd, std::string_view root, int64_t timeout_ms) {
  constexpr int64_t kPollMicros = 20000;
  int64_t waited_micros = 0;
  for (;;) {
    if (env->Flock(root_fd, LOCK_EX | LOCK_NB) == 0) return absl::OkStatus();
    int err = errno;
    if (err != EWOULDBLOCK) {
      return OsError(root, "cannot lock checkout directory", err);
    }
    if (waited_micros >= timeout_ms * 1000) {
      return absl::UnavailableError(
          StrCat(root,
                 ": checkout is locked: another apply holds the lock on this "
                 "directory (flock); gave up after ",
                 timeout_ms, " ms"));
    }
    env->SleepForMicroseconds(kPollMicros);
    waited_micros += kPollMicros;
  }
}

absl::Status WriteAll(Env* env, int fd, std::string_view data, std::string_view where) {
  // Bounded chunks keep a single write call reasonable for huge files.
  constexpr size_t kChunk = size_t{8} << 20;
  while (!data.empty()) {
    ssize_t n = env->Write(fd, data.data(), std::min(data.size(), kChunk));
    if (n < 0) return OsError(where, "write failed", errno);
    if (n == 0) return OsError(where, "write failed", EIO);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

DirCache::DirCache(Env* env, int root_fd, uint32_t dir_mode)
    : env_(env), root_fd_(root_fd), dir_mode_(dir_mode) {}

DirCache::~DirCache() {
  for (auto& [path, fd] : fds_) env_->Close(fd);
}

absl::StatusOr<int> DirCache::Open(std::string_view rel, bool create,
                                   std::vector<std::string>* created) {
  if (rel.empty()) return root_fd_;
  if (auto it = fds_.find(rel); it != fds_.end()) return it->second;
  // Keep well below the usual 1024 descriptor limit.
  if (fds_.size() >= 256) {
    absl::Status s = EvictAll();
    if (!s.ok()) return s;
  }
  return OpenUncached(rel, create, created);
}

absl::StatusOr<int> DirCache::OpenUncached(std::string_view rel, bool create,
                                           std::vector<std::string>* created) {
  if (rel.empty()) return root_fd_;
  if (auto it = fds_.find(rel); it != fds_.end()) return it->second;
  std::string_view parent_rel = ParentPath(rel);
  absl::StatusOr<int> parent = OpenUncached(parent_rel, create, created);
  if (!parent.ok()) return parent.status();
  std::string base(BaseName(rel));
  const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW;
  int fd = env_->OpenAt(*parent, base.c_str(), flags, 0);
  if (fd < 0 && errno == ENOENT && create) {
    if (env_->MkdirAt(*parent, base.c_str(), dir_mode_) != 0 && errno != EEXIST) {
      return OsError(rel, "cannot create directory", errno);
    }
    fd = env_->OpenAt(*parent, base.c_str(), flags, 0);
    if (fd < 0) return OsError(rel, "cannot open created directory", errno);
    if (env_->Fchmod(fd, dir_mode_) != 0) {
      int err = errno;
      env_->Close(fd);
      return OsError(rel, "cannot set directory mode", err);
    }
    if (created != nullptr) created->emplace_back(rel);
    MarkDirty(parent_rel);
  } else if (fd < 0) {
    int err = errno;
    // With O_DIRECTORY, Linux reports a symlink as ENOTDIR rather than
    // ELOOP; lstat to name the obstacle precisely.
    struct stat st;
    if (err == ELOOP ||
        (err == ENOTDIR && env_->FstatAt(*parent, base.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
         S_ISLNK(st.st_mode))) {
      return absl::FailedPreconditionError(
          StrCat(rel,
                 ": is a symbolic link: the engine never follows links below "
                 "the checkout root"));
    }
    if (err == ENOTDIR) {
      return absl::FailedPreconditionError(
          StrCat(rel, ": is not a directory: expected a directory here"));
    }
    return OsError(rel, "cannot open directory", err);
  }
  fds_.emplace(std::string(rel), fd);
  return fd;
}

void DirCache::MarkDirty(std::string_view rel) { dirty_.emplace(rel); }

void DirCache::Forget(std::string_view rel) {
  // A removed directory takes its cached descendants with it.
  auto drop = [this](std::map<std::string, int, std::less<>>::iterator it) {
    env_->Close(it->second);
    dirty_.erase(it->first);
    return fds_.erase(it);
  };
  if (auto it = fds_.find(rel); it != fds_.end()) drop(it);
  dirty_.erase(std::string(rel));
  std::string prefix = StrCat(rel, "/");
  for (auto it = fds_.lower_bound(prefix);
       it != fds_.end() && it->first.compare(0, prefix.size(), prefix) == 0;) {
    it = drop(it);
  }
}

absl::Status DirCache::SyncDirty() {
  std::set<std::string, std::less<>> dirty;
  dirty.swap(dirty_);
  absl::Status first;
  for (const std::string& rel : dirty) {
    if (fds_.size() >= 256) {
      for (auto& [path, fd] : fds_) env_->Close(fd);
      fds_.clear();
    }
    absl::StatusOr<int> fd = OpenUncached(rel, false, nullptr);
    if (!fd.ok()) {
      // Removed since it was marked (e.g. pruned empty): nothing to sync.
      if (absl::IsNotFound(fd.status())) continue;
      if (first.ok()) first = fd.status();
      continue;
    }
    if (env_->Fsync(*fd) != 0 && first.ok()) {
      first = OsError(rel.empty() ? "." : rel, "directory fsync failed", errno);
    }
  }
  return first;
}

absl::Status DirCache::EvictAll() {
  absl::Status s = SyncDirty();
  for (auto& [path, fd] : fds_) env_->Close(fd);
  fds_.clear();
  return s;
}

}  // namespace wildside::tree::internal
