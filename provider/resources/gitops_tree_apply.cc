// ApplyResourceChange of wildside_gitops_tree: an apply in named phases
// (prepare, open the session, remove dropped keys, scan-diff-apply, recover
// or finish), and a destroy. Every file operation goes through one locked
// checkout session (docs/adr/0005-checkout-session.md).
#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "provider/log/logger.h"
#include "provider/resources/gitops_tree_ops.h"
#include "provider/resources/gitops_tree_prior.h"
#include "provider/resources/gitops_tree_refresh.h"
#include "provider/resources/gitops_tree_settings.h"
#include "provider/resources/gitops_tree_sops.h"
#include "tree/apply.h"
#include "tree/checkout.h"
#include "tree/content.h"
#include "tree/diff.h"
#include "tree/inventory.h"
#include "tree/report.h"
#include "tree/scan.h"
#include "tree/strings.h"

namespace wildside::resources::gitops {
namespace {

using core::AttributePath;
using core::Diagnostics;
using cty::Value;
using tree::AV;
using tree::EscapeForDisplay;
using tree::SV;

// What an apply writes, read from the plan. Built in place and never
// moved: `desired` holds views into `planned`'s and `write_only`'s strings.
struct ApplyInputs {
  Value planned;
  Value write_only;  // the configuration's rendered_manifests_wo
  Settings settings;
  Desired desired;
  std::set<std::string> new_write_only;  // the keys `desired` takes from it
  int checked_rules = 0;                 // the plan's (PrivateState::checked_rules)
};

// Apply writes no write-only content other than the plan showed: each
// one's SHA-256 must be the planned `files` entry's (a value that changed
// since the plan, e.g. from an ephemeral input, was never reviewed).
// Nothing to compare when the plan could not know the hashes.
void CheckWriteOnlyAgainstPlan(const Desired& desired, const Value& planned_files,
                               Diagnostics* diags) {
  if (!planned_files.IsWhollyKnown() || planned_files.IsNull()) return;
  for (const auto& [key, attr] : desired.source) {
    if (std::string_view(attr) != kRenderedWo) continue;
    auto it = planned_files.entries().find(key);
    std::string now = tree::Sha256Hex(desired.tree.at(key));
    std::string planned = it == planned_files.entries().end()
                              ? std::string()
                              : it->second.GetAttr("sha256").AsString();
    if (planned == now) continue;
    diags->push_back(core::ErrorAt(
        AttributePath::Attr(kRenderedWo).Key(key), "Write-only content changed since the plan",
        absl::StrCat(kRenderedWo, "[\"", EscapeForDisplay(key),
                     "\"]: the configuration now gives content with SHA-256 ", now,
                     ", but the plan ",
                     planned.empty() ? "did not have this file" : absl::StrCat("showed ", planned),
                     ". Nothing was written: run the plan again to review the new content.")));
  }
}

// Decodes the planned state and the configuration's write-only map and
// checks them again. False (with the reason in `diags`) when nothing may
// be written. The prior is not read.
bool PrepareApply(core::ApplyRequest* request, const Context& ctx, ApplyInputs* in,
                  Diagnostics* diags) {
  absl::StatusOr<Value> planned = std::move(request->planned_state).Decode();
  if (!planned.ok()) {
    diags->push_back(core::DecodeFailure("planned state", planned.status()));
    return false;
  }
  absl::StatusOr<Value> write_only = WriteOnlyFromConfig(request->config);
  if (!write_only.ok()) {
    diags->push_back(core::DecodeFailure("configuration", write_only.status()));
    return false;
  }
  in->planned = *std::move(planned);
  in->write_only = *std::move(write_only);
  ReadSettings(in->planned, ctx.env, &in->settings, diags);
  in->desired = DesiredFrom(in->planned, diags, &in->write_only);
  if (!core::HasError(*diags)) ValidateKeys(in->settings, in->desired, diags);
  if (!core::HasError(*diags) && in->desired.contents_known) {
    CheckWriteOnlyAgainstPlan(in->desired, in->planned.GetAttr("files"), diags);
  }
  for (const auto& [key, attr] : in->desired.source) {
    if (std::string_view(attr) == kRenderedWo) in->new_write_only.insert(key);
  }
  if (!in->desired.contents_known) {
    diags->push_back(core::Error("Unknown manifest content at apply",
                                 "OpenTofu passed content that is still unknown at apply time. "
                                 "This is a bug in OpenTofu or the provider."));
  }
  return !core::HasError(*diags);
}

// Keys that left the configuration are deleted even with prune = false: the
// resource wrote them. Reads the prior (the only phase that must).
absl::Status RemoveDroppedKeys(const tree::WriteSession& checkout, Prior* prior,
                               const PrivateState& priv, const ApplyInputs& in,
                               tree::RenderReport* total) {
  absl::StatusOr<const Value*> p = prior->Get();
  if (!p.ok()) return p.status();
  std::vector<std::string> dropped;
  for (const auto& [key, how] : OwnedKeys(**p, priv)) {
    if (in.desired.tree.count(key) == 0) dropped.push_back(key);
  }
  if (dropped.empty()) return absl::OkStatus();
  return checkout.Remove(in.settings.cluster, dropped, total);
}

// Scans under the lock, diffs and applies. The tree written is `desired`
// with the files to encrypt in their SOPS form (an unchanged one as it is
// on disk, so it is not rewritten), into *written. A path another
// instance claimed since the plan (two instances in one state are both
// planned before either applies) is checked again here: then `conflicts`
// gets the errors and nothing is written.
// A create that `may_take_over` nothing refuses, here too, to take over
// files this cluster's inventory lists (a second resource with the same
// cluster in one configuration sees the first one's inventory only now).
absl::Status ScanDiffApply(const tree::WriteSession& checkout, const ApplyInputs& in,
                           const std::map<std::string, PrivateState::EncryptedFile>& encrypted,
                           bool refuse_takeover, EncryptedTree* written, tree::RenderReport* total,
                           Diagnostics* conflicts) {
  absl::Status encrypting =
      EncryptForWrite(checkout, in.settings, in.desired, KeysToEncrypt(in.settings, in.desired),
                      encrypted, written);
  if (!encrypting.ok()) return encrypting;
  const tree::DesiredTree& write = written->tree;
  absl::StatusOr<tree::TreeScan> scan = checkout.Scan(in.settings.cluster, &write);
  if (!scan.ok()) return scan.status();
  tree::ChangeSet changes = tree::DiffAgainstDisk(write, *scan, in.settings.options);
  if (!changes.conflicts.empty()) {
    AddConflictDiagnostics(changes, in.desired, /*at_apply=*/true, conflicts);
    return absl::OkStatus();
  }
  if (refuse_takeover) {
    std::vector<std::string> taken = TakenOver(changes, scan->inventory);
    if (!taken.empty()) {
      conflicts->push_back(TakeoverRefused(in.settings, taken, /*at_apply=*/true));
      return absl::OkStatus();
    }
  }
  return checkout.Apply(write, changes, total);
}

// The error of a failed apply, on the failing file's own key when the
// error names one.
core::Diagnostic ApplyFailure(const absl::Status& status, const Desired& desired,
                              const tree::RenderReport& total) {
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
  return core::ErrorAt(
      at, "Applying the tree failed",
      absl::StrCat(where, AV(message), "\n\nDone before the error: ", tree::Summarize(total),
                   ". Every file holds either its old or its new content; the next plan shows "
                   "what is left."));
}

// After a failed apply: the state is what is actually on disk (read in the
// same session, still under the lock), so the next plan shows the rest.
// Files of the old and the new write-only keys may both be on disk.
// Of the encrypted files this apply may have written (`fresh`) or found
// (`before`), the records of those on disk as recorded.
std::map<std::string, PrivateState::EncryptedFile> EncryptedOnDisk(
    const tree::WriteSession* checkout,
    const std::map<std::string, PrivateState::EncryptedFile>& fresh,
    const std::map<std::string, PrivateState::EncryptedFile>& before) {
  std::map<std::string, PrivateState::EncryptedFile> out;
  if (checkout == nullptr) return out;
  for (const auto* records : {&fresh, &before}) {
    for (const auto& [key, rec] : *records) {
      if (out.count(key) != 0) continue;
      absl::StatusOr<std::string> sha = checkout->HashFile(key);
      if (sha.ok() && *sha == rec.written) out.emplace(key, rec);
    }
  }
  return out;
}

void Recover(const absl::Status& status, const tree::WriteSession* checkout, Prior* prior,
             const PrivateState& priv, ApplyInputs* in, const EncryptedTree& written,
             const tree::RenderReport& total, const Context& ctx, core::ApplyResult* result) {
  result->diagnostics.push_back(ApplyFailure(status, in->desired, total));
  std::set<std::string> owned_write_only = in->new_write_only;
  if (priv.write_only_form != PrivateState::WriteOnlyForm::kNone && !prior->IsNull()) {
    absl::StatusOr<const Value*> p = prior->Get();
    if (p.ok()) owned_write_only.merge(KeysOwnedAs(OwnedKeys(**p, priv), Ownership::kWriteOnly));
  }
  // What is on disk now is not the tree the plan checked.
  PrivateState after = PrivateState::WriteOnlyList(owned_write_only, 0);
  after.encrypted = EncryptedOnDisk(checkout, written.records, priv.encrypted);
  result->private_data = after.Serialize();
  RefreshRequest refresh;
  refresh.state = std::move(in->planned);
  refresh.env = ctx.env;
  refresh.session = checkout;
  refresh.encrypted = &after.encrypted;
  if (!owned_write_only.empty()) refresh.write_only = std::move(owned_write_only);
  RefreshResult actual = RefreshFromDisk(std::move(refresh));
  if (actual.status.ok() && actual.state.has_value()) {
    result->new_state = *std::move(actual.state);
  } else {
    result->new_state = std::move(*prior).Take(&result->diagnostics);
  }
}

// The planned value becomes the state; moving it keeps `desired`'s views
// valid (map nodes move, strings stay put).
void Finish(ApplyInputs* in, EncryptedTree written, core::ApplyResult* result) {
  if (!written.fresh.empty()) {
    log::Info("encrypted with sops",
              {{"path", in->settings.path}, {"files", written.fresh.size()}});
  }
  Value new_state = std::move(in->planned);
  if (!new_state.GetAttr("files").IsWhollyKnown()) {
    Value files = FilesFromDesired(in->desired.tree, in->settings.file_mode_text);
    new_state.SetAttr("tree_sha256", Value::String(TreeDigest(files)));
    new_state.SetAttr("files", std::move(files));
  }
  result->new_state = std::move(new_state);
  // `files` is now exactly the configured tree: the compact form holds.
  PrivateState after =
      PrivateState::WriteOnlyAsFiles(!in->new_write_only.empty(), in->checked_rules);
  after.encrypted = std::move(written.records);
  result->private_data = after.Serialize();
}

// The keys a destroy removes: every key the prior owns, except those the
// create half of a replacement that keeps the checkout will own (it
// rewrites only those that differ), and, when the prior was superseded by
// a create of the same checkout earlier in this apply
// (create_before_destroy), those this cluster's inventory lists now: the
// new object claims them.
std::vector<std::string> KeysToRemove(const Value& prior, const PrivateState& priv,
                                      const Settings& settings,
                                      const tree::Inventory* superseding) {
  const std::set<std::string>* kept =
      priv.KeptForReplacement(MakeId(settings.cluster, settings.path));
  std::vector<std::string> paths;
  for (const auto& [key, how] : OwnedKeys(prior, priv)) {
    if (kept != nullptr && kept->count(key) != 0) continue;
    if (superseding != nullptr &&
        std::binary_search(superseding->paths.begin(), superseding->paths.end(), key))
      continue;
    paths.push_back(key);
  }
  return paths;
}

// A destroy; its private data is the state's, or, for the destroy half of
// a replacement, the create plan's (which carried the write-only keys over).
core::ApplyResult DestroyTree(core::ApplyRequest request, const Context& ctx) {
  core::ApplyResult result;
  result.new_state = Value::Null(ctx.type);
  Prior prior(std::move(request.prior_state), ctx.type);
  if (prior.IsNull()) return result;
  absl::StatusOr<const Value*> decoded = prior.Get();
  if (!decoded.ok()) {
    result.diagnostics.push_back(core::DecodeFailure("prior state", decoded.status()));
    return result;
  }
  Settings settings;
  Diagnostics ignored;  // stored settings were valid when stored
  ReadSettings(**decoded, ctx.env, &settings, &ignored);
  const std::string id = MakeId(settings.cluster, settings.path);
  const PrivateState priv = PrivateState::Parse(request.planned_private);
  // The destroy half of a -replace (the create plan's private names this
  // checkout twice): its create, next in this process, takes the kept
  // files back.
  if (priv.replaces == id && priv.KeptForReplacement(id) != nullptr)
    ctx.record->RecordHandedOver(id);
  tree::RenderReport report;
  absl::StatusOr<tree::WriteSession> checkout =
      tree::WriteSession::OpenExisting(settings.path, settings.options);
  absl::Status status = checkout.status();
  std::optional<tree::Inventory> superseding;
  if (status.ok() && ctx.record->WasCreated(id)) {
    absl::StatusOr<tree::Inventory> inventory = checkout->ReadInventory(settings.cluster);
    status = inventory.status();
    if (status.ok()) superseding.emplace(*std::move(inventory));
  }
  if (status.ok()) {
    std::vector<std::string> paths =
        KeysToRemove(**decoded, priv, settings, superseding ? &*superseding : nullptr);
    status = checkout->Remove(settings.cluster, paths, &report);
  }
  log::Info("destroyed tree",
            {{"path", settings.path}, {"report", tree::Summarize(report)}, {"ok", status.ok()}});
  if (!status.ok()) {
    result.diagnostics.push_back(core::ErrorAt(
        AttributePath::Attr("path"), "Removing the tree failed",
        absl::StrCat(status.message(), "\n\nDone before the error: ", tree::Summarize(report))));
    result.new_state = std::move(prior).Take(&result.diagnostics);
  }
  return result;
}

}  // namespace

core::ApplyResult ApplyTree(core::ApplyRequest request, const Context& ctx) {
  if (request.planned_state.IsNull()) return DestroyTree(std::move(request), ctx);
  core::ApplyResult result;
  Prior prior(std::move(request.prior_state), ctx.type);
  const bool create = prior.IsNull();
  // A create plan's private data only informs the destroy half of a
  // replacement; the state keeps none of it. Until the tree is written, the
  // prior's write-only keys stay the ones the resource owns.
  // An update plan's "replaces" is for a create plan only: stripped here.
  const PrivateState planned_priv = PrivateState::Parse(request.planned_private);
  const PrivateState priv = create ? PrivateState() : planned_priv;
  if (!create) {
    PrivateState stored = planned_priv;
    stored.replaces.reset();
    result.private_data = stored.Serialize();
  }
  ApplyInputs in;
  in.checked_rules = planned_priv.checked_rules;
  if (!PrepareApply(&request, ctx, &in, &result.diagnostics)) {
    result.new_state = std::move(prior).Take(&result.diagnostics);
    return result;
  }
  tree::RenderReport total;
  // One session: the root is opened and locked once, and no other applier
  // can change the checkout between this scan and these writes.
  absl::StatusOr<tree::WriteSession> checkout =
      tree::WriteSession::Open(in.settings.path, in.settings.options, &total.dirs_created);
  absl::Status status = checkout.status();
  if (status.ok() && !create && !in.settings.options.prune) {
    status = RemoveDroppedKeys(*checkout, &prior, priv, in, &total);
  }
  Diagnostics conflicts;
  const bool refuse_takeover =
      create && !MayTakeOver(in.settings, planned_priv.replaces.value_or(""), *ctx.record);
  EncryptedTree write;
  if (status.ok()) {
    status =
        ScanDiffApply(*checkout, in, priv.encrypted, refuse_takeover, &write, &total, &conflicts);
  }
  if (!conflicts.empty()) {
    result.diagnostics.insert(result.diagnostics.end(), conflicts.begin(), conflicts.end());
    result.new_state = std::move(prior).Take(&result.diagnostics);
    return result;
  }
  log::Info("applied tree", {{"path", in.settings.path},
                             {"cluster", in.settings.cluster},
                             {"report", tree::Summarize(total)},
                             {"ok", status.ok()}});
  if (!status.ok()) {
    Recover(status, checkout.ok() ? &*checkout : nullptr, &prior, priv, &in, write, total, ctx,
            &result);
  } else {
    Finish(&in, std::move(write), &result);
    if (create) ctx.record->RecordCreated(MakeId(in.settings.cluster, in.settings.path));
  }
  return result;
}

}  // namespace wildside::resources::gitops
