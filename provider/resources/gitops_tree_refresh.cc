#include "provider/resources/gitops_tree_refresh.h"

#include <algorithm>
#include <map>
#include <set>
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

// One refresh: the scan of the checkout walked entry by entry into the
// state's maps and `files`, with the drift described on the way.
class Refresher {
 public:
  explicit Refresher(RefreshRequest& request) : request_(request) {
    core::Diagnostics ignored;  // stored settings were valid when stored
    ReadSettings(request_.state, request_.env, &settings_, &ignored);
    // Views into the state's strings; they stay valid while the maps that
    // hold them are moved (a std::map move keeps its nodes).
    managed_ = DesiredFrom(request_.state, nullptr);
    if (request_.write_only.has_value()) {
      // Managed without a content to compare with: the scan compares
      // nothing for them (no file is empty and equal by size alone: the
      // hash decides).
      for (const std::string& key : *request_.write_only) {
        if (managed_.source.emplace(key, kRenderedWo).second)
          managed_.tree.emplace(key, std::string_view());
      }
    }
  }

  RefreshResult Run() {
    RefreshResult result;
    std::optional<tree::ReadSession> own;
    const tree::ReadSession* session = request_.session;
    if (session == nullptr) {
      absl::StatusOr<tree::ReadSession> opened =
          tree::ReadSession::Open(settings_.path, settings_.options);
      if (!opened.ok()) return Fail(opened.status());
      own.emplace(*std::move(opened));
      session = &*own;
    }
    session_ = session;
    absl::StatusOr<tree::TreeScan> scan = session->Scan(settings_.cluster, &managed_.tree);
    if (!scan.ok()) return Fail(scan.status());
    if (!scan->root_exists) {
      result.state.reset();
      return result;
    }
    TakeStoredContents();
    for (const tree::ScanEntry& e : scan->entries) {
      if (e.kind == tree::EntryKind::kFile && e.owned) AddEntry(e);
    }
    if (request_.describe_drift) DescribeMissing(*scan);
    result.state = Finish(*scan);
    result.drift = std::move(drift_);
    return result;
  }

 private:
  RefreshResult Fail(absl::Status status) {
    RefreshResult result;
    result.status = std::move(status);
    result.state.emplace(std::move(request_.state));
    return result;
  }

  // The stored contents, to move unchanged ones on, and the modes (and, for
  // write-only files, hashes) of the last apply, for the drift summary.
  void TakeStoredContents() {
    Value& state = request_.state;
    had_rendered_ = !state.GetAttr(kRendered).IsNull();
    had_sensitive_ = !state.GetAttr(kSensitive).IsNull();
    auto take_map = [&](const char* attr) {
      Value m = state.TakeAttr(attr);
      return m.IsKnown() ? std::move(m).TakeEntries() : Value::Entries();
    };
    prior_rendered_ = take_map(kRendered);
    prior_sensitive_ = take_map(kSensitive);
    const Value& files = state.GetAttr("files");
    if (!request_.describe_drift || !files.IsKnown() || files.IsNull()) return;
    for (const auto& [key, info] : files.entries()) {
      const Value& m = info.GetAttr("mode");
      if (IsKnownString(m)) prior_modes_.emplace(key, m.AsString());
      const Value& h = info.GetAttr("sha256");
      if (IsKnownString(h)) prior_shas_.emplace(key, h.AsString());
    }
  }

  void AddEntry(const tree::ScanEntry& e) {
    auto source = managed_.source.find(e.path);
    const bool is_managed = source != managed_.source.end();
    if (!is_managed && !settings_.options.prune) return;
    if (is_managed) seen_.insert(source->first);
    const bool write_only_file = is_managed && std::string_view(source->second) == kRenderedWo;
    if (is_managed && AddIfEncryptedAsWritten(e, source->second)) return;
    if (request_.write_only.has_value() && (!is_managed || write_only_file)) {
      AddByHash(e, is_managed);
    } else {
      AddWithContent(e, is_managed ? source->second : nullptr);
    }
  }

