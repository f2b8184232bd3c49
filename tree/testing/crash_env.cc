#include "tree/testing/crash_env.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace wildside::tree {
namespace {

// Undo uses the raw system calls: it must work whatever the wrapped Env
// does, and it runs at the crash point, after which nothing else runs.
void RemoveAllAt(int dir_fd, const std::string& name) {
  int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  if (fd < 0) {
    ::unlinkat(dir_fd, name.c_str(), 0);
    return;
  }
  std::vector<DirEntry> entries;
  Env::Default()->ReadDir(fd, &entries);
  for (const DirEntry& e : entries) RemoveAllAt(fd, e.name);
  ::close(fd);
  ::unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR);
}

// Recreates `name` in `dir_fd` with the content of `from_fd` and `mode`.
void RestoreFileAt(int dir_fd, const std::string& name, int from_fd, mode_t mode) {
  int out = ::openat(dir_fd, name.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
  if (out < 0) return;
  char buf[65536];
  off_t off = 0;
  for (;;) {
    ssize_t n = ::pread(from_fd, buf, sizeof buf, off);
    if (n <= 0) break;
    ssize_t done = 0;
    while (done < n) {
      ssize_t w = ::write(out, buf + done, static_cast<size_t>(n - done));
      if (w <= 0) break;
      done += w;
    }
    off += n;
  }
  ::fchmod(out, mode & 07777);
  ::close(out);
}

bool MayMutate(int flags) {
  return (flags & (O_CREAT | O_TRUNC)) != 0 || (flags & O_ACCMODE) != O_RDONLY;
}

}  // namespace

CrashEnv::CrashEnv(Env* base) : EnvWrapper(base) {}

CrashEnv::~CrashEnv() { CloseJournal(); }

void CrashEnv::CloseFds(Undo& u) {
  for (int fd : {u.fd, u.dir_fd, u.src_dir_fd}) {
    if (fd >= 0) ::close(fd);
  }
}

void CrashEnv::CloseJournal() {
  for (Undo& u : journal_) CloseFds(u);
  journal_.clear();
}

void CrashEnv::CrashAt(int n, bool drop_unsynced) {
  std::lock_guard<std::mutex> lock(mu_);
  CloseJournal();
  calls_ = 0;
  crash_at_ = n;
  drop_unsynced_ = drop_unsynced;
}

void CrashEnv::PauseAt(int n, std::function<void()> pause) {
  std::lock_guard<std::mutex> lock(mu_);
  pause_at_ = pause ? n : 0;
  pause_ = pause_at_ > 0 ? std::move(pause) : nullptr;
}

void CrashEnv::OnMutatingCall(std::function<void(int)> each) {
  std::lock_guard<std::mutex> lock(mu_);
  each_ = std::move(each);
}

void CrashEnv::Tick() {
  const int n = calls_.load() + 1;
  if (pause_at_ > 0 && n == pause_at_) {
    std::function<void()> pause = std::move(pause_);  // once
    pause_ = nullptr;
    pause_at_ = 0;
    pause();
  }
  calls_.store(n);
  if (each_) each_(n);
  if (crash_at_ > 0 && n == crash_at_) {
    if (drop_unsynced_) DropUnsyncedLocked();
    ::raise(SIGKILL);
    ::_exit(99);  // not reached
  }
}

CrashEnv::InodeKey CrashEnv::KeyOf(int fd) const {
  struct stat st;
  if (::fstat(fd, &st) != 0) return {};
  return InodeKey{st.st_dev, st.st_ino};
}

void CrashEnv::Forget(const InodeKey& key, bool entries, bool data) {
  std::vector<Undo> kept;
  kept.reserve(journal_.size());
  for (Undo& u : journal_) {
    bool is_data = u.kind == UndoKind::kData || u.kind == UndoKind::kChmod;
    if (u.key == key && ((is_data && data) || (!is_data && entries))) {
      CloseFds(u);
      continue;
    }
    kept.push_back(std::move(u));
  }
  journal_.swap(kept);
}

