// Diff: how the disk differs from the desired tree.
//
// DiffAgainstDisk is pure (no I/O): it compares a DesiredTree with a
// TreeScan and lists, for every desired key and every owned entry on disk,
// what apply must do. Contents are compared by size first and by SHA-256
// only when the sizes are equal, so a changed file of a different size is
// never hashed; when the scan already compared the bytes with this very
// desired tree (a session's Scan given it), the desired content is not
// hashed at all. The result is sorted by (path, kind): deterministic.
//
// Type conflicts are handled, not crashed on:
//   * a file, symlink or special file where a directory is needed inside an
//     owned root is a stray (kPrune) that apply removes before writing;
//   * a directory where a file is needed is emptied (its contents are strays)
//     and removed (kRemoveDir) before the file is written (kCreate);
//   * a file another cluster's inventory claims (tree/inventory.h) is
//     foreign: never pruned or rewritten, listed in ChangeSet::foreign; a
//     desired key it claims, or one it stands in the way of, is a conflict
//     naming the owner, and a directory holding one is never removed;
//   * when pruning is disabled, or the obstacle lies at or above an owned root
//     (a file called `platform`, a symlink `clusters`), or an excluded path
//     is inside the directory to remove, the conflict cannot be resolved and
//     is listed in ChangeSet::conflicts; WriteSession::Apply then refuses
//     to run.
//
// Thread-safe; pure.
#ifndef WILDSIDE_TREE_DIFF_H_
#define WILDSIDE_TREE_DIFF_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tree/desired_tree.h"
#include "tree/options.h"
#include "tree/scan.h"

namespace wildside::tree {

// Declared in apply order for one path: removals before writes.
enum class ChangeKind {
  kPrune,       // delete a stray file/symlink/special file
  kRemoveDir,   // remove a directory that is (or will be) empty
  kCreate,      // write a file that does not exist (or replaces a non-file)
  kUpdate,      // rewrite a file whose content differs
  kModeChange,  // same content, permission bits differ (file or directory)
  kUnchanged,   // desired file already on disk, byte-exact, right mode
};

// "prune", "remove_dir", "create", "update", "mode_change", "unchanged".
std::string_view ChangeKindName(ChangeKind kind);

struct Change {
  ChangeKind kind = ChangeKind::kUnchanged;
  std::string path;
  // What is on disk at `path` now (only meaningful when `on_disk`).
  bool on_disk = false;
  EntryKind disk_kind = EntryKind::kFile;
  uint64_t old_size = 0;
  uint64_t new_size = 0;
  uint32_t old_mode = 0;
  uint32_t new_mode = 0;
};

struct Conflict {
  std::string path;
  std::string message;  // "<what>: <why>"
  // The cluster whose ownership inventory claims `path`, when that is the
  // conflict (a desired key, or a file where a directory must be, that
  // another instance manages); empty otherwise.
  std::string owner;
};

struct ChangeSet {
  // Every desired key and every owned disk entry that needs an action,
  // sorted by (path, kind). Includes kUnchanged entries.
  std::vector<Change> changes;
  // Unresolvable obstacles; non-empty means apply will refuse.
  std::vector<Conflict> conflicts;
  // Leftover temp files of an interrupted apply; apply removes them.
  std::vector<std::string> temp_files;
  // Strays left alone because TreeOptions::prune is false.
  std::vector<std::string> kept_strays;
  // Files another cluster's inventory claims, left alone (never pruned,
  // rewritten or shown); sorted. See tree/inventory.h.
  std::vector<std::string> foreign;

  // The ownership inventory (tree/inventory.h) of this cluster, and the
  // texts apply writes: `inventory_claim` (old ∪ new) durably before any
  // other change, `inventory_release` (new, plus what stays on disk) after
  // every other change is durable. An empty text skips that write; both
  // are empty when the inventory on disk is already right.
  std::string inventory_path;
  std::string inventory_claim;
  std::string inventory_release;

  // True if any change is not kUnchanged, there is a conflict, or the
  // inventory is to be written. Leftover temp files alone do not count:
  // they are housekeeping, not drift.
  bool HasChanges() const;
  size_t Count(ChangeKind kind) const;
};

// Compares `desired` with `scan` under `options` (prune, modes, excludes).
// `desired` should have passed ValidateDesiredTree; invalid keys are not
// re-checked here. A scanned file without a hash whose size equals the
// desired size is treated as changed (kUpdate).
ChangeSet DiffAgainstDisk(const DesiredTree& desired, const TreeScan& scan,
                          const TreeOptions& options);

// True when the checkout holds housekeeping an apply of exactly `paths`
// would do although no file of the tree changes: an existing ownership
// inventory that lists other paths than that apply leaves (an apply killed
// between its claim and its release), or leftover temporary files. False
// when there is no inventory at all (a checkout from before inventories:
// the next apply that changes the tree writes it). Pure.
bool HasPendingHousekeeping(const std::vector<std::string>& paths, const TreeScan& scan,
                            const TreeOptions& options);

}  // namespace wildside::tree

#endif  // WILDSIDE_TREE_DIFF_H_
