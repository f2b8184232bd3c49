#include "provider/resources/gitops_tree_refresh.h"

#include "absl/strings/str_cat.h"
#include "provider/resources/gitops_tree_settings.h"
#include "tree/checkout.h"
#include "tree/content.h"
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

}  // namespace

absl::StatusOr<std::optional<Value>> RefreshFromDisk(Value state, tree::Env* env, std::vector<std::string>* eol_only,
                                                     const tree::Checkout* session,
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
  std::optional<tree::Checkout> own;
  if (session == nullptr) {
    absl::StatusOr<tree::Checkout> opened =
        tree::Checkout::Open(settings.path, tree::Checkout::kRead, settings.options);
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

  Value::Entries rendered, sensitive, files;
  for (const tree::ScanEntry& e : scan->entries) {
    if (e.kind != tree::EntryKind::kFile || !e.owned) continue;
    auto source = managed.source.find(e.path);
    const bool is_managed = source != managed.source.end();
    if (!is_managed && !settings.options.prune) continue;
    std::string mode = FormatMode(e.mode);
    if (any_write_only && (!is_managed || std::string_view(source->second) == kRenderedWo)) {
      // Hash and mode only: a write-only file's content, or a stray's next
      // to write-only files, never enters state.
      std::string sha = e.sha256;
      if (sha.empty() || (is_managed && e.compared)) {
        absl::StatusOr<std::string> hashed = session->HashFile(e.path);
        sha = hashed.ok() ? *std::move(hashed) : std::string();
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
            if (is_managed && eol_only != nullptr && SameUpToLineEndings(*read, managed.tree.at(e.path))) {
              eol_only->push_back(e.path);
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
    // A stray is shown under its own on-disk name, escaped when OpenTofu
    // would change it (NFC) or it could disguise itself; see
    // tree::DisplayKeyForDiskPath.
    std::string key = is_managed ? e.path : tree::DisplayKeyForDiskPath(e.path);
    files.emplace(key, FileInfo(sha, mode));
    bool to_sensitive = is_managed && std::string_view(source->second) == kSensitive;
    (to_sensitive ? sensitive : rendered).emplace(std::move(key), Value::String(std::move(content)));
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
  out.SetAttr("tree_sha256", Value::String(TreeDigest(files_value)));
  out.SetAttr("files", std::move(files_value));
  return std::optional<Value>(std::move(out));
}

}  // namespace wildside::resources::gitops
