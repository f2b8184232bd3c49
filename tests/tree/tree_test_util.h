// Helpers for tree/ tests: a private temp directory per test, small file
// utilities, a snapshot of a directory for "nothing changed" assertions,
// one-call sessions, and the realistic fixture of issue 3.
#ifndef WILDSIDE_TESTS_TREE_TREE_TEST_UTIL_H_
#define WILDSIDE_TESTS_TREE_TREE_TEST_UTIL_H_

#include <sys/stat.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tree/apply.h"
#include "tree/desired_tree.h"
#include "tree/diff.h"
#include "tree/options.h"
#include "tree/scan.h"

namespace wildside::tree::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

// Writes `content` to `path`, creating parents (0755), then chmods `mode`.
void WriteFile(const std::string& path, const std::string& content, mode_t mode = 0644);
std::optional<std::string> ReadFile(const std::string& path);
void MakeDirs(const std::string& path);
void MakeSymlink(const std::string& target, const std::string& link);
bool Exists(const std::string& path);    // lstat
mode_t ModeOf(const std::string& path);  // permission bits (lstat)
struct timespec MtimeOf(const std::string& path);
// Sets atime/mtime of `path` to a fixed time in the past (2001-09-09).
void SetOldMtime(const std::string& path);

// Every entry below `root` (not following symlinks): relative path ->
// "file <mode> <content>", "dir <mode>" or "link -> <target>".
std::map<std::string, std::string> Snapshot(const std::string& root);

// Regular files below `root` (not following symlinks): rel path -> content.
// Ownership inventories (`.wildside-inventory`) are left out: they are the
// engine's record, not part of the tree; tests/tree/inventory_test.cc
// checks them.
std::map<std::string, std::string> ReadTree(const std::string& root);

// One session for one call, opened as the provider opens it
// (tree/checkout.h has no root-path shortcuts).
// ReadSession::Open, then Scan (a plan, a refresh).
absl::StatusOr<TreeScan> ScanCheckout(const std::string& root, const std::string& cluster,
                                      const TreeOptions& options,
                                      const DesiredTree* hash_if_same_size = nullptr);
// WriteSession::Open, then Apply (an apply with a change set planned
// before); the report holds what was done, also on error.
ApplyResult ApplyInSession(const std::string& root, const DesiredTree& desired,
                           const ChangeSet& changes, const TreeOptions& options);
// WriteSession::OpenExisting, then Remove: the provider's destroy.
ApplyResult RemoveInSession(const std::string& root, const std::string& cluster,
                            const std::vector<std::string>& paths, const TreeOptions& options);

// About 41 files in the layout of issue 3: most a few hundred bytes, one
// 200 KB multi-document YAML with non-ASCII UTF-8 (µ); every value ends in
// "\n\n".
std::map<std::string, std::string> RealisticFixture(const std::string& cluster);

// Runs a shell command; returns its exit status (or -1) and stdout.
int RunCommand(const std::string& command, std::string* out = nullptr);

}  // namespace wildside::tree::testing

#endif  // WILDSIDE_TESTS_TREE_TREE_TEST_UTIL_H_
