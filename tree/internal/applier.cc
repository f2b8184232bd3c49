#include "tree/internal/applier.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_join.h"
#include "tree/content.h"
#include "tree/internal/fs.h"
#include "tree/internal/inventory_store.h"
#include "tree/layout.h"
#include "tree/strings.h"

namespace wildside::tree::internal {
namespace {

class Applier {
 public:
  Applier(int root_fd, const TreeOptions& options, RenderReport* report)
      : root_fd_(root_fd),
        env_(options.GetEnv()),
        options_(options),
        report_(report),
        dirs_(env_, root_fd, options.dir_mode) {}

  absl::Status Run(const DesiredTree& desired, const ChangeSet& changes) {
    absl::Status s = RunPhases(desired, changes);
    // Make whatever was renamed or unlinked durable even after an error:
    // after a bulk batch one syncfs beats fsyncing hundreds of directories.
    absl::Status synced = MakeDurable();
    std::sort(report_->changed_paths.begin(), report_->changed_paths.end());
    return s.ok() ? synced : s;
  }

 private:
  absl::Status RunPhases(const DesiredTree& desired, const ChangeSet& changes) {
    // Claim before write: every file this apply may write is in the
    // inventory, durably, before the first write.
    if (!changes.inventory_claim.empty()) {
      absl::Status s =
          WriteInventoryAt(env_, dirs_, changes.inventory_path, changes.inventory_claim,
                           options_.file_mode, &report_->dirs_created);
      if (!s.ok()) return s;
    }
    if (absl::Status s = RunTreePhases(desired, changes); !s.ok()) return s;
    // Release after delete: the narrowed inventory may become durable only
    // after every prune is, or a crash could bring back a file no
    // inventory claims.
    if (!changes.inventory_release.empty()) {
      if (absl::Status s = MakeDurable(); !s.ok()) return s;
      return WriteInventoryAt(env_, dirs_, changes.inventory_path, changes.inventory_release,
                              options_.file_mode, &report_->dirs_created);
    }
    return absl::OkStatus();
  }

  // Everything renamed, unlinked or created so far, durable now.
  absl::Status MakeDurable() {
    if (bulk_synced_) {
      dirs_.ClearDirty();
      if (env_->SyncFs(root_fd_) != 0) {
        return OsError(".", "syncfs failed after renames", errno);
      }
      return absl::OkStatus();
    }
    return dirs_.SyncDirty();
  }

  absl::Status RunTreePhases(const DesiredTree& desired, const ChangeSet& changes) {
    for (const std::string& tmp : changes.temp_files) {
      if (absl::Status s = RemoveFile(tmp); !s.ok()) return s;
    }
    for (const Change& c : changes.changes) {
      if (c.kind != ChangeKind::kPrune) continue;
      if (absl::Status s = RemoveFile(c.path); !s.ok()) return s;
      ++report_->pruned;
      report_->changed_paths.push_back(c.path);
    }
    std::vector<const Change*> dirs;
    for (const Change& c : changes.changes) {
      if (c.kind == ChangeKind::kRemoveDir) dirs.push_back(&c);
    }
    // Deepest first, so children go before their parents.
    std::stable_sort(dirs.begin(), dirs.end(), [](const Change* a, const Change* b) {
      return std::count(a->path.begin(), a->path.end(), '/') >
             std::count(b->path.begin(), b->path.end(), '/');
    });
    for (const Change* c : dirs) {
      if (absl::Status s = RemoveDir(c->path); !s.ok()) return s;
      ++report_->dirs_removed;
      report_->changed_paths.push_back(c->path + "/");
    }
    std::vector<Pending> batch;
    size_t batch_bytes = 0;
    std::vector<const Change*> mode_changes;
    for (const Change& c : changes.changes) {
      switch (c.kind) {
        case ChangeKind::kCreate:
        case ChangeKind::kUpdate: {
          auto it = desired.find(c.path);
          if (it == desired.end()) {
            return absl::InternalError(
                StrCat(c.path, ": change set writes a path the desired tree lacks"));
          }
          batch.push_back(Pending{&c, it->second, {}, false});
          batch_bytes += it->second.size();
          if (batch.size() >= kBatchFiles || batch_bytes >= kBatchBytes) {
            absl::Status s = WriteBatch(batch);
            batch.clear();
            batch_bytes = 0;
            if (!s.ok()) return s;
          }
          break;
        }
        case ChangeKind::kModeChange:
          mode_changes.push_back(&c);
          break;
        case ChangeKind::kUnchanged:
          ++report_->unchanged;
          break;
        case ChangeKind::kPrune:
        case ChangeKind::kRemoveDir:
          break;
      }
    }
    if (absl::Status s = WriteBatch(batch); !s.ok()) return s;
    for (const Change* c : mode_changes) {
      bool is_dir = c->disk_kind == EntryKind::kDirectory;
      absl::Status s = is_dir ? ChangeDirMode(c->path) : ChangeFileMode(c->path);
      if (!s.ok()) return s;
      ++report_->mode_changed;
      report_->changed_paths.push_back(is_dir ? c->path + "/" : c->path);
    }
    return absl::OkStatus();
  }

