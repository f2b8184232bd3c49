// Validation of a desired tree before anything touches the disk.
//
// ValidateDesiredTree checks the cluster name and every key and returns every
// problem found, not just the first, so a user fixes them all in one round.
// A valid tree guarantees that every key is a normalised relative POSIX path
// inside an owned root (see tree/layout.h), cannot escape the checkout, and
// cannot collide with another key on disk (as file-vs-directory or on a
// case-insensitive filesystem).
//
// Rules for keys (each violation is one KeyProblem naming the key):
//   not empty; at most 4096 bytes; each segment at most 255 bytes; not
//   absolute; no backslash; valid UTF-8; no code point of Unicode general
//   category Cc (controls, NUL included), Cf (format characters: bidi
//   controls, zero-width characters, ...), Zl or Zp, and no noncharacter
//   (see tree/internal/unicode.h);
//   no trailing slash; no empty, "." or ".." segment; no ".git" segment (any
//   case); no segment starting with the temp prefix ".wildside-tmp-"; not
//   named ".wildside-inventory" (tree/inventory.h) in any directory; under
//   `clusters/<cluster>/`, `modules/` or `platform/<known component>/` (a key
//   under another cluster's folder is refused as such); not inside an exclude
//   glob; not equal to another key up to ASCII case; not a directory of
//   another key. The last two compare only keys that are valid on their own,
//   and a case collision is reported on each key involved.
//
// Pure functions; no I/O; thread-safe.
#ifndef WILDSIDE_TREE_VALIDATE_H_
#define WILDSIDE_TREE_VALIDATE_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "tree/desired_tree.h"
#include "tree/options.h"

namespace wildside::tree {

// One validation failure. `key` is the offending desired-tree key (which
// may itself be empty), or empty with `about_cluster` set when the problem
// is the cluster name. `message` reads "<what>: <why>".
struct KeyProblem {
  std::string key;
  std::string message;
  bool about_cluster = false;

  friend bool operator==(const KeyProblem&, const KeyProblem&) = default;
};

// Every problem with `cluster` and the keys of `desired`, in key order
// (cluster-name problems first). Empty means valid.
std::vector<KeyProblem> ValidateDesiredTree(std::string_view cluster, const DesiredTree& desired,
                                            const TreeOptions& options);

// Problems of a single key considered alone (shape and ownership, not the
// cross-key collisions). Used for paths that come from elsewhere, e.g. the
// file list given to WriteSession::Remove.
std::vector<std::string> ValidateKey(std::string_view key, std::string_view cluster,
                                     const TreeOptions& options);

// Shape problems of a path alone (absolute, "..", control characters, ...),
// without the ownership rules. Empty means the path is a normalised relative
// path that cannot leave the directory it is resolved against.
std::vector<std::string> ValidatePathShape(std::string_view path);

// OK, or InvalidArgument "invalid cluster name ...: ..." for a name that is
// not a DNS-1123 label.
absl::Status ValidateCluster(std::string_view cluster);

// OK if `problems` is empty, else InvalidArgument whose message has one line
// per problem: `<attribute>["<key>"]: <what>: <why>` (or `cluster: ...` for a
// cluster-name problem). Keys are shown with EscapeForDisplay
// (tree/content.h), so refused and invalid bytes stay visible.
absl::Status ProblemsToStatus(const std::vector<KeyProblem>& problems,
                              std::string_view attribute = "desired");

// ProblemsToStatus(ValidateDesiredTree(cluster, desired, options)).
absl::Status CheckDesiredTree(std::string_view cluster, const DesiredTree& desired,
                              const TreeOptions& options);

}  // namespace wildside::tree

#endif  // WILDSIDE_TREE_VALIDATE_H_
