// Sessions: the only ways into a GitOps checkout.
//
// A session owns the checkout root's directory descriptor and a copy of the
// TreeOptions every call uses (their Env included). Everything a caller
// does between Open and the destructor (scan, diff, apply, remove, read a
// file) goes through that one descriptor, so the root is opened exactly
// once however many steps there are. There are two kinds, and the type
// says which may write:
//
//   * ReadSession: no lock, never creates. A missing root is an empty
//     checkout: exists() is false, Scan returns an empty scan, reads find
//     nothing. Plans, refreshes and imports read; a reader that waited on
//     an applier's lock would only see the state the applier is about to
//     replace anyway (docs/adr/0005-checkout-session.md).
//   * WriteSession: the same reads, plus Apply and Remove. It holds the
//     exclusive lock on the checkout (flock on the root descriptor) from
//     Open to its destructor, so no other applier can change the checkout
//     between its scan and its last write. WriteSession::Open (apply)
//     creates a missing root; WriteSession::OpenExisting (destroy) does
//     not: a missing root means there is nothing to remove.
//
//   absl::StatusOr<WriteSession> s = WriteSession::Open(dir, opts);
//   absl::StatusOr<TreeScan> scan = s->Scan(cluster, &desired);
//   ChangeSet changes = DiffAgainstDisk(desired, *scan, opts);
//   absl::Status applied = s->Apply(desired, changes, &report);
//
// A function that only reads takes `const ReadSession&`, and a
// WriteSession passes as one (it derives from ReadSession); a WriteSession
// never converts into a ReadSession by value, which would carry its lock
// off under a type that says it has none. RenderGitopsTree and
// PlanGitopsTree (tree/render.h) open a session for one call.
//
// The Env in the options (if any) must outlive the session. Not
// thread-safe; move-only.
#ifndef WILDSIDE_TREE_CHECKOUT_H_
#define WILDSIDE_TREE_CHECKOUT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tree/desired_tree.h"
#include "tree/diff.h"
#include "tree/inventory.h"
#include "tree/options.h"
#include "tree/report.h"
#include "tree/scan.h"

namespace wildside::tree {

class WriteSession;

class ReadSession {
 public:
  // Opens `root` to read: no lock, never creates; a missing root is not an
  // error (exists() is false). Errors: InvalidArgument for an empty or
  // NUL-bearing path; FailedPrecondition when it is not a directory; OS
  // errors by errno.
  static absl::StatusOr<ReadSession> Open(std::string_view root, TreeOptions options);

  ReadSession(ReadSession&& other) noexcept;
  ReadSession& operator=(ReadSession&& other) noexcept;
  ReadSession(const ReadSession&) = delete;
  ReadSession& operator=(const ReadSession&) = delete;
  // Refused at compile time: see the header comment.
  ReadSession(WriteSession&&) = delete;
  ReadSession& operator=(WriteSession&&) = delete;
  ~ReadSession();  // closes the root (and so releases a WriteSession's lock)

  // False when the root did not exist at Open (read, or OpenExisting).
  bool exists() const { return root_fd_ >= 0; }
  const std::string& root() const { return root_; }
  const TreeOptions& options() const { return options_; }

  // Scans the owned roots of `cluster` below the root: lstat semantics,
  // never follows a symlink, excluded paths noted but never opened (see
  // tree/scan.h for what the scan holds). With `hash_if_same_size`, hashes
  // only the files it also has at that size, which is all DiffAgainstDisk
  // needs; null: hashes every regular file. No checkout: an empty scan.
  // Errors: InvalidArgument for an invalid cluster name; FailedPrecondition
  // naming the path for a symlink, fifo, socket or device inside an owned
  // root (unless options.symlinks_as_stray; IsUnfollowedEntry recognises
  // the error); other OS errors by errno ("<path>: <what>: <strerror>").
  absl::StatusOr<TreeScan> Scan(std::string_view cluster,
                                const DesiredTree* hash_if_same_size) const;

  // The ownership inventory of `cluster` (tree/inventory.h) as it is on
  // disk; exists = false when there is none (or no checkout). Errors:
  // InvalidArgument for an invalid cluster name; ResourceExhausted when it
  // is too large to be one; OS errors by errno.
  absl::StatusOr<Inventory> ReadInventory(std::string_view cluster) const;

  // Every path the other clusters' inventories claim (as in a scan), read
  // without walking the tree. Empty when there is no checkout.
  absl::StatusOr<ForeignClaims> ReadForeignClaims(std::string_view cluster) const;

