// RenderGitopsTree: the one-call API — validate, scan, diff, apply.
//
// RenderGitopsTree(output_dir, rendered, cluster, options) makes the owned
// roots of `cluster` under checkout `output_dir` hold exactly `rendered`
// (see tree/layout.h for ownership, tree/apply.h for the atomicity and
// symlink guarantees). The checkout lock is held from the scan to the end of
// the apply, so two concurrent renders cannot act on stale scans.
//
// PlanGitopsTree is the read-only half: validate, scan, diff.
//
// Thread-safe; concurrent renders of one checkout serialise on the lock.
#ifndef WILDSIDE_TREE_RENDER_H_
#define WILDSIDE_TREE_RENDER_H_

#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "tree/apply.h"
#include "tree/desired_tree.h"
#include "tree/diff.h"
#include "tree/options.h"
#include "tree/report.h"

namespace wildside::tree {

// Errors: InvalidArgument listing every validation problem (nothing is
// touched, not even the checkout root); FailedPrecondition for symlinks in
// owned roots (unless symlinks_as_stray) and unresolvable type conflicts;
// Unavailable if the lock is not obtained in time; OS errors by errno.
absl::StatusOr<RenderReport> RenderGitopsTree(std::string_view output_dir,
                                              const DesiredTree& rendered, std::string_view cluster,
                                              const TreeOptions& options = {});

// Convenience for callers that own their strings in a map.
absl::StatusOr<RenderReport> RenderGitopsTree(std::string_view output_dir,
                                              const std::map<std::string, std::string>& rendered,
                                              std::string_view cluster,
                                              const TreeOptions& options = {});

// As RenderGitopsTree, but keeps the report of what was done on failure.
ApplyResult RenderGitopsTreeWithReport(std::string_view output_dir, const DesiredTree& rendered,
                                       std::string_view cluster, const TreeOptions& options = {});

// Validate + scan + diff; never writes. A missing checkout plans every file
// as kCreate. Errors as RenderGitopsTree minus the apply ones; conflicts are
// returned inside the ChangeSet, not as an error.
absl::StatusOr<ChangeSet> PlanGitopsTree(std::string_view output_dir, const DesiredTree& rendered,
                                         std::string_view cluster, const TreeOptions& options = {});

}  // namespace wildside::tree

#endif  // WILDSIDE_TREE_RENDER_H_