  // Opens the parent of `rel`; *gone is set if a directory on the way does
  // not exist (then there is nothing to remove).
  absl::StatusOr<int> OpenParent(std::string_view rel, bool create, bool* gone) {
    std::vector<std::string> created;
    absl::StatusOr<int> fd = dirs_.Open(ParentPath(rel), create, &created);
    report_->dirs_created += created.size();
    if (!fd.ok() && gone != nullptr && absl::IsNotFound(fd.status())) {
      *gone = true;
    }
    return fd;
  }

  absl::Status RemoveFile(const std::string& rel) {
    bool gone = false;
    absl::StatusOr<int> dir = OpenParent(rel, false, &gone);
    if (gone) return absl::OkStatus();
    if (!dir.ok()) return dir.status();
    std::string base(BaseName(rel));
    if (env_->UnlinkAt(*dir, base.c_str(), 0) != 0) {
      if (errno == ENOENT) return absl::OkStatus();
      return OsError(rel, "cannot delete stray file", errno);
    }
    dirs_.MarkDirty(ParentPath(rel));
    return absl::OkStatus();
  }

  absl::Status RemoveDir(const std::string& rel) {
    bool gone = false;
    absl::StatusOr<int> dir = OpenParent(rel, false, &gone);
    if (gone) return absl::OkStatus();
    if (!dir.ok()) return dir.status();
    dirs_.Forget(rel);
    std::string base(BaseName(rel));
    if (env_->UnlinkAt(*dir, base.c_str(), AT_REMOVEDIR) != 0) {
      int err = errno;
      if (err == ENOENT) return absl::OkStatus();
      if (err == ENOTEMPTY || err == EEXIST) {
        dirs_.MarkDirty(rel);  // still there: keep its unlinks durable
        return absl::FailedPreconditionError(
            StrCat(rel,
                   ": cannot remove directory: not empty (entries appeared "
                   "after the scan)"));
      }
      return OsError(rel, "cannot remove directory", err);
    }
    dirs_.MarkDirty(ParentPath(rel));
    return absl::OkStatus();
  }

  // Files are written in batches: every temp file of the batch is created,
  // written and closed; then each is re-opened and fsynced; then each is
  // renamed into place. Every file is still synced before its rename, so a
  // crash leaves it old or new. Syncing only after all the writes lets the
  // first fsync's journal commit carry the whole batch, and keeps file
  // creation from queueing behind one commit per file (measured: that
  // interleaving made creates, not fsyncs, the bulk of a cold apply).
  // Parent directories are re-opened through the cache by path at each
  // step, never held as raw descriptors across steps, since the cache may
  // close them.
  struct Pending {
    const Change* change;
    std::string_view content;
    std::string tmp;  // temp name, once created
    bool renamed = false;
  };
  static constexpr size_t kBatchFiles = 16384;
  static constexpr size_t kBatchBytes = size_t{256} << 20;

