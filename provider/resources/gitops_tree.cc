#include "provider/resources/gitops_tree.h"
#include "provider/resources/gitops_tree_testing.h"

#include <algorithm>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "provider/cty/json.h"
#include "provider/log/logger.h"
#include "provider/resources/gitops_tree_checks.h"
#include "provider/resources/gitops_tree_refresh.h"
#include "provider/resources/gitops_tree_settings.h"
#include "provider/resources/test_hooks.h"
#include "tree/apply.h"
#include "tree/checkout.h"
#include "tree/content.h"
#include "tree/diff.h"
#include "tree/inventory.h"
#include "tree/layout.h"
#include "tree/options.h"
#include "tree/report.h"
#include "tree/scan.h"
#include "tree/strings.h"
#include "tree/validate.h"

namespace wildside::resources {
namespace {

using namespace gitops;  // NOLINT: the resource's own model
using tree::AV;
using tree::EscapeForDisplay;
using tree::SV;

using core::AttributePath;
using core::Diagnostics;
using cty::Type;
using cty::Value;

// At most this many paths are named in one warning; the rest are counted.
constexpr size_t kMaxNamedPaths = 20;

// "a, b, c", or the first kMaxNamedPaths and "and 7 more".
std::string NamePaths(const std::vector<std::string>& paths) {
  std::vector<std::string> shown;
  for (size_t i = 0; i < paths.size() && i < kMaxNamedPaths; ++i) shown.push_back(EscapeForDisplay(paths[i]));
  std::string out = absl::StrJoin(shown, ", ");
  if (paths.size() > kMaxNamedPaths) absl::StrAppend(&out, " and ", paths.size() - kMaxNamedPaths, " more");
  return out;
}

// One error per conflict the engine found. A path another cluster's
// inventory claims is reported on the configured key when it is one,
// naming the owner; anything else on `path`.
void AddConflictDiagnostics(const tree::ChangeSet& changes, const Desired& desired, bool at_apply,
                            Diagnostics* diags) {
  const std::string_view consequence =
      at_apply ? "Nothing was written." : "Apply would refuse to run.";
  for (const tree::Conflict& c : changes.conflicts) {
    auto src = desired.source.find(c.path);
    if (!c.owner.empty() && src != desired.source.end()) {
      diags->push_back(core::ErrorAt(
          AttributePath::Attr(src->second).Key(c.path), "Path managed by another cluster",
          absl::StrCat(src->second, "[\"", EscapeForDisplay(c.path), "\"]: ", c.message, ". ", AV(consequence))));
      continue;
    }
    diags->push_back(core::ErrorAt(AttributePath::Attr("path"), "Checkout cannot be managed safely",
                                   absl::StrCat(EscapeForDisplay(c.path), ": ", c.message, ". ", AV(consequence),
                                                at_apply ? "" : " Fix the checkout first.")));
  }
}

// The keys of the prior state that leave it because `exclude` now matches
// them. OpenTofu shows each as removed (`-`), but the apply never touches
// an excluded path: they stay on disk. The prior state is decoded whole
// only when `exclude` changed (ADR 0007: a plan reads the prior for little
// else).
std::vector<std::string> ExcludedFilesLeavingState(cty::LazyValue&& lazy_prior, std::string_view prior_private,
                                                   const Value& planned, const Desired& desired,
                                                   const Settings& settings) {
  std::vector<std::string> out;
  absl::StatusOr<Value> settings_only = lazy_prior.DecodeWithout({kRendered, kSensitive, "files"});
  if (!settings_only.ok() || settings_only->GetAttr("exclude") == planned.GetAttr("exclude")) return out;
  absl::StatusOr<Value> decoded = std::move(lazy_prior).Decode();
  if (!decoded.ok()) return out;
  const Value& prior = *decoded;
  for (const char* attr : {kRendered, kSensitive}) {
    const Value& m = prior.GetAttr(attr);
    if (!m.IsKnown() || m.IsNull()) continue;
    for (const auto& [key, unused] : m.entries()) {
      if (IsDisplayOnlyKey(key) || desired.tree.count(key) != 0) continue;
      if (tree::ExcludingPattern(key, settings.options) != nullptr) out.push_back(key);
    }
  }
  // Write-only files leave `files` the same way.
  for (const std::string& key : WriteOnlyKeys(prior_private, prior)) {
    if (desired.tree.count(key) == 0 && tree::ExcludingPattern(key, settings.options) != nullptr) out.push_back(key);
  }
  std::sort(out.begin(), out.end());
  return out;
}

class GitopsTreeResource final : public core::Resource {
 public:
  explicit GitopsTreeResource(tree::Env* env) : schema_(BuildSchema()), type_(schema_.ImpliedType()), env_(env) {}

