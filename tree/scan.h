// Scan: what is on disk now, inside the owned roots of one cluster, as a
// session's Scan (tree/checkout.h) finds it.
//
// A scan looks only at `clusters/<cluster>/`, `modules/` and `platform/`
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
// The types of a scan; pure functions; thread-safe.
#ifndef WILDSIDE_TREE_SCAN_H_
#define WILDSIDE_TREE_SCAN_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "tree/inventory.h"

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
  // Set by a scan given a desired tree to hash against, for files whose
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

// True if `status` is a scan's error for a symlink or special file inside
// an owned root.
bool IsUnfollowedEntry(const absl::Status& status);

}  // namespace wildside::tree

#endif  // WILDSIDE_TREE_SCAN_H_
