#include "tree/scan.h"

#include <algorithm>

#include "tree/internal/fs.h"

namespace wildside::tree {

std::string_view EntryKindName(EntryKind kind) {
  switch (kind) {
    case EntryKind::kFile:
      return "file";
    case EntryKind::kDirectory:
      return "directory";
    case EntryKind::kSymlink:
      return "symlink";
    case EntryKind::kOther:
      return "other";
  }
  return "other";
}

const ScanEntry* TreeScan::Find(std::string_view path) const {
  auto it = std::lower_bound(entries.begin(), entries.end(), path,
                             [](const ScanEntry& e, std::string_view p) { return e.path < p; });
  return it != entries.end() && it->path == path ? &*it : nullptr;
}

bool IsUnfollowedEntry(const absl::Status& status) { return internal::IsUnfollowedError(status); }

}  // namespace wildside::tree
