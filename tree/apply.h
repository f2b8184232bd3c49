// Apply: make the disk match a ChangeSet, atomically per file. This is
// the contract of WriteSession::Apply (tree/checkout.h), the one way to
// apply; this header holds what its callers share.
//
// Contract:
//   * The checkout root is created if missing (mkdir -p, dir_mode), by
//     WriteSession::Open.
//   * Appliers are serialised with flock(LOCK_EX) on the checkout root
//     directory descriptor, which a WriteSession holds from Open to its
//     destructor: nothing is ever left in the tree, and the lock dies with
//     the process. A second applier waits up to
//     TreeOptions::lock_timeout_ms, then fails with Unavailable.
//   * Below the root every path is reached by openat() one segment at a
//     time with O_NOFOLLOW|O_DIRECTORY, so a symlink swapped in after the
//     scan makes the operation fail (FailedPrecondition) instead of writing
//     or deleting outside the checkout.
//   * Order: leftover temp files removed; strays pruned; emptied
//     directories removed, deepest first; files written in path order; modes
//     fixed; finally every touched directory is fsynced. Removals come
//     first so that a directory standing where a file must go (or the
//     reverse) is out of the way before the write.
//   * A file is written to ".wildside-tmp-<pid>-<n>" in its own directory
//     (O_CREAT|O_EXCL|O_NOFOLLOW), fchmod'ed to file_mode (so the umask does
//     not matter), fsynced, then renamed over the target; the directory is
//     fsynced after the renames. Files go in batches (up to 16384 files or
//     256 MiB): all temp files of a batch are written, then each is
//     fsynced, then each is renamed. A batch of at least
//     TreeOptions::bulk_sync_threshold files is made durable with one
//     syncfs(2) instead (before the renames, and once more after them in
//     place of the directory fsyncs). A crash
//     or error at any point leaves each file with its old or its new
//     content, never a mix; a temp file that survives is removed by the next
//     apply, and the report counts a file only once it is renamed.
//   * Unchanged files are not opened for writing; their mtime stays.
//
// Thread-safe in the sense that concurrent callers serialise on the lock.
#ifndef WILDSIDE_TREE_APPLY_H_
#define WILDSIDE_TREE_APPLY_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "tree/report.h"

namespace wildside::tree {

struct ApplyResult {
  absl::Status status;
  // What was actually done, also when `status` is an error.
  RenderReport report;
};

// The repo-relative path (or, for the checkout itself, the root path) an
// operating-system error of a session (tree/checkout.h: open, scan,
// apply, remove) is about, unescaped; nullopt for other errors.
std::optional<std::string> PathOfError(const absl::Status& status);

}  // namespace wildside::tree

#endif  // WILDSIDE_TREE_APPLY_H_