  const schema::Schema& GetSchema() const override { return schema_; }

  Diagnostics ValidateConfig(const Value& config, const core::ClientCapabilities& client) const override {
    Diagnostics diags;
    if (!config.IsKnown()) return diags;
    if (!config.GetAttr(kRenderedWo).IsNull() && !client.write_only_attributes_allowed) {
      // An older client treats the attribute as a plain optional one and
      // would store every content in state: refuse before any plan.
      diags.push_back(core::ErrorAt(
          AttributePath::Attr(kRenderedWo), "Write-only attributes not supported by this client",
          absl::StrCat(kRenderedWo, ": this OpenTofu or Terraform does not support write-only attributes, so "
                       "it would store the contents in the state. Use OpenTofu >= 1.11 or Terraform >= 1.11, or "
                       "move the files to ", kSensitive, " (stored in state, redacted in plans).")));
    }
    RequireSomeManifests(config, &diags);
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
    if (version < 1 && state->IsKnown() && !state->IsNull()) {
      // 0 → 1: the checks arrived; a stored tree keeps the default, so that
      // the first plan after the upgrade is empty.
      state->SetAttr(kChecks, Value::String(kChecksDefault));
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
    std::vector<std::string> drift;
    // With write-only keys (or after a write-only import), no content but
    // the plain maps' enters the state.
    const std::set<std::string> write_only = WriteOnlyKeys(result.private_data, request.current_state);
    // A state with neither plain map can only come from a write-only
    // configuration: even with its private data lost, no content enters.
    const bool no_plain_map = request.current_state.GetAttr(kRendered).IsNull() &&
                              request.current_state.GetAttr(kSensitive).IsNull();
    const bool hashes_only = !write_only.empty() || HashesOnly(result.private_data) || no_plain_map;
    // The "files" form of the private stands for the keys above only while
    // the key set of `files` stays the same.
    std::optional<std::set<std::string>> files_before;
    if (WriteOnlyKeysNeedState(result.private_data)) files_before = KeysOf(request.current_state.GetAttr("files"));
    // Only against an applied state: an imported one has no keys yet, and
    // every file would read as a stray.
    bool applied = !write_only.empty();
    for (const char* attr : {kRendered, kSensitive}) {
      const Value& had = request.current_state.GetAttr(attr);
      applied = applied || (had.IsKnown() && !had.IsNull() && !had.entries().empty());
    }
    // Kept only for the error path; RefreshFromDisk takes the state over.
    std::optional<Value> kept;
    absl::StatusOr<std::optional<Value>> refreshed =
        RefreshFromDisk(std::move(request.current_state), applied ? &drift : nullptr, nullptr, &kept,
                        hashes_only ? &write_only : nullptr);
    if (!drift.empty()) {
      // One warning (OpenTofu folds warnings that share a summary into "and
      // N more"), by path and kind only: the plan's own line diffs are
      // hidden when rendered_manifests comes through a sensitive output.
      std::vector<std::string> shown(drift.begin(), drift.begin() + std::min<size_t>(drift.size(), 50));
      std::string detail = absl::StrCat(
          drift.size() == 1 ? "1 file differs" : absl::StrCat(drift.size(), " files differ"),
          " from what the last apply left (content never shown here); the apply restores the "
          "configuration:\n  - ",
          absl::StrJoin(shown, "\n  - "));
      if (drift.size() > shown.size()) absl::StrAppend(&detail, "\n  ... and ", drift.size() - shown.size(), " more");
      result.diagnostics.push_back(core::WarningAt(AttributePath::Attr(no_plain_map ? kRenderedWo : kRendered),
                                                   "Drift in the checkout", detail));
    }
    if (!refreshed.ok()) {
      result.diagnostics.push_back(core::ErrorAt(AttributePath::Attr("path"), "Cannot read the checkout",
                                                 std::string(refreshed.status().message())));
      result.new_state = kept.has_value() ? *std::move(kept) : Value::Null(type_);
      return result;
    }
    result.new_state = refreshed->has_value() ? **std::move(refreshed) : Value::Null(type_);
    if (files_before.has_value() && !result.new_state.IsNull() &&
        KeysOf(result.new_state.GetAttr("files")) != *files_before) {
      result.private_data = WithWriteOnlyKeys(result.private_data, write_only);
    }
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
    // Only the proposed state is read whole: the prior only for IsNull(), the
    // configuration only for its write-only map (see ADR 0007).
    const bool create = request.prior_state.IsNull();
    // The proposed state may carry the write-only contents; they are planned
    // null (OpenTofu refuses anything else) and read from the configuration.
    absl::StatusOr<Value> proposed = request.proposed_new_state.DecodeWithout({kRenderedWo});
    if (!proposed.ok()) {
      result.diagnostics.push_back(core::DecodeFailure("proposed new state", proposed.status()));
      return result;
    }
    Value planned = *std::move(proposed);
    planned.SetAttr(kRenderedWo, Value::Null(Type::Map(Type::String())));
    absl::StatusOr<Value> write_only = WriteOnlyFromConfig(request.config);
    if (!write_only.ok()) {
      result.diagnostics.push_back(core::DecodeFailure("configuration", write_only.status()));
      return result;
    }
    if (planned.GetAttr("prune").IsNull()) planned.SetAttr("prune", Value::Bool(DefaultPrune()));
    if (planned.GetAttr("exclude").IsNull()) {
      planned.SetAttr("exclude", DefaultExclude());
    }
    if (planned.GetAttr("file_permission").IsNull()) planned.SetAttr("file_permission", Value::String(DefaultFileMode()));
    if (planned.GetAttr("directory_permission").IsNull()) {
      planned.SetAttr("directory_permission", Value::String(DefaultDirMode()));
    }
    if (planned.GetAttr(kChecks).IsNull()) planned.SetAttr(kChecks, Value::String(kChecksDefault));

    Settings settings;
    bool known = Read(planned, &settings, &result.diagnostics);
    Desired desired = DesiredFrom(planned, &result.diagnostics, &*write_only);
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

    if (!create) {
      result.requires_replace.push_back(AttributePath::Attr("path"));
      result.requires_replace.push_back(AttributePath::Attr("cluster"));
    }
    if (known && desired.keys_known) {
      // What apply will refuse, the plan says (a create or an update alike).
      CheckCheckout(settings, desired, create, &result.diagnostics);
      if (!create) {
        std::vector<std::string> staying = ExcludedFilesLeavingState(std::move(request.prior_state), request.prior_private, planned, desired, settings);
        if (!staying.empty()) {
          result.diagnostics.push_back(core::WarningAt(
              AttributePath::Attr("exclude"), "Excluded files stay on disk",
              absl::StrCat(staying.size() == 1 ? "This file now matches" : "These files now match",
                           " `exclude`: the plan shows ", staying.size() == 1 ? "it" : "them",
                           " leaving rendered_manifests (-), but the apply does not delete ",
                           staying.size() == 1 ? "it" : "them", "; ",
                           staying.size() == 1 ? "it stays" : "they stay",
                           " on disk, no longer managed: ", NamePaths(staying), ".")));
        }
      }
      if (create) {
        result.planned_private =
            ReplaceInPlacePrivate(MakeId(settings.cluster, settings.path), desired.tree, request.prior_private);
      }
    }
    if (known && desired.keys_known && desired.contents_known && !core::HasError(result.diagnostics)) {
      // The prior state without its manifests: enough to tell what changed.
      std::optional<Value> prior;
      if (!create) {
        absl::StatusOr<Value> slim = request.prior_state.DecodeWithout({kRendered, kSensitive, kRenderedWo});
        if (slim.ok()) prior.emplace(*std::move(slim));
      }
      CheckManifests(settings, desired, prior ? &*prior : nullptr, planned, &result.diagnostics);
    }
    result.planned_state = std::move(planned);
    return result;
  }

  core::ApplyResult Apply(core::ApplyRequest request) const override {
    core::ApplyResult result;
    if (request.planned_state.IsNull()) return Destroy(std::move(request));
    // A create plan's private data only informs the destroy half of a
    // replacement; the state keeps none of it. Until the tree is written,
    // the prior's write-only keys stay the ones the resource owns.
    const bool create = request.prior_state.IsNull();
    result.private_data = create ? std::string() : request.planned_private;
    // Decoded at most once, and only when needed.
    std::optional<Value> prior;
    auto decode_prior = [&]() -> absl::Status {
      if (prior.has_value()) return absl::OkStatus();
      absl::StatusOr<Value> p = std::move(request.prior_state).Decode();
      if (!p.ok()) return p.status();
      prior.emplace(*std::move(p));
      return absl::OkStatus();
    };
    // The write-only keys the prior owns; its "files" form needs the prior.
    auto prior_write_only = [&]() -> std::set<std::string> {
      if (create) return {};
      if (!WriteOnlyKeysNeedState(request.planned_private)) return WriteOnlyKeys(request.planned_private, Value::Null(type_));
      if (!decode_prior().ok()) return {};
      return WriteOnlyKeys(request.planned_private, *prior);
    };

    // The planned state is read whole; the prior only when keys dropped from
    // the configuration must be deleted or the apply fails; the
    // configuration only for its write-only map (see ADR 0007).
    absl::StatusOr<Value> decoded = std::move(request.planned_state).Decode();
    if (!decoded.ok()) {
      result.diagnostics.push_back(core::DecodeFailure("planned state", decoded.status()));
      result.new_state = PriorOrNull(std::move(request.prior_state), &result.diagnostics);
      return result;
    }
    Value planned_state = *std::move(decoded);
    const Value& planned = planned_state;
    absl::StatusOr<Value> write_only = WriteOnlyFromConfig(request.config);
    if (!write_only.ok()) {
      result.diagnostics.push_back(core::DecodeFailure("configuration", write_only.status()));
      result.new_state = PriorOrNull(std::move(request.prior_state), &result.diagnostics);
      return result;
    }
    Settings settings;
    Read(planned, &settings, &result.diagnostics);
    if (env_ == nullptr) settings.options.env = TestHookEnv();
    Desired desired = DesiredFrom(planned, &result.diagnostics, &*write_only);
    if (!core::HasError(result.diagnostics)) ValidateKeys(settings, desired, &result.diagnostics);
    if (!core::HasError(result.diagnostics) && desired.contents_known) {
      CheckWriteOnlyAgainstPlan(desired, planned.GetAttr("files"), &result.diagnostics);
    }
    std::set<std::string> new_write_only;
    for (const auto& [key, attr] : desired.source) {
      if (std::string_view(attr) == kRenderedWo) new_write_only.insert(key);
    }
    if (core::HasError(result.diagnostics) || !desired.contents_known) {
      if (!desired.contents_known) {
        result.diagnostics.push_back(core::Error("Unknown manifest content at apply",
                                                 "OpenTofu passed content that is still unknown at apply time. "
                                                 "This is a bug in OpenTofu or the provider."));
      }
      result.new_state = PriorOrNull(std::move(request.prior_state), &result.diagnostics);
      return result;
    }

    tree::RenderReport total;
    // One session: the root is opened and locked once, and no other applier
    // can change the checkout between this scan and these writes.
    absl::StatusOr<tree::WriteSession> checkout =
        tree::WriteSession::Open(settings.path, settings.options, &total.dirs_created);
    absl::Status status = checkout.status();
    // Keys that left the configuration are deleted even with prune = false:
    // the resource wrote them.
    if (status.ok() && !create && !settings.options.prune) status = decode_prior();
    if (status.ok() && !create && !settings.options.prune) {
      std::vector<std::string> dropped;
      for (const char* attr : {kRendered, kSensitive}) {
        const Value& m = prior->GetAttr(attr);
        if (!m.IsKnown()) continue;
        for (const auto& [key, unused] : m.entries()) {
          if (desired.tree.count(key) == 0 && !IsDisplayOnlyKey(key)) dropped.push_back(key);
        }
      }
      for (const std::string& key : prior_write_only()) {
        if (desired.tree.count(key) == 0) dropped.push_back(key);
      }
      if (HashesOnly(request.planned_private) && prior->GetAttr("files").IsKnown()) {
        // A write-only import owns every file it found, as an import with
        // contents owns every key of its map.
        for (const auto& [key, unused] : prior->GetAttr("files").entries()) {
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
        // Checked again under the lock: another instance may have claimed a
        // path since the plan (two instances in one state are both planned
        // before either applies).
        if (!changes.conflicts.empty()) {
          AddConflictDiagnostics(changes, desired, /*at_apply=*/true, &result.diagnostics);
          result.new_state = prior.has_value() ? *std::move(prior)
                                               : PriorOrNull(std::move(request.prior_state), &result.diagnostics);
          return result;
        }
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
      // Files of the old and the new write-only keys may both be on disk.
      std::set<std::string> owned_write_only = prior_write_only();
      owned_write_only.insert(new_write_only.begin(), new_write_only.end());
      result.private_data = WithWriteOnlyKeys(result.private_data, owned_write_only);
      absl::StatusOr<std::optional<Value>> actual = RefreshFromDisk(
          std::move(planned_state), nullptr, checkout.ok() ? &*checkout : nullptr, nullptr,
          owned_write_only.empty() ? nullptr : &owned_write_only);
      if (actual.ok() && actual->has_value()) {
        result.new_state = **std::move(actual);
      } else if (prior.has_value()) {
        result.new_state = *std::move(prior);
      } else {
        result.new_state = PriorOrNull(std::move(request.prior_state), &result.diagnostics);
      }
      return result;
    }
    // The planned value becomes the state; moving it keeps `desired`'s views
    // valid (map nodes move, strings stay put).
    Value new_state = std::move(planned_state);
    if (!new_state.GetAttr("files").IsWhollyKnown()) {
      Value files = FilesFromDesired(desired.tree, settings.file_mode_text);
      new_state.SetAttr("tree_sha256", Value::String(TreeDigest(files)));
      new_state.SetAttr("files", std::move(files));
    }
    result.new_state = std::move(new_state);
    // `files` is now exactly the configured tree: the compact form holds.
    result.private_data = WithWriteOnlyKeysAsFiles(result.private_data, !new_write_only.empty());
    return result;
  }

  core::ImportResult Import(std::string_view id) const override {
    core::ImportResult result;
    // "write-only/<cluster>:<path>": the checkout is read by hash only, so
    // that a configuration with rendered_manifests_wo never finds content in
    // state. '/' is not in any cluster name: the plain form is unaffected.
    constexpr std::string_view kWriteOnlyPrefix = "write-only/";
    const bool hashes_only = id.starts_with(kWriteOnlyPrefix);
    const std::string_view full_id = id;
    if (hashes_only) id.remove_prefix(kWriteOnlyPrefix.size());
    size_t colon = id.find(':');
    std::string_view cluster = colon == std::string_view::npos ? std::string_view() : id.substr(0, colon);
    std::string_view path = colon == std::string_view::npos ? std::string_view() : id.substr(colon + 1);
    if (colon == std::string_view::npos || path.empty() || !tree::ValidateCluster(cluster).ok()) {
      result.diagnostics.push_back(core::Error(
          "Invalid import ID",
          absl::StrCat("import ID \"", AV(full_id), "\": expected \"<cluster>:<path>\", e.g. \"dev:./gitops\", where "
                       "<cluster> is a DNS-1123 label and <path> the checkout directory as written in the "
                       "configuration; or \"write-only/<cluster>:<path>\" to import hashes only, for a "
                       "configuration with ", kRenderedWo, ".")));
      return result;
    }
    Value::Entries attrs;
    attrs.emplace("id", Value::String(std::string(id)));
    attrs.emplace("path", Value::String(std::string(path)));
    attrs.emplace("cluster", Value::String(std::string(cluster)));
    if (hashes_only) {
      result.private_data = HashesOnlyPrivate();  // rendered_manifests stays null: nothing is shown
    } else {
      attrs.emplace(kRendered, Value::Map(Type::String(), {}));
    }
    attrs.emplace("prune", Value::Bool(DefaultPrune()));
    attrs.emplace("exclude", DefaultExclude());
    attrs.emplace("file_permission", Value::String(DefaultFileMode()));
    attrs.emplace("directory_permission", Value::String(DefaultDirMode()));
    attrs.emplace(kChecks, Value::String(kChecksDefault));
    Value files = Value::Map(FileInfoType(), {});
    attrs.emplace("tree_sha256", Value::String(TreeDigest(files)));
    attrs.emplace("files", std::move(files));
    result.state = Value::Object(type_, std::move(attrs));
    return result;
  }

 private:
  // The prior state, as the state to keep when an apply fails before
  // writing; a null (with the reason) when it cannot be decoded.
  Value PriorOrNull(cty::LazyValue prior, Diagnostics* diags) const {
    absl::StatusOr<Value> p = std::move(prior).Decode();
    if (p.ok()) return *std::move(p);
    diags->push_back(core::DecodeFailure("prior state", p.status()));
    return Value::Null(type_);
  }

  core::ApplyResult Destroy(core::ApplyRequest request) const {
    core::ApplyResult result;
    result.new_state = Value::Null(type_);
    if (request.prior_state.IsNull()) return result;
    absl::StatusOr<Value> decoded = std::move(request.prior_state).Decode();
    if (!decoded.ok()) {
      result.diagnostics.push_back(core::DecodeFailure("prior state", decoded.status()));
      return result;
    }
    const Value& prior = *decoded;
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
    // The write-only files the prior owns: a plain destroy's private is the
    // state's; a replacement's create plan carried them over.
    for (const std::string& key : WriteOnlyKeys(request.planned_private, prior)) {
      if (!(kept && kept->count(key) != 0)) paths.push_back(key);
    }
    if (HashesOnly(request.planned_private) && prior.GetAttr("files").IsKnown()) {
      // A write-only import never applied: it owns every file it found.
      for (const auto& [key, unused] : prior.GetAttr("files").entries()) {
        if (!IsDisplayOnlyKey(key) && !(kept && kept->count(key) != 0)) paths.push_back(key);
      }
    }
    tree::ApplyResult removed;
    absl::StatusOr<tree::WriteSession> checkout =
        tree::WriteSession::OpenExisting(settings.path, settings.options);
    removed.status = checkout.ok() ? checkout->Remove(settings.cluster, paths, &removed.report) : checkout.status();
    log::Info("destroyed tree", {{"path", settings.path}, {"report", tree::Summarize(removed.report)},
                                 {"ok", removed.status.ok()}});
    LogTestHookCalls();
    if (!removed.status.ok()) {
      result.diagnostics.push_back(core::ErrorAt(
          AttributePath::Attr("path"), "Removing the tree failed",
          absl::StrCat(removed.status.message(), "\n\nDone before the error: ", tree::Summarize(removed.report))));
      result.new_state = *std::move(decoded);
    }
    return result;
  }

  // Scans the checkout and reports, as errors, what would make apply refuse
  // (a symlink in an owned root, an obstacle such as a `clusters` symlink);
  // on a create, also warns how many existing files it will overwrite or
  // prune. An update's plan hashes nothing: only the entry kinds matter.
  void CheckCheckout(const Settings& settings, const Desired& desired, bool create, Diagnostics* diags) const {
    const tree::DesiredTree no_hashes;
    absl::StatusOr<tree::ReadSession> checkout = tree::ReadSession::Open(settings.path, settings.options);
    absl::StatusOr<tree::TreeScan> scan =
        checkout.ok() ? checkout->Scan(settings.cluster, create ? &desired.tree : &no_hashes)
                      : absl::StatusOr<tree::TreeScan>(checkout.status());
    if (!scan.ok()) {
      diags->push_back(core::ErrorAt(AttributePath::Attr("path"), "Checkout cannot be managed safely",
                                     std::string(scan.status().message())));
      return;
    }
    if (!scan->root_exists) return;
    std::vector<std::string> overwritten, pruned;
    tree::ChangeSet changes = tree::DiffAgainstDisk(desired.tree, *scan, settings.options);
    for (const tree::Change& c : changes.changes) {
      const bool dir = c.disk_kind == tree::EntryKind::kDirectory;
      if (c.kind == tree::ChangeKind::kUpdate || c.kind == tree::ChangeKind::kModeChange ||
          (c.kind == tree::ChangeKind::kCreate && c.on_disk)) {
        overwritten.push_back(dir ? c.path + "/" : c.path);
      }
      if (c.kind == tree::ChangeKind::kPrune) pruned.push_back(c.path);
    }
    AddConflictDiagnostics(changes, desired, /*at_apply=*/false, diags);
    if (create && (!overwritten.empty() || !pruned.empty())) {
      std::string detail = absl::StrCat("The checkout \"", EscapeForDisplay(settings.path),
                                        "\" already holds files in the directories this resource will own "
                                        "that no other cluster's inventory claims.");
      if (!overwritten.empty()) {
        absl::StrAppend(&detail, "\n\nOverwritten (", overwritten.size(), "): ", NamePaths(overwritten), ".");
      }
      if (!pruned.empty()) {
        absl::StrAppend(&detail, "\n\nPruned (", pruned.size(), "): ", NamePaths(pruned), ".");
        // Files this cluster's own inventory claims, which this
        // configuration lacks: either it changed since the state was lost,
        // or another resource with the same cluster manages this checkout,
        // which is not supported (docs/adr/0009-ownership-inventory.md).
        std::vector<std::string> ours;
        for (const std::string& p : pruned) {
          if (std::binary_search(scan->inventory.paths.begin(), scan->inventory.paths.end(), p)) ours.push_back(p);
        }
        if (!ours.empty()) {
          absl::StrAppend(&detail, "\n\n", ours.size(), " of them are listed in the ownership inventory of cluster \"",
                          settings.cluster, "\" (", tree::InventoryPath(settings.cluster),
                          "). If another resource with cluster = \"", settings.cluster,
                          "\" manages this checkout, this apply undoes it: one resource per cluster per checkout.");
        }
      }
      absl::StrAppend(&detail,
                      "\n\nWhen this plan replaces the resource (tainted, or -replace), those are the files still to "
                      "fix; otherwise import the checkout instead to see them as drift first.");
      diags->push_back(core::WarningAt(AttributePath::Attr("path"), "Existing files will be replaced", detail));
    }
  }


  static std::set<std::string> KeysOf(const Value& map) {
    std::set<std::string> keys;
    if (map.IsKnown() && !map.IsNull()) {
      for (const auto& [key, unused] : map.entries()) keys.insert(key);
    }
    return keys;
  }

  // The configuration's rendered_manifests_wo (a null map when it has
  // none), decoded without the other maps.
  absl::StatusOr<Value> WriteOnlyFromConfig(const cty::LazyValue& config) const {
    absl::StatusOr<Value> slim = config.DecodeWithout({kRendered, kSensitive});
    if (!slim.ok()) return slim.status();
    if (slim->IsNull() || !slim->IsKnown()) return Value::Null(Type::Map(Type::String()));
    return slim->TakeAttr(kRenderedWo);
  }

  // Apply writes no write-only content other than the plan showed: each
  // one's SHA-256 must be the planned `files` entry's (a value that changed
  // since the plan, e.g. from an ephemeral input, was never reviewed).
  // Nothing to compare when the plan could not know the hashes.
  static void CheckWriteOnlyAgainstPlan(const Desired& desired, const Value& planned_files, Diagnostics* diags) {
    if (!planned_files.IsWhollyKnown() || planned_files.IsNull()) return;
    for (const auto& [key, attr] : desired.source) {
      if (std::string_view(attr) != kRenderedWo) continue;
      auto it = planned_files.entries().find(key);
      std::string now = tree::Sha256Hex(desired.tree.at(key));
      std::string planned = it == planned_files.entries().end() ? std::string() : it->second.GetAttr("sha256").AsString();
      if (planned == now) continue;
      diags->push_back(core::ErrorAt(
          AttributePath::Attr(kRenderedWo).Key(key), "Write-only content changed since the plan",
          absl::StrCat(kRenderedWo, "[\"", EscapeForDisplay(key), "\"]: the configuration now gives content with "
                       "SHA-256 ", now, ", but the plan ",
                       planned.empty() ? "did not have this file" : absl::StrCat("showed ", planned),
                       ". Nothing was written: run the plan again to review the new content.")));
    }
  }

  // ReadSettings, with the filesystem seam this resource was made with.
  bool Read(const Value& obj, Settings* out, Diagnostics* diags) const {
    return ReadSettings(obj, env_, out, diags);
  }
  absl::StatusOr<std::optional<Value>> RefreshFromDisk(Value state, std::vector<std::string>* drift = nullptr,
                                                       const tree::ReadSession* session = nullptr,
                                                       std::optional<Value>* kept_on_error = nullptr,
                                                       const std::set<std::string>* write_only = nullptr) const {
    return gitops::RefreshFromDisk(std::move(state), env_, drift, session, kept_on_error, write_only);
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