void CrashEnv::Undo1(Undo& u) {
  switch (u.kind) {
    case UndoKind::kData:
      (void)::ftruncate(u.fd, u.size);
      break;
    case UndoKind::kChmod:
      ::fchmod(u.fd, u.mode);
      break;
    case UndoKind::kCreate:
      ::unlinkat(u.dir_fd, u.name.c_str(), 0);
      break;
    case UndoKind::kRename:
      ::renameat(u.dir_fd, u.name.c_str(), u.src_dir_fd, u.src_name.c_str());
      if (u.fd >= 0) RestoreFileAt(u.dir_fd, u.name, u.fd, u.mode);
      break;
    case UndoKind::kUnlink:
      if (u.symlink) {
        ::symlinkat(u.link_target.c_str(), u.dir_fd, u.name.c_str());
      } else if (u.fd >= 0) {
        RestoreFileAt(u.dir_fd, u.name, u.fd, u.mode);
      }
      break;
    case UndoKind::kMkdir:
      RemoveAllAt(u.dir_fd, u.name);
      break;
    case UndoKind::kRmdir:
      ::mkdirat(u.dir_fd, u.name.c_str(), u.mode & 07777);
      break;
  }
}

void CrashEnv::DropUnsynced() {
  std::lock_guard<std::mutex> lock(mu_);
  DropUnsyncedLocked();
}

void CrashEnv::DropUnsyncedLocked() {
  for (auto it = journal_.rbegin(); it != journal_.rend(); ++it) Undo1(*it);
  CloseJournal();
}

