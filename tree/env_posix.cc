#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

#include "tree/env.h"

namespace wildside::tree {

Env::~Env() = default;

void Env::SleepForMicroseconds(int64_t micros) {
  timespec ts{static_cast<time_t>(micros / 1000000), static_cast<long>((micros % 1000000) * 1000)};
  while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
  }
}

namespace {

class PosixEnv final : public Env {
 public:
  int OpenAt(int dir_fd, const char* path, int flags, mode_t mode) override {
    int fd;
    do {
      fd = ::openat(dir_fd, path, flags | O_CLOEXEC, mode);
    } while (fd == -1 && errno == EINTR);
    return fd;
  }
  // close(2) must not be retried on EINTR on Linux: the fd is already gone.
  int Close(int fd) override { return ::close(fd); }
  ssize_t Read(int fd, void* buf, size_t count) override {
    ssize_t n;
    do {
      n = ::read(fd, buf, count);
    } while (n == -1 && errno == EINTR);
    return n;
  }
  ssize_t Write(int fd, const void* buf, size_t count) override {
    ssize_t n;
    do {
      n = ::write(fd, buf, count);
    } while (n == -1 && errno == EINTR);
    return n;
  }
  int Fsync(int fd) override {
    int r;
    do {
      r = ::fsync(fd);
    } while (r == -1 && errno == EINTR);
    return r;
  }
  int SyncFs(int fd) override { return ::syncfs(fd); }
  int Fchmod(int fd, mode_t mode) override { return ::fchmod(fd, mode); }
  int Fstat(int fd, struct stat* st) override { return ::fstat(fd, st); }
  int FstatAt(int dir_fd, const char* path, struct stat* st, int flags) override {
    return ::fstatat(dir_fd, path, st, flags);
  }
  int MkdirAt(int dir_fd, const char* path, mode_t mode) override {
    return ::mkdirat(dir_fd, path, mode);
  }
  int UnlinkAt(int dir_fd, const char* path, int flags) override {
    return ::unlinkat(dir_fd, path, flags);
  }
  int RenameAt(int old_dir_fd, const char* old_path, int new_dir_fd,
               const char* new_path) override {
    return ::renameat(old_dir_fd, old_path, new_dir_fd, new_path);
  }
  int ReadDir(int dir_fd, std::vector<DirEntry>* entries) override {
    // fdopendir takes ownership of its descriptor, so hand it a duplicate
    // and keep the caller's fd valid.
    int dup_fd = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
    if (dup_fd == -1) return -1;
    DIR* dir = ::fdopendir(dup_fd);
    if (dir == nullptr) {
      int saved = errno;
      ::close(dup_fd);
      errno = saved;
      return -1;
    }
    ::rewinddir(dir);
    entries->clear();
    for (;;) {
      errno = 0;
      struct dirent* de = ::readdir(dir);
      if (de == nullptr) break;
      const char* n = de->d_name;
      if (n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && n[2] == '\0'))) {
        continue;
      }
      entries->push_back(DirEntry{n, de->d_type});
    }
    int saved = errno;
    ::closedir(dir);
    errno = saved;
    return saved == 0 ? 0 : -1;
  }
  int Flock(int fd, int operation) override {
    int r;
    do {
      r = ::flock(fd, operation);
    } while (r == -1 && errno == EINTR);
    return r;
  }
};

}  // namespace

Env* Env::Default() {
  static PosixEnv* env = new PosixEnv;
  return env;
}

}  // namespace wildside::tree
