#include "tree/checkout.h"

#include <unistd.h>

#include <set>
#include <utility>

#include "tree/apply_at.h"
#include "tree/internal/fs.h"
#include "tree/inventory_at.h"
#include "tree/remove_at.h"
#include "tree/scan_at.h"
#include "tree/validate.h"

namespace wildside::tree {

absl::StatusOr<Checkout> Checkout::Open(std::string_view root, Mode mode,
                                        const TreeOptions& options,
                                        uint64_t* dirs_created) {
  Env* env = options.GetEnv();
  absl::StatusOr<internal::Fd> fd = internal::OpenRoot(
      env, root, /*create=*/mode == kWrite, options.dir_mode, dirs_created);
  if (!fd.ok()) {
    if (mode != kWrite && absl::IsNotFound(fd.status())) {
      return Checkout(std::string(root), mode, &options, -1);
    }
    return fd.status();
  }
  if (mode != kRead) {
    absl::Status locked =
        internal::LockRoot(env, fd->get(), root, options.lock_timeout_ms);
    if (!locked.ok()) return locked;
  }
  return Checkout(std::string(root), mode, &options, fd->Release());
}

Checkout::Checkout(Checkout&& other) noexcept
    : root_(std::move(other.root_)),
      mode_(other.mode_),
      options_(other.options_),
      root_fd_(std::exchange(other.root_fd_, -1)) {}

Checkout& Checkout::operator=(Checkout&& other) noexcept {
  if (this != &other) {
    Close();
    root_ = std::move(other.root_);
    mode_ = other.mode_;
    options_ = other.options_;
    root_fd_ = std::exchange(other.root_fd_, -1);
  }
  return *this;
}

Checkout::~Checkout() { Close(); }

void Checkout::Close() {
  if (root_fd_ >= 0) options_->GetEnv()->Close(root_fd_);  // drops the flock
  root_fd_ = -1;
}

absl::StatusOr<TreeScan> Checkout::Scan(std::string_view cluster,
                                        const DesiredTree* hash_if_same_size) const {
  if (absl::Status s = ValidateCluster(cluster); !s.ok()) return s;
  if (root_fd_ < 0) return EmptyScan(cluster);
  return ScanTreeAt(root_fd_, cluster, *options_, hash_if_same_size);
}

absl::Status Checkout::Apply(const DesiredTree& desired, const ChangeSet& changes,
                             RenderReport* report) const {
  if (!locked()) {
    return absl::FailedPreconditionError(root_ + ": checkout not opened for writing");
  }
  return ApplyChangeSetAt(root_fd_, desired, changes, *options_, report);
}

absl::Status Checkout::Remove(std::string_view cluster,
                              const std::vector<std::string>& paths,
                              RenderReport* report) const {
  std::set<std::string> sorted;
  if (absl::Status s = CheckRemovePaths(cluster, paths, *options_, &sorted); !s.ok()) {
    return s;
  }
  if (root_fd_ < 0 && mode_ == kWriteExisting) return absl::OkStatus();  // nothing there
  if (!locked()) {
    return absl::FailedPreconditionError(root_ + ": checkout not opened for writing");
  }
  return RemoveAndReleaseAt(root_fd_, cluster, std::move(sorted), *options_, report);
}

absl::StatusOr<ForeignClaims> Checkout::ReadForeignClaims(std::string_view cluster) const {
  if (absl::Status s = ValidateCluster(cluster); !s.ok()) return s;
  if (root_fd_ < 0) return ForeignClaims{};
  return ReadForeignClaimsAt(root_fd_, cluster, *options_);
}

absl::StatusOr<Inventory> Checkout::ReadInventory(std::string_view cluster) const {
  if (absl::Status s = ValidateCluster(cluster); !s.ok()) return s;
  if (root_fd_ < 0) {
    Inventory none;
    none.cluster = std::string(cluster);
    return none;
  }
  return ReadInventoryAt(root_fd_, cluster, *options_);
}

absl::StatusOr<std::string> Checkout::ReadFile(std::string_view relpath,
                                               size_t max_bytes) const {
  if (root_fd_ < 0) return absl::NotFoundError(std::string(relpath) + ": no such file");
  return ReadTreeFileAt(root_fd_, relpath, max_bytes, *options_);
}

absl::StatusOr<std::string> Checkout::HashFile(std::string_view relpath) const {
  if (root_fd_ < 0) return absl::NotFoundError(std::string(relpath) + ": no such file");
  return HashTreeFileAt(root_fd_, relpath, *options_);
}

}  // namespace wildside::tree
