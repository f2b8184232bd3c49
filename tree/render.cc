#include "tree/render.h"

#include "tree/checkout.h"
#include "tree/validate.h"

namespace wildside::tree {

ApplyResult RenderGitopsTreeWithReport(std::string_view output_dir, const DesiredTree& rendered,
                                       std::string_view cluster, const TreeOptions& options) {
  ApplyResult result;
  result.status = CheckDesiredTree(cluster, rendered, options);
  if (!result.status.ok()) return result;
  // One session: the lock is held from the scan to the last rename.
  absl::StatusOr<WriteSession> checkout =
      WriteSession::Open(output_dir, options, &result.report.dirs_created);
  if (!checkout.ok()) {
    result.status = checkout.status();
    return result;
  }
  absl::StatusOr<TreeScan> scan = checkout->Scan(cluster, &rendered);
  if (!scan.ok()) {
    result.status = scan.status();
    return result;
  }
  ChangeSet changes = DiffAgainstDisk(rendered, *scan, options);
  result.status = checkout->Apply(rendered, changes, &result.report);
  return result;
}

absl::StatusOr<RenderReport> RenderGitopsTree(std::string_view output_dir,
                                              const DesiredTree& rendered, std::string_view cluster,
                                              const TreeOptions& options) {
  ApplyResult r = RenderGitopsTreeWithReport(output_dir, rendered, cluster, options);
  if (!r.status.ok()) return r.status;
  return std::move(r.report);
}

absl::StatusOr<RenderReport> RenderGitopsTree(std::string_view output_dir,
                                              const std::map<std::string, std::string>& rendered,
                                              std::string_view cluster,
                                              const TreeOptions& options) {
  return RenderGitopsTree(output_dir, ViewDesiredTree(rendered), cluster, options);
}

absl::StatusOr<ChangeSet> PlanGitopsTree(std::string_view output_dir, const DesiredTree& rendered,
                                         std::string_view cluster, const TreeOptions& options) {
  if (absl::Status s = CheckDesiredTree(cluster, rendered, options); !s.ok()) {
    return s;
  }
  absl::StatusOr<ReadSession> checkout = ReadSession::Open(output_dir, options);
  if (!checkout.ok()) return checkout.status();
  absl::StatusOr<TreeScan> scan = checkout->Scan(cluster, &rendered);
  if (!scan.ok()) return scan.status();
  return DiffAgainstDisk(rendered, *scan, options);
}

}  // namespace wildside::tree
