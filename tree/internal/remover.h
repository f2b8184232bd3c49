// Remover: the deletes behind WriteSession::Remove (tree/checkout.h, which
// states the contract), below a checkout root the session holds open and
// locked. Internal to tree/.
#ifndef WILDSIDE_TREE_INTERNAL_REMOVER_H_
#define WILDSIDE_TREE_INTERNAL_REMOVER_H_

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "tree/options.h"
#include "tree/report.h"

namespace wildside::tree::internal {

// Validates `cluster` and the shape of every path (InvalidArgument listing
// each problem); fills *sorted with the paths to remove, excluded ones left
// out (destroy never fails over a path it may no longer touch).
absl::Status CheckRemovePaths(std::string_view cluster, const std::vector<std::string>& paths,
                              const TreeOptions& options, std::set<std::string>* sorted);

// The destroy of `cluster`: leaves out of `sorted` every path another
// cluster's inventory claims (foreign: never deleted, even when this
// cluster's state still lists it after a race through git), deletes the
// rest and the directories that become empty, adding to *report, then
// releases (ReleaseInventoryAt, tree/internal/inventory_store.h).
absl::Status RemoveAndReleaseAt(int root_fd, std::string_view cluster, std::set<std::string> sorted,
                                const TreeOptions& options, RenderReport* report);

}  // namespace wildside::tree::internal

#endif  // WILDSIDE_TREE_INTERNAL_REMOVER_H_
