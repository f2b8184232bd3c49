// Scanner: the walk behind ReadSession::Scan (tree/checkout.h), below a
// checkout root the session holds open. Internal to tree/: only the
// session calls it (tree/scan.h says what a scan holds).
//
// Reads only; safe to run on several roots at once.
#ifndef WILDSIDE_TREE_INTERNAL_SCANNER_H_
#define WILDSIDE_TREE_INTERNAL_SCANNER_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "tree/desired_tree.h"
#include "tree/options.h"
#include "tree/scan.h"

namespace wildside::tree::internal {

// The scan of a checkout that does not exist: nothing on disk, no
// inventory, but it knows the cluster (so a diff plans the inventory).
TreeScan EmptyScan(std::string_view cluster);

// Scans the owned roots of `cluster` below `root_fd`, then reads the
// inventories (this cluster's own, and every other cluster's claims) and
// marks the entries another cluster claims as foreign. `hash_filter`
// null: hash every regular file; else hash only those it has at the same
// size. Errors as ReadSession::Scan, minus the cluster name check.
absl::StatusOr<TreeScan> ScanTreeAt(int root_fd, std::string_view cluster,
                                    const TreeOptions& options, const DesiredTree* hash_filter);

}  // namespace wildside::tree::internal

#endif  // WILDSIDE_TREE_INTERNAL_SCANNER_H_