  absl::Status WriteBatch(std::vector<Pending>& batch) {
    absl::Status s = WriteBatchSteps(batch);
    if (!s.ok()) {
      // Best effort: no temp file of a failed batch should outlive it; any
      // that does is removed by the next apply.
      for (Pending& p : batch) {
        if (p.tmp.empty() || p.renamed) continue;
        absl::StatusOr<int> dir = dirs_.Open(ParentPath(p.change->path), false, nullptr);
        if (dir.ok()) env_->UnlinkAt(*dir, p.tmp.c_str(), 0);
      }
    }
    return s;
  }

  absl::Status FsyncEach(std::vector<Pending>& batch) {
    for (Pending& p : batch) {
      const std::string& rel = p.change->path;
      absl::StatusOr<int> dir = dirs_.Open(ParentPath(rel), false, nullptr);
      if (!dir.ok()) return dir.status();
      int fd = env_->OpenAt(*dir, p.tmp.c_str(), O_RDONLY | O_NOFOLLOW, 0);
      if (fd < 0) return OsError(rel, "cannot reopen temporary file", errno);
      Fd file(env_, fd);
      if (env_->Fsync(fd) != 0) return OsError(rel, "fsync failed", errno);
    }
    return absl::OkStatus();
  }

  absl::Status WriteBatchSteps(std::vector<Pending>& batch) {
    for (Pending& p : batch) {
      const std::string& rel = p.change->path;
      absl::StatusOr<int> dir = OpenParent(rel, true, nullptr);
      if (!dir.ok()) return dir.status();
      std::string tmp = StrCat(kTempPrefix, static_cast<long>(::getpid()), "-", counter_++);
      int fd = env_->OpenAt(*dir, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
      if (fd < 0) return OsError(rel, "cannot create temporary file", errno);
      p.tmp = std::move(tmp);
      Fd file(env_, fd);
      if (absl::Status s = WriteAll(env_, fd, p.content, rel); !s.ok()) return s;
      if (env_->Fchmod(fd, options_.file_mode) != 0) {
        return OsError(rel, "cannot set file mode", errno);
      }
      // close() can report a deferred write error (e.g. on NFS).
      if (env_->Close(file.Release()) != 0) {
        return OsError(rel, "close failed", errno);
      }
    }
    // The data must be durable before the rename makes it visible, or a
    // crash could leave the new name pointing at an empty file.
    if (options_.bulk_sync_threshold > 0 && batch.size() >= options_.bulk_sync_threshold) {
      bulk_synced_ = true;
      if (env_->SyncFs(root_fd_) != 0) {
        return OsError(batch.front().change->path,
                       StrCat("syncfs failed for a batch of ", batch.size(), " files"), errno);
      }
    } else {
      if (absl::Status s = FsyncEach(batch); !s.ok()) return s;
    }
    for (Pending& p : batch) {
      const std::string& rel = p.change->path;
      absl::StatusOr<int> dir = dirs_.Open(ParentPath(rel), false, nullptr);
      if (!dir.ok()) return dir.status();
      std::string base(BaseName(rel));
      if (env_->RenameAt(*dir, p.tmp.c_str(), *dir, base.c_str()) != 0) {
        return OsError(rel, "cannot rename temporary file into place", errno);
      }
      p.renamed = true;
      dirs_.MarkDirty(ParentPath(rel));
      ++(p.change->kind == ChangeKind::kCreate ? report_->created : report_->updated);
      report_->bytes_written += p.content.size();
      report_->changed_paths.push_back(rel);
    }
    return absl::OkStatus();
  }

  absl::Status ChangeFileMode(const std::string& rel) {
    absl::StatusOr<int> dir = OpenParent(rel, false, nullptr);
    if (!dir.ok()) return dir.status();
    std::string base(BaseName(rel));
    int fd = env_->OpenAt(*dir, base.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK, 0);
    if (fd < 0) {
      if (errno == ELOOP) {
        return absl::FailedPreconditionError(
            StrCat(rel, ": is a symbolic link: refusing to change its mode"));
      }
      return OsError(rel, "cannot open to change mode", errno);
    }
    Fd guard(env_, fd);
    struct stat st;
    if (env_->Fstat(fd, &st) != 0) return OsError(rel, "cannot stat", errno);
    if (!S_ISREG(st.st_mode)) {
      return absl::FailedPreconditionError(StrCat(rel, ": is no longer a regular file"));
    }
    if (env_->Fchmod(fd, options_.file_mode) != 0) {
      return OsError(rel, "cannot set file mode", errno);
    }
    // A mode lives in the inode, which no directory fsync covers. After a
    // bulk batch the closing syncfs does; otherwise fsync the file.
    if (!bulk_synced_ && env_->Fsync(fd) != 0) {
      return OsError(rel, "fsync after mode change failed", errno);
    }
    return absl::OkStatus();
  }

  absl::Status ChangeDirMode(const std::string& rel) {
    absl::StatusOr<int> fd = dirs_.Open(rel, false, nullptr);
    if (!fd.ok()) return fd.status();
    if (env_->Fchmod(*fd, options_.dir_mode) != 0) {
      return OsError(rel, "cannot set directory mode", errno);
    }
    dirs_.MarkDirty(rel);  // its own fsync makes the new mode durable
    return absl::OkStatus();
  }

  int root_fd_;
  Env* env_;
  const TreeOptions& options_;
  RenderReport* report_;
  DirCache dirs_;
  uint64_t counter_ = 0;
  bool bulk_synced_ = false;
};

absl::Status ConflictsToStatus(const ChangeSet& changes) {
  if (changes.conflicts.empty()) return absl::OkStatus();
  std::vector<std::string> lines;
  for (const Conflict& c : changes.conflicts) {
    lines.push_back(StrCat(c.path, ": ", c.message));
  }
  return absl::FailedPreconditionError(absl::StrJoin(lines, "\n"));
}

// A change set is public input: whoever built it, no path in it may climb
// out of the checkout. Every path is walked one openat() segment at a time,
// so it suffices that no segment is empty, "." or "..", or holds a NUL.
absl::Status CheckChangePaths(const ChangeSet& changes) {
  auto bad = [](std::string_view path) {
    if (path.empty()) return true;
    for (std::string_view seg : Split(path, '/')) {
      if (seg.empty() || seg == "." || seg == ".." || seg.find('\0') != std::string_view::npos) {
        return true;
      }
    }
    return false;
  };
  for (const Change& c : changes.changes) {
    if (bad(c.path)) {
      return absl::InvalidArgumentError(StrCat(EscapeForDisplay(c.path),
                                               ": refusing a change set path that is not a "
                                               "normalised relative path"));
    }
  }
  if (!changes.inventory_path.empty() &&
      (bad(changes.inventory_path) || BaseName(changes.inventory_path) != kInventoryName)) {
    return absl::InvalidArgumentError(
        StrCat(EscapeForDisplay(changes.inventory_path),
               ": refusing an inventory path that is not one of ours"));
  }
  if (changes.inventory_path.empty() &&
      !(changes.inventory_claim.empty() && changes.inventory_release.empty())) {
    return absl::InvalidArgumentError("change set writes an inventory without naming its path");
  }
  for (const std::string& t : changes.temp_files) {
    if (bad(t) || !StartsWith(BaseName(t), kTempPrefix)) {
      return absl::InvalidArgumentError(
          StrCat(EscapeForDisplay(t), ": refusing a temp file path that is not one of ours"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyChangeSetAt(int root_fd, const DesiredTree& desired, const ChangeSet& changes,
                              const TreeOptions& options, RenderReport* report) {
  if (absl::Status s = ConflictsToStatus(changes); !s.ok()) return s;
  if (absl::Status s = CheckChangePaths(changes); !s.ok()) return s;
  Applier applier(root_fd, options, report);
  return applier.Run(desired, changes);
}

}  // namespace wildside::tree::internal