  // A managed file the last apply wrote SOPS-encrypted, found on disk
  // exactly as written: reported as its plaintext (the stored content and
  // hash), so the encryption is no drift. False for any other file.
  bool AddIfEncryptedAsWritten(const tree::ScanEntry& e, const char* attr) {
    if (request_.encrypted == nullptr) return false;
    auto rec = request_.encrypted->find(e.path);
    if (rec == request_.encrypted->end()) return false;
    std::string sha = e.sha256;
    if (sha.empty() || e.compared) {
      absl::StatusOr<std::string> hashed = session_->HashFile(e.path);
      if (!hashed.ok()) return false;
      sha = *std::move(hashed);
    }
    if (sha != rec->second.written) return false;
    const std::string_view a(attr);
    std::string content;
    if (a != kRenderedWo) {
      Value::Entries& from = a == kSensitive ? prior_sensitive_ : prior_rendered_;
      auto stored = from.find(e.path);
      if (stored == from.end() || !IsKnownString(stored->second) ||
          Sha256Hex(stored->second.AsString()) != rec->second.plain)
        return false;
      content = std::move(stored->second).TakeString();
    }
    std::string mode = FormatMode(e.mode);
    std::vector<std::string> how;
    AddModeDrift(e.path, mode, &how);
    AddDrift(e.path, true, how);
    files_.emplace(e.path, FileInfo(rec->second.plain, std::move(mode)));
    if (a != kRenderedWo) {
      (a == kSensitive ? sensitive_ : rendered_).emplace(e.path, Value::String(std::move(content)));
    }
    return true;
  }

  // Hash and mode only: a write-only file's content, or a stray's next to
  // write-only files, never enters state.
  void AddByHash(const tree::ScanEntry& e, bool is_managed) {
    std::string mode = FormatMode(e.mode);
    std::string sha = e.sha256;
    if (sha.empty() || (is_managed && e.compared)) {
      absl::StatusOr<std::string> hashed = session_->HashFile(e.path);
      sha = hashed.ok() ? *std::move(hashed) : std::string();
    }
    std::vector<std::string> how;
    if (!is_managed) {
      how.push_back(absl::StrCat("stray (", e.size, " bytes)"));
    } else {
      auto ps = prior_shas_.find(e.path);
      if (ps != prior_shas_.end() && ps->second != sha)
        how.push_back(absl::StrCat("edited (", e.size, " bytes)"));
      AddModeDrift(e.path, mode, &how);
    }
    AddDrift(e.path, is_managed, how);
    files_.emplace(is_managed ? e.path : tree::DisplayKeyForDiskPath(e.path),
                   FileInfo(std::move(sha), std::move(mode)));
  }

  // A file of a plain map (`attr`), or a stray (`attr` null) shown with its
  // content when small and UTF-8.
  void AddWithContent(const tree::ScanEntry& e, const char* attr) {
    const bool is_managed = attr != nullptr;
    std::string mode = FormatMode(e.mode);
    std::string sha = e.sha256;
    std::vector<std::string> how;  // this file's drift, for the summary
    std::string content;
    bool have_content = is_managed && TakeIfUnchanged(e, attr, &content);
    if (!have_content) have_content = ReadContent(e, is_managed, &sha, &content, &how);
    if (!is_managed) {
      how.push_back(absl::StrCat("stray (", e.size, " bytes)"));
    } else {
      if (how.empty() && !have_content) {
        how.push_back(
            absl::StrCat("edited (", managed_.tree.at(e.path).size(), " -> ", e.size, " bytes)"));
      }
      AddModeDrift(e.path, mode, &how);
    }
    AddDrift(e.path, is_managed, how);
    // A stray is shown under its own on-disk name, escaped when OpenTofu
    // would change it (NFC) or it could disguise itself; see
    // tree::DisplayKeyForDiskPath.
    std::string key = is_managed ? e.path : tree::DisplayKeyForDiskPath(e.path);
    files_.emplace(key, FileInfo(sha, mode));
    const bool to_sensitive = is_managed && std::string_view(attr) == kSensitive;
    (to_sensitive ? sensitive_ : rendered_)
        .emplace(std::move(key), Value::String(std::move(content)));
  }

  // When the managed file `e` is unchanged, moves the stored string into
  // *content (it is not used again) and returns true.
  bool TakeIfUnchanged(const tree::ScanEntry& e, const char* attr, std::string* content) {
    std::string_view prior = managed_.tree.at(e.path);
    // The scan compared same-size files byte for byte with the stored
    // content; only when it did not (another buffer) hash it here.
    bool same = e.compared && e.compared_with == prior.data()
                    ? e.same_as_compared
                    : !e.sha256.empty() && e.size == prior.size() && e.sha256 == Sha256Hex(prior);
    if (!same) return false;
    Value::Entries& from =
        std::string_view(attr) == kSensitive ? prior_sensitive_ : prior_rendered_;
    *content = std::move(from.at(e.path)).TakeString();
    return true;
  }

