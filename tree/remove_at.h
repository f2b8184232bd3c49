// Destroy under an already-held lock on an open root.
//
// Not API: only tree/*.cc include this (Checkout, and the one-call wrappers
// of the module). It lives beside its module rather than in tree/internal/
// because it speaks the module's public types, and tree/internal/ is the
// layer beneath those.
#ifndef WILDSIDE_TREE_REMOVE_AT_H_
#define WILDSIDE_TREE_REMOVE_AT_H_

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "tree/options.h"
#include "tree/report.h"

namespace wildside::tree {

// Validates `cluster` and the shape of every path (InvalidArgument listing
// each problem); fills *sorted with the paths to remove, excluded ones left
// out (destroy never fails over a path it may no longer touch).
absl::Status CheckRemovePaths(std::string_view cluster,
                              const std::vector<std::string>& paths,
                              const TreeOptions& options,
                              std::set<std::string>* sorted);

// Deletes `sorted` (checked by CheckRemovePaths) and the directories that
// become empty, adding to *report.
absl::Status RemoveManagedFilesAt(int root_fd, const std::set<std::string>& sorted,
                                  const TreeOptions& options, RenderReport* report);

// The destroy of `cluster`: leaves out of `sorted` every path another
// cluster's inventory claims (foreign: never deleted, even when this
// cluster's state still lists it after a race through git), deletes the
// rest with RemoveManagedFilesAt, then releases (ReleaseInventoryAt).
absl::Status RemoveAndReleaseAt(int root_fd, std::string_view cluster, std::set<std::string> sorted,
                                const TreeOptions& options, RenderReport* report);

}  // namespace wildside::tree

#endif  // WILDSIDE_TREE_REMOVE_AT_H_
