// Env: the seam between the tree engine and the operating system.
//
// Every filesystem system call the engine makes goes through an Env, as in
// leveldb. Production code uses Env::Default(), a thin pass-through to POSIX.
// Tests substitute tree/testing/fault_env.h to fail the Nth write, rename or
// sync and then check that the tree holds, file by file, either the old or the
// new content.
//
// The interface is deliberately syscall-shaped rather than Status-shaped: each
// method mirrors one POSIX call, returns what that call returns (-1 on error)
// and leaves the reason in errno. The engine needs the exact errno (ENOENT,
// ELOOP, ENOTDIR, ENOTEMPTY, EWOULDBLOCK...) to decide what to do, and turns
// it into an absl::Status with the path in exactly one place
// (tree/internal/fs.h).
//
// Thread safety: Env::Default() is stateless and safe to share. A FaultEnv
// counts calls and is safe to share too (its counters are atomic).
#ifndef WILDSIDE_TREE_ENV_H_
#define WILDSIDE_TREE_ENV_H_

#include <sys/stat.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace wildside::tree {

// One entry returned by Env::ReadDir. `type` is the dirent d_type (DT_REG,
// DT_DIR, DT_LNK, DT_UNKNOWN...); callers that need certainty lstat anyway.
struct DirEntry {
  std::string name;
  unsigned char type = 0;
};

class Env {
 public:
  Env() = default;
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;
  virtual ~Env();

  // The process-wide POSIX Env. Never null, never deleted.
  static Env* Default();

  // openat(2). Returns a file descriptor, or -1 with errno set.
  virtual int OpenAt(int dir_fd, const char* path, int flags, mode_t mode) = 0;
  // close(2). Returns 0 or -1 with errno set.
  virtual int Close(int fd) = 0;
  // read(2) / write(2): bytes transferred, or -1 with errno set. Short
  // transfers are allowed; callers loop.
  virtual ssize_t Read(int fd, void* buf, size_t count) = 0;
  virtual ssize_t Write(int fd, const void* buf, size_t count) = 0;
  // fsync(2) on a file or a directory descriptor.
  virtual int Fsync(int fd) = 0;
  // syncfs(2): flushes the whole filesystem holding `fd` and waits; reports
  // writeback errors since Linux 5.8. Used instead of one fsync per file
  // when a batch is large (TreeOptions::bulk_sync_threshold).
  virtual int SyncFs(int fd) = 0;
  // fchmod(2): sets permission bits explicitly, independent of the umask.
  virtual int Fchmod(int fd, mode_t mode) = 0;
  // fstat(2) and fstatat(2) (pass AT_SYMLINK_NOFOLLOW for lstat semantics).
  virtual int Fstat(int fd, struct stat* st) = 0;
  virtual int FstatAt(int dir_fd, const char* path, struct stat* st, int flags) = 0;
  // mkdirat(2), unlinkat(2) (AT_REMOVEDIR for directories), renameat(2).
  virtual int MkdirAt(int dir_fd, const char* path, mode_t mode) = 0;
  virtual int UnlinkAt(int dir_fd, const char* path, int flags) = 0;
  virtual int RenameAt(int old_dir_fd, const char* old_path, int new_dir_fd,
                       const char* new_path) = 0;
  // Lists the directory open as `dir_fd` (which stays open and owned by the
  // caller) into `entries`, without "." and "..". Returns 0 or -1 with errno.
  virtual int ReadDir(int dir_fd, std::vector<DirEntry>* entries) = 0;
  // flock(2), e.g. LOCK_EX | LOCK_NB. Returns 0 or -1 with errno set.
  virtual int Flock(int fd, int operation) = 0;
  // Sleeps, so lock waits can be simulated by tests. Default: nanosleep.
  virtual void SleepForMicroseconds(int64_t micros);
};

// Wraps another Env and forwards every call to it. Subclass it to intercept
// only the calls you care about.
class EnvWrapper : public Env {
 public:
  explicit EnvWrapper(Env* target) : target_(target) {}
  Env* target() const { return target_; }

  int OpenAt(int dir_fd, const char* path, int flags, mode_t mode) override {
    return target_->OpenAt(dir_fd, path, flags, mode);
  }
  int Close(int fd) override { return target_->Close(fd); }
  ssize_t Read(int fd, void* buf, size_t count) override { return target_->Read(fd, buf, count); }
  ssize_t Write(int fd, const void* buf, size_t count) override {
    return target_->Write(fd, buf, count);
  }
  int Fsync(int fd) override { return target_->Fsync(fd); }
  int SyncFs(int fd) override { return target_->SyncFs(fd); }
  int Fchmod(int fd, mode_t mode) override { return target_->Fchmod(fd, mode); }
  int Fstat(int fd, struct stat* st) override { return target_->Fstat(fd, st); }
  int FstatAt(int dir_fd, const char* path, struct stat* st, int flags) override {
    return target_->FstatAt(dir_fd, path, st, flags);
  }
  int MkdirAt(int dir_fd, const char* path, mode_t mode) override {
    return target_->MkdirAt(dir_fd, path, mode);
  }
  int UnlinkAt(int dir_fd, const char* path, int flags) override {
    return target_->UnlinkAt(dir_fd, path, flags);
  }
  int RenameAt(int old_dir_fd, const char* old_path, int new_dir_fd,
               const char* new_path) override {
    return target_->RenameAt(old_dir_fd, old_path, new_dir_fd, new_path);
  }
  int ReadDir(int dir_fd, std::vector<DirEntry>* entries) override {
    return target_->ReadDir(dir_fd, entries);
  }
  int Flock(int fd, int operation) override { return target_->Flock(fd, operation); }
  void SleepForMicroseconds(int64_t micros) override { target_->SleepForMicroseconds(micros); }

 private:
  Env* target_;
};

}  // namespace wildside::tree

#endif  // WILDSIDE_TREE_ENV_H_
