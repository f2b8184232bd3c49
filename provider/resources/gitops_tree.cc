#include "provider/resources/gitops_tree.h"
#include "provider/resources/gitops_tree_testing.h"

#include <optional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"
#include "provider/cty/json.h"
#include "provider/log/logger.h"
#include "provider/resources/test_hooks.h"
#include "tree/apply.h"
#include "tree/checkout.h"
#include "tree/content.h"
#include "tree/diff.h"
#include "tree/layout.h"
#include "tree/options.h"
#include "tree/remove.h"
#include "tree/report.h"
#include "tree/scan.h"
#include "tree/strings.h"
#include "tree/validate.h"

namespace wildside::resources {
namespace {

using tree::AV;
using tree::EscapeForDisplay;
using tree::IsValidUtf8;
using tree::Sha256Hex;
using tree::SV;

using core::AttributePath;
using core::Diagnostics;
using cty::Type;
using cty::Value;

// Bumped whenever the stored attributes change shape; UpgradeState must then
// convert every earlier version. Version 0 is the first released shape.
constexpr int64_t kSchemaVersion = 0;

constexpr char kRendered[] = "rendered_manifests";
constexpr char kSensitive[] = "sensitive_manifests";

// A managed file whose content changed on disk is shown in full up to this
// size (the state already carries the desired content at its own size);
// beyond it, or when it is not UTF-8, a one-line summary stands in.
constexpr size_t kMaxManagedReadBytes = 64u << 20;
// Stray files are only shown when small and UTF-8; they are pruned anyway.
constexpr size_t kMaxStrayReadBytes = 1u << 20;

Type FileInfoType() { return Type::Object({{"mode", Type::String()}, {"sha256", Type::String()}}); }
Type FilesType() { return Type::Map(FileInfoType()); }

schema::Schema BuildSchema() {
  schema::Schema s;
  s.version = kSchemaVersion;
  s.block.description =
      "Manages the owned directories of a GitOps repository checkout (`clusters/<cluster>/`, `modules/`, "
      "`platform/`) as one resource: plan shows drift per file, apply writes each file atomically and "
      "prunes strays.";
  auto add = [&](std::string name, Type type, std::string desc, bool required, bool optional, bool computed,
                 bool sensitive = false) {
    s.block.attributes.push_back(
        schema::Attribute{std::move(name), std::move(type), std::move(desc), required, optional, computed, sensitive});
  };
  add("id", Type::String(), "`<cluster>:<path>`; also the import ID.", false, false, true);
  add("path", Type::String(),
      "The checkout directory. A relative path resolves against OpenTofu's working directory and is stored "
      "as written. Changing it replaces the resource.",
      true, false, false);
  add("cluster", Type::String(),
      "Cluster name, a DNS-1123 label. The resource owns `clusters/<cluster>/`. Changing it replaces the "
      "resource.",
      true, false, false);
  add(kRendered, Type::Map(Type::String()),
      "Repo-relative path → exact file content, typically a module's `rendered_manifests` output.", true, false,
      false);
  add(kSensitive, Type::Map(Type::String()),
      "Like `rendered_manifests`, for Secrets: values are redacted in plans. Keys may not overlap "
      "`rendered_manifests`.",
      false, true, false, /*sensitive=*/true);
  add("prune", Type::Bool(), "Delete stray files in the owned directories. Default `true`.", false, true, true);
  add("exclude", Type::List(Type::String()),
      "Globs (`*`, `?`, `**`) of repo-relative paths never read, written or pruned. Default "
      "`[\"clusters/*/flux-system/**\"]`.",
      false, true, true);
  add("file_permission", Type::String(), "Octal mode of written files. Default `\"0644\"`.", false, true, true);
  add("directory_permission", Type::String(), "Octal mode of created directories. Default `\"0755\"`.", false,
      true, true);
  add("extra_components", Type::List(Type::String()),
      "Components allowed under `platform/` besides sources, traefik, cert-manager, external-dns, vault, "
      "databases and redis.",
      false, true, false);
  add("files", FilesType(),
      "Path → `{sha256, mode}` of every file, known at plan time whenever the contents are.", false, false, true);
  add("tree_sha256", Type::String(),
      "SHA-256 over the sorted `files` entries; changes exactly when the tree does.", false, false, true);
  return s;
}

// "0644" / "644" → 0644. Only permission bits (no setuid etc.).
std::optional<uint32_t> ParseMode(std::string_view text) {
  if (text.size() == 4 && text[0] == '0') text.remove_prefix(1);
  if (text.size() != 3) return std::nullopt;
  uint32_t mode = 0;
  for (char c : text) {
    if (c < '0' || c > '7') return std::nullopt;
    mode = mode * 8 + static_cast<uint32_t>(c - '0');
  }
  return mode;
}

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

std::string FormatMode(uint32_t mode) { return absl::StrFormat("%04o", mode & 07777); }

// The defaults are TreeOptions's, stated there once; these render them as
// the attribute values a plan or an import shows.
std::string DefaultFileMode() { return FormatMode(tree::TreeOptions().file_mode); }
std::string DefaultDirMode() { return FormatMode(tree::TreeOptions().dir_mode); }
Value DefaultExclude() {
  Value::Elements patterns;
  for (const std::string& p : tree::TreeOptions().exclude) patterns.push_back(Value::String(p));
  return Value::List(Type::String(), std::move(patterns));
}

bool IsKnownString(const Value& v) { return v.IsKnown() && v.type().kind() == Type::Kind::kString; }

// The settings a tree operation needs, read from a config/plan/state value.
struct Settings {
  std::string path;
  std::string cluster;
  tree::TreeOptions options;
  std::string file_mode_text = DefaultFileMode();
};

// Fills `out` from `obj`. Returns false if a setting is unknown (nothing can
// be checked yet); adds diagnostics for invalid known settings.
bool ReadSettings(const Value& obj, Settings* out, Diagnostics* diags) {
  bool known = true;
  const Value& path = obj.GetAttr("path");
  if (IsKnownString(path)) {
    out->path = path.AsString();
    if (out->path.empty()) {
      diags->push_back(core::ErrorAt(AttributePath::Attr("path"), "Invalid checkout path",
                                     "path: must not be empty: it names the checkout directory to manage."));
    } else if (out->path.find('\0') != std::string::npos) {
      diags->push_back(core::ErrorAt(AttributePath::Attr("path"), "Invalid checkout path",
                                     "path: contains a NUL byte."));
    }
  } else {
    known = false;
  }
  const Value& cluster = obj.GetAttr("cluster");
  if (IsKnownString(cluster)) {
    out->cluster = cluster.AsString();
    if (absl::Status s = tree::ValidateCluster(out->cluster); !s.ok()) {
      diags->push_back(core::ErrorAt(AttributePath::Attr("cluster"), "Invalid cluster name",
                                     absl::StrCat("cluster: ", s.message())));
    }
  } else {
    known = false;
  }
  const Value& prune = obj.GetAttr("prune");
  if (prune.IsUnknown()) known = false;
  out->options.prune = prune.IsKnown() ? prune.AsBool() : tree::TreeOptions().prune;

  auto read_list = [&](const char* name, std::vector<std::string>* dst, bool keep_default) {
    const Value& v = obj.GetAttr(name);
    if (v.IsNull()) return;
    if (!v.IsWhollyKnown()) {
      known = false;
      return;
    }
    if (!keep_default || v.IsKnown()) dst->clear();
    for (size_t i = 0; i < v.elements().size(); ++i) {
      const Value& e = v.elements()[i];
      if (e.IsNull() || e.AsString().empty()) {
        diags->push_back(core::ErrorAt(AttributePath::Attr(name).Index(static_cast<int64_t>(i)),
                                       "Invalid list element", absl::StrCat(name, "[", i, "]: must not be empty.")));
        continue;
      }
      dst->push_back(e.AsString());
    }
  };
  read_list("exclude", &out->options.exclude, true);
  read_list("extra_components", &out->options.extra_components, false);
  for (size_t i = 0; i < out->options.extra_components.size(); ++i) {
    if (!tree::IsDns1123Label(out->options.extra_components[i])) {
      diags->push_back(core::ErrorAt(AttributePath::Attr("extra_components").Index(static_cast<int64_t>(i)),
                                     "Invalid component name",
                                     absl::StrCat("extra_components[", i, "]: \"", out->options.extra_components[i],
                                                  "\" is not a DNS-1123 label (lowercase letters, digits, '-').")));
    }
  }

  auto read_mode = [&](const char* name, const std::string& dflt, uint32_t required_bits, uint32_t* dst,
                       std::string* text_out) {
    const Value& v = obj.GetAttr(name);
    if (v.IsUnknown()) {
      known = false;
      return;
    }
    std::string text = v.IsNull() ? dflt : v.AsString();
    std::optional<uint32_t> mode = ParseMode(text);
    if (!mode) {
      diags->push_back(core::ErrorAt(AttributePath::Attr(name), "Invalid permission",
                                     absl::StrCat(name, ": \"", text,
                                                  "\" is not an octal permission such as \"", dflt, "\".")));
      return;
    }
    if ((*mode & required_bits) != required_bits) {
      diags->push_back(core::ErrorAt(
          AttributePath::Attr(name), "Unsafe permission",
          absl::StrCat(name, ": \"", text, "\" must keep the owner's ", required_bits == 0700 ? "rwx" : "rw",
                       " bits, or the provider could not update the tree it wrote.")));
      return;
    }
    *dst = *mode;
    if (text_out != nullptr) *text_out = FormatMode(*mode);
  };
  read_mode("file_permission", DefaultFileMode(), 0600, &out->options.file_mode, &out->file_mode_text);
  read_mode("directory_permission", DefaultDirMode(), 0700, &out->options.dir_mode, nullptr);
  return known;
}

// The desired tree (views into `obj`'s strings) and where each key came from.
struct Desired {
  tree::DesiredTree tree;
  std::map<std::string, const char*> source;  // key → kRendered / kSensitive
  bool contents_known = true;
  bool keys_known = true;
};

Desired DesiredFrom(const Value& obj, Diagnostics* diags) {
  Desired d;
  for (const char* attr : {kRendered, kSensitive}) {
    const Value& m = obj.GetAttr(attr);
    if (m.IsNull()) continue;
    if (m.IsUnknown()) {
      d.keys_known = false;
      d.contents_known = false;
      continue;
    }
    for (const auto& [key, content] : m.entries()) {
      if (d.source.count(key) != 0) {
        if (diags != nullptr) {
          diags->push_back(core::ErrorAt(
              AttributePath::Attr(kSensitive).Key(key), "Duplicate manifest path",
              absl::StrCat(kSensitive, "[\"", EscapeForDisplay(key), "\"]: also in ", kRendered,
                           ": a file can have only one content; keep it in one map.")));
        }
        continue;
      }
      d.source.emplace(key, attr);
      if (content.IsKnown()) {
        d.tree.emplace(key, std::string_view(content.AsString()));
      } else {
        // Only the key is checked while the content is unknown or null.
        d.tree.emplace(key, std::string_view());
        if (content.IsUnknown()) d.contents_known = false;
        if (content.IsNull() && diags != nullptr) {
          diags->push_back(core::ErrorAt(AttributePath::Attr(attr).Key(key), "Missing manifest content",
                                         absl::StrCat(attr, "[\"", EscapeForDisplay(key), "\"]: is null; give the file's text.")));
        }
      }
    }
  }
  return d;
}

// Adds one diagnostic per key problem, at the key's own attribute path.
// Runs whatever else is wrong with the configuration, so that every
// problem is reported in one round.
void ValidateKeys(const Settings& settings, const Desired& desired, Diagnostics* diags) {
  for (const tree::KeyProblem& p : tree::ValidateDesiredTree(settings.cluster, desired.tree, settings.options)) {
    if (p.about_cluster) continue;  // reported by ReadSettings
    auto it = desired.source.find(p.key);
    const char* attr = it == desired.source.end() ? kRendered : it->second;
    diags->push_back(core::ErrorAt(AttributePath::Attr(attr).Key(p.key), "Invalid manifest path",
                                   absl::StrCat(attr, "[\"", EscapeForDisplay(p.key), "\"]: ", p.message)));
  }
}

// A key in state that is only the display form of a file found on disk
// (tree::DisplayKeyForDiskPath escaped its name), never a file the resource
// wrote: no valid key holds a backslash.
bool IsDisplayOnlyKey(std::string_view key) { return key.find('\\') != std::string_view::npos; }

// Private data of a create plan: the checkout it will own and its keys.
// OpenTofu hands it to the destroy half of a replacement (a tainted
// resource, or a changed path or cluster), so that destroy can leave the
// files the create will own in place; see docs/design.md.
constexpr char kReplaceInPlace[] = "replace_in_place";

std::string ReplaceInPlacePrivate(std::string_view id, const tree::DesiredTree& keys) {
  nlohmann::json j;
  j[kReplaceInPlace]["id"] = std::string(id);
  nlohmann::json& list = j[kReplaceInPlace]["keys"];
  list = nlohmann::json::array();
  for (const auto& [key, unused] : keys) list.push_back(key);
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The keys the following create will own when `planned_private` is a
// ReplaceInPlacePrivate for checkout `id`; nullopt otherwise.
std::optional<std::set<std::string>> KeysKeptForReplacement(std::string_view planned_private, std::string_view id) {
  if (planned_private.empty()) return std::nullopt;
  nlohmann::json j = nlohmann::json::parse(planned_private, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains(kReplaceInPlace)) return std::nullopt;
  const nlohmann::json& r = j[kReplaceInPlace];
  if (!r.is_object() || !r.contains("id") || !r["id"].is_string() || r["id"].get<std::string>() != id ||
      !r.contains("keys") || !r["keys"].is_array()) {
    return std::nullopt;
  }
  std::set<std::string> keys;
  for (const nlohmann::json& k : r["keys"]) {
    if (k.is_string()) keys.insert(k.get<std::string>());
  }
  return keys;
}

Value FileInfo(std::string sha256, std::string mode) {
  return Value::Object(FileInfoType(), {{"mode", Value::String(std::move(mode))},
                                        {"sha256", Value::String(std::move(sha256))}});
}

// One digest over "sha256  mode  path\n" lines in path order.
std::string TreeDigest(const Value& files) {
  std::string manifest;
  for (const auto& [path, info] : files.entries()) {
    const Value& sha = info.GetAttr("sha256");
    const Value& mode = info.GetAttr("mode");
    absl::StrAppend(&manifest, sha.IsKnown() ? sha.AsString() : "", "  ", mode.IsKnown() ? mode.AsString() : "",
                    "  ", path, "\n");
  }
  return Sha256Hex(manifest);
}

Value FilesFromDesired(const tree::DesiredTree& desired, const std::string& mode) {
  Value::Entries entries;
  for (const auto& [path, content] : desired) entries.emplace(path, FileInfo(Sha256Hex(content), mode));
  return Value::Map(FileInfoType(), std::move(entries));
}

std::string Summary(std::string_view why, uint64_t size, std::string_view sha256) {
  return absl::StrCat("(wildside: content not shown: ", AV(why), ", ", size, " bytes",
                      sha256.empty() ? "" : absl::StrCat(", sha256 ", AV(sha256)), ")\n");
}

std::string MakeId(std::string_view cluster, std::string_view path) { return absl::StrCat(AV(cluster), ":", AV(path)); }

class GitopsTreeResource final : public core::Resource {
 public:
  explicit GitopsTreeResource(tree::Env* env) : schema_(BuildSchema()), type_(schema_.ImpliedType()), env_(env) {}

  const schema::Schema& GetSchema() const override { return schema_; }

  Diagnostics ValidateConfig(const Value& config) const override {
    Diagnostics diags;
    if (!config.IsKnown()) return diags;
    Settings settings;
    bool known = Read(config, &settings, &diags);
    Desired desired = DesiredFrom(config, &diags);
    if (known && desired.keys_known) ValidateKeys(settings, desired, &diags);
    return diags;
  }

  core::UpgradeStateResult UpgradeState(int64_t version, std::string_view raw_json) const override {
    core::UpgradeStateResult result;
    if (version > kSchemaVersion) {
      result.diagnostics.push_back(core::Error(
          "State written by a newer provider",
          absl::StrCat("The stored state has schema version ", version, " but this provider knows up to ",
                       kSchemaVersion, ". Use the provider version that wrote it, or newer.")));
      return result;
    }
    absl::StatusOr<Value> state = cty::DecodeJson(raw_json, type_);
    if (!state.ok()) {
      result.diagnostics.push_back(core::Error("Unreadable stored state",
                                               absl::StrCat("wildside_gitops_tree state: ", state.status().message())));
      return result;
    }
    result.state = *std::move(state);
    return result;
  }

  core::ReadResult Read(core::ReadRequest request) const override {
    core::ReadResult result;
    result.private_data = std::move(request.private_data);
    if (request.current_state.IsNull()) {
      result.new_state = std::move(request.current_state);
      return result;
    }
    std::vector<std::string> eol_only;
    // Kept only for the error path; RefreshFromDisk takes the state over.
    std::optional<Value> kept;
    absl::StatusOr<std::optional<Value>> refreshed = RefreshFromDisk(std::move(request.current_state), &eol_only,
                                                                     nullptr, &kept);
    if (!eol_only.empty()) {
      // The plan's line diff of such a file shows identical lines; say why.
      result.diagnostics.push_back(core::WarningAt(
          AttributePath::Attr(kRendered), "Line-ending-only drift",
          absl::StrCat(eol_only.size() == 1 ? "This file differs" : "These files differ",
                       " from the configuration only in line endings (CRLF versus LF), typically from a "
                       "checkout with core.autocrlf: ",
                       absl::StrJoin(eol_only, ", "),
                       ". Apply rewrites them with the configured line endings.")));
    }
    if (!refreshed.ok()) {
      result.diagnostics.push_back(core::ErrorAt(AttributePath::Attr("path"), "Cannot read the checkout",
                                                 std::string(refreshed.status().message())));
      result.new_state = kept.has_value() ? *std::move(kept) : Value::Null(type_);
      return result;
    }
    result.new_state = refreshed->has_value() ? **std::move(refreshed) : Value::Null(type_);
    return result;
  }

  core::PlanResult Plan(core::PlanRequest request) const override {
    core::PlanResult result;
    result.planned_private = request.prior_private;
    if (request.proposed_new_state.IsNull()) {
      result.planned_state = Value::Null(type_);
      result.planned_private.clear();  // a destroy of its own: remove everything
      return result;
    }
    Value planned = std::move(request.proposed_new_state);
    if (planned.GetAttr("prune").IsNull()) planned.SetAttr("prune", Value::Bool(tree::TreeOptions().prune));
    if (planned.GetAttr("exclude").IsNull()) {
      planned.SetAttr("exclude", DefaultExclude());
    }
    if (planned.GetAttr("file_permission").IsNull()) planned.SetAttr("file_permission", Value::String(DefaultFileMode()));
    if (planned.GetAttr("directory_permission").IsNull()) {
      planned.SetAttr("directory_permission", Value::String(DefaultDirMode()));
    }

    Settings settings;
    bool known = Read(planned, &settings, &result.diagnostics);
    Desired desired = DesiredFrom(planned, &result.diagnostics);
    if (known && desired.keys_known) ValidateKeys(settings, desired, &result.diagnostics);
    if (core::HasError(result.diagnostics)) return result;

    const Value& path = planned.GetAttr("path");
    const Value& cluster = planned.GetAttr("cluster");
    planned.SetAttr("id", IsKnownString(path) && IsKnownString(cluster)
                              ? Value::String(MakeId(cluster.AsString(), path.AsString()))
                              : Value::Unknown(Type::String()));
    if (desired.contents_known && desired.keys_known && planned.GetAttr("file_permission").IsKnown()) {
      Value files = FilesFromDesired(desired.tree, settings.file_mode_text);
      planned.SetAttr("tree_sha256", Value::String(TreeDigest(files)));
      planned.SetAttr("files", std::move(files));
    } else {
      planned.SetAttr("files", Value::Unknown(FilesType()));
      planned.SetAttr("tree_sha256", Value::Unknown(Type::String()));
    }

    const bool create = request.prior_state.IsNull();
    if (!create) {
      result.requires_replace.push_back(AttributePath::Attr("path"));
      result.requires_replace.push_back(AttributePath::Attr("cluster"));
    }
    if (known && desired.keys_known) {
      // What apply will refuse, the plan says (a create or an update alike).
      CheckCheckout(settings, desired, create, &result.diagnostics);
      if (create) {
        result.planned_private =
            ReplaceInPlacePrivate(MakeId(settings.cluster, settings.path), desired.tree);
      }
    }
    result.planned_state = std::move(planned);
    return result;
  }

  core::ApplyResult Apply(core::ApplyRequest request) const override {
    core::ApplyResult result;
    if (request.planned_state.IsNull()) return Destroy(request);
    // A create plan's private data only informs the destroy half of a
    // replacement; the state keeps none of it.
    result.private_data = request.prior_state.IsNull() ? std::string() : request.planned_private;

    const Value& planned = request.planned_state;
    Settings settings;
    Read(planned, &settings, &result.diagnostics);
    if (env_ == nullptr) settings.options.env = TestHookEnv();
    Desired desired = DesiredFrom(planned, &result.diagnostics);
    if (!core::HasError(result.diagnostics)) ValidateKeys(settings, desired, &result.diagnostics);
    if (core::HasError(result.diagnostics) || !desired.contents_known) {
      if (!desired.contents_known) {
        result.diagnostics.push_back(core::Error("Unknown manifest content at apply",
                                                 "OpenTofu passed content that is still unknown at apply time. "
                                                 "This is a bug in OpenTofu or the provider."));
      }
      result.new_state = std::move(request.prior_state);
      return result;
    }

    tree::RenderReport total;
    // One session: the root is opened and locked once, and no other applier
    // can change the checkout between this scan and these writes.
    absl::StatusOr<tree::Checkout> checkout = tree::Checkout::Open(
        settings.path, tree::Checkout::kWrite, settings.options, &total.dirs_created);
    absl::Status status = checkout.status();
    // Keys that left the configuration are deleted even with prune = false:
    // the resource wrote them.
    if (status.ok() && !request.prior_state.IsNull() && !settings.options.prune) {
      std::vector<std::string> dropped;
      for (const char* attr : {kRendered, kSensitive}) {
        const Value& m = request.prior_state.GetAttr(attr);
        if (!m.IsKnown()) continue;
        for (const auto& [key, unused] : m.entries()) {
          if (desired.tree.count(key) == 0 && !IsDisplayOnlyKey(key)) dropped.push_back(key);
        }
      }
      if (!dropped.empty()) status = checkout->Remove(settings.cluster, dropped, &total);
    }
    if (status.ok()) {
      absl::StatusOr<tree::TreeScan> scan = checkout->Scan(settings.cluster, &desired.tree);
      status = scan.status();
      if (scan.ok()) {
        tree::ChangeSet changes = tree::DiffAgainstDisk(desired.tree, *scan, settings.options);
        status = checkout->Apply(desired.tree, changes, &total);
      }
    }
    log::Info("applied tree", {{"path", settings.path},
                               {"cluster", settings.cluster},
                               {"report", tree::Summarize(total)},
                               {"ok", status.ok()}});
    LogTestHookCalls();
    if (!status.ok()) {
      // On the failing file's own key when the error names one.
      AttributePath at = AttributePath::Attr("path");
      std::string where;
      std::string_view message = SV(status.message());
      if (std::optional<std::string> failed = tree::PathOfError(status)) {
        auto src = desired.source.find(*failed);
        std::string shown = absl::StrCat(EscapeForDisplay(*failed), ": ");
        if (src != desired.source.end() && message.starts_with(shown)) {
          at = AttributePath::Attr(src->second).Key(*failed);
          where = absl::StrCat(src->second, "[\"", EscapeForDisplay(*failed), "\"]: ");
          message.remove_prefix(shown.size());
        }
      }
      result.diagnostics.push_back(core::ErrorAt(
          at, "Applying the tree failed",
          absl::StrCat(where, AV(message), "\n\nDone before the error: ", tree::Summarize(total),
                       ". Every file holds either its old or its new content; the next plan shows what is left.")));
      // Report what is actually on disk so the next plan shows the rest
      // (read in the same session, still under the lock).
      absl::StatusOr<std::optional<Value>> actual =
          RefreshFromDisk(std::move(request.planned_state), nullptr, checkout.ok() ? &*checkout : nullptr);
      result.new_state =
          (actual.ok() && actual->has_value()) ? **std::move(actual) : std::move(request.prior_state);
      return result;
    }
    // The planned value becomes the state; moving it keeps `desired`'s views
    // valid (map nodes move, strings stay put).
    Value new_state = std::move(request.planned_state);
    if (!new_state.GetAttr("files").IsWhollyKnown()) {
      Value files = FilesFromDesired(desired.tree, settings.file_mode_text);
      new_state.SetAttr("tree_sha256", Value::String(TreeDigest(files)));
      new_state.SetAttr("files", std::move(files));
    }
    result.new_state = std::move(new_state);
    return result;
  }

  core::ImportResult Import(std::string_view id) const override {
    core::ImportResult result;
    size_t colon = id.find(':');
    std::string_view cluster = colon == std::string_view::npos ? std::string_view() : id.substr(0, colon);
    std::string_view path = colon == std::string_view::npos ? std::string_view() : id.substr(colon + 1);
    if (colon == std::string_view::npos || path.empty() || !tree::ValidateCluster(cluster).ok()) {
      result.diagnostics.push_back(core::Error(
          "Invalid import ID",
          absl::StrCat("import ID \"", AV(id), "\": expected \"<cluster>:<path>\", e.g. \"dev:./gitops\", where "
                       "<cluster> is a DNS-1123 label and <path> the checkout directory as written in the "
                       "configuration.")));
      return result;
    }
    Value::Entries attrs;
    attrs.emplace("id", Value::String(std::string(id)));
    attrs.emplace("path", Value::String(std::string(path)));
    attrs.emplace("cluster", Value::String(std::string(cluster)));
    attrs.emplace(kRendered, Value::Map(Type::String(), {}));
    attrs.emplace("prune", Value::Bool(tree::TreeOptions().prune));
    attrs.emplace("exclude", DefaultExclude());
    attrs.emplace("file_permission", Value::String(DefaultFileMode()));
    attrs.emplace("directory_permission", Value::String(DefaultDirMode()));
    Value files = Value::Map(FileInfoType(), {});
    attrs.emplace("tree_sha256", Value::String(TreeDigest(files)));
    attrs.emplace("files", std::move(files));
    result.state = Value::Object(type_, std::move(attrs));
    return result;
  }

 private:
  core::ApplyResult Destroy(const core::ApplyRequest& request) const {
    core::ApplyResult result;
    result.new_state = Value::Null(type_);
    const Value& prior = request.prior_state;
    if (prior.IsNull()) return result;
    Settings settings;
    Read(prior, &settings, &result.diagnostics);
    result.diagnostics.clear();  // stored settings were valid when stored
    if (env_ == nullptr) settings.options.env = TestHookEnv();
    // The destroy half of a replacement that keeps the checkout leaves the
    // files the create will own: the create rewrites only those that differ.
    std::optional<std::set<std::string>> kept = KeysKeptForReplacement(
        request.planned_private, MakeId(settings.cluster, settings.path));
    std::vector<std::string> paths;
    for (const char* attr : {kRendered, kSensitive}) {
      const Value& m = prior.GetAttr(attr);
      if (!m.IsKnown()) continue;
      for (const auto& [key, unused] : m.entries()) {
        if (IsDisplayOnlyKey(key) || (kept && kept->count(key) != 0)) continue;
        paths.push_back(key);
      }
    }
    tree::ApplyResult removed;
    absl::StatusOr<tree::Checkout> checkout =
        tree::Checkout::Open(settings.path, tree::Checkout::kWriteExisting, settings.options);
    removed.status = checkout.ok() ? checkout->Remove(settings.cluster, paths, &removed.report) : checkout.status();
    log::Info("destroyed tree", {{"path", settings.path}, {"report", tree::Summarize(removed.report)},
                                 {"ok", removed.status.ok()}});
    LogTestHookCalls();
    if (!removed.status.ok()) {
      result.diagnostics.push_back(core::ErrorAt(
          AttributePath::Attr("path"), "Removing the tree failed",
          absl::StrCat(removed.status.message(), "\n\nDone before the error: ", tree::Summarize(removed.report))));
      result.new_state = prior;
    }
    return result;
  }

  // Scans the checkout and reports, as errors, what would make apply refuse
  // (a symlink in an owned root, an obstacle such as a `clusters` symlink);
  // on a create, also warns how many existing files it will overwrite or
  // prune. An update's plan hashes nothing: only the entry kinds matter.
  void CheckCheckout(const Settings& settings, const Desired& desired, bool create, Diagnostics* diags) const {
    const tree::DesiredTree no_hashes;
    absl::StatusOr<tree::TreeScan> scan = tree::ScanTree(settings.path, settings.cluster, settings.options,
                                                         create ? desired.tree : no_hashes);
    if (!scan.ok()) {
      diags->push_back(core::ErrorAt(AttributePath::Attr("path"), "Checkout cannot be managed safely",
                                     std::string(scan.status().message())));
      return;
    }
    if (!scan->root_exists) return;
    size_t overwritten = 0, pruned = 0;
    tree::ChangeSet changes = tree::DiffAgainstDisk(desired.tree, *scan, settings.options);
    for (const tree::Change& c : changes.changes) {
      if (c.kind == tree::ChangeKind::kUpdate || c.kind == tree::ChangeKind::kModeChange) ++overwritten;
      if (c.kind == tree::ChangeKind::kPrune) ++pruned;
    }
    for (const tree::Conflict& c : changes.conflicts) {
      diags->push_back(core::ErrorAt(AttributePath::Attr("path"), "Checkout cannot be managed safely",
                                     absl::StrCat(EscapeForDisplay(c.path), ": ", c.message,
                                                  ". Apply would refuse to run; fix the checkout first.")));
    }
    if (create && overwritten + pruned > 0) {
      diags->push_back(core::WarningAt(
          AttributePath::Attr("path"), "Existing files will be replaced",
          absl::StrCat("The checkout \"", EscapeForDisplay(settings.path), "\" already holds files in the directories this resource "
                       "will own: ", overwritten, " will be overwritten and ", pruned,
                       " will be pruned. When this plan replaces the resource (tainted, or -replace), those are "
                       "the files still to fix; otherwise import the checkout instead to see them as drift "
                       "first.")));
    }
  }

  // What `state` looks like on disk now: managed entries carry the actual
  // content, missing files drop out, strays appear. nullopt when the
  // checkout directory no longer exists.
  // Paths whose content differs from `state` only in line endings are
  // appended to `*eol_only` when it is non-null.
  // `session` is an open checkout of the same path to read through (an
  // apply's locked one); without it a read-only session is opened.
  // The state is taken over: unchanged contents move into the result
  // instead of being copied. On an error it is handed back in *kept_on_error
  // when that is given.
  absl::StatusOr<std::optional<Value>> RefreshFromDisk(Value state, std::vector<std::string>* eol_only = nullptr,
                                                       const tree::Checkout* session = nullptr,
                                                       std::optional<Value>* kept_on_error = nullptr) const {
    Settings settings;
    Diagnostics ignored;
    Read(state, &settings, &ignored);
    // Views into the state's strings; they stay valid while the maps that
    // hold them are moved (a std::map move keeps its nodes).
    Desired managed = DesiredFrom(state, nullptr);
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
    out.SetAttr(kRendered, Value::Map(Type::String(), std::move(rendered)));
    if (had_sensitive || !sensitive.empty()) {
      out.SetAttr(kSensitive, Value::Map(Type::String(), std::move(sensitive)));
    }
    Value files_value = Value::Map(FileInfoType(), std::move(files));
    out.SetAttr("tree_sha256", Value::String(TreeDigest(files_value)));
    out.SetAttr("files", std::move(files_value));
    return std::optional<Value>(std::move(out));
  }

  // ReadSettings, with the filesystem seam this resource was made with.
  bool Read(const Value& obj, Settings* out, Diagnostics* diags) const {
    bool known = ReadSettings(obj, out, diags);
    out->options.env = env_;
    return known;
  }

  schema::Schema schema_;
  Type type_;
  tree::Env* env_;  // nullptr: the real filesystem
};

}  // namespace

std::unique_ptr<core::Resource> NewGitopsTreeResource() { return std::make_unique<GitopsTreeResource>(nullptr); }

std::map<std::string, std::unique_ptr<core::Resource>, std::less<>> AllResources() {
  std::map<std::string, std::unique_ptr<core::Resource>, std::less<>> out;
  out.emplace("wildside_gitops_tree", NewGitopsTreeResource());
  return out;
}

std::unique_ptr<core::Resource> NewGitopsTreeResourceForTesting(tree::Env* env) {
  return std::make_unique<GitopsTreeResource>(env);
}

}  // namespace wildside::resources
