#include "tree/diff.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "tree/internal/strings.h"
#include "tree/internal/sha256.h"
#include "tree/layout.h"

namespace wildside::tree {

std::string_view ChangeKindName(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kPrune:
      return "prune";
    case ChangeKind::kRemoveDir:
      return "remove_dir";
    case ChangeKind::kCreate:
      return "create";
    case ChangeKind::kUpdate:
      return "update";
    case ChangeKind::kModeChange:
      return "mode_change";
    case ChangeKind::kUnchanged:
      return "unchanged";
  }
  return "unchanged";
}

bool ChangeSet::HasChanges() const {
  if (!conflicts.empty()) return true;
  if (!inventory_claim.empty() || !inventory_release.empty()) return true;
  return std::any_of(changes.begin(), changes.end(), [](const Change& c) {
    return c.kind != ChangeKind::kUnchanged;
  });
}

size_t ChangeSet::Count(ChangeKind kind) const {
  return static_cast<size_t>(
      std::count_if(changes.begin(), changes.end(),
                    [kind](const Change& c) { return c.kind == kind; }));
}

namespace {

bool HasSortedPrefix(const std::vector<std::string>& sorted,
                     const std::string& prefix) {
  auto it = std::lower_bound(sorted.begin(), sorted.end(), prefix);
  return it != sorted.end() && StartsWith(*it, prefix);
}

}  // namespace

ChangeSet DiffAgainstDisk(const DesiredTree& desired, const TreeScan& scan,
                          const TreeOptions& options) {
  ChangeSet out;
  out.temp_files = scan.temp_files;
  std::set<std::string, std::less<>> conflicted;
  auto conflict = [&](std::string path, std::string message) {
    if (conflicted.insert(path).second) {
      out.conflicts.push_back({std::move(path), std::move(message)});
    }
  };
  // Every directory some desired key needs, strictly above it.
  std::set<std::string, std::less<>> needed_dirs;
  for (const auto& [key, content] : desired) {
    std::string_view p = ParentPath(key);
    while (!p.empty() && needed_dirs.emplace(p).second) p = ParentPath(p);
  }

  for (const auto& [key, content] : desired) {
    // Obstacles at or above the owned root: never ours to remove. Only
    // `clusters` lies above one ("clusters/dev" -> "clusters").
    std::string_view root = OwnedRootOf(key);
    for (std::string_view p : {ParentPath(root), root}) {
      if (p.empty()) continue;
      const ScanEntry* e = scan.Find(p);
      if (e != nullptr && e->kind != EntryKind::kDirectory) {
        conflict(std::string(p),
                 StrCat("a ", EntryKindName(e->kind),
                              " is where the directory ", p,
                              "/ must be: it is at or above an owned root, so "
                              "the engine will not remove it"));
      }
    }
    // Obstacles inside the owned root on the way to the key.
    for (std::string_view p = ParentPath(key); p.size() > root.size();
         p = ParentPath(p)) {
      const ScanEntry* e = scan.Find(p);
      if (e != nullptr && e->kind != EntryKind::kDirectory && !options.prune) {
        conflict(std::string(p),
                 StrCat("a ", EntryKindName(e->kind),
                              " is where a directory must be: pruning is "
                              "disabled, so it cannot be replaced"));
      }
    }

    Change c;
    c.path = key;
    c.new_size = content.size();
    c.new_mode = options.file_mode;
    const ScanEntry* e = scan.Find(key);
    if (e == nullptr) {
      c.kind = ChangeKind::kCreate;
    } else {
      c.on_disk = true;
      c.disk_kind = e->kind;
      c.old_size = e->size;
      c.old_mode = e->mode;
      if (e->kind == EntryKind::kFile) {
        bool same;
        if (e->size != content.size()) {
          same = false;
        } else if (e->compared && e->compared_with == content.data()) {
          same = e->same_as_compared;
        } else {
          same = !e->sha256.empty() && e->sha256 == internal::Sha256Hex(content);
        }
        if (!same) {
          c.kind = ChangeKind::kUpdate;
        } else if (e->mode != options.file_mode) {
          c.kind = ChangeKind::kModeChange;
        } else {
          c.kind = ChangeKind::kUnchanged;
        }
      } else {
        c.kind = ChangeKind::kCreate;
        if (!options.prune) {
          conflict(key, StrCat("a ", EntryKindName(e->kind),
                                     " is where the file must be written: "
                                     "pruning is disabled, so it cannot be "
                                     "replaced"));
        } else if (e->kind == EntryKind::kDirectory &&
                   HasSortedPrefix(scan.excluded, key + "/")) {
          conflict(key,
                   "a directory is where the file must be written and it "
                   "holds excluded paths, which the engine never deletes");
        }
      }
    }
    out.changes.push_back(std::move(c));
  }

  for (const ScanEntry& e : scan.entries) {
    if (!e.owned) continue;
    if (e.kind != EntryKind::kDirectory) {
      if (desired.count(e.path) != 0) continue;
      if (!options.prune) {
        out.kept_strays.push_back(e.path);
        continue;
      }
      Change c;
      c.kind = ChangeKind::kPrune;
      c.path = e.path;
      c.on_disk = true;
      c.disk_kind = e.kind;
      c.old_size = e.size;
      c.old_mode = e.mode;
      out.changes.push_back(std::move(c));
      continue;
    }
    // A directory survives if a desired key needs it, if it holds excluded
    // paths, or if nothing is pruned at all.
    bool keep = !options.prune || needed_dirs.count(e.path) != 0 ||
                HasSortedPrefix(scan.excluded, e.path + "/");
    Change c;
    c.path = e.path;
    c.on_disk = true;
    c.disk_kind = e.kind;
    c.old_mode = e.mode;
    if (!keep) {
      c.kind = ChangeKind::kRemoveDir;
    } else if (e.mode != options.dir_mode) {
      c.kind = ChangeKind::kModeChange;
      c.new_mode = options.dir_mode;
    } else {
      continue;
    }
    out.changes.push_back(std::move(c));
  }

  std::sort(out.changes.begin(), out.changes.end(),
            [](const Change& a, const Change& b) {
              return std::tie(a.path, a.kind) < std::tie(b.path, b.kind);
            });
  std::sort(out.conflicts.begin(), out.conflicts.end(),
            [](const Conflict& a, const Conflict& b) { return a.path < b.path; });
  return out;
}

}  // namespace wildside::tree
