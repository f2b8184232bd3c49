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
  return std::any_of(changes.begin(), changes.end(),
                     [](const Change& c) { return c.kind != ChangeKind::kUnchanged; });
}

size_t ChangeSet::Count(ChangeKind kind) const {
  return static_cast<size_t>(std::count_if(changes.begin(), changes.end(),
                                           [kind](const Change& c) { return c.kind == kind; }));
}

namespace {

bool HasSortedPrefix(const std::vector<std::string>& sorted, const std::string& prefix) {
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
  const bool covered =
      inv.exists && std::includes(old.begin(), old.end(), keys.begin(), keys.end());
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

namespace {

// One diff: the desired keys against the scan, then the scan's entries
// against the desired keys. Conflicts are collected once per path.
class Differ {
 public:
  Differ(const DesiredTree& desired, const TreeScan& scan, const TreeOptions& options)
      : desired_(desired), scan_(scan), options_(options) {
    out_.temp_files = scan.temp_files;
    if (!scan.inventory.cluster.empty()) inventory_path_ = InventoryPath(scan.inventory.cluster);
    // The inventory's directory stays while there is an inventory.
    keeps_inventory_ = !inventory_path_.empty() && (scan.inventory.exists || !desired.empty());
    // Every directory some desired key (or the inventory) needs, strictly
    // above it.
    for (const auto& [key, content] : desired) NeedParentsOf(key);
    if (keeps_inventory_) NeedParentsOf(inventory_path_);
  }

  ChangeSet Run() && {
    for (const auto& [key, content] : desired_) {
      CheckWayTo(key);
      out_.changes.push_back(ChangeFor(key, content));
    }
    for (const ScanEntry& e : scan_.entries) {
      if (e.foreign) out_.foreign.push_back(e.path);
      if (!e.owned) continue;
      if (e.kind == EntryKind::kDirectory) {
        DiffDirectory(e);
      } else {
        DiffStray(e);
      }
    }
    if (keeps_inventory_) PlanInventory(desired_, scan_, inventory_path_, &out_);
    std::sort(out_.changes.begin(), out_.changes.end(), [](const Change& a, const Change& b) {
      return std::tie(a.path, a.kind) < std::tie(b.path, b.kind);
    });
    std::sort(out_.conflicts.begin(), out_.conflicts.end(),
              [](const Conflict& a, const Conflict& b) { return a.path < b.path; });
    return std::move(out_);
  }

 private:
  void NeedParentsOf(std::string_view path) {
    std::string_view p = ParentPath(path);
    while (!p.empty() && needed_dirs_.emplace(p).second) p = ParentPath(p);
  }

  void AddConflict(std::string path, std::string message, std::string owner = {}) {
    if (conflicted_.insert(path).second) {
      out_.conflicts.push_back({std::move(path), std::move(message), std::move(owner)});
    }
  }

  // A path another cluster's inventory claims has that one owner.
  void Claimed(std::string_view path, const std::string& owner, std::string_view what) {
    AddConflict(std::string(path),
                StrCat(what, "managed by cluster \"", owner, "\": its ownership inventory (",
                       InventoryPath(owner),
                       ") lists it, and a path has one owner; drop the key here, or drop it "
                       "from cluster \"",
                       owner, "\" and apply that first"),
                owner);
  }

  // What stands in the way of writing `key`: obstacles at or above its
  // owned root, another cluster's claim, obstacles inside the root.
  void CheckWayTo(const std::string& key) {
    // At or above the owned root: never ours to remove. Only `clusters`
    // lies above one ("clusters/dev" -> "clusters").
    std::string_view root = OwnedRootOf(key);
    for (std::string_view p : {ParentPath(root), root}) {
      if (p.empty()) continue;
      const ScanEntry* e = scan_.Find(p);
      if (e != nullptr && e->kind != EntryKind::kDirectory) {
        AddConflict(std::string(p),
                    StrCat("a ", EntryKindName(e->kind), " is where the directory ", p,
                           "/ must be: it is at or above an owned root, so "
                           "the engine will not remove it"));
      }
    }
    // Another cluster's, whatever the content: never rewritten.
    if (const std::string* owner = ClaimOf(scan_.foreign, key)) {
      Claimed(key, *owner, "");
    } else if (HasClaimBelow(scan_.foreign, key)) {
      const std::string& below = scan_.foreign.lower_bound(StrCat(key, "/"))->second;
      Claimed(key, below, "a directory holding files ");
    }
    // Inside the owned root, on the way to the key.
    for (std::string_view p = ParentPath(key); p.size() > root.size(); p = ParentPath(p)) {
      const ScanEntry* e = scan_.Find(p);
      if (e != nullptr && e->foreign) {
        Claimed(p, *ClaimOf(scan_.foreign, p), "a file where a directory must be, ");
        continue;
      }
      if (e != nullptr && e->kind != EntryKind::kDirectory && !options_.prune) {
        AddConflict(std::string(p), StrCat("a ", EntryKindName(e->kind),
                                           " is where a directory must be: pruning is "
                                           "disabled, so it cannot be replaced"));
      }
    }
  }

  // The change that writes `key`: create, update, mode change or none.
  Change ChangeFor(const std::string& key, std::string_view content) {
    Change c;
    c.path = key;
    c.new_size = content.size();
    c.new_mode = options_.file_mode;
    const ScanEntry* e = scan_.Find(key);
    if (e == nullptr) {
      c.kind = ChangeKind::kCreate;
      return c;
    }
    c.on_disk = true;
    c.disk_kind = e->kind;
    c.old_size = e->size;
    c.old_mode = e->mode;
    if (e->kind != EntryKind::kFile) {
      c.kind = ChangeKind::kCreate;
      CheckReplaceable(key, *e);
    } else if (!SameContent(*e, content)) {
      c.kind = ChangeKind::kUpdate;
    } else if (e->mode != options_.file_mode) {
      c.kind = ChangeKind::kModeChange;
    } else {
      c.kind = ChangeKind::kUnchanged;
    }
    return c;
  }

  static bool SameContent(const ScanEntry& e, std::string_view content) {
    if (e.size != content.size()) return false;
    if (e.compared && e.compared_with == content.data()) return e.same_as_compared;
    return !e.sha256.empty() && e.sha256 == internal::Sha256Hex(content);
  }

  // Something other than a file where `key` must be written.
  void CheckReplaceable(const std::string& key, const ScanEntry& e) {
    if (!options_.prune) {
      AddConflict(key, StrCat("a ", EntryKindName(e.kind),
                              " is where the file must be written: "
                              "pruning is disabled, so it cannot be "
                              "replaced"));
    } else if (e.kind == EntryKind::kDirectory && HasSortedPrefix(scan_.excluded, key + "/")) {
      AddConflict(key,
                  "a directory is where the file must be written and it "
                  "holds excluded paths, which the engine never deletes");
    }
  }

  // An owned entry that is not a directory and no desired key: pruned, or
  // kept when pruning is off.
  void DiffStray(const ScanEntry& e) {
    if (desired_.count(e.path) != 0) return;
    if (!options_.prune) {
      out_.kept_strays.push_back(e.path);
      return;
    }
    Change c;
    c.kind = ChangeKind::kPrune;
    c.path = e.path;
    c.on_disk = true;
    c.disk_kind = e.kind;
    c.old_size = e.size;
    c.old_mode = e.mode;
    out_.changes.push_back(std::move(c));
  }

  // A directory survives if a desired key (or the inventory) needs it, if
  // it holds excluded paths or files another cluster claims, or if nothing
  // is pruned at all; a surviving one gets the directory mode.
  void DiffDirectory(const ScanEntry& e) {
    bool keep = !options_.prune || needed_dirs_.count(e.path) != 0 ||
                HasSortedPrefix(scan_.excluded, e.path + "/") ||
                HasClaimBelow(scan_.foreign, e.path);
    Change c;
    c.path = e.path;
    c.on_disk = true;
    c.disk_kind = e.kind;
    c.old_mode = e.mode;
    if (!keep) {
      c.kind = ChangeKind::kRemoveDir;
    } else if (e.mode != options_.dir_mode) {
      c.kind = ChangeKind::kModeChange;
      c.new_mode = options_.dir_mode;
    } else {
      return;
    }
    out_.changes.push_back(std::move(c));
  }

  const DesiredTree& desired_;
  const TreeScan& scan_;
  const TreeOptions& options_;
  ChangeSet out_;
  std::set<std::string, std::less<>> conflicted_;
  std::set<std::string, std::less<>> needed_dirs_;
  std::string inventory_path_;
  bool keeps_inventory_ = false;
};

}  // namespace

ChangeSet DiffAgainstDisk(const DesiredTree& desired, const TreeScan& scan,
                          const TreeOptions& options) {
  return Differ(desired, scan, options).Run();
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