  // Reads the regular file `relpath`, walking with openat(O_NOFOLLOW) so no
  // symlink is followed, and refusing to read more than `max_bytes`.
  // Errors: InvalidArgument for a malformed path (absolute, "..", ...);
  // NotFound if absent (or no checkout); FailedPrecondition if it or a
  // parent is a symlink or not a directory, or it is not a regular file;
  // ResourceExhausted if larger than `max_bytes`; other OS errors by errno.
  absl::StatusOr<std::string> ReadFile(std::string_view relpath, size_t max_bytes) const;

  // The SHA-256 (lowercase hex) of the regular file `relpath`, read in
  // pieces, of any size. Same walk and errors as ReadFile, without the
  // size limit.
  absl::StatusOr<std::string> HashFile(std::string_view relpath) const;

  // The kind of what `relpath` names below the root, following symlinks
  // (fstatat(root, relpath, 0)): kFile, kDirectory or kOther, never
  // kSymlink. Unlike every other call here it may look through a link,
  // even out of the checkout: it answers whether a tool that follows links
  // (kustomize) finds something there, and reads only the type, never
  // content. As for the path "<root>/<relpath>", leading slashes add
  // nothing, "" is the root itself, and the path ends at a NUL byte.
  // Errors: NotFound when missing (or no checkout); other OS errors by
  // errno.
  absl::StatusOr<EntryKind> StatFollowingLinks(std::string_view relpath) const;

 protected:
  ReadSession(std::string root, TreeOptions options, int fd)
      : root_(std::move(root)), options_(std::move(options)), root_fd_(fd) {}
  int root_fd() const { return root_fd_; }

 private:
  void Close();

  std::string root_;
  TreeOptions options_;
  int root_fd_ = -1;  // closing it releases a WriteSession's flock
};

class WriteSession : public ReadSession {
 public:
  // Opens `root` to write, creating it if missing (mkdir -p, dir_mode;
  // directories made are counted in *dirs_created when given), and waits
  // up to options.lock_timeout_ms for the lock. Errors: Unavailable when
  // the lock is not had in time; InvalidArgument for an empty or
  // NUL-bearing path; OS errors by errno.
  static absl::StatusOr<WriteSession> Open(std::string_view root, TreeOptions options,
                                           uint64_t* dirs_created = nullptr);
  // As Open, but never creates: a missing root is a session with
  // exists() false, whose Remove has nothing to do (destroy).
  static absl::StatusOr<WriteSession> OpenExisting(std::string_view root, TreeOptions options);

  WriteSession(WriteSession&&) noexcept = default;
  WriteSession& operator=(WriteSession&&) noexcept = default;

  // Applies `changes` (from DiffAgainstDisk against the same `desired`;
  // contents come from `desired`), atomically per file: see tree/apply.h
  // for the order and the guarantees. Adds to *report what was done, also
  // on error. Errors: InvalidArgument (nothing is done) if a path in
  // `changes` is not a normalised relative path, so even a hand-made
  // change set cannot climb out of the checkout; FailedPrecondition
  // listing every conflict if changes.conflicts is non-empty (nothing is
  // done), for a symlink or non-directory met on the way, or when the root
  // does not exist (OpenExisting); OS errors by errno as
  // "<path>: <what>: <strerror>"; Internal if `desired` lacks a key the
  // change set writes.
  absl::Status Apply(const DesiredTree& desired, const ChangeSet& changes,
                     RenderReport* report) const;

  // The destroy of `cluster`: deletes exactly the listed files, each only
  // if it is present, is a regular file, and lies inside an owned root of
  // `cluster`; a listed path inside an excluded glob is skipped (never an
  // error), and so is one another cluster's ownership inventory claims
  // (tree/inventory.h). Symlinks are never followed: a listed path reached
  // through a symlink, or that is itself a symlink or a directory, is left
  // alone. Then removes the directories inside the owned roots that became
  // empty, up to and including an owned root directory itself
  // (`clusters/<cluster>`, `modules`, `platform`), but never `clusters/` or
  // the checkout root. Last, narrows the cluster's inventory to the paths
  // it lists that are still on disk, or deletes it (with
  // `clusters/<cluster>/` when that is left empty) when none is left:
  // release after delete. An already clean tree, or no checkout, is
  // success. report->pruned counts deleted files, report->dirs_removed
  // directories. Errors: InvalidArgument (nothing deleted) listing every
  // path that is malformed or outside the owned roots, or an invalid
  // cluster name; OS errors by errno.
  absl::Status Remove(std::string_view cluster, const std::vector<std::string>& paths,
                      RenderReport* report) const;

 private:
  WriteSession(std::string root, TreeOptions options, int fd)
      : ReadSession(std::move(root), std::move(options), fd) {}
};

}  // namespace wildside::tree

#endif  // WILDSIDE_TREE_CHECKOUT_H_
