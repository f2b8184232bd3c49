#include "provider/resources/gitops_tree.h"

#include <set>

#include "absl/strings/escaping.h"
#include "provider/cty/absl_view.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "provider/cty/json.h"
#include "provider/log/logger.h"
#include "tree/apply.h"
#include "tree/content.h"
#include "tree/diff.h"
#include "tree/layout.h"
#include "tree/options.h"
#include "tree/remove.h"
#include "tree/report.h"
#include "tree/scan.h"
#include "tree/validate.h"

namespace wildside::resources {
namespace {

using tree::IsValidUtf8;
using tree::Sha256Hex;

using core::AttributePath;
using core::Diagnostics;
using cty::Type;
using cty::Value;

// Bumped whenever the stored attributes change shape; UpgradeState must then
// convert every earlier version. Version 0 is the first released shape.
constexpr int64_t kSchemaVersion = 0;

constexpr char kRendered[] = "rendered_manifests";
constexpr char kSensitive[] = "sensitive_manifests";
constexpr char kDefaultExclude[] = "clusters/*/flux-system/**";
constexpr char kDefaultFileMode[] = "0644";
constexpr char kDefaultDirMode[] = "0755";

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

bool IsKnownString(const Value& v) { return v.IsKnown() && v.type().kind() == Type::Kind::kString; }

// The settings a tree operation needs, read from a config/plan/state value.
struct Settings {
  std::string path;
  std::string cluster;
  tree::TreeOptions options;
  std::string file_mode_text = kDefaultFileMode;
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
  out->options.prune = prune.IsKnown() ? prune.AsBool() : true;

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

  auto read_mode = [&](const char* name, const char* dflt, uint32_t required_bits, uint32_t* dst,
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
  read_mode("file_permission", kDefaultFileMode, 0600, &out->options.file_mode, &out->file_mode_text);
  read_mode("directory_permission", kDefaultDirMode, 0700, &out->options.dir_mode, nullptr);
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
              absl::StrCat(kSensitive, "[\"", key, "\"]: also in ", kRendered,
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
                                         absl::StrCat(attr, "[\"", key, "\"]: is null; give the file's text.")));
        }
      }
    }
  }
  return d;
}

