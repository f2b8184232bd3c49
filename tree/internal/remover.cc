#include "tree/internal/remover.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>

#include "tree/internal/fs.h"
#include "tree/internal/inventory_store.h"
#include "tree/layout.h"
#include "tree/strings.h"
#include "tree/validate.h"

namespace wildside::tree::internal {
namespace {

bool Skippable(const absl::Status& s) {
  // Missing, or reached through a symlink / non-directory: not ours to touch.
  return absl::IsNotFound(s) || absl::IsFailedPrecondition(s);
}

// Deletes `sorted` (checked by CheckRemovePaths) and the directories that
// become empty, adding to *report_out.
absl::Status RemoveManagedFilesAt(int root_fd, const std::set<std::string>& sorted,
                                  const TreeOptions& options, RenderReport* report_out) {
  RenderReport& report = *report_out;
  Env* env = options.GetEnv();
  internal::DirCache dirs(env, root_fd, options.dir_mode);
  auto run = [&]() -> absl::Status {
    std::set<std::string> candidates;
    for (const std::string& p : sorted) {
      std::string_view parent = ParentPath(p);
      absl::StatusOr<int> dir = dirs.Open(parent, false, nullptr);
      if (!dir.ok()) {
        if (Skippable(dir.status())) continue;
        return dir.status();
      }
      std::string base(BaseName(p));
      struct stat st;
      if (env->FstatAt(*dir, base.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) continue;
        return OsError(p, "cannot stat", errno);
      }
      if (!S_ISREG(st.st_mode)) continue;
      if (env->UnlinkAt(*dir, base.c_str(), 0) != 0) {
        if (errno == ENOENT) continue;
        return OsError(p, "cannot delete", errno);
      }
      dirs.MarkDirty(parent);
      ++report.pruned;
      report.changed_paths.push_back(p);
      std::string_view stop = ParentPath(OwnedRootOf(p));
      for (std::string_view d = parent; d.size() > stop.size() && !d.empty(); d = ParentPath(d)) {
        candidates.emplace(d);
      }
    }
    std::vector<std::string> order(candidates.begin(), candidates.end());
    std::stable_sort(order.begin(), order.end(), [](const std::string& a, const std::string& b) {
      return std::count(a.begin(), a.end(), '/') > std::count(b.begin(), b.end(), '/');
    });
    for (const std::string& d : order) {
      absl::StatusOr<int> dir = dirs.Open(ParentPath(d), false, nullptr);
      if (!dir.ok()) {
        if (Skippable(dir.status())) continue;
        return dir.status();
      }
      dirs.Forget(d);
      std::string base(BaseName(d));
      if (env->UnlinkAt(*dir, base.c_str(), AT_REMOVEDIR) != 0) {
        int err = errno;
        if (err == ENOTEMPTY || err == EEXIST) {
          // Still there, with files we unlinked in it: Forget() dropped its
          // mark, and those unlinks are durable only once it is fsynced.
          dirs.MarkDirty(d);
          continue;
        }
        if (err == ENOENT || err == ENOTDIR) continue;
        return OsError(d, "cannot remove directory", err);
      }
      dirs.MarkDirty(ParentPath(d));
      ++report.dirs_removed;
      report.changed_paths.push_back(d + "/");
    }
    return absl::OkStatus();
  };
  absl::Status s = run();
  absl::Status synced = dirs.SyncDirty();
  std::sort(report.changed_paths.begin(), report.changed_paths.end());
  return s.ok() ? synced : s;
}

}  // namespace

absl::Status CheckRemovePaths(std::string_view cluster, const std::vector<std::string>& paths,
                              const TreeOptions& options, std::set<std::string>* sorted) {
  std::vector<KeyProblem> problems;
  if (absl::Status s = ValidateCluster(cluster); !s.ok()) {
    problems.push_back({"", std::string(s.message()), /*about_cluster=*/true});
  }
  // Excluded paths are skipped below rather than refused: the exclude list
  // may have grown since the files were written, and destroy must not fail
  // over files it is simply no longer allowed to touch.
  TreeOptions shape_only = options;
  shape_only.exclude.clear();
  for (const std::string& p : paths) {
    std::vector<std::string> messages = ValidateKey(p, cluster, shape_only);
    for (std::string& m : messages) problems.push_back({p, std::move(m)});
    if (messages.empty() && ExcludingPattern(p, options) == nullptr) sorted->insert(p);
  }
  if (!problems.empty()) return ProblemsToStatus(problems, "path");
  return absl::OkStatus();
}

absl::Status RemoveAndReleaseAt(int root_fd, std::string_view cluster, std::set<std::string> sorted,
                                const TreeOptions& options, RenderReport* report) {
  absl::StatusOr<ForeignClaims> foreign = ReadForeignClaimsAt(root_fd, cluster, options);
  if (!foreign.ok()) return foreign.status();
  for (const auto& [path, owner] : *foreign) sorted.erase(path);
  // On an error the inventory keeps claiming what may still be there.
  if (absl::Status s = RemoveManagedFilesAt(root_fd, sorted, options, report); !s.ok()) return s;
  return ReleaseInventoryAt(root_fd, cluster, options);
}

}  // namespace wildside::tree::internal