  // Reads `e` from disk into *content: its text when it is UTF-8 and within
  // the read limit (returns true), else a summary that promises the hash.
  bool ReadContent(const tree::ScanEntry& e, bool is_managed, std::string* sha,
                   std::string* content, std::vector<std::string>* how) {
    const size_t limit = is_managed ? kMaxManagedReadBytes : kMaxStrayReadBytes;
    // A file too large to read (or not read because its size differs) is
    // hashed in pieces.
    if (sha->empty() && e.size > limit) {
      absl::StatusOr<std::string> hashed = session_->HashFile(e.path);
      if (hashed.ok()) *sha = *std::move(hashed);
    }
    if (e.size > limit) {
      *content = Summary("too large to show", e.size, *sha);
      return false;
    }
    absl::StatusOr<std::string> read = session_->ReadFile(e.path, limit);
    if (!read.ok()) {
      *content = Summary(SV(read.status().message()), e.size, *sha);
      return false;
    }
    *sha = Sha256Hex(*read);
    if (!IsValidUtf8(*read)) {
      *content = Summary("not UTF-8", e.size, *sha);
      return false;
    }
    if (is_managed && request_.describe_drift) {
      std::string_view before = managed_.tree.at(e.path);
      if (SameUpToLineEndings(*read, before)) {
        how->push_back("line endings only (CRLF versus LF)");
      } else {
        auto [added, removed] = LineDelta(before, *read);
        how->push_back(absl::StrCat("edited (+", added, "/-", removed, " lines)"));
      }
    }
    *content = *std::move(read);
    return true;
  }

  void AddModeDrift(const std::string& path, const std::string& mode,
                    std::vector<std::string>* how) const {
    auto pm = prior_modes_.find(path);
    if (pm != prior_modes_.end() && pm->second != mode)
      how->push_back(absl::StrCat("mode ", pm->second, " -> ", mode));
  }

  void AddDrift(const std::string& path, bool is_managed, const std::vector<std::string>& how) {
    if (!request_.describe_drift || how.empty()) return;
    std::string shown =
        is_managed ? tree::EscapeForDisplay(path) : tree::DisplayKeyForDiskPath(path);
    drift_.push_back(absl::StrCat(shown, ": ", absl::StrJoin(how, ", ")));
  }

  // Managed keys not found on disk: deleted, or now another cluster's.
  void DescribeMissing(const tree::TreeScan& scan) {
    for (const auto& [key, unused] : managed_.tree) {
      if (seen_.count(key) != 0 || IsDisplayOnlyKey(key)) continue;
      const std::string* owner = tree::ClaimOf(scan.foreign, key);
      drift_.push_back(absl::StrCat(tree::EscapeForDisplay(key), ": ",
                                    owner != nullptr
                                        ? absl::StrCat("now claimed by cluster \"", *owner, "\"")
                                        : std::string("deleted")));
    }
    std::sort(drift_.begin(), drift_.end());
  }

  Value Finish(const tree::TreeScan& scan) {
    Value out = std::move(request_.state);
    // A map the configuration leaves null stays null unless the disk adds to
    // it, or every plan of a write-only tree would show it appear.
    out.SetAttr(kRendered, had_rendered_ || !rendered_.empty()
                               ? Value::Map(Type::String(), std::move(rendered_))
                               : Value::Null(Type::Map(Type::String())));
    out.SetAttr(kRenderedWo, Value::Null(Type::Map(Type::String())));
    if (had_sensitive_ || !sensitive_.empty()) {
      out.SetAttr(kSensitive, Value::Map(Type::String(), std::move(sensitive_)));
    }
    Value files_value = Value::Map(FileInfoType(), std::move(files_));
    std::string digest = TreeDigest(files_value);
    // Housekeeping an apply would do although every file is right (an
    // inventory left claiming old and new by an apply killed before its
    // release, a leftover temporary file): the digest differs from any
    // plan's, so the plan shows the update that finishes it instead of
    // leaving it until the next change (docs/adr/0009-ownership-inventory.md).
    std::vector<std::string> on_disk;
    for (const auto& [key, unused] : files_value.entries()) {
      if (!IsDisplayOnlyKey(key)) on_disk.push_back(key);
    }
    if (tree::HasPendingHousekeeping(on_disk, scan, settings_.options)) {
      digest = Sha256Hex(absl::StrCat(digest, "pending: ownership inventory or temporary files\n"));
    }
    out.SetAttr("tree_sha256", Value::String(std::move(digest)));
    out.SetAttr("files", std::move(files_value));
    return out;
  }

  RefreshRequest& request_;
  Settings settings_;
  Desired managed_;
  const tree::ReadSession* session_ = nullptr;
  bool had_rendered_ = false;
  bool had_sensitive_ = false;
  Value::Entries prior_rendered_, prior_sensitive_;
  std::map<std::string, std::string> prior_modes_, prior_shas_;
  std::set<std::string_view> seen_;  // managed keys found on disk
  Value::Entries rendered_, sensitive_, files_;
  std::vector<std::string> drift_;
};

}  // namespace

RefreshResult RefreshFromDisk(RefreshRequest request) { return Refresher(request).Run(); }

}  // namespace wildside::resources::gitops
