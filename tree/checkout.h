// Checkout: one session over one GitOps checkout.
//
// A Checkout owns the checkout root's directory descriptor, the Env every
// call goes through, and — when opened for writing — the exclusive lock on
// the checkout (flock on the root descriptor), held from Open() to the
// destructor. Everything a caller does between those two points (scan,
// diff, apply, remove, read a file) sees and changes one checkout that no
// other applier can touch meanwhile, and the root is opened and locked
// exactly once, however many steps there are.
//
//   absl::StatusOr<Checkout> c = Checkout::Open(dir, Checkout::kWrite, opts);
//   absl::StatusOr<TreeScan> scan = c->Scan(cluster, &desired);
//   ChangeSet changes = DiffAgainstDisk(desired, *scan, opts);
//   absl::Status s = c->Apply(desired, changes, &report);
//
// kRead opens without a lock and never creates the root: plans and
// refreshes only read, and a reader that waited on an applier's lock would
// only see the state the applier is about to replace anyway (docs/adr/0005-checkout-session.md).
// A missing root is not an error for kRead: exists() is false and Scan
// returns an empty scan.
//
// The free functions ScanTree, ApplyChangeSet, RemoveManagedFiles,
// ReadTreeFile and RenderGitopsTree are wrappers that open a Checkout for
// one call. Not thread-safe; move-only.
#ifndef WILDSIDE_TREE_CHECKOUT_H_
#define WILDSIDE_TREE_CHECKOUT_H_

#include <string>
#include <string_view>
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

class Checkout {
 public:
  // kRead: no lock, never creates. kWrite: creates a missing root, locks.
  // kWriteExisting: locks the root if it exists, else exists() is false
  // (destroy: nothing to remove, and nothing to create).
  enum Mode { kRead, kWrite, kWriteExisting };

  // kWrite creates a missing root (mkdir -p, dir_mode; counted in
  // *dirs_created when given) and waits up to options.lock_timeout_ms for
  // the lock. Errors: Unavailable when the lock is not had in time;
  // InvalidArgument for an empty or NUL-bearing path; OS errors by errno.
  // `options` must outlive the Checkout.
  static absl::StatusOr<Checkout> Open(std::string_view root, Mode mode,
                                       const TreeOptions& options,
                                       uint64_t* dirs_created = nullptr);
  // A temporary would dangle (the Checkout keeps a pointer): refused at
  // compile time.
  static absl::StatusOr<Checkout> Open(std::string_view root, Mode mode, TreeOptions&& options,
                                       uint64_t* dirs_created = nullptr) = delete;

  Checkout(Checkout&& other) noexcept;
  Checkout& operator=(Checkout&& other) noexcept;
  Checkout(const Checkout&) = delete;
  Checkout& operator=(const Checkout&) = delete;
  ~Checkout();  // releases the lock

  bool exists() const { return root_fd_ >= 0; }
  bool locked() const { return mode_ != kRead && root_fd_ >= 0; }
  const std::string& root() const { return root_; }

  // Scans the owned roots of `cluster` (see tree/scan.h). With
  // `hash_if_same_size`, hashes only the files it also has at that size.
  absl::StatusOr<TreeScan> Scan(std::string_view cluster,
                                const DesiredTree* hash_if_same_size) const;

  // Applies `changes` (see tree/apply.h); kWrite only. Adds to *report what
  // was done, also on error.
  absl::Status Apply(const DesiredTree& desired, const ChangeSet& changes,
                     RenderReport* report) const;

  // Deletes the managed files `paths` and the directories they leave empty
  // (see tree/remove.h), then narrows the cluster's ownership inventory to
  // the paths it lists that are still on disk, deleting it when none is
  // left (release after delete, tree/inventory.h); kWrite only.
  absl::Status Remove(std::string_view cluster,
                      const std::vector<std::string>& paths,
                      RenderReport* report) const;

  // The ownership inventory of `cluster` (tree/inventory.h) as it is on
  // disk; exists = false when there is none (or no checkout). Errors:
  // InvalidArgument for an invalid cluster name; FailedPrecondition when
  // it is not a regular file; OS errors by errno.
  absl::StatusOr<Inventory> ReadInventory(std::string_view cluster) const;

  // Every path the other clusters' inventories claim (see ScanTree), read
  // without walking the tree. Empty when there is no checkout.
  absl::StatusOr<ForeignClaims> ReadForeignClaims(std::string_view cluster) const;

  // Reads the regular file `relpath`, at most `max_bytes` (see
  // ReadTreeFile in tree/scan.h).
  absl::StatusOr<std::string> ReadFile(std::string_view relpath,
                                       size_t max_bytes) const;

  // The SHA-256 (hex) of the regular file `relpath`, read in pieces, of any
  // size (see HashTreeFile in tree/scan.h).
  absl::StatusOr<std::string> HashFile(std::string_view relpath) const;

 private:
  Checkout(std::string root, Mode mode, const TreeOptions* options, int fd)
      : root_(std::move(root)), mode_(mode), options_(options), root_fd_(fd) {}
  void Close();

  std::string root_;
  Mode mode_ = kRead;
  const TreeOptions* options_ = nullptr;
  int root_fd_ = -1;  // closing it releases the flock
};

}  // namespace wildside::tree

#endif  // WILDSIDE_TREE_CHECKOUT_H_
