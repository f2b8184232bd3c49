#include "tree/render.h"

#include "tree/internal/apply_at.h"
#include "tree/internal/fs.h"
#include "tree/internal/scan_at.h"
#include "tree/scan.h"
#include "tree/validate.h"

namespace wildside::tree {

ApplyResult RenderGitopsTreeWithReport(std::string_view output_dir,
                                       const DesiredTree& rendered,
                                       std::string_view cluster,
                                       const TreeOptions& options) {
  ApplyResult result;
  result.status = CheckDesiredTree(cluster, rendered, options);
  if (!result.status.ok()) return result;
  Env* env = options.GetEnv();
  absl::StatusOr<internal::Fd> root_fd =
      internal::OpenRoot(env, output_dir, /*create=*/true, options.dir_mode,
                         &result.report.dirs_created);
  if (!root_fd.ok()) {
    result.status = root_fd.status();
    return result;
  }
  result.status = internal::LockRoot(env, root_fd->get(), output_dir,
                                     options.lock_timeout_ms);
  if (!result.status.ok()) return result;
  absl::StatusOr<TreeScan> scan =
      internal::ScanTreeAt(root_fd->get(), cluster, options, &rendered);
  if (!scan.ok()) {
    result.status = scan.status();
    return result;
  }
  ChangeSet changes = DiffAgainstDisk(rendered, *scan, options);
  result.status = internal::ApplyChangeSetAt(root_fd->get(), rendered, changes,
                                             options, &result.report);
  return result;
}

absl::StatusOr<RenderReport> RenderGitopsTree(std::string_view output_dir,
                                              const DesiredTree& rendered,
                                              std::string_view cluster,
                                              const TreeOptions& options) {
  ApplyResult r =
      RenderGitopsTreeWithReport(output_dir, rendered, cluster, options);
  if (!r.status.ok()) return r.status;
  return std::move(r.report);
}

absl::StatusOr<RenderReport> RenderGitopsTree(
    std::string_view output_dir,
    const std::map<std::string, std::string>& rendered,
    std::string_view cluster, const TreeOptions& options) {
  return RenderGitopsTree(output_dir, ViewDesiredTree(rendered), cluster,
                          options);
}

absl::StatusOr<ChangeSet> PlanGitopsTree(std::string_view output_dir,
                                         const DesiredTree& rendered,
                                         std::string_view cluster,
                                         const TreeOptions& options) {
  if (absl::Status s = CheckDesiredTree(cluster, rendered, options); !s.ok()) {
    return s;
  }
  absl::StatusOr<TreeScan> scan =
      ScanTree(output_dir, cluster, options, rendered);
  if (!scan.ok()) return scan.status();
  return DiffAgainstDisk(rendered, *scan, options);
}

}  // namespace wildside::tree
