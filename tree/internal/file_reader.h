// Reading one file below a checkout root the session holds open: what
// ReadSession::ReadFile and ReadSession::HashFile (tree/checkout.h) do,
// and how the inventories are read. Internal to tree/.
//
// The walk is openat(O_NOFOLLOW) one segment at a time from the root, so
// no symlink is followed. Reads only; thread-safe.
#ifndef WILDSIDE_TREE_INTERNAL_FILE_READER_H_
#define WILDSIDE_TREE_INTERNAL_FILE_READER_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "tree/options.h"

namespace wildside::tree::internal {

// Read buffer for hashing: large enough that syscalls are not the cost.
inline constexpr size_t kReadBuffer = 256 * 1024;

// The regular file `relpath` below `root_fd`, at most `max_bytes`. Errors
// as ReadSession::ReadFile.
absl::StatusOr<std::string> ReadTreeFileAt(int root_fd, std::string_view relpath, size_t max_bytes,
                                           const TreeOptions& options);

// The lowercase hex SHA-256 of the regular file `relpath` below
// `root_fd`, read in pieces (any size). Errors as ReadTreeFileAt, without
// the size limit.
absl::StatusOr<std::string> HashTreeFileAt(int root_fd, std::string_view relpath,
                                           const TreeOptions& options);

}  // namespace wildside::tree::internal

#endif  // WILDSIDE_TREE_INTERNAL_FILE_READER_H_
