// RemoveManagedFiles: the destroy path.
//
// Deletes exactly the listed files, each only if it is present, is a
// regular file, and lies inside an owned root of `cluster`; a listed path
// inside an excluded glob is skipped (never an error); then removes the directories inside the owned roots that
// became empty, up to and including an owned root directory itself
// (`clusters/<cluster>`, `modules`, `platform`), but never `clusters/` or
// the checkout root. Symlinks are never followed: a listed path reached
// through a symlink, or that is itself a symlink or a directory, is left
// alone, and so is a listed path another cluster's ownership inventory
// claims (tree/inventory.h). An already clean tree, or a missing checkout,
// is success. Last,
// the cluster's ownership inventory (tree/inventory.h) is narrowed to the
// paths it lists that are still on disk, or deleted (with
// `clusters/<cluster>/` when that is left empty) when none is left.
//
// Takes the same lock as ApplyChangeSet.
#ifndef WILDSIDE_TREE_REMOVE_H_
#define WILDSIDE_TREE_REMOVE_H_

#include <string>
#include <string_view>
#include <vector>

#include "tree/apply.h"

namespace wildside::tree {

// Errors: InvalidArgument (nothing deleted) listing every path that is
// malformed or outside the owned roots, or an invalid cluster name;
// Unavailable if the lock was not obtained in time; OS errors by errno.
// `report.pruned` counts deleted files, `report.dirs_removed` directories.
ApplyResult RemoveManagedFiles(std::string_view root, std::string_view cluster,
                               const std::vector<std::string>& paths,
                               const TreeOptions& options);

}  // namespace wildside::tree

#endif  // WILDSIDE_TREE_REMOVE_H_
