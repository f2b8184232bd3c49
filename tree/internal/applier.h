// Applier: the writes behind WriteSession::Apply (tree/checkout.h), below
// a checkout root the session holds open and locked. tree/apply.h states
// the contract (order, atomicity, symlinks). Internal to tree/.
#ifndef WILDSIDE_TREE_INTERNAL_APPLIER_H_
#define WILDSIDE_TREE_INTERNAL_APPLIER_H_

#include "absl/status/status.h"
#include "tree/desired_tree.h"
#include "tree/diff.h"
#include "tree/options.h"
#include "tree/report.h"

namespace wildside::tree::internal {

// Checks `changes` (a conflict, or a path that is not a normalised
// relative path, and nothing is done), then performs its operations,
// adding to *report. Errors as WriteSession::Apply.
absl::Status ApplyChangeSetAt(int root_fd, const DesiredTree& desired, const ChangeSet& changes,
                              const TreeOptions& options, RenderReport* report);

}  // namespace wildside::tree::internal

#endif  // WILDSIDE_TREE_INTERNAL_APPLIER_H_
