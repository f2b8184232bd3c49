// wildside_gitops_tree: the resource class. It validates, upgrades,
// refreshes and imports here, and hands plan and apply to their phases
// (gitops_tree_plan.cc, gitops_tree_apply.cc) with its Context.
#include "provider/resources/gitops_tree.h"

#include <algorithm>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "provider/cty/json.h"
#include "provider/resources/gitops_tree_checks.h"
#include "provider/resources/gitops_tree_ops.h"
#include "provider/resources/gitops_tree_prior.h"
#include "provider/resources/gitops_tree_refresh.h"
#include "provider/resources/gitops_tree_settings.h"
#include "tree/strings.h"
#include "tree/validate.h"

namespace wildside::resources {
namespace {

using namespace gitops;  // NOLINT: the resource's own model
using tree::AV;

using core::AttributePath;
using core::Diagnostics;
using cty::Type;
using cty::Value;

// One warning (OpenTofu folds warnings that share a summary into "and N
// more"), by path and kind only: the plan's own line diffs are hidden when
// rendered_manifests comes through a sensitive output.
core::Diagnostic DriftWarning(const std::vector<std::string>& drift, bool no_plain_map) {
  std::vector<std::string> shown(drift.begin(), drift.begin() + std::min<size_t>(drift.size(), 50));
  std::string detail = absl::StrCat(
      drift.size() == 1 ? "1 file differs" : absl::StrCat(drift.size(), " files differ"),
      " from what the last apply left (content never shown here); the apply restores the "
      "configuration:\n  - ",
      absl::StrJoin(shown, "\n  - "));
  if (drift.size() > shown.size())
    absl::StrAppend(&detail, "\n  ... and ", drift.size() - shown.size(), " more");
  return core::WarningAt(AttributePath::Attr(no_plain_map ? kRenderedWo : kRendered),
                         "Drift in the checkout", detail);
}

// What a refresh of `state` needs to know about its ownership.
struct ReadPlan {
  std::set<std::string> write_only;  // the write-only keys it owns
  bool no_plain_map = false;         // neither plain map: a write-only tree
  bool hashes_only = false;          // no content but the plain maps' enters the state
  bool applied = false;              // owns some key: strays and deletions are drift
};

ReadPlan PlanRead(const Value& state, const PrivateState& priv) {
  ReadPlan r;
  r.write_only = KeysOwnedAs(OwnedKeys(state, priv), Ownership::kWriteOnly);
  // A state with neither plain map can only come from a write-only
  // configuration: even with its private data lost, no content enters.
  r.no_plain_map = state.GetAttr(kRendered).IsNull() && state.GetAttr(kSensitive).IsNull();
  r.hashes_only = !r.write_only.empty() || priv.hashes_only || r.no_plain_map;
  // Only against an applied state: an imported one has no keys yet, and
  // every file would read as a stray.
  r.applied = !r.write_only.empty();
  for (const char* attr : {kRendered, kSensitive}) {
    const Value& had = state.GetAttr(attr);
    r.applied = r.applied || (had.IsKnown() && !had.IsNull() && !had.entries().empty());
  }
  return r;
}

class GitopsTreeResource final : public core::Resource {
 public:
  explicit GitopsTreeResource(tree::Env* env) : schema_(BuildSchema()) {
    ctx_.env = env;
    ctx_.type = schema_.ImpliedType();
  }

  const schema::Schema& GetSchema() const override { return schema_; }

  Diagnostics ValidateConfig(const Value& config,
                             const core::ValidateContext& context) const override {
    Diagnostics diags;
    if (!config.IsKnown()) return diags;
    if (!config.GetAttr(kRenderedWo).IsNull() && !context.client.write_only_attributes_allowed) {
      // An older client treats the attribute as a plain optional one and
      // would store every content in state: refuse before any plan.
      diags.push_back(core::ErrorAt(
          AttributePath::Attr(kRenderedWo), "Write-only attributes not supported by this client",
          absl::StrCat(kRenderedWo,
                       ": this OpenTofu or Terraform does not support write-only attributes, so "
                       "it would store the contents in the state. Use OpenTofu >= 1.11 or "
                       "Terraform >= 1.11, or "
                       "move the files to ",
                       kSensitive, " (stored in state, redacted in plans).")));
    }
    RequireSomeManifests(config, &diags);
    Settings settings;
    bool known = ReadSettings(config, ctx_.env, &settings, &diags);
    Desired desired = DesiredFrom(config, &diags);
    if (known && desired.keys_known) ValidateKeys(settings, desired, &diags);
    // `tofu validate`, and the validate walk of every plan: the checks run
    // where the values are known. A configured provider is planning: the
    // plan checks, knowing the prior state, so validate leaves it to it.
    if (known && desired.contents_known && !context.provider_configured && !core::HasError(diags))
      CheckManifestsAtValidate(settings, desired, &diags);
    return diags;
  }

