#include "tree/internal/scanner.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "tree/internal/file_reader.h"
#include "tree/internal/fs.h"
#include "tree/internal/inventory_store.h"
#include "tree/internal/sha256.h"
#include "tree/inventory.h"
#include "tree/layout.h"
#include "tree/strings.h"

namespace wildside::tree::internal {
namespace {

constexpr int kMaxDepth = 256;

EntryKind KindOf(mode_t mode) {
  if (S_ISREG(mode)) return EntryKind::kFile;
  if (S_ISDIR(mode)) return EntryKind::kDirectory;
  if (S_ISLNK(mode)) return EntryKind::kSymlink;
  return EntryKind::kOther;
}

class Scanner {
 public:
  Scanner(const TreeOptions& options, const DesiredTree* hash_filter)
      : options_(options),
        env_(options.GetEnv()),
        hash_filter_(hash_filter),
        buffer_(kReadBuffer) {}

  absl::Status ScanRoot(int root_fd, std::string_view cluster, TreeScan* out) {
    out_ = out;
    inventory_path_ = InventoryPath(cluster);
    // An owned root is either top-level (`modules`) or one level below a
    // directory that no instance owns (`clusters` for clusters/<cluster>).
    // That directory is recorded (not owned) so the diff can see a file
    // sitting there.
    for (const std::string& root : OwnedRoots(cluster)) {
      std::string above(ParentPath(root));
      if (above.empty()) {
        absl::Status s = ScanOwnedRoot(root_fd, root, root);
        if (!s.ok()) return s;
        continue;
      }
      struct stat st;
      if (env_->FstatAt(root_fd, above.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) continue;
        return OsError(above, "cannot stat", errno);
      }
      Record(above, st, /*owned=*/false);
      if (!S_ISDIR(st.st_mode)) continue;
      int fd = env_->OpenAt(root_fd, above.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
      if (fd < 0) return OsError(above, "cannot open directory", errno);
      Fd guard(env_, fd);
      absl::Status s = ScanOwnedRoot(fd, std::string(BaseName(root)), root);
      if (!s.ok()) return s;
    }
    std::sort(out->entries.begin(), out->entries.end(),
              [](const ScanEntry& a, const ScanEntry& b) { return a.path < b.path; });
    std::sort(out->excluded.begin(), out->excluded.end());
    std::sort(out->temp_files.begin(), out->temp_files.end());
    return absl::OkStatus();
  }

 private:
  void Record(std::string path, const struct stat& st, bool owned) {
    ScanEntry e;
    e.path = std::move(path);
    e.kind = KindOf(st.st_mode);
    e.size = e.kind == EntryKind::kFile ? static_cast<uint64_t>(st.st_size) : 0;
    e.mode = st.st_mode & 07777;
    e.owned = owned;
    out_->entries.push_back(std::move(e));
  }

  // `name` in `parent_fd` is the owned root at repo path `path`.
  absl::Status ScanOwnedRoot(int parent_fd, const std::string& name, const std::string& path) {
    if (IsExcluded(path, options_)) {
      struct stat st;
      if (env_->FstatAt(parent_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
        out_->excluded.push_back(path);
      }
      return absl::OkStatus();
    }
    struct stat st;
    if (env_->FstatAt(parent_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) return absl::OkStatus();
      return OsError(path, "cannot stat", errno);
    }
    if (!S_ISDIR(st.st_mode)) {
      if (!S_ISREG(st.st_mode) && !options_.symlinks_as_stray) {
        return UnfollowedError(path, S_ISLNK(st.st_mode));
      }
      // A non-directory at an owned root path: seen, never deleted.
      Record(path, st, /*owned=*/false);
      return absl::OkStatus();
    }
    Record(path, st, /*owned=*/true);
    int fd = env_->OpenAt(parent_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
    if (fd < 0) return OsError(path, "cannot open directory", errno);
    Fd guard(env_, fd);
    return ScanDir(fd, path, 1);
  }

  absl::Status ScanDir(int dir_fd, const std::string& dir_path, int depth) {
    if (depth > kMaxDepth) {
      return absl::FailedPreconditionError(StrCat(dir_path, ": directories nested deeper than ",
                                                  kMaxDepth, " levels; refusing to scan further"));
    }
    std::vector<DirEntry> names;
    if (env_->ReadDir(dir_fd, &names) != 0) {
      return OsError(dir_path, "cannot list directory", errno);
    }
    std::sort(names.begin(), names.end(),
              [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
    for (const DirEntry& de : names) {
      std::string path = JoinPath(dir_path, de.name);
      struct stat st;
      if (env_->FstatAt(dir_fd, de.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) continue;  // vanished since readdir
        return OsError(path, "cannot stat", errno);
      }
      // The cluster's own inventory is the engine's record, not a file of
      // the tree (read apart, whatever `exclude` says).
      if (S_ISREG(st.st_mode) && path == inventory_path_) continue;
      if (IsExcluded(path, options_)) {
        out_->excluded.push_back(path);
        continue;
      }
      if (S_ISREG(st.st_mode) && StartsWith(de.name, kTempPrefix)) {
        out_->temp_files.push_back(path);
        continue;
      }
      if (S_ISDIR(st.st_mode)) {
        Record(path, st, /*owned=*/true);
        int fd = env_->OpenAt(dir_fd, de.name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
        if (fd < 0) return OsError(path, "cannot open directory", errno);
        Fd guard(env_, fd);
        absl::Status s = ScanDir(fd, path, depth + 1);
        if (!s.ok()) return s;
        continue;
      }
      if (!S_ISREG(st.st_mode)) {
        if (!options_.symlinks_as_stray) return UnfollowedError(path, S_ISLNK(st.st_mode));
        Record(path, st, /*owned=*/true);
        continue;
      }
      Record(path, st, /*owned=*/true);
      const std::string_view* expected = nullptr;
      if (WantHash(path, st, &expected)) {
        absl::Status s = Hash(dir_fd, de.name, expected, &out_->entries.back());
        if (!s.ok()) return s;
      }
    }
    return absl::OkStatus();
  }

  // Whether to hash the file at `path`; *expected is set to the desired
  // content to compare with when there is one.
  bool WantHash(const std::string& path, const struct stat& st,
                const std::string_view** expected) const {
    if (hash_filter_ == nullptr) return true;
    auto it = hash_filter_->find(path);
    if (it == hash_filter_->end() || it->second.size() != static_cast<uint64_t>(st.st_size)) {
      return false;
    }
    *expected = &it->second;
    return true;
  }

  absl::Status Hash(int dir_fd, const std::string& name, const std::string_view* expected,
                    ScanEntry* e) {
    // O_NONBLOCK: if the file was swapped for a fifo, open must not hang;
    // O_NOFOLLOW: if it was swapped for a symlink, open fails.
    int fd = env_->OpenAt(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK, 0);
    if (fd < 0) {
      if (errno == ENOENT) return absl::OkStatus();
      if (errno == ELOOP) {
        return absl::FailedPreconditionError(
            StrCat(e->path, ": became a symbolic link while scanning"));
      }
      return OsError(e->path, "cannot open for hashing", errno);
    }
    Fd guard(env_, fd);
    struct stat st;
    if (env_->Fstat(fd, &st) != 0) return OsError(e->path, "cannot stat", errno);
    if (!S_ISREG(st.st_mode)) {
      return absl::FailedPreconditionError(
          StrCat(e->path, ": stopped being a regular file while scanning"));
    }
    uint64_t total = 0;
    bool same = expected != nullptr;
    for (;;) {
      ssize_t n = env_->Read(fd, buffer_.data(), buffer_.size());
      if (n < 0) return OsError(e->path, "read failed", errno);
      if (n == 0) break;
      size_t got = static_cast<size_t>(n);
      hasher_.Update(buffer_.data(), got);
      if (same) {
        same = total + got <= expected->size() &&
               std::memcmp(buffer_.data(), expected->data() + total, got) == 0;
      }
      total += got;
    }
    e->size = total;
    e->sha256 = hasher_.FinishHex();
    if (expected != nullptr) {
      e->compared = true;
      e->same_as_compared = same && total == expected->size();
      e->compared_with = expected->data();
    }
    return absl::OkStatus();
  }

  const TreeOptions& options_;
  Env* env_;
  const DesiredTree* hash_filter_;
  std::vector<char> buffer_;
  internal::Sha256 hasher_;
  TreeScan* out_ = nullptr;
  std::string inventory_path_;
};

}  // namespace

TreeScan EmptyScan(std::string_view cluster) {
  TreeScan scan;
  scan.inventory.cluster = std::string(cluster);
  return scan;
}

absl::StatusOr<TreeScan> ScanTreeAt(int root_fd, std::string_view cluster,
                                    const TreeOptions& options, const DesiredTree* hash_filter) {
  TreeScan scan;
  scan.root_exists = true;
  Scanner scanner(options, hash_filter);
  absl::Status s = scanner.ScanRoot(root_fd, cluster, &scan);
  if (!s.ok()) return s;
  // The inventories after the walk: another instance claims a path before
  // it writes the file, so a file this walk saw is already claimed when
  // they are read (a reader takes no lock; under the lock nothing moves).
  absl::StatusOr<Inventory> own = ReadInventoryAt(root_fd, cluster, options);
  if (!own.ok()) return own.status();
  scan.inventory = *std::move(own);
  absl::StatusOr<ForeignClaims> foreign = ReadForeignClaimsAt(root_fd, cluster, options);
  if (!foreign.ok()) return foreign.status();
  scan.foreign = *std::move(foreign);
  // A file another cluster claims is never ours to delete or show.
  for (ScanEntry& e : scan.entries) {
    if (e.kind != EntryKind::kDirectory && e.owned && ClaimOf(scan.foreign, e.path) != nullptr) {
      e.owned = false;
      e.foreign = true;
    }
  }
  return scan;
}

}  // namespace wildside::tree::internal
