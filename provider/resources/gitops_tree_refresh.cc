#include "provider/resources/gitops_tree_refresh.h"

#include <map>
#include <set>
#include <algorithm>
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "provider/resources/gitops_tree_settings.h"
#include "tree/checkout.h"
#include "tree/content.h"
#include "tree/diff.h"
#include "tree/inventory.h"
#include "tree/scan.h"
#include "tree/strings.h"

namespace wildside::resources::gitops {
namespace {

using cty::Type;
using cty::Value;
using tree::AV;
using tree::IsValidUtf8;
using tree::Sha256Hex;
using tree::SV;

// A managed file whose content changed on disk is shown in full up to this
// size (the state already carries the desired content at its own size);
// beyond it, or when it is not UTF-8, a one-line summary stands in.
constexpr size_t kMaxManagedReadBytes = 64u << 20;
// Stray files are only shown when small and UTF-8; they are pruned anyway.
constexpr size_t kMaxStrayReadBytes = 1u << 20;

// True when `a` and `b` differ but are equal once every "\r\n" is read as
// "\n".
bool SameUpToLineEndings(std::string_view a, std::string_view b) {
  if (a == b) return false;
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] == '\r' && i + 1 < a.size() && a[i + 1] == '\n') ++i;
    if (b[j] == '\r' && j + 1 < b.size() && b[j + 1] == '\n') ++j;
    if (a[i] != b[j]) return false;
    ++i;
    ++j;
  }
  return i == a.size() && j == b.size();
}

std::string Summary(std::string_view why, uint64_t size, std::string_view sha256) {
  return absl::StrCat("(wildside: content not shown: ", AV(why), ", ", size, " bytes",
                      sha256.empty() ? "" : absl::StrCat(", sha256 ", AV(sha256)), ")\n");
}

// How many lines of `now` are not in `before` (added) and of `before` not
// in `now` (removed), lines compared as multisets: the counts a line diff
// shows for edits, without the cost of aligning huge files.
std::pair<size_t, size_t> LineDelta(std::string_view before, std::string_view now) {
  std::map<std::string_view, long> count;
  auto lines = [](std::string_view text, auto&& each) {
    while (!text.empty()) {
      size_t nl = text.find('\n');
      each(text.substr(0, nl));
      if (nl == std::string_view::npos) break;
      text.remove_prefix(nl + 1);
    }
  };
  lines(before, [&](std::string_view l) { --count[l]; });
  lines(now, [&](std::string_view l) { ++count[l]; });
  size_t added = 0, removed = 0;
  for (const auto& [line, n] : count) {
    if (n > 0) added += static_cast<size_t>(n);
    if (n < 0) removed += static_cast<size_t>(-n);
  }
  return {added, removed};
}

}  // namespace