  core::UpgradeStateResult UpgradeState(int64_t version, std::string_view raw_json) const override {
    core::UpgradeStateResult result;
    if (version > kSchemaVersion) {
      result.diagnostics.push_back(
          core::Error("State written by a newer provider",
                      absl::StrCat("The stored state has schema version ", version,
                                   " but this provider knows up to ", kSchemaVersion,
                                   ". Use the provider version that wrote it, or newer.")));
      return result;
    }
    absl::StatusOr<Value> state = cty::DecodeJson(raw_json, ctx_.type);
    if (!state.ok()) {
      result.diagnostics.push_back(
          core::Error("Unreadable stored state",
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
    const PrivateState priv = PrivateState::Parse(result.private_data);
    ReadPlan how = PlanRead(request.current_state, priv);
    // The "files" form of the private stands for the write-only keys only
    // while the key set of `files` stays the same.
    std::optional<std::set<std::string>> files_before;
    if (priv.write_only_form == PrivateState::WriteOnlyForm::kFiles) {
      files_before = KeysOf(request.current_state.GetAttr("files"));
    }
    RefreshRequest refresh;
    refresh.state = std::move(request.current_state);
    refresh.env = ctx_.env;
    if (how.hashes_only) refresh.write_only = how.write_only;
    refresh.describe_drift = how.applied;
    refresh.encrypted = &priv.encrypted;
    RefreshResult refreshed = RefreshFromDisk(std::move(refresh));
    if (!refreshed.drift.empty())
      result.diagnostics.push_back(DriftWarning(refreshed.drift, how.no_plain_map));
    result.new_state =
        refreshed.state.has_value() ? *std::move(refreshed.state) : Value::Null(ctx_.type);
    if (!refreshed.status.ok()) {
      result.diagnostics.push_back(core::ErrorAt(AttributePath::Attr("path"),
                                                 "Cannot read the checkout",
                                                 std::string(refreshed.status.message())));
      return result;
    }
    if (files_before.has_value() && !result.new_state.IsNull() &&
        KeysOf(result.new_state.GetAttr("files")) != *files_before) {
      PrivateState kept =
          PrivateState::WriteOnlyList(std::move(how.write_only), priv.checked_rules);
      kept.encrypted = priv.encrypted;
      result.private_data = kept.Serialize();
    }
    return result;
  }

  core::PlanResult Plan(core::PlanRequest request) const override {
    return PlanTree(std::move(request), ctx_);
  }

  core::ApplyResult Apply(core::ApplyRequest request) const override {
    return ApplyTree(std::move(request), ctx_);
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
    std::string_view cluster =
        colon == std::string_view::npos ? std::string_view() : id.substr(0, colon);
    std::string_view path =
        colon == std::string_view::npos ? std::string_view() : id.substr(colon + 1);
    if (colon == std::string_view::npos || path.empty() || !tree::ValidateCluster(cluster).ok()) {
      result.diagnostics.push_back(core::Error(
          "Invalid import ID",
          absl::StrCat(
              "import ID \"", AV(full_id),
              "\": expected \"<cluster>:<path>\", e.g. \"dev:./gitops\", where "
              "<cluster> is a DNS-1123 label and <path> the checkout directory as written in the "
              "configuration; or \"write-only/<cluster>:<path>\" to import hashes only, for a "
              "configuration with ",
              kRenderedWo, ".")));
      return result;
    }
    Value::Entries attrs;
    attrs.emplace("id", Value::String(std::string(id)));
    attrs.emplace("path", Value::String(std::string(path)));
    attrs.emplace("cluster", Value::String(std::string(cluster)));
    if (hashes_only) {
      result.private_data = PrivateState::HashesOnlyImport()
                                .Serialize();  // rendered_manifests stays null: nothing is shown
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
    result.state = Value::Object(ctx_.type, std::move(attrs));
    return result;
  }

  // The identity: the cluster and the checkout path as written in the
  // configuration (relative paths stay relative, so it is the same on
  // every machine a pipeline runs on). Both force a replacement when they
  // change, so an object keeps its identity for life.
  const core::IdentitySchema* GetIdentitySchema() const override { return &identity_schema_; }

  std::optional<Value> IdentityOf(const Value& state) const override {
    const Value& cluster = state.GetAttr("cluster");
    const Value& path = state.GetAttr("path");
    if (!IsKnownString(cluster) || !IsKnownString(path)) return std::nullopt;
    return Value::Object(identity_schema_.ImpliedType(), {{"cluster", cluster}, {"path", path}});
  }

  // Imports by hash only, as the `write-only/` ID does: the import cannot
  // know which files are secrets, so none of their content reaches the
  // state. A configuration with rendered_manifests_wo then plans empty; one
  // with rendered_manifests plans to store the contents, writing no file.
  core::ImportResult ImportByIdentity(const Value& identity) const override {
    const Value& cluster = identity.GetAttr("cluster");
    const Value& path = identity.GetAttr("path");
    if (!IsKnownString(cluster) || !IsKnownString(path) || path.AsString().empty() ||
        !tree::ValidateCluster(cluster.AsString()).ok()) {
      core::ImportResult result;
      result.diagnostics.push_back(core::Error(
          "Invalid import identity",
          "identity: expected { cluster = \"<cluster>\", path = \"<path>\" }, e.g. { cluster = "
          "\"dev\", path = \"./gitops\" }, where <cluster> is a DNS-1123 label and <path> the "
          "checkout directory as written in the configuration."));
      return result;
    }
    return Import(absl::StrCat("write-only/", cluster.AsString(), ":", path.AsString()));
  }

 private:
  static core::IdentitySchema MakeIdentitySchema() {
    core::IdentitySchema s;
    s.version = 0;
    s.attributes = {
        {"cluster", Type::String(), true, false, "The cluster name, as in the configuration."},
        {"path", Type::String(), true, false,
         "The checkout directory, written exactly as in the configuration."}};
    return s;
  }

  core::IdentitySchema identity_schema_ = MakeIdentitySchema();
  schema::Schema schema_;
  Context ctx_;
};

}  // namespace

std::unique_ptr<core::Resource> NewGitopsTreeResource(tree::Env* env) {
  return std::make_unique<GitopsTreeResource>(env);
}

std::map<std::string, std::unique_ptr<core::Resource>, std::less<>> AllResources(tree::Env* env) {
  std::map<std::string, std::unique_ptr<core::Resource>, std::less<>> out;
  out.emplace("wildside_gitops_tree", NewGitopsTreeResource(env));
  return out;
}

}  // namespace wildside::resources
