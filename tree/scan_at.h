// Scan and read from an already-open checkout root descriptor (what
// Checkout runs, holding the root and, for a write session, the lock).
//
// Not API: only tree/*.cc include this (Checkout, and the one-call wrappers
// of the module). It lives beside its module rather than in tree/internal/
// because it speaks the module's public types, and tree/internal/ is the
// layer beneath those.
#ifndef WILDSIDE_TREE_SCAN_AT_H_
#define WILDSIDE_TREE_SCAN_AT_H_

#include "tree/scan.h"

namespace wildside::tree {

// The scan of a checkout that does not exist: nothing on disk, no
// inventory, but it knows the cluster (so a diff plans the inventory).
TreeScan EmptyScan(std::string_view cluster);

// `hash_filter` null: hash every file; else hash only same-size desired keys.
absl::StatusOr<TreeScan> ScanTreeAt(int root_fd, std::string_view cluster,
                                    const TreeOptions& options,
                                    const DesiredTree* hash_filter);

// ReadSession::HashFile (tree/checkout.h) from an open checkout root.
absl::StatusOr<std::string> HashTreeFileAt(int root_fd, std::string_view relpath,
                                           const TreeOptions& options);

// ReadSession::ReadFile (tree/checkout.h) from an open checkout root.
absl::StatusOr<std::string> ReadTreeFileAt(int root_fd, std::string_view relpath,
                                           size_t max_bytes,
                                           const TreeOptions& options);

}  // namespace wildside::tree

#endif  // WILDSIDE_TREE_SCAN_AT_H_
