// Scan: what is on disk now, inside the owned roots of one cluster.
//
// ScanTree looks only at `clusters/<cluster>/`, `modules/` and `platform/`
// below the checkout root (plus an lstat of `clusters` itself, which is on
// the way). It uses lstat semantics and openat(O_NOFOLLOW) everywhere and
// never follows a symlink. Excluded paths (TreeOptions::exclude) are noted
// but never opened or descended into. Leftover temporary files of an
// interrupted apply (names starting with ".wildside-tmp-") are listed apart.
// The ownership inventories are read too (tree/inventory.h): this
// cluster's own, and the paths every other `clusters/*/` inventory claims.
//
// A missing checkout root or owned root is not an error: it is an empty scan
// (TreeScan::root_exists says whether the checkout directory exists).
//
// Thread-safe; reads only.
#ifndef WILDSIDE_TREE_SCAN_H_
#define WILDSIDE_TREE_SCAN_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "tree/desired_tree.h"
#include "tree/inventory.h"
#include "tree/options.h"

namespace wildside::tree {

enum class EntryKind { kFile, kDirectory, kSymlink, kOther };

// "file", "directory", "symlink", "other".
std::string_view EntryKindName(EntryKind kind);

struct ScanEntry {
  std::string path;  // repo-relative, no trailing slash
  EntryKind kind = EntryKind::kFile;
  uint64_t size = 0;   // st_size (files); 0 otherwise
  uint32_t mode = 0;   // permission bits, st_mode & 07777
  std::string sha256;  // lowercase hex for hashed files, else empty
  // False for entries the engine may look at but never delete: the
  // `clusters` directory itself, and an owned root path that is not a
  // directory (e.g. a file called `modules`).
  bool owned = true;
  // A file another cluster's inventory claims (then `owned` is false): the
  // engine never deletes, rewrites or shows it.
  bool foreign = false;
  // Set by the ScanTree overload that takes a desired tree, for files whose
  // size matched: the bytes were compared with the desired content while
  // hashing, which spares DiffAgainstDisk hashing that content again. The
  // comparison is trusted only for the same buffer (`compared_with`), so a
  // different desired tree falls back to the SHA-256 comparison.
  bool compared = false;
  bool same_as_compared = false;
  const char* compared_with = nullptr;
};

struct TreeScan {
  bool root_exists = false;
  std::vector<ScanEntry> entries;       // sorted by path
  std::vector<std::string> excluded;    // excluded paths present; sorted
  std::vector<std::string> temp_files;  // leftover temp files; sorted
  // This cluster's ownership inventory (tree/inventory.h), read whatever
  // `exclude` says; its file is never an entry.
  Inventory inventory;
  // Every path another cluster's inventory claims (foreign to this one).
  ForeignClaims foreign;

  // The entry at `path`, or nullptr. O(log n).
  const ScanEntry* Find(std::string_view path) const;
};

// Scans the owned roots of `cluster` under checkout `root`, hashing every
// regular file.
// Errors: InvalidArgument for an invalid cluster name; FailedPrecondition
// naming the path for a symlink, fifo, socket or device inside an owned root
// (unless options.symlinks_as_stray, then it is an entry of that kind; the
// error is recognised by IsUnfollowedEntry, so each caller can say how its
// user has such entries pruned);
// FailedPrecondition if `root` is not a directory; other OS errors by errno
// ("<path>: <what>: <strerror>").
absl::StatusOr<TreeScan> ScanTree(std::string_view root,
                                  std::string_view cluster,
                                  const TreeOptions& options);

// As above, but hashes only files that `desired` also has with the same
// size, which is all DiffAgainstDisk needs: a file of a different size has
// changed, and a stray (possibly huge, possibly not UTF-8) is never read.
absl::StatusOr<TreeScan> ScanTree(std::string_view root,
                                  std::string_view cluster,
                                  const TreeOptions& options,
                                  const DesiredTree& hash_if_same_size);

// True if `status` is ScanTree's error for a symlink or special file inside
// an owned root.
bool IsUnfollowedEntry(const absl::Status& status);

// Lowercase hex SHA-256 of the regular file `relpath` below `root`, read in
// pieces (any size). Same walk and errors as ReadTreeFile, without the size
// limit.
absl::StatusOr<std::string> HashTreeFile(std::string_view root,
                                         std::string_view relpath,
                                         const TreeOptions& options);

// Reads the regular file `relpath` below `root`, walking with
// openat(O_NOFOLLOW) so no symlink is followed, and refusing to read more
// than `max_bytes`.
// Errors: InvalidArgument for a malformed path (absolute, "..", ...);
// NotFound if absent; FailedPrecondition if it or a parent is a symlink or
// not a directory, or it is not a regular file; ResourceExhausted if larger
// than `max_bytes`; other OS errors by errno.
absl::StatusOr<std::string> ReadTreeFile(std::string_view root,
                                         std::string_view relpath,
                                         size_t max_bytes,
                                         const TreeOptions& options);

}  // namespace wildside::tree

#endif  // WILDSIDE_TREE_SCAN_H_