absl::StatusOr<std::optional<Value>> RefreshFromDisk(Value state, tree::Env* env, std::vector<std::string>* drift,
                                                     const tree::ReadSession* session,
                                                     std::optional<Value>* kept_on_error,
                                                     const std::set<std::string>* write_only) {
  Settings settings;
  core::Diagnostics ignored;
  ReadSettings(state, env, &settings, &ignored);
  // Views into the state's strings; they stay valid while the maps that
  // hold them are moved (a std::map move keeps its nodes).
  Desired managed = DesiredFrom(state, nullptr);
  const bool any_write_only = write_only != nullptr;
  if (any_write_only) {
    // Managed without a content to compare with: the scan compares nothing
    // for them (no file is empty and equal by size alone: the hash decides).
    for (const std::string& key : *write_only) {
      if (managed.source.emplace(key, kRenderedWo).second) managed.tree.emplace(key, std::string_view());
    }
  }
  auto fail = [&](absl::Status s) -> absl::Status {
    if (kept_on_error != nullptr) kept_on_error->emplace(std::move(state));
    return s;
  };
  std::optional<tree::ReadSession> own;
  if (session == nullptr) {
    absl::StatusOr<tree::ReadSession> opened = tree::ReadSession::Open(settings.path, settings.options);
    if (!opened.ok()) return fail(opened.status());
    own.emplace(*std::move(opened));
    session = &*own;
  }
  absl::StatusOr<tree::TreeScan> scan = session->Scan(settings.cluster, &managed.tree);
  if (!scan.ok()) return fail(scan.status());
  if (!scan->root_exists) return std::optional<Value>();

  // The stored contents, to move unchanged ones on.
  const bool had_rendered = !state.GetAttr(kRendered).IsNull();
  const bool had_sensitive = !state.GetAttr(kSensitive).IsNull();
  auto take_map = [&](const char* attr) {
    Value m = state.TakeAttr(attr);
    return m.IsKnown() ? std::move(m).TakeEntries() : Value::Entries();
  };
  Value::Entries prior_rendered = take_map(kRendered);
  Value::Entries prior_sensitive = take_map(kSensitive);

  // The modes (and, for write-only files, hashes) of the last apply, for
  // the drift summary.
  std::map<std::string, std::string> prior_modes, prior_shas;
  if (drift != nullptr && state.GetAttr("files").IsKnown() && !state.GetAttr("files").IsNull()) {
    for (const auto& [key, info] : state.GetAttr("files").entries()) {
      const Value& m = info.GetAttr("mode");
      if (IsKnownString(m)) prior_modes.emplace(key, m.AsString());
      const Value& h = info.GetAttr("sha256");
      if (IsKnownString(h)) prior_shas.emplace(key, h.AsString());
    }
  }
  std::set<std::string_view> seen;  // managed keys found on disk

  Value::Entries rendered, sensitive, files;
  for (const tree::ScanEntry& e : scan->entries) {
    if (e.kind != tree::EntryKind::kFile || !e.owned) continue;
    auto source = managed.source.find(e.path);
    const bool is_managed = source != managed.source.end();
    if (!is_managed && !settings.options.prune) continue;
    if (is_managed) seen.insert(source->first);
    std::string mode = FormatMode(e.mode);
    std::vector<std::string> how;  // this file's drift, for the summary
    if (any_write_only && (!is_managed || std::string_view(source->second) == kRenderedWo)) {
      // Hash and mode only: a write-only file's content, or a stray's next
      // to write-only files, never enters state.
      std::string sha = e.sha256;
      if (sha.empty() || (is_managed && e.compared)) {
        absl::StatusOr<std::string> hashed = session->HashFile(e.path);
        sha = hashed.ok() ? *std::move(hashed) : std::string();
      }
      if (drift != nullptr) {
        if (!is_managed) {
          how.push_back(absl::StrCat("stray (", e.size, " bytes)"));
        } else {
          auto ps = prior_shas.find(e.path);
          if (ps != prior_shas.end() && ps->second != sha) how.push_back(absl::StrCat("edited (", e.size, " bytes)"));
          auto pm = prior_modes.find(e.path);
          if (pm != prior_modes.end() && pm->second != mode) how.push_back(absl::StrCat("mode ", pm->second, " -> ", mode));
        }
        if (!how.empty()) {
          std::string shown = is_managed ? tree::EscapeForDisplay(e.path) : tree::DisplayKeyForDiskPath(e.path);
          drift->push_back(absl::StrCat(shown, ": ", absl::StrJoin(how, ", ")));
        }
      }
      files.emplace(is_managed ? e.path : tree::DisplayKeyForDiskPath(e.path), FileInfo(std::move(sha), std::move(mode)));
      continue;
    }
    std::string content;
    std::string sha = e.sha256;
    bool have_content = false;
    if (is_managed) {
      std::string_view prior = managed.tree.at(e.path);
      // The scan compared same-size files byte for byte with the stored
      // content; only when it did not (another buffer) hash it here.
      bool same = e.compared && e.compared_with == prior.data()
                      ? e.same_as_compared
                      : !sha.empty() && e.size == prior.size() && sha == Sha256Hex(prior);
      if (same) {
        // Unchanged: hand the stored string on (`prior` is not used again).
        Value::Entries& from = std::string_view(source->second) == kSensitive ? prior_sensitive : prior_rendered;
        content = std::move(from.at(e.path)).TakeString();
        have_content = true;
      }
    }
    if (!have_content) {
      // Summaries promise the hash: a file too large to read (or not read
      // because its size differs) is hashed in pieces.
      if (sha.empty() && e.size > (is_managed ? kMaxManagedReadBytes : kMaxStrayReadBytes)) {
        absl::StatusOr<std::string> hashed = session->HashFile(e.path);
        if (hashed.ok()) sha = *std::move(hashed);
      }
      size_t limit = is_managed ? kMaxManagedReadBytes : kMaxStrayReadBytes;
      if (e.size <= limit) {
        absl::StatusOr<std::string> read = session->ReadFile(e.path, limit);
        if (read.ok()) {
          sha = Sha256Hex(*read);
          if (IsValidUtf8(*read)) {
            if (is_managed && drift != nullptr) {
              std::string_view before = managed.tree.at(e.path);
              if (SameUpToLineEndings(*read, before)) {
                how.push_back("line endings only (CRLF versus LF)");
              } else {
                auto [added, removed] = LineDelta(before, *read);
                how.push_back(absl::StrCat("edited (+", added, "/-", removed, " lines)"));
              }
            }
            content = *std::move(read);
            have_content = true;
          } else {
            content = Summary("not UTF-8", e.size, sha);
          }
        } else {
          content = Summary(SV(read.status().message()), e.size, sha);
        }
      } else {
        content = Summary("too large to show", e.size, sha);
      }
    }
    if (drift != nullptr) {
      if (!is_managed) {
        how.push_back(absl::StrCat("stray (", e.size, " bytes)"));
      } else if (how.empty() && !have_content) {
        how.push_back(absl::StrCat("edited (", managed.tree.at(e.path).size(), " -> ", e.size, " bytes)"));
      }
      if (is_managed) {
        auto pm = prior_modes.find(e.path);
        if (pm != prior_modes.end() && pm->second != mode) how.push_back(absl::StrCat("mode ", pm->second, " -> ", mode));
      }
      if (!how.empty()) {
        std::string shown = is_managed ? tree::EscapeForDisplay(e.path) : tree::DisplayKeyForDiskPath(e.path);
        drift->push_back(absl::StrCat(shown, ": ", absl::StrJoin(how, ", ")));
      }
    }
    // A stray is shown under its own on-disk name, escaped when OpenTofu
    // would change it (NFC) or it could disguise itself; see
    // tree::DisplayKeyForDiskPath.
    std::string key = is_managed ? e.path : tree::DisplayKeyForDiskPath(e.path);
    files.emplace(key, FileInfo(sha, mode));
    bool to_sensitive = is_managed && std::string_view(source->second) == kSensitive;
    (to_sensitive ? sensitive : rendered).emplace(std::move(key), Value::String(std::move(content)));
  }
  if (drift != nullptr) {
    for (const auto& [key, unused] : managed.tree) {
      if (seen.count(key) != 0 || IsDisplayOnlyKey(key)) continue;
      const std::string* owner = tree::ClaimOf(scan->foreign, key);
      drift->push_back(absl::StrCat(tree::EscapeForDisplay(key), ": ",
                                    owner != nullptr ? absl::StrCat("now claimed by cluster \"", *owner, "\"")
                                                     : std::string("deleted")));
    }
    std::sort(drift->begin(), drift->end());
  }
  Value out = std::move(state);
  // A map the configuration leaves null stays null unless the disk adds to
  // it, or every plan of a write-only tree would show it appear.
  out.SetAttr(kRendered, had_rendered || !rendered.empty() ? Value::Map(Type::String(), std::move(rendered))
                                                           : Value::Null(Type::Map(Type::String())));
  out.SetAttr(kRenderedWo, Value::Null(Type::Map(Type::String())));
  if (had_sensitive || !sensitive.empty()) {
    out.SetAttr(kSensitive, Value::Map(Type::String(), std::move(sensitive)));
  }
  Value files_value = Value::Map(FileInfoType(), std::move(files));
  std::string digest = TreeDigest(files_value);
  // Housekeeping an apply would do although every file is right (an
  // inventory left claiming old and new by an apply killed before its
  // release, a leftover temporary file): the digest differs from any plan's,
  // so the plan shows the update that finishes it instead of leaving it
  // until the next change (docs/adr/0009-ownership-inventory.md).
  std::vector<std::string> on_disk;
  for (const auto& [key, unused] : files_value.entries()) {
    if (!IsDisplayOnlyKey(key)) on_disk.push_back(key);
  }
  if (tree::HasPendingHousekeeping(on_disk, *scan, settings.options)) {
    digest = Sha256Hex(absl::StrCat(digest, "pending: ownership inventory or temporary files\n"));
  }
  out.SetAttr("tree_sha256", Value::String(std::move(digest)));
  out.SetAttr("files", std::move(files_value));
  return std::optional<Value>(std::move(out));
}

}  // namespace wildside::resources::gitops