int CrashEnv::OpenAt(int dir_fd, const char* path, int flags, mode_t mode) {
  if (!MayMutate(flags)) return EnvWrapper::OpenAt(dir_fd, path, flags, mode);
  std::lock_guard<std::mutex> lock(mu_);
  Tick();
  bool existed = true;
  if (tracking() && (flags & O_CREAT) != 0) {
    struct stat st;
    existed = ::fstatat(dir_fd, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
    if (existed && (flags & O_TRUNC) != 0) {
      // Truncating an existing file is not something the engine does; the
      // journal would need the old content. Refuse loudly rather than model
      // it wrongly.
      std::fprintf(stderr, "CrashEnv: O_TRUNC of an existing file is not modelled\n");
      std::abort();
    }
  }
  int fd = EnvWrapper::OpenAt(dir_fd, path, flags, mode);
  if (fd >= 0 && tracking() && !existed) {
    Undo u{UndoKind::kCreate, KeyOf(dir_fd)};
    u.dir_fd = ::dup(dir_fd);
    u.name = path;
    journal_.push_back(std::move(u));
  }
  return fd;
}

ssize_t CrashEnv::Write(int fd, const void* buf, size_t count) {
  std::lock_guard<std::mutex> lock(mu_);
  Tick();
  if (tracking()) {
    InodeKey key = KeyOf(fd);
    bool pending = false;
    for (const Undo& u : journal_) {
      if (u.kind == UndoKind::kData && u.key == key) pending = true;
    }
    if (!pending) {
      struct stat st;
      Undo u{UndoKind::kData, key};
      u.fd = ::dup(fd);
      u.size = ::fstat(fd, &st) == 0 ? st.st_size : 0;
      journal_.push_back(std::move(u));
    }
  }
  return EnvWrapper::Write(fd, buf, count);
}

int CrashEnv::Fsync(int fd) {
  std::lock_guard<std::mutex> lock(mu_);
  Tick();
  int rc = EnvWrapper::Fsync(fd);
  if (rc == 0 && tracking()) {
    // fsync of a file makes its data and mode durable; of a directory, its
    // entries and its mode.
    Forget(KeyOf(fd), /*entries=*/true, /*data=*/true);
  }
  return rc;
}

int CrashEnv::SyncFs(int fd) {
  std::lock_guard<std::mutex> lock(mu_);
  Tick();
  int rc = EnvWrapper::SyncFs(fd);
  if (rc == 0 && tracking()) CloseJournal();
  return rc;
}

int CrashEnv::Fchmod(int fd, mode_t mode) {
  std::lock_guard<std::mutex> lock(mu_);
  Tick();
  if (tracking()) {
    struct stat st;
    if (::fstat(fd, &st) == 0) {
      Undo u{UndoKind::kChmod, InodeKey{st.st_dev, st.st_ino}};
      u.fd = ::dup(fd);
      u.mode = st.st_mode & 07777;
      journal_.push_back(std::move(u));
    }
  }
  return EnvWrapper::Fchmod(fd, mode);
}

int CrashEnv::MkdirAt(int dir_fd, const char* path, mode_t mode) {
  std::lock_guard<std::mutex> lock(mu_);
  Tick();
  int rc = EnvWrapper::MkdirAt(dir_fd, path, mode);
  if (rc == 0 && tracking()) {
    Undo u{UndoKind::kMkdir, KeyOf(dir_fd)};
    u.dir_fd = ::dup(dir_fd);
    u.name = path;
    journal_.push_back(std::move(u));
  }
  return rc;
}

int CrashEnv::UnlinkAt(int dir_fd, const char* path, int flags) {
  std::lock_guard<std::mutex> lock(mu_);
  Tick();
  if (!tracking()) return EnvWrapper::UnlinkAt(dir_fd, path, flags);
  Undo u{(flags & AT_REMOVEDIR) != 0 ? UndoKind::kRmdir : UndoKind::kUnlink, KeyOf(dir_fd)};
  struct stat st;
  if (::fstatat(dir_fd, path, &st, AT_SYMLINK_NOFOLLOW) == 0) {
    u.mode = st.st_mode & 07777;
    if (S_ISLNK(st.st_mode)) {
      char target[4096];
      ssize_t n = ::readlinkat(dir_fd, path, target, sizeof target);
      if (n >= 0) {
        u.symlink = true;
        u.link_target.assign(target, static_cast<size_t>(n));
      }
    } else if (S_ISREG(st.st_mode)) {
      u.fd = ::openat(dir_fd, path, O_RDONLY | O_NOFOLLOW);
    }
  }
  int rc = EnvWrapper::UnlinkAt(dir_fd, path, flags);
  if (rc == 0) {
    u.dir_fd = ::dup(dir_fd);
    u.name = path;
    journal_.push_back(std::move(u));
  } else if (u.fd >= 0) {
    ::close(u.fd);
  }
  return rc;
}

int CrashEnv::RenameAt(int old_dir_fd, const char* old_path, int new_dir_fd, const char* new_path) {
  std::lock_guard<std::mutex> lock(mu_);
  Tick();
  if (!tracking()) {
    return EnvWrapper::RenameAt(old_dir_fd, old_path, new_dir_fd, new_path);
  }
  Undo u{UndoKind::kRename, KeyOf(new_dir_fd)};
  struct stat st;
  if (::fstatat(new_dir_fd, new_path, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) {
    u.fd = ::openat(new_dir_fd, new_path, O_RDONLY | O_NOFOLLOW);
    u.mode = st.st_mode & 07777;
  }
  int rc = EnvWrapper::RenameAt(old_dir_fd, old_path, new_dir_fd, new_path);
  if (rc == 0) {
    u.dir_fd = ::dup(new_dir_fd);
    u.name = new_path;
    u.src_dir_fd = ::dup(old_dir_fd);
    u.src_name = old_path;
    journal_.push_back(std::move(u));
  } else if (u.fd >= 0) {
    ::close(u.fd);
  }
  return rc;
}

int CrashEnv::Flock(int fd, int operation) {
  std::lock_guard<std::mutex> lock(mu_);
  Tick();
  return EnvWrapper::Flock(fd, operation);
}

}  // namespace wildside::tree
