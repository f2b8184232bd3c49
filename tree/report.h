// RenderReport: what an apply actually did, and JSON views for the CLI.
//
// A report is filled in as operations succeed, so after a failure part-way
// it still says exactly what was done before the error.
#ifndef WILDSIDE_TREE_REPORT_H_
#define WILDSIDE_TREE_REPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tree/diff.h"

namespace wildside::tree {

struct RenderReport {
  uint64_t created = 0;        // files written that did not exist as files
  uint64_t updated = 0;        // files rewritten with new content
  uint64_t mode_changed = 0;   // files/directories whose mode was fixed
  uint64_t pruned = 0;         // stray files/symlinks deleted
  uint64_t unchanged = 0;      // desired files left untouched
  uint64_t dirs_created = 0;   // directories made (incl. the checkout root)
  uint64_t dirs_removed = 0;   // emptied directories removed
  uint64_t bytes_written = 0;  // content bytes of created + updated files
  // Sorted repo-relative paths of files created, updated, mode-changed or
  // pruned, and of directories mode-changed or removed (with a trailing '/').
  std::vector<std::string> changed_paths;

  bool Changed() const {
    return created + updated + mode_changed + pruned + dirs_created + dirs_removed != 0;
  }
};

// {"created":N,...,"bytes_written":N,"changed_paths":[...]}. Never throws.
nlohmann::json ToJson(const RenderReport& report);

// {"has_changes":bool,"changes":[{"kind","path","old_size",...}],
//  "conflicts":[{"path","message"}],"kept_strays":[...],"temp_files":[...]}.
// kUnchanged entries are counted ("unchanged":N), not listed.
nlohmann::json ToJson(const ChangeSet& changes);

// One line: "3 created, 1 updated, 0 mode changed, 2 pruned, 10 unchanged,
// 1 directories created, 0 removed, 1234 bytes written".
std::string Summarize(const RenderReport& report);

}  // namespace wildside::tree

#endif  // WILDSIDE_TREE_REPORT_H_
