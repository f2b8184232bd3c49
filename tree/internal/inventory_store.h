// Reading and writing ownership inventories (tree/inventory.h) below a
// checkout root the session holds open (tree/checkout.h): to write, a
// WriteSession, under its lock. Internal to tree/.
#ifndef WILDSIDE_TREE_INTERNAL_INVENTORY_STORE_H_
#define WILDSIDE_TREE_INTERNAL_INVENTORY_STORE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tree/env.h"
#include "tree/internal/fs.h"
#include "tree/inventory.h"
#include "tree/options.h"

namespace wildside::tree::internal {

// An inventory is a list of paths; far below this even for 100,000 files.
inline constexpr size_t kMaxInventoryBytes = size_t{64} << 20;

// `cluster`'s inventory below `root_fd`. A missing file (or missing
// clusters/<cluster>/), one that is not a regular file, or one reached
// only through a symlink is exists = false: it claims nothing. Errors:
// ResourceExhausted over kMaxInventoryBytes; OS errors by errno.
absl::StatusOr<Inventory> ReadInventoryAt(int root_fd, std::string_view cluster,
                                          const TreeOptions& options);

// The claims of every cluster but `cluster`: lists `clusters/` and reads the
// inventory of each real directory in it (a symlink or file there is not a
// cluster directory and is skipped). Errors as ReadInventoryAt, naming the
// inventory.
absl::StatusOr<ForeignClaims> ReadForeignClaimsAt(int root_fd, std::string_view cluster,
                                                  const TreeOptions& options);

// Writes `text` as the file `rel` durably, through `dirs`: a temporary file
// in its directory (created if missing), fchmod'ed to `mode`, fsynced,
// renamed over `rel`, and the directory fsynced, all before returning, so
// the caller's next write cannot become durable before it. Directories it
// creates are counted in *dirs_created when that is given.
absl::Status WriteInventoryAt(Env* env, DirCache& dirs, const std::string& rel,
                              std::string_view text, uint32_t mode,
                              uint64_t* dirs_created = nullptr);

// After a destroy removed its files: narrows `cluster`'s inventory to the
// paths it lists that are still regular files on disk and no other
// cluster's inventory claims (the destroy half of
// a replacement keeps some; an excluded path is never deleted), or deletes
// it, and then `clusters/<cluster>/` if that is left empty, when none is
// left. Nothing is reported: the inventory is not a file of the tree.
absl::Status ReleaseInventoryAt(int root_fd, std::string_view cluster, const TreeOptions& options);

}  // namespace wildside::tree::internal

#endif  // WILDSIDE_TREE_INTERNAL_INVENTORY_STORE_H_
