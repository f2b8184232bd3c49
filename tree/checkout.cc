#include "tree/checkout.h"

#include <sys/stat.h>

#include <cerrno>
#include <set>
#include <utility>

#include "tree/internal/applier.h"
#include "tree/internal/file_reader.h"
#include "tree/internal/fs.h"
#include "tree/internal/inventory_store.h"
#include "tree/internal/remover.h"
#include "tree/internal/scanner.h"
#include "tree/validate.h"

namespace wildside::tree {
namespace {

enum class Missing { kCreate, kNoCheckout };

// The one way any session opens a root: the descriptor, or -1 for a
// missing root that is not created; locked when `lock`.
absl::StatusOr<int> OpenRootFd(std::string_view root, const TreeOptions& options, Missing missing,
                               bool lock, uint64_t* dirs_created) {
  Env* env = options.GetEnv();
  absl::StatusOr<internal::Fd> fd = internal::OpenRoot(
      env, root, /*create=*/missing == Missing::kCreate, options.dir_mode, dirs_created);
  if (!fd.ok()) {
    if (missing == Missing::kNoCheckout && absl::IsNotFound(fd.status())) return -1;
    return fd.status();
  }
  if (lock) {
    absl::Status locked = internal::LockRoot(env, fd->get(), root, options.lock_timeout_ms);
    if (!locked.ok()) return locked;
  }
  return fd->Release();
}

}  // namespace

absl::StatusOr<ReadSession> ReadSession::Open(std::string_view root, TreeOptions options) {
  absl::StatusOr<int> fd = OpenRootFd(root, options, Missing::kNoCheckout, /*lock=*/false, nullptr);
  if (!fd.ok()) return fd.status();
  return ReadSession(std::string(root), std::move(options), *fd);
}

absl::StatusOr<WriteSession> WriteSession::Open(std::string_view root, TreeOptions options,
                                                uint64_t* dirs_created) {
  absl::StatusOr<int> fd = OpenRootFd(root, options, Missing::kCreate, /*lock=*/true, dirs_created);
  if (!fd.ok()) return fd.status();
  return WriteSession(std::string(root), std::move(options), *fd);
}

absl::StatusOr<WriteSession> WriteSession::OpenExisting(std::string_view root,
                                                        TreeOptions options) {
  absl::StatusOr<int> fd = OpenRootFd(root, options, Missing::kNoCheckout, /*lock=*/true, nullptr);
  if (!fd.ok()) return fd.status();
  return WriteSession(std::string(root), std::move(options), *fd);
}

ReadSession::ReadSession(ReadSession&& other) noexcept
    : root_(std::move(other.root_)),
      options_(std::move(other.options_)),
      root_fd_(std::exchange(other.root_fd_, -1)) {}

ReadSession& ReadSession::operator=(ReadSession&& other) noexcept {
  if (this != &other) {
    Close();
    root_ = std::move(other.root_);
    options_ = std::move(other.options_);
    root_fd_ = std::exchange(other.root_fd_, -1);
  }
  return *this;
}

ReadSession::~ReadSession() { Close(); }

void ReadSession::Close() {
  if (root_fd_ >= 0) options_.GetEnv()->Close(root_fd_);  // drops the flock
  root_fd_ = -1;
}

absl::StatusOr<TreeScan> ReadSession::Scan(std::string_view cluster,
                                           const DesiredTree* hash_if_same_size) const {
  if (absl::Status s = ValidateCluster(cluster); !s.ok()) return s;
  if (root_fd_ < 0) return internal::EmptyScan(cluster);
  return internal::ScanTreeAt(root_fd_, cluster, options_, hash_if_same_size);
}

absl::StatusOr<ForeignClaims> ReadSession::ReadForeignClaims(std::string_view cluster) const {
  if (absl::Status s = ValidateCluster(cluster); !s.ok()) return s;
  if (root_fd_ < 0) return ForeignClaims{};
  return internal::ReadForeignClaimsAt(root_fd_, cluster, options_);
}

absl::StatusOr<Inventory> ReadSession::ReadInventory(std::string_view cluster) const {
  if (absl::Status s = ValidateCluster(cluster); !s.ok()) return s;
  if (root_fd_ < 0) {
    Inventory none;
    none.cluster = std::string(cluster);
    return none;
  }
  return internal::ReadInventoryAt(root_fd_, cluster, options_);
}

absl::StatusOr<std::string> ReadSession::ReadFile(std::string_view relpath,
                                                  size_t max_bytes) const {
  if (root_fd_ < 0) return absl::NotFoundError(std::string(relpath) + ": no such file");
  return internal::ReadTreeFileAt(root_fd_, relpath, max_bytes, options_);
}

absl::StatusOr<std::string> ReadSession::HashFile(std::string_view relpath) const {
  if (root_fd_ < 0) return absl::NotFoundError(std::string(relpath) + ": no such file");
  return internal::HashTreeFileAt(root_fd_, relpath, options_);
}

absl::StatusOr<EntryKind> ReadSession::StatFollowingLinks(std::string_view relpath) const {
  if (root_fd_ < 0) return absl::NotFoundError(std::string(relpath) + ": no such file");
  // What a stat of "<root>/<relpath>" would find: a C string, where extra
  // slashes add nothing and "<root>/" is the root.
  const std::string rel(relpath);
  const char* path = rel.c_str();
  while (*path == '/') ++path;
  if (*path == '\0') path = ".";
  struct stat st;
  if (options_.GetEnv()->FstatAt(root_fd_, path, &st, /*flags=*/0) != 0) {
    return internal::OsError(relpath, "cannot stat", errno);
  }
  if (S_ISDIR(st.st_mode)) return EntryKind::kDirectory;
  if (S_ISREG(st.st_mode)) return EntryKind::kFile;
  return EntryKind::kOther;
}

absl::Status WriteSession::Apply(const DesiredTree& desired, const ChangeSet& changes,
                                 RenderReport* report) const {
  if (!exists()) {
    return absl::FailedPreconditionError(root() +
                                         ": no checkout to apply to (opened existing-only)");
  }
  return internal::ApplyChangeSetAt(root_fd(), desired, changes, options(), report);
}

absl::Status WriteSession::Remove(std::string_view cluster, const std::vector<std::string>& paths,
                                  RenderReport* report) const {
  std::set<std::string> sorted;
  if (absl::Status s = internal::CheckRemovePaths(cluster, paths, options(), &sorted); !s.ok())
    return s;
  if (!exists()) return absl::OkStatus();  // nothing there
  return internal::RemoveAndReleaseAt(root_fd(), cluster, std::move(sorted), options(), report);
}

}  // namespace wildside::tree
