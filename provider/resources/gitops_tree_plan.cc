// PlanResourceChange of wildside_gitops_tree: the planned state computed
// from the configuration alone (deterministic), then what the checkout
// says about it (what apply would refuse, what a create overwrites, files
// an `exclude` change leaves behind) and the plan-time checks.
#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "provider/resources/gitops_tree_checks.h"
#include "provider/resources/gitops_tree_ops.h"
#include "provider/resources/gitops_tree_prior.h"
#include "provider/resources/gitops_tree_settings.h"
#include "provider/resources/gitops_tree_sops.h"
#include "tree/checkout.h"
#include "tree/checks/checks.h"
#include "tree/content.h"
#include "tree/diff.h"
#include "tree/inventory.h"
#include "tree/layout.h"
#include "tree/scan.h"
#include "tree/strings.h"

namespace wildside::resources::gitops {
namespace {

using core::AttributePath;
using core::Diagnostics;
using cty::Type;
using cty::Value;
using tree::AV;
using tree::EscapeForDisplay;

// At most this many paths are named in one warning; the rest are counted.
constexpr size_t kMaxNamedPaths = 20;

// The planned state and what was read from it. Built in place and never
// moved: `desired` holds views into `planned`'s and `write_only`'s strings.
struct PlannedTree {
  Value planned;
  Value write_only;  // the configuration's rendered_manifests_wo
  Settings settings;
  bool known = false;  // every setting is known
  Desired desired;
  bool Checkable() const { return known && desired.keys_known; }
};

// The proposed state with the defaults of the optional settings filled in.
void FillDefaults(Value* planned) {
  planned->SetAttr(kRenderedWo, Value::Null(Type::Map(Type::String())));
  if (planned->GetAttr("prune").IsNull()) planned->SetAttr("prune", Value::Bool(DefaultPrune()));
  if (planned->GetAttr("exclude").IsNull()) planned->SetAttr("exclude", DefaultExclude());
  if (planned->GetAttr("file_permission").IsNull()) {
    planned->SetAttr("file_permission", Value::String(DefaultFileMode()));
  }
  if (planned->GetAttr("directory_permission").IsNull()) {
    planned->SetAttr("directory_permission", Value::String(DefaultDirMode()));
  }
  if (planned->GetAttr(kChecks).IsNull()) planned->SetAttr(kChecks, Value::String(kChecksDefault));
}

// Decodes and validates what the plan is computed from. False (with the
// reason in `diags`) when there is nothing to plan.
bool PreparePlan(const core::PlanRequest& request, const Context& ctx, PlannedTree* p,
                 Diagnostics* diags) {
  // Only the proposed state is read whole; the configuration only for its
  // write-only map (ADR 0007). The proposed state may carry the write-only
  // contents; they are planned null (OpenTofu refuses anything else).
  absl::StatusOr<Value> proposed = request.proposed_new_state.DecodeWithout({kRenderedWo});
  if (!proposed.ok()) {
    diags->push_back(core::DecodeFailure("proposed new state", proposed.status()));
    return false;
  }
  absl::StatusOr<Value> write_only = WriteOnlyFromConfig(request.config);
  if (!write_only.ok()) {
    diags->push_back(core::DecodeFailure("configuration", write_only.status()));
    return false;
  }
  p->planned = *std::move(proposed);
  p->write_only = *std::move(write_only);
  FillDefaults(&p->planned);
  p->known = ReadSettings(p->planned, ctx.env, &p->settings, diags);
  p->desired = DesiredFrom(p->planned, diags, &p->write_only);
  if (p->Checkable()) ValidateKeys(p->settings, p->desired, diags);
  return !core::HasError(*diags);
}

// `id`, `files` and `tree_sha256`: known whenever what they derive from is.
void SetComputed(PlannedTree* p) {
  Value& planned = p->planned;
  const Value& path = planned.GetAttr("path");
  const Value& cluster = planned.GetAttr("cluster");
  planned.SetAttr("id", IsKnownString(path) && IsKnownString(cluster)
                            ? Value::String(MakeId(cluster.AsString(), path.AsString()))
                            : Value::Unknown(Type::String()));
  if (p->desired.contents_known && p->desired.keys_known &&
      planned.GetAttr("file_permission").IsKnown()) {
    Value files = FilesFromDesired(p->desired.tree, p->settings.file_mode_text);
    planned.SetAttr("tree_sha256", Value::String(TreeDigest(files)));
    planned.SetAttr("files", std::move(files));
  } else {
    planned.SetAttr("files", Value::Unknown(FilesType()));
    planned.SetAttr("tree_sha256", Value::Unknown(Type::String()));
  }
}

// What a create over an existing tree does to the files already there.
core::Diagnostic ExistingFilesWarning(const Settings& settings, const tree::TreeScan& scan,
                                      const std::vector<std::string>& overwritten,
                                      const std::vector<std::string>& pruned) {
  std::string detail =
      absl::StrCat("The checkout \"", EscapeForDisplay(settings.path),
                   "\" already holds files in the directories this resource will own "
                   "that no other cluster's inventory claims.");
  if (!overwritten.empty()) {
    absl::StrAppend(&detail, "\n\nOverwritten (", overwritten.size(), "): ", NamePaths(overwritten),
                    ".");
  }
  if (!pruned.empty()) {
    absl::StrAppend(&detail, "\n\nPruned (", pruned.size(), "): ", NamePaths(pruned), ".");
  }
  // Files this cluster's own inventory claims, overwritten or pruned: this
  // configuration differs from the one that wrote them, either because it
  // changed since the state was lost, or because another resource with the
  // same cluster manages this checkout, which is not supported
  // (docs/adr/0009-ownership-inventory.md).
  std::vector<std::string> ours;
  for (const std::vector<std::string>* list : {&overwritten, &pruned}) {
    for (const std::string& p : *list) {
      if (std::binary_search(scan.inventory.paths.begin(), scan.inventory.paths.end(), p))
        ours.push_back(p);
    }
  }
  std::sort(ours.begin(), ours.end());
  if (!ours.empty()) {
    absl::StrAppend(&detail, "\n\n", ours.size(),
                    ours.size() == 1 ? " of these files is" : " of these files are",
                    " listed in the ownership inventory of cluster \"", settings.cluster, "\" (",
                    tree::InventoryPath(settings.cluster), "): ", NamePaths(ours),
                    ". If another resource with cluster = \"", settings.cluster,
                    "\" manages this checkout, this apply undoes it: one resource per cluster per "
                    "checkout.");
  }
  absl::StrAppend(&detail,
                  "\n\nWhen this plan replaces the resource (tainted, or -replace), those are the "
                  "files still to "
                  "fix; otherwise import the checkout instead to see them as drift first.");
  return core::WarningAt(AttributePath::Attr("path"), "Existing files will be replaced", detail);
}

// A create plan shows every file as added (+); the files already on disk
// byte for byte, in the right mode, are left as they are.
core::Diagnostic UnchangedFilesWarning(const Settings& settings,
                                       const std::vector<std::string>& unchanged) {
  const bool one = unchanged.size() == 1;
  return core::WarningAt(
      AttributePath::Attr("path"), "Files already in place",
      absl::StrCat(unchanged.size(), one ? " file" : " files", " in \"",
                   EscapeForDisplay(settings.path),
                   one ? "\" already holds this content and will not be written"
                       : "\" already hold this content and will not be written",
                   " (the plan shows every file as added): ", NamePaths(unchanged), "."));
}

// Scans the checkout and reports, as errors, what would make apply refuse
// (a symlink in an owned root, an obstacle such as a `clusters` symlink);
// on a create, also warns which existing files it will overwrite or prune
// and which already match. An update's plan hashes nothing: only the entry
// kinds matter.
void CheckCheckout(const absl::StatusOr<tree::ReadSession>& checkout, const Settings& settings,
                   const Desired& desired, bool create, bool may_take_over, Diagnostics* diags) {
  const tree::DesiredTree no_hashes;
  absl::StatusOr<tree::TreeScan> scan =
      checkout.ok() ? checkout->Scan(settings.cluster, create ? &desired.tree : &no_hashes)
                    : absl::StatusOr<tree::TreeScan>(checkout.status());
  if (!scan.ok()) {
    diags->push_back(core::ErrorAt(AttributePath::Attr("path"), "Checkout cannot be managed safely",
                                   std::string(scan.status().message())));
    return;
  }
  if (!scan->root_exists) return;
  std::vector<std::string> overwritten, pruned, unchanged;
  tree::ChangeSet changes = tree::DiffAgainstDisk(desired.tree, *scan, settings.options);
  // A conflicted path is an error of its own (another cluster's file, an
  // obstacle): it is neither overwritten nor in place.
  std::set<std::string_view> conflicted;
  for (const tree::Conflict& c : changes.conflicts) conflicted.insert(c.path);
  for (const tree::Change& c : changes.changes) {
    if (conflicted.count(c.path) != 0) continue;
    const bool dir = c.disk_kind == tree::EntryKind::kDirectory;
    switch (c.kind) {
      case tree::ChangeKind::kCreate:
        // A file written where a directory (or a symlink) stands.
        if (c.on_disk) overwritten.push_back(dir ? c.path + "/" : c.path);
        break;
      case tree::ChangeKind::kUpdate:
        overwritten.push_back(c.path);
        break;
      case tree::ChangeKind::kModeChange:
        // A directory's mode is set as on any apply; it is no file
        // overwritten (a checkout made under umask 002 has them all).
        if (!dir) overwritten.push_back(c.path);
        break;
      case tree::ChangeKind::kPrune:
        pruned.push_back(c.path);
        break;
      case tree::ChangeKind::kUnchanged:
        unchanged.push_back(c.path);
        break;
      case tree::ChangeKind::kRemoveDir:
        break;
    }
  }
  AddConflictDiagnostics(changes, desired, /*at_apply=*/false, diags);
  if (create && !may_take_over) {
    std::vector<std::string> taken = TakenOver(changes, scan->inventory);
    if (!taken.empty()) diags->push_back(TakeoverRefused(settings, taken, /*at_apply=*/false));
  }
  if (create && (!overwritten.empty() || !pruned.empty())) {
    diags->push_back(ExistingFilesWarning(settings, *scan, overwritten, pruned));
  }
  if (create && !unchanged.empty()) diags->push_back(UnchangedFilesWarning(settings, unchanged));
}

// The keys the prior owns that leave the state because `exclude` now
// matches them. OpenTofu shows each as removed (`-`), but the apply never
// touches an excluded path: they stay on disk. The prior is decoded whole
// only when `exclude` changed (ADR 0007: a plan reads the prior for little
// else).
void WarnExcludedFilesStay(Prior* prior, const Value& slim_prior, std::string_view prior_private,
                           const PlannedTree& p, Diagnostics* diags) {
  if (slim_prior.GetAttr("exclude") == p.planned.GetAttr("exclude")) return;
  absl::StatusOr<const Value*> whole = prior->Get();
  if (!whole.ok()) return;
  std::vector<std::string> staying;
  for (const auto& [key, how] : OwnedKeys(**whole, PrivateState::Parse(prior_private))) {
    if (p.desired.tree.count(key) == 0 &&
        tree::ExcludingPattern(key, p.settings.options) != nullptr) {
      staying.push_back(key);
    }
  }
  if (staying.empty()) return;
  const bool one = staying.size() == 1;
  diags->push_back(core::WarningAt(
      AttributePath::Attr("exclude"), "Excluded files stay on disk",
      absl::StrCat(one ? "This file now matches"
                       : absl::StrCat("These ", staying.size(), " files now match"),
                   " `exclude`: the plan shows ", one ? "it" : "them",
                   " leaving rendered_manifests (-), but the apply does not delete ",
                   one ? "it" : "them", "; ", one ? "it stays" : "they stay",
                   " on disk, no longer managed: ", NamePaths(staying), ".")));
}

// A create plan's private: the prior's (a "replaces" stays, for the
// destroy half of a -replace, which hands the kept files over through the
// ProcessRecord), plus the keys this create will own.
void MarkReplaceInPlace(const PlannedTree& p, PrivateState* planned) {
  planned->replace_in_place.emplace();
  planned->replace_in_place->id = MakeId(p.settings.cluster, p.settings.path);
  for (const auto& [key, unused] : p.desired.tree) planned->replace_in_place->keys.insert(key);
}

// The checks of the planned tree; true when it now counts as checked with
// the current rules (CheckManifests).
bool CheckPlannedTree(const PlannedTree& p, const std::optional<Value>& slim_prior, int prior_rules,
                      const absl::StatusOr<tree::ReadSession>& checkout, Diagnostics* diags) {
  if (!p.Checkable() || !p.desired.contents_known || core::HasError(*diags)) return false;
  return CheckManifests(p.settings, p.desired, slim_prior ? &*slim_prior : nullptr, prior_rules,
                        p.planned, checkout.ok() ? &*checkout : nullptr, diags);
}

}  // namespace

std::vector<std::string> TakenOver(const tree::ChangeSet& changes,
                                   const tree::Inventory& inventory) {
  std::vector<std::string> taken;
  for (const tree::Change& c : changes.changes) {
    const bool overwrite = c.kind == tree::ChangeKind::kUpdate ||
                           c.kind == tree::ChangeKind::kModeChange ||
                           (c.kind == tree::ChangeKind::kCreate && c.on_disk);
    if (!overwrite && c.kind != tree::ChangeKind::kPrune) continue;
    if (std::binary_search(inventory.paths.begin(), inventory.paths.end(), c.path))
      taken.push_back(c.path);
  }
  std::sort(taken.begin(), taken.end());
  return taken;
}

bool MayTakeOver(const Settings& settings, std::string_view replaces_id,
                 const ProcessRecord& record) {
  const std::string id = MakeId(settings.cluster, settings.path);
  return settings.adopt || !settings.adopt_known || replaces_id == id || record.WasHandedOver(id);
}

void ProcessRecord::RecordCreated(std::string_view id) {
  std::lock_guard<std::mutex> lock(mu_);
  created_.emplace(id);
}

bool ProcessRecord::WasCreated(std::string_view id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return created_.find(id) != created_.end();
}

void ProcessRecord::RecordHandedOver(std::string_view id) {
  std::lock_guard<std::mutex> lock(mu_);
  handed_over_.emplace(id);
}

bool ProcessRecord::WasHandedOver(std::string_view id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return handed_over_.find(id) != handed_over_.end();
}

core::Diagnostic TakeoverRefused(const Settings& settings, const std::vector<std::string>& taken,
                                 bool at_apply) {
  const std::string c = EscapeForDisplay(settings.cluster);
  const std::string id = EscapeForDisplay(MakeId(settings.cluster, settings.path));
  std::string detail = absl::StrCat(
      "This resource has no state yet, and ", at_apply ? "applying" : "the apply of",
      " this create would overwrite or prune ", taken.size(),
      taken.size() == 1 ? " file" : " files", " that the ownership inventory of cluster \"", c,
      "\" (", EscapeForDisplay(tree::InventoryPath(settings.cluster)), " in \"",
      EscapeForDisplay(settings.path), "\") lists: ", NamePaths(taken),
      ".\n\nThey belong to a state that was lost or moved, to a tainted resource, or to "
      "another resource with cluster = \"",
      c, "\" (one resource per cluster per checkout). ",
      at_apply ? "Nothing was written." : "Apply would refuse to run.",
      " Ways on:\n- the resource address was renamed: add a moved {} block from the old "
      "address;\n- the state was lost: tofu import <address> \"",
      id, "\" (or \"write-only/", id,
      "\" with rendered_manifests_wo), then plan to see the differences as drift;\n- the "
      "resource is tainted: tofu untaint <address>;\n- this configuration should take the "
      "checkout over: set adopt = true.");
  return core::ErrorAt(AttributePath::Attr("cluster"), "Files of this cluster would be taken over",
                       detail);
}

std::string NamePaths(const std::vector<std::string>& paths) {
  std::vector<std::string> shown;
  for (size_t i = 0; i < paths.size() && i < kMaxNamedPaths; ++i)
    shown.push_back(EscapeForDisplay(paths[i]));
  std::string out = absl::StrJoin(shown, ", ");
  if (paths.size() > kMaxNamedPaths)
    absl::StrAppend(&out, " and ", paths.size() - kMaxNamedPaths, " more");
  return out;
}

void AddConflictDiagnostics(const tree::ChangeSet& changes, const Desired& desired, bool at_apply,
                            Diagnostics* diags) {
  const std::string_view consequence =
      at_apply ? "Nothing was written." : "Apply would refuse to run.";
  for (const tree::Conflict& c : changes.conflicts) {
    auto src = desired.source.find(c.path);
    if (!c.owner.empty() && src != desired.source.end()) {
      diags->push_back(core::ErrorAt(AttributePath::Attr(src->second).Key(c.path),
                                     "Path managed by another cluster",
                                     absl::StrCat(src->second, "[\"", EscapeForDisplay(c.path),
                                                  "\"]: ", c.message, ". ", AV(consequence))));
      continue;
    }
    diags->push_back(
        core::ErrorAt(AttributePath::Attr("path"), "Checkout cannot be managed safely",
                      absl::StrCat(EscapeForDisplay(c.path), ": ", c.message, ". ", AV(consequence),
                                   at_apply ? "" : " Fix the checkout first.")));
  }
}

absl::StatusOr<Value> WriteOnlyFromConfig(const cty::LazyValue& config) {
  absl::StatusOr<Value> slim = config.DecodeWithout({kRendered, kSensitive});
  if (!slim.ok()) return slim.status();
  if (slim->IsNull() || !slim->IsKnown()) return Value::Null(Type::Map(Type::String()));
  return slim->TakeAttr(kRenderedWo);
}

std::set<std::string> KeysOf(const Value& map) {
  std::set<std::string> keys;
  if (map.IsKnown() && !map.IsNull()) {
    for (const auto& [key, unused] : map.entries()) keys.insert(key);
  }
  return keys;
}

core::PlanResult PlanTree(core::PlanRequest request, const Context& ctx) {
  core::PlanResult result;
  if (request.proposed_new_state.IsNull()) {
    result.planned_state = Value::Null(ctx.type);  // a destroy of its own: remove everything
    return result;
  }
  result.planned_private = request.prior_private;
  Prior prior(std::move(request.prior_state), ctx.type);
  const bool create = prior.IsNull();
  PlannedTree p;
  if (!PreparePlan(request, ctx, &p, &result.diagnostics)) return result;
  SetComputed(&p);
  if (!create) {
    result.requires_replace.push_back(AttributePath::Attr("path"));
    result.requires_replace.push_back(AttributePath::Attr("cluster"));
  }
  // The prior without its manifests: its settings and `files`, enough to
  // tell what changed.
  std::optional<Value> slim_prior;
  if (!create) {
    absl::StatusOr<Value> slim = prior.Slim();
    if (slim.ok()) slim_prior.emplace(*std::move(slim));
  }
  // The private data, parsed once; the planned one starts as the prior's.
  const PrivateState prior_priv = PrivateState::Parse(request.prior_private);
  PrivateState planned_priv = prior_priv;
  // An update plan names the prior: if OpenTofu replaces the resource
  // instead, the create plan receives this private (docs/adr/0011).
  if (slim_prior.has_value() && IsKnownString(slim_prior->GetAttr("id")))
    planned_priv.replaces = slim_prior->GetAttr("id").AsString();
  // One read session for the plan's look at the checkout and the checks'
  // lookups; no lock (docs/adr/0005-checkout-session.md).
  absl::StatusOr<tree::ReadSession> checkout = absl::FailedPreconditionError("settings not known");
  if (p.Checkable()) {
    checkout = tree::ReadSession::Open(p.settings.path, p.settings.options);
    // What apply will refuse, the plan says (a create or an update alike).
    CheckCheckout(checkout, p.settings, p.desired, create,
                  MayTakeOver(p.settings, prior_priv.replaces.value_or(""), *ctx.record),
                  &result.diagnostics);
    if (slim_prior.has_value())
      WarnExcludedFilesStay(&prior, *slim_prior, request.prior_private, p, &result.diagnostics);
    if (create) MarkReplaceInPlace(p, &planned_priv);
    // What sops cannot represent fails here, not halfway through an apply.
    CheckEncryptable(p.settings, p.desired, KeysToEncrypt(p.settings, p.desired),
                     &result.diagnostics);
  }
  // The apply keeps this in the state, and the next plan checks only what
  // changed since. A tree the checks did not see (off, or contents not yet
  // known) loses the mark: the next plan checks it whole.
  const bool checked =
      CheckPlannedTree(p, slim_prior, prior_priv.checked_rules, checkout, &result.diagnostics);
  planned_priv.checked_rules = checked ? tree::checks::kRuleSet : 0;
  result.planned_private = planned_priv.Serialize();
  result.planned_state = std::move(p.planned);
  return result;
}

}  // namespace wildside::resources::gitops
