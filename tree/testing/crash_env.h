// CrashEnv: an Env that kills its own process at the N-th mutating call, and
// can first throw away everything that was not made durable by a sync.
//
// Mutating calls are the ones that change the checkout or its lock: an open
// that may create or write (O_CREAT, O_WRONLY, O_RDWR, O_TRUNC), write,
// fsync, syncfs, rename, unlink (files and directories), mkdir, fchmod and
// flock. Reads, stats, directory listings and closes are not counted.
//
// Use: run an uninterrupted apply with CrashAt(0) to learn how many mutating
// calls it makes (MutatingCalls()), then, in a forked child each time, arm
// CrashAt(n) for every n from 1 to that count. The n-th mutating call
// raises SIGKILL before it reaches the operating system, so the disk holds
// exactly the effects of calls 1..n-1. Nothing depends on timing.
//
// A SIGKILL keeps the page cache, so it cannot show a missing fsync. With
// drop_unsynced, the env also keeps an undo journal, in the manner of
// leveldb's fault-injection environment, and at the crash point reverts
// every effect that no later sync made durable, newest first:
//   * data written to a file since its last fsync (the file is truncated
//     back to its size at that fsync; an unsynced new file to empty);
//   * a mode set with fchmod since that inode's last fsync;
//   * directory entries created, renamed, unlinked, made or removed in a
//     directory since that directory's last fsync (a rename is undone
//     unless its target directory was synced; the replaced file comes back
//     with its old content);
//   * syncfs makes everything durable.
// This models a power cut after the n-1-th call on a filesystem that keeps
// exactly what was synced. DropUnsynced() does the same without a kill, to
// check the state a successful apply leaves after a power cut.
//
// The journal holds duplicated descriptors, so undo never resolves a path
// and cannot be misled by later renames.
//
// PauseAt(n, pause) runs `pause` just before the n-th mutating call (and
// before that call's crash check), once: a test can stop an apply at an
// exact point, look, or let another process act, and then let it go on.
//
// Thread safety: one mutex serialises every mutating call, from the count
// through the call itself, so the count, the crash point, the pause and
// the journal hold for calls from several threads (the provider's gRPC
// handlers share one env). CrashAt, PauseAt and DropUnsynced take it too;
// MutatingCalls reads an atomic and never waits. Calls that do not mutate
// pass through unserialised.
#ifndef WILDSIDE_TREE_TESTING_CRASH_ENV_H_
#define WILDSIDE_TREE_TESTING_CRASH_ENV_H_

#include <sys/types.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "tree/env.h"

namespace wildside::tree {

class CrashEnv : public EnvWrapper {
 public:
  explicit CrashEnv(Env* base = Env::Default());
  ~CrashEnv() override;

  // Resets the count and arms a crash at the n-th mutating call (0: never).
  // With drop_unsynced the undo journal is kept and replayed at the crash.
  // An armed pause stays armed.
  void CrashAt(int n, bool drop_unsynced);
  // Arms `pause` to run once, just before the n-th mutating call counted
  // from the last CrashAt (before that call's crash check); the call then
  // proceeds. n = 0 or an empty function disarms. `pause` runs with the
  // mutex held, so every other thread's mutating call waits for it; it
  // must make no mutating call through this env (MutatingCalls is fine:
  // it returns n - 1 there).
  void PauseAt(int n, std::function<void()> pause);
  // Calls `each` with the running count at every mutating call, after the
  // pause and before the crash check (so the count of the crashing call is
  // seen too). Runs with the mutex held, like the pause. Empty: none.
  void OnMutatingCall(std::function<void(int)> each);
  // Mutating calls seen since the last CrashAt.
  int MutatingCalls() const { return calls_.load(); }
  // Reverts every unsynced effect now (see above) and empties the journal.
  void DropUnsynced();

  int OpenAt(int dir_fd, const char* path, int flags, mode_t mode) override;
  ssize_t Write(int fd, const void* buf, size_t count) override;
  int Fsync(int fd) override;
  int SyncFs(int fd) override;
  int Fchmod(int fd, mode_t mode) override;
  int MkdirAt(int dir_fd, const char* path, mode_t mode) override;
  int UnlinkAt(int dir_fd, const char* path, int flags) override;
  int RenameAt(int old_dir_fd, const char* old_path, int new_dir_fd, const char* new_path) override;
  int Flock(int fd, int operation) override;

 private:
  struct InodeKey {
    dev_t dev = 0;
    ino_t ino = 0;
    bool operator==(const InodeKey& o) const { return dev == o.dev && ino == o.ino; }
  };
  enum class UndoKind { kData, kChmod, kCreate, kRename, kUnlink, kMkdir, kRmdir };
  struct Undo {
    UndoKind kind;
    // The inode whose fsync makes this durable: the file itself for kData
    // and kChmod, the (target) directory for the entry operations.
    InodeKey key;
    int fd = -1;      // kData/kChmod: the file; kUnlink/kRename: old content
    int dir_fd = -1;  // entry operations: the (target) directory
    std::string name;
    int src_dir_fd = -1;  // kRename: the source directory
    std::string src_name;
    off_t size = 0;        // kData: size at the last sync
    mode_t mode = 0;       // kChmod: old mode; kUnlink/kRename/kRmdir: old mode
    bool symlink = false;  // kUnlink of a symlink: `name2` holds its target
    std::string link_target;
  };

  // Counts one mutating call (mu_ held): first runs an armed pause due at
  // it, then, at the armed crash point, crashes (never returns).
  void Tick();
  void DropUnsyncedLocked();
  bool tracking() const { return drop_unsynced_; }
  InodeKey KeyOf(int fd) const;
  void Forget(const InodeKey& key, bool entries, bool data);
  void Undo1(Undo& u);
  static void CloseFds(Undo& u);
  void CloseJournal();

  std::mutex mu_;  // serialises every mutating call; guards all below
  std::atomic<int> calls_{0};
  int crash_at_ = 0;
  bool drop_unsynced_ = false;
  int pause_at_ = 0;
  std::function<void()> pause_;
  std::function<void(int)> each_;
  std::vector<Undo> journal_;
};

}  // namespace wildside::tree

#endif  // WILDSIDE_TREE_TESTING_CRASH_ENV_H_
