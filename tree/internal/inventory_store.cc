#include "tree/internal/inventory_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "tree/internal/file_reader.h"
#include "tree/layout.h"
#include "tree/strings.h"

namespace wildside::tree::internal {

absl::StatusOr<Inventory> ReadInventoryAt(int root_fd, std::string_view cluster,
                                          const TreeOptions& options) {
  Inventory inv;
  inv.cluster = std::string(cluster);
  const std::string rel = InventoryPath(cluster);
  absl::StatusOr<std::string> text = ReadTreeFileAt(root_fd, rel, kMaxInventoryBytes, options);
  if (!text.ok()) {
    // Missing, or not reachable without following a symlink (a `clusters`
    // symlink, which the diff reports as a conflict), or not a regular
    // file: it claims nothing.
    if (absl::IsNotFound(text.status()) || absl::IsFailedPrecondition(text.status())) return inv;
    std::string_view why(text.status().message().data(), text.status().message().size());
    return absl::Status(text.status().code(),
                        StrCat("ownership inventory of cluster \"", cluster, "\": ", why));
  }
  inv.exists = true;
  inv.text = *std::move(text);
  inv.paths = ParseInventory(inv.text);
  return inv;
}

absl::StatusOr<ForeignClaims> ReadForeignClaimsAt(int root_fd, std::string_view cluster,
                                                  const TreeOptions& options) {
  Env* env = options.GetEnv();
  ForeignClaims claims;
  int fd = env->OpenAt(root_fd, "clusters", O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
  if (fd < 0) {
    // No clusters/ (or not a directory, which the scan reports): no claims.
    if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) return claims;
    return OsError("clusters", "cannot open directory", errno);
  }
  Fd guard(env, fd);
  std::vector<DirEntry> names;
  if (env->ReadDir(fd, &names) != 0) return OsError("clusters", "cannot list directory", errno);
  std::sort(names.begin(), names.end(),
            [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  for (const DirEntry& de : names) {
    // Only a directory named like a cluster can hold an instance's inventory.
    if (de.name == cluster || !IsDns1123Label(de.name)) continue;
    struct stat st;
    if (env->FstatAt(fd, de.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode)) {
      continue;
    }
    absl::StatusOr<Inventory> inv = ReadInventoryAt(root_fd, de.name, options);
    if (!inv.ok()) return inv.status();
    for (std::string& p : inv->paths)
      claims.emplace(std::move(p), de.name);  // first (smallest) wins
  }
  return claims;
}

absl::Status WriteInventoryAt(Env* env, DirCache& dirs, const std::string& rel,
                              std::string_view text, uint32_t mode, uint64_t* dirs_created) {
  const std::string_view parent = ParentPath(rel);
  std::vector<std::string> created;
  absl::StatusOr<int> dir = dirs.Open(parent, /*create=*/true, &created);
  if (dirs_created != nullptr) *dirs_created += created.size();
  if (!dir.ok()) return dir.status();
  const std::string tmp = StrCat(kTempPrefix, static_cast<long>(::getpid()), "-inventory");
  int fd = env->OpenAt(*dir, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
  if (fd < 0 && errno == EEXIST) {
    // A leftover of a killed apply of this very process id: ours to replace.
    env->UnlinkAt(*dir, tmp.c_str(), 0);
    fd = env->OpenAt(*dir, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
  }
  if (fd < 0) return OsError(rel, "cannot create temporary file", errno);
  Fd file(env, fd);
  auto fail = [&](absl::Status s) {
    file.Reset();
    absl::StatusOr<int> d = dirs.Open(parent, false, nullptr);
    if (d.ok()) env->UnlinkAt(*d, tmp.c_str(), 0);
    return s;
  };
  if (absl::Status s = WriteAll(env, fd, text, rel); !s.ok()) return fail(s);
  if (env->Fchmod(fd, mode) != 0) return fail(OsError(rel, "cannot set file mode", errno));
  if (env->Fsync(fd) != 0) return fail(OsError(rel, "fsync failed", errno));
  if (env->Close(file.Release()) != 0) return fail(OsError(rel, "close failed", errno));
  dir = dirs.Open(parent, false, nullptr);
  if (!dir.ok()) return dir.status();
  const std::string base(BaseName(rel));
  if (env->RenameAt(*dir, tmp.c_str(), *dir, base.c_str()) != 0) {
    return fail(OsError(rel, "cannot rename temporary file into place", errno));
  }
  dirs.MarkDirty(parent);
  // Durable now: the claim must be on disk before any file it covers.
  return dirs.SyncDirty();
}

absl::Status ReleaseInventoryAt(int root_fd, std::string_view cluster, const TreeOptions& options) {
  absl::StatusOr<Inventory> inv = ReadInventoryAt(root_fd, cluster, options);
  if (!inv.ok()) return inv.status();
  if (!inv->exists) return absl::OkStatus();
  // A path another cluster claims too (a race through git) is theirs.
  absl::StatusOr<ForeignClaims> foreign = ReadForeignClaimsAt(root_fd, cluster, options);
  if (!foreign.ok()) return foreign.status();
  Env* env = options.GetEnv();
  DirCache dirs(env, root_fd, options.dir_mode);
  std::vector<std::string> left;
  for (const std::string& p : inv->paths) {
    if (ClaimOf(*foreign, p) != nullptr) continue;
    absl::StatusOr<int> dir = dirs.Open(ParentPath(p), false, nullptr);
    if (!dir.ok()) continue;  // gone, or not reachable without a symlink
    struct stat st;
    const std::string base(BaseName(p));
    if (env->FstatAt(*dir, base.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) {
      left.push_back(p);
    }
  }
  const std::string rel = InventoryPath(cluster);
  if (!left.empty()) {
    std::string text = FormatInventory(cluster, std::move(left));
    if (text == inv->text) return absl::OkStatus();
    return WriteInventoryAt(env, dirs, rel, text, options.file_mode);
  }
  const std::string cluster_dir(ParentPath(rel));
  absl::StatusOr<int> dir = dirs.Open(cluster_dir, false, nullptr);
  if (!dir.ok()) return dir.status();
  if (env->UnlinkAt(*dir, std::string(kInventoryName).c_str(), 0) != 0 && errno != ENOENT) {
    return OsError(rel, "cannot delete", errno);
  }
  dirs.MarkDirty(cluster_dir);
  // clusters/<cluster>/ held only the inventory: it goes too, as a destroy
  // removes the owned directories it empties. Not empty: it stays.
  absl::StatusOr<int> clusters = dirs.Open("clusters", false, nullptr);
  if (clusters.ok()) {
    dirs.Forget(cluster_dir);
    const std::string name(BaseName(cluster_dir));
    if (env->UnlinkAt(*clusters, name.c_str(), AT_REMOVEDIR) == 0) {
      dirs.MarkDirty("clusters");
    } else {
      dirs.MarkDirty(cluster_dir);
    }
  }
  return dirs.SyncDirty();
}

}  // namespace wildside::tree::internal
