#include "tree/diff.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "tree/internal/sha256.h"
#include "tree/inventory.h"
#include "tree/layout.h"
#include "tree/strings.h"

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

bool InExcludedDir(std::string_view path, const std::vector<std::string>& excluded) {
  for (std::string_view p = path; !p.empty(); p = ParentPath(p)) {
    if (std::binary_search(excluded.begin(), excluded.end(), p)) return true;
  }
  return false;
}

// The inventory texts (tree/inventory.h): claim old ∪ new before any write
// unless the inventory on disk already covers every key; release to the
// keys plus the old paths that stay on disk (kept strays, excluded) after
// the rest. `out` already holds the tree's changes.
void PlanInventory(const DesiredTree& desired, const TreeScan& scan,
                   const std::string& inventory_path, ChangeSet* out) {
  const Inventory& inv = scan.inventory;
  out->inventory_path = inventory_path;
  std::vector<std::string> keys;
  keys.reserve(desired.size());
  for (const auto& [key, unused] : desired) keys.push_back(key);
  const std::vector<std::string>& old = inv.paths;  // sorted
  const bool covered = inv.exists && std::includes(old.begin(), old.end(), keys.begin(), keys.end());
  std::string claimed_text = inv.text;
  if (!covered) {
    std::vector<std::string> both = keys;
    both.insert(both.end(), old.begin(), old.end());
    out->inventory_claim = FormatInventory(inv.cluster, std::move(both));
    claimed_text = out->inventory_claim;
  }
  std::vector<std::string> kept = keys;
  for (const std::string& p : old) {
    if (desired.count(p) != 0) continue;
    if (std::binary_search(out->kept_strays.begin(), out->kept_strays.end(), p) ||
        InExcludedDir(p, scan.excluded)) {
      kept.push_back(p);
    }
  }
  std::string release = FormatInventory(inv.cluster, std::move(kept));
  if (release != claimed_text) out->inventory_release = std::move(release);
}

}  // namespace

ChangeSet DiffAgainstDisk(const DesiredTree& desired, const TreeScan& scan,
                          const TreeOptions& options) {
  ChangeSet out;
  out.temp_files = scan.temp_files;
  std::set<std::string, std::less<>> conflicted;
  auto conflict = [&](std::string path, std::string message, std::string owner = {}) {
    if (conflicted.insert(path).second) {
      out.conflicts.push_back({std::move(path), std::move(message), std::move(owner)});
    }
  };
  // A path another cluster's inventory claims has that one owner.
  auto claimed = [&](std::string_view path, const std::string& owner, std::string_view what) {
    conflict(std::string(path),
             StrCat(what, "managed by cluster \"", owner, "\": its ownership inventory (",
                    InventoryPath(owner),
                    ") lists it, and a path has one owner; drop the key here, or drop it "
                    "from cluster \"", owner, "\" and apply that first"),
             owner);
  };
  // Every directory some desired key needs, strictly above it.
  std::set<std::string, std::less<>> needed_dirs;
  for (const auto& [key, content] : desired) {
    std::string_view p = ParentPath(key);
    while (!p.empty() && needed_dirs.emplace(p).second) p = ParentPath(p);
  }
  // The inventory's directory stays while there is an inventory.
  const std::string inventory_path =
      scan.inventory.cluster.empty() ? std::string() : InventoryPath(scan.inventory.cluster);
  const bool keeps_inventory = !inventory_path.empty() && (scan.inventory.exists || !desired.empty());
  if (keeps_inventory) {
    std::string_view p = ParentPath(inventory_path);
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
    // Another cluster's, whatever the content: never rewritten.
    if (const std::string* owner = ClaimOf(scan.foreign, key)) {
      claimed(key, *owner, "");
    } else if (HasClaimBelow(scan.foreign, key)) {
      const std::string& below = scan.foreign.lower_bound(StrCat(key, "/"))->second;
      claimed(key, below, "a directory holding files ");
    }
    // Obstacles inside the owned root on the way to the key.
    for (std::string_view p = ParentPath(key); p.size() > root.size();
         p = ParentPath(p)) {
      const ScanEntry* e = scan.Find(p);
      if (e != nullptr && e->foreign) {
        claimed(p, *ClaimOf(scan.foreign, p), "a file where a directory must be, ");
        continue;
      }
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
    if (e.foreign) out.foreign.push_back(e.path);
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
    // A directory survives if a desired key (or the inventory) needs it, if
    // it holds excluded paths or files another cluster claims, or if
    // nothing is pruned at all.
    bool keep = !options.prune || needed_dirs.count(e.path) != 0 ||
                HasSortedPrefix(scan.excluded, e.path + "/") ||
                HasClaimBelow(scan.foreign, e.path);
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

  if (keeps_inventory) PlanInventory(desired, scan, inventory_path, &out);

  std::sort(out.changes.begin(), out.changes.end(),
            [](const Change& a, const Change& b) {
              return std::tie(a.path, a.kind) < std::tie(b.path, b.kind);
            });
  std::sort(out.conflicts.begin(), out.conflicts.end(),
            [](const Conflict& a, const Conflict& b) { return a.path < b.path; });
  return out;
}

bool HasPendingHousekeeping(const std::vector<std::string>& paths, const TreeScan& scan,
                            const TreeOptions& options) {
  if (!scan.temp_files.empty()) return true;
  if (!scan.inventory.exists) return false;
  DesiredTree keys;
  for (const std::string& p : paths) keys.emplace(p, std::string_view());
  ChangeSet changes = DiffAgainstDisk(keys, scan, options);
  return !changes.inventory_claim.empty() || !changes.inventory_release.empty();
}

}  // namespace wildside::tree
