// Apply under an already-held lock on an open root.
//
// Not API: only tree/*.cc include this (Checkout, and the one-call wrappers
// of the module). It lives beside its module rather than in tree/internal/
// because it speaks the module's public types, and tree/internal/ is the
// layer beneath those.
#ifndef WILDSIDE_TREE_APPLY_AT_H_
#define WILDSIDE_TREE_APPLY_AT_H_

#include "tree/apply.h"

namespace wildside::tree {

absl::Status ConflictsToStatus(const ChangeSet& changes);

// InvalidArgument if any path in `changes` has an empty, ".", ".." or
// NUL-bearing segment, or a temp file is not named like ours.
absl::Status CheckChangePaths(const ChangeSet& changes);

// Performs the operations of `changes`, adding to *report.
absl::Status ApplyChangeSetAt(int root_fd, const DesiredTree& desired,
                              const ChangeSet& changes,
                              const TreeOptions& options, RenderReport* report);

}  // namespace wildside::tree

#endif  // WILDSIDE_TREE_APPLY_AT_H_