void ValidateKeys(const Settings& settings, const Desired& desired, Diagnostics* diags) {
  for (const tree::KeyProblem& p : tree::ValidateDesiredTree(settings.cluster, desired.tree, settings.options)) {
    if (p.cluster) continue;  // reported by ReadSettings
    auto it = desired.source.find(p.key);
    const char* attr = it == desired.source.end() ? kRendered : it->second;
    diags->push_back(core::ErrorAt(AttributePath::Attr(attr).Key(p.key), "Invalid manifest path",
                                   absl::StrCat(attr, "[\"", absl::CEscape(p.key), "\"]: ", p.message)));
  }
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
  GitopsTreeResource() : schema_(BuildSchema()), type_(schema_.ImpliedType()) {}

  const schema::Schema& GetSchema() const override { return schema_; }

  Diagnostics ValidateConfig(const Value& config) const override {
    Diagnostics diags;
    if (!config.IsKnown()) return diags;
    Settings settings;
    bool known = ReadSettings(config, &settings, &diags);
    Desired desired = DesiredFrom(config, &diags);
    if (known && desired.keys_known && !core::HasError(diags)) ValidateKeys(settings, desired, &diags);
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

  core::ReadResult Read(const core::ReadRequest& request) const override {
    core::ReadResult result;
    result.private_data = request.private_data;
    if (request.current_state.IsNull()) {
      result.new_state = request.current_state;
      return result;
    }
    std::vector<std::string> eol_only;
    absl::StatusOr<std::optional<Value>> refreshed = RefreshFromDisk(request.current_state, &eol_only);
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
      result.new_state = request.current_state;
      return result;
    }
    result.new_state = refreshed->has_value() ? **refreshed : Value::Null(type_);
    return result;
  }

  core::PlanResult Plan(const core::PlanRequest& request) const override {
    core::PlanResult result;
    result.planned_private = request.prior_private;
    if (request.proposed_new_state.IsNull()) {
      result.planned_state = Value::Null(type_);
      return result;
    }
    Value planned = request.proposed_new_state;
    if (planned.GetAttr("prune").IsNull()) planned.SetAttr("prune", Value::Bool(true));
    if (planned.GetAttr("exclude").IsNull()) {
      planned.SetAttr("exclude", Value::List(Type::String(), {Value::String(kDefaultExclude)}));
    }
    if (planned.GetAttr("file_permission").IsNull()) planned.SetAttr("file_permission", Value::String(kDefaultFileMode));
    if (planned.GetAttr("directory_permission").IsNull()) {
      planned.SetAttr("directory_permission", Value::String(kDefaultDirMode));
    }

    Settings settings;
    bool known = ReadSettings(planned, &settings, &result.diagnostics);
    Desired desired = DesiredFrom(planned, &result.diagnostics);
    if (known && desired.keys_known && !core::HasError(result.diagnostics)) {
      ValidateKeys(settings, desired, &result.diagnostics);
    }
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

    if (!request.prior_state.IsNull()) {
      result.requires_replace.push_back(AttributePath::Attr("path"));
      result.requires_replace.push_back(AttributePath::Attr("cluster"));
    } else if (known && desired.keys_known) {
      WarnAboutExistingFiles(settings, desired, &result.diagnostics);
    }
    result.planned_state = std::move(planned);
    return result;
  }

  core::ApplyResult Apply(const core::ApplyRequest& request) const override {
    core::ApplyResult result;
    result.private_data = request.planned_private;
    if (request.planned_state.IsNull()) return Destroy(request);

    const Value& planned = request.planned_state;
    Settings settings;
    ReadSettings(planned, &settings, &result.diagnostics);
    Desired desired = DesiredFrom(planned, &result.diagnostics);
    if (!core::HasError(result.diagnostics)) ValidateKeys(settings, desired, &result.diagnostics);
    if (core::HasError(result.diagnostics) || !desired.contents_known) {
      if (!desired.contents_known) {
        result.diagnostics.push_back(core::Error("Unknown manifest content at apply",
                                                 "OpenTofu passed content that is still unknown at apply time. "
                                                 "This is a bug in OpenTofu or the provider."));
      }
      result.new_state = request.prior_state;
      return result;
    }

    tree::RenderReport total;
    absl::Status status = absl::OkStatus();
    // Keys that left the configuration are deleted even with prune = false:
    // the resource wrote them.
    if (!request.prior_state.IsNull()) {
      std::vector<std::string> dropped;
      for (const char* attr : {kRendered, kSensitive}) {
        const Value& m = request.prior_state.GetAttr(attr);
        if (!m.IsKnown()) continue;
        for (const auto& [key, unused] : m.entries()) {
          if (desired.tree.count(key) == 0) dropped.push_back(key);
        }
      }
      if (!dropped.empty() && !settings.options.prune) {
        tree::ApplyResult removed =
            tree::RemoveManagedFiles(settings.path, settings.cluster, dropped, settings.options);
        total = removed.report;
        status = removed.status;
      }
    }
    if (status.ok()) {
      absl::StatusOr<tree::TreeScan> scan =
          tree::ScanTree(settings.path, settings.cluster, settings.options, desired.tree);
      if (!scan.ok()) {
        status = scan.status();
      } else {
        tree::ChangeSet changes = tree::DiffAgainstDisk(desired.tree, *scan, settings.options);
        tree::ApplyResult applied = tree::ApplyChangeSet(settings.path, desired.tree, changes, settings.options);
        status = applied.status;
        total.created += applied.report.created;
        total.updated += applied.report.updated;
        total.mode_changed += applied.report.mode_changed;
        total.pruned += applied.report.pruned;
        total.unchanged += applied.report.unchanged;
        total.dirs_created += applied.report.dirs_created;
        total.dirs_removed += applied.report.dirs_removed;
        total.bytes_written += applied.report.bytes_written;
      }
    }
    log::Info("applied tree", {{"path", settings.path},
                               {"cluster", settings.cluster},
                               {"report", tree::Summarize(total)},
                               {"ok", status.ok()}});
    if (!status.ok()) {
      result.diagnostics.push_back(core::ErrorAt(
          AttributePath::Attr("path"), "Applying the tree failed",
          absl::StrCat(status.message(), "\n\nDone before the error: ", tree::Summarize(total),
                       ". Every file holds either its old or its new content; the next plan shows what is left.")));
      // Report what is actually on disk so the next plan shows the rest.
      absl::StatusOr<std::optional<Value>> actual = RefreshFromDisk(planned);
      result.new_state = (actual.ok() && actual->has_value()) ? **actual : request.prior_state;
      return result;
    }
    Value new_state = planned;
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
    attrs.emplace("prune", Value::Bool(true));
    attrs.emplace("exclude", Value::List(Type::String(), {Value::String(kDefaultExclude)}));
    attrs.emplace("file_permission", Value::String(kDefaultFileMode));
    attrs.emplace("directory_permission", Value::String(kDefaultDirMode));
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
    ReadSettings(prior, &settings, &result.diagnostics);
    result.diagnostics.clear();  // stored settings were valid when stored
    std::vector<std::string> paths;
    for (const char* attr : {kRendered, kSensitive}) {
      const Value& m = prior.GetAttr(attr);
      if (!m.IsKnown()) continue;
      for (const auto& [key, unused] : m.entries()) paths.push_back(key);
    }
    tree::ApplyResult removed = tree::RemoveManagedFiles(settings.path, settings.cluster, paths, settings.options);
    log::Info("destroyed tree", {{"path", settings.path}, {"report", tree::Summarize(removed.report)},
                                 {"ok", removed.status.ok()}});
    if (!removed.status.ok()) {
      result.diagnostics.push_back(core::ErrorAt(
          AttributePath::Attr("path"), "Removing the tree failed",
          absl::StrCat(removed.status.message(), "\n\nDone before the error: ", tree::Summarize(removed.report))));
      result.new_state = prior;
    }
    return result;
  }

  void WarnAboutExistingFiles(const Settings& settings, const Desired& desired, Diagnostics* diags) const {
    absl::StatusOr<tree::TreeScan> scan =
        tree::ScanTree(settings.path, settings.cluster, settings.options, desired.tree);
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
                                     absl::StrCat(c.path, ": ", c.message)));
    }
    if (overwritten + pruned > 0) {
      diags->push_back(core::WarningAt(
          AttributePath::Attr("path"), "Existing files will be replaced",
          absl::StrCat("The checkout \"", settings.path, "\" already holds files in the directories this resource "
                       "will own: ", overwritten, " will be overwritten and ", pruned,
                       " will be pruned. Import the checkout instead to see them as drift first.")));
    }
  }

  // What `state` looks like on disk now: managed entries carry the actual
  // content, missing files drop out, strays appear. nullopt when the
  // checkout directory no longer exists.
  // Paths whose content differs from `state` only in line endings are
  // appended to `*eol_only` when it is non-null.
  absl::StatusOr<std::optional<Value>> RefreshFromDisk(const Value& state,
                                                       std::vector<std::string>* eol_only = nullptr) const {
    Settings settings;
    Diagnostics ignored;
    ReadSettings(state, &settings, &ignored);
    Desired managed = DesiredFrom(state, nullptr);
    absl::StatusOr<tree::TreeScan> scan =
        tree::ScanTree(settings.path, settings.cluster, settings.options, managed.tree);
    if (!scan.ok()) return scan.status();
    if (!scan->root_exists) return std::optional<Value>();

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
          content.assign(prior);
          have_content = true;
        }
      }
      if (!have_content) {
        size_t limit = is_managed ? kMaxManagedReadBytes : kMaxStrayReadBytes;
        if (e.size <= limit) {
          absl::StatusOr<std::string> read = tree::ReadTreeFile(settings.path, e.path, limit, settings.options);
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
      files.emplace(e.path, FileInfo(sha, mode));
      bool to_sensitive = is_managed && std::string_view(source->second) == kSensitive;
      (to_sensitive ? sensitive : rendered).emplace(e.path, Value::String(std::move(content)));
    }
    Value out = state;
    out.SetAttr(kRendered, Value::Map(Type::String(), std::move(rendered)));
    if (!state.GetAttr(kSensitive).IsNull() || !sensitive.empty()) {
      out.SetAttr(kSensitive, Value::Map(Type::String(), std::move(sensitive)));
    }
    Value files_value = Value::Map(FileInfoType(), std::move(files));
    out.SetAttr("tree_sha256", Value::String(TreeDigest(files_value)));
    out.SetAttr("files", std::move(files_value));
    return std::optional<Value>(std::move(out));
  }

  schema::Schema schema_;
  Type type_;
};

}  // namespace

std::unique_ptr<core::Resource> NewGitopsTreeResource() { return std::make_unique<GitopsTreeResource>(); }

}  // namespace wildside::resources
