#include "tree/report.h"

#include "absl/strings/str_cat.h"

namespace wildside::tree {

nlohmann::json ToJson(const RenderReport& r) {
  nlohmann::json j = nlohmann::json::object();
  j["created"] = r.created;
  j["updated"] = r.updated;
  j["mode_changed"] = r.mode_changed;
  j["pruned"] = r.pruned;
  j["unchanged"] = r.unchanged;
  j["dirs_created"] = r.dirs_created;
  j["dirs_removed"] = r.dirs_removed;
  j["bytes_written"] = r.bytes_written;
  j["changed_paths"] = r.changed_paths;
  return j;
}

nlohmann::json ToJson(const ChangeSet& cs) {
  nlohmann::json changes = nlohmann::json::array();
  uint64_t unchanged = 0;
  for (const Change& c : cs.changes) {
    if (c.kind == ChangeKind::kUnchanged) {
      ++unchanged;
      continue;
    }
    nlohmann::json j = nlohmann::json::object();
    j["kind"] = std::string(ChangeKindName(c.kind));
    j["path"] = c.path;
    if (c.on_disk) {
      j["disk_kind"] = std::string(EntryKindName(c.disk_kind));
      j["old_size"] = c.old_size;
      j["old_mode"] = absl::StrCat(absl::Hex(c.old_mode, absl::kZeroPad4));
    }
    if (c.kind == ChangeKind::kCreate || c.kind == ChangeKind::kUpdate) {
      j["new_size"] = c.new_size;
    }
    if (c.kind != ChangeKind::kPrune && c.kind != ChangeKind::kRemoveDir) {
      j["new_mode"] = absl::StrCat(absl::Hex(c.new_mode, absl::kZeroPad4));
    }
    changes.push_back(std::move(j));
  }
  nlohmann::json conflicts = nlohmann::json::array();
  for (const Conflict& c : cs.conflicts) {
    nlohmann::json one = {{"path", c.path}, {"message", c.message}};
    if (!c.owner.empty()) one["owner"] = c.owner;
    conflicts.push_back(std::move(one));
  }
  nlohmann::json j = nlohmann::json::object();
  j["has_changes"] = cs.HasChanges();
  j["changes"] = std::move(changes);
  j["unchanged"] = unchanged;
  j["conflicts"] = std::move(conflicts);
  j["kept_strays"] = cs.kept_strays;
  j["temp_files"] = cs.temp_files;
  j["foreign"] = cs.foreign;
  j["inventory"] = {{"path", cs.inventory_path},
                    {"claim", !cs.inventory_claim.empty()},
                    {"release", !cs.inventory_release.empty()}};
  return j;
}

std::string Summarize(const RenderReport& r) {
  return absl::StrCat(r.created, " created, ", r.updated, " updated, ", r.mode_changed,
                      " mode changed, ", r.pruned, " pruned, ", r.unchanged, " unchanged, ",
                      r.dirs_created, " directories created, ", r.dirs_removed, " removed, ",
                      r.bytes_written, " bytes written");
}

}  // namespace wildside::tree
