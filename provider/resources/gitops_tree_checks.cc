#include "provider/resources/gitops_tree_checks.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "provider/resources/gitops_tree_sops.h"
#include "tree/checkout.h"
#include "tree/checks/checks.h"
#include "tree/checks/disk_lookup.h"
#include "tree/checks/schema.h"
#include "tree/checks/schema_dirs.h"
#include "tree/env.h"
#include "tree/layout.h"

namespace wildside::resources::gitops {
namespace {

using core::AttributePath;
using cty::Value;
namespace checks = tree::checks;

const char* SummaryOf(checks::FindingKind kind) {
  switch (kind) {
    case checks::FindingKind::kYamlSyntax:
      return "Invalid YAML";
    case checks::FindingKind::kDuplicateKey:
      return "Duplicate YAML key";
    case checks::FindingKind::kNotKubernetesObject:
      return "Not a Kubernetes object where Flux decodes one";
    case checks::FindingKind::kMissingReference:
      return "Kustomization reference does not resolve";
    case checks::FindingKind::kOutsideCheckout:
      return "Kustomization reference leaves the checkout";
    case checks::FindingKind::kNotAKustomization:
      return "Listed directory holds no kustomization";
    case checks::FindingKind::kMultipleKustomizations:
      return "Several kustomization files in one directory";
    case checks::FindingKind::kFluxPathMissing:
      return "Flux Kustomization path does not exist";
    case checks::FindingKind::kDuplicateObject:
      return "One object accumulated twice in a Flux build";
    case checks::FindingKind::kPatchTarget:
      return "Patch without a target that kustomize cannot place";
    case checks::FindingKind::kUnknownField:
      return "Field not declared in the object's schema";
    case checks::FindingKind::kWrongType:
      return "Value of the wrong type for the object's schema";
    case checks::FindingKind::kMissingField:
      return "Required field missing from an object";
    case checks::FindingKind::kInvalidValue:
      return "Value the object's schema does not allow";
    case checks::FindingKind::kPlaintextSecret:
      return "Secret committed in clear";
    case checks::FindingKind::kUndecryptable:
      return "Encrypted file its Flux Kustomization cannot decrypt";
  }
  return "Manifest check failed";
}

// A file that other files' verdicts depend on: a kustomization (its
// references) or one holding a Flux Kustomization (its spec.path). Cheap:
// a name test and one substring search, no parse.
bool MayAffectOthers(std::string_view key, std::string_view content) {
  return checks::IsKustomizationFile(key) ||
         content.find("kustomize.toolkit.fluxcd.io") != std::string_view::npos;
}

bool SameSetting(const Value& prior, const Value& planned, const char* attr) {
  return prior.GetAttr(attr) == planned.GetAttr(attr);
}

// The files changed since the prior state's checked plan, or nullopt when
// everything must be checked again (a create, other settings, another set
// of paths).
std::optional<std::set<std::string_view>> ChangedSincePrior(const Value* prior, int prior_rules,
                                                            const Value& planned) {
  if (prior == nullptr || prior->IsNull() || !prior->IsKnown()) return std::nullopt;
  // Never checked (an import, a state from before the checks), or with
  // fewer rules than today's: everything is checked.
  if (prior_rules != checks::kRuleSet) return std::nullopt;
  for (const char* attr :
       {"path", "cluster", "exclude", "extra_components", kChecks, kChecksExclude, kSchemaDirs,
        kUncheckedKinds, kPlaintextSecrets, kSopsRecipients, kSopsFiles, kSopsKeys}) {
    if (!SameSetting(*prior, planned, attr)) return std::nullopt;
  }
  const Value& before = prior->GetAttr("files");
  const Value& after = planned.GetAttr("files");
  if (!before.IsWhollyKnown() || before.IsNull() || !after.IsWhollyKnown() || after.IsNull() ||
      before.entries().size() != after.entries().size()) {
    return std::nullopt;
  }
  std::set<std::string_view> changed;
  for (const auto& [key, info] : after.entries()) {
    auto it = before.entries().find(key);
    if (it == before.entries().end()) return std::nullopt;  // the set of paths changed
    if (it->second.GetAttr("sha256") != info.GetAttr("sha256")) changed.insert(key);
  }
  return changed;
}

// Whether a finding fails the plan: a plaintext Secret has its own
// setting.
bool IsError(const checks::Finding& f, const Settings& settings) {
  return f.kind == checks::FindingKind::kPlaintextSecret
             ? settings.plaintext_secrets == ChecksMode::kError
             : settings.checks == ChecksMode::kError;
}

// What a finding's diagnostic advises, by its severity.
const char* Advice(const checks::Finding& f, bool error) {
  if (f.kind == checks::FindingKind::kPlaintextSecret) {
    return error ? "\n\nplaintext_secrets = \"error\": encrypt it, or set plaintext_secrets = "
                   "\"warn\" to apply anyway."
                 : "\n\nplaintext_secrets = \"warn\": the apply goes on.";
  }
  return error ? "\n\nFlux would refuse this tree. Fix the manifest, list the file in "
                 "checks_exclude if it is not YAML by design, or set checks = \"warn\" to "
                 "apply anyway."
               : "\n\nchecks = \"warn\": the apply goes on.";
}

void Report(const std::vector<checks::Finding>& findings, const Settings& settings,
            const Desired& desired, const checks::CheckOptions& options, core::Diagnostics* diags) {
  for (const checks::Finding& f : findings) {
    // Written encrypted: not in clear.
    if (f.kind == checks::FindingKind::kPlaintextSecret && options.will_encrypt &&
        options.will_encrypt(f.key))
      continue;
    auto src = desired.source.find(f.key);
    const char* attr = src == desired.source.end() ? kRendered : src->second;
    const bool error = IsError(f, settings);
    std::string detail = absl::StrCat(checks::FormatFinding(f, attr), Advice(f, error));
    AttributePath at = AttributePath::Attr(attr).Key(f.key);
    diags->push_back(error ? core::ErrorAt(std::move(at), SummaryOf(f.kind), std::move(detail))
                           : core::WarningAt(std::move(at), SummaryOf(f.kind), std::move(detail)));
  }
}

// Objects no schema covers are applied unchecked: the plan says how many,
// of which kinds, once per plan that checks (`unchecked_kinds`).
void ReportCoverage(const checks::SchemaCoverage& coverage, const Settings& settings,
                    core::Diagnostics* diags) {
  if (coverage.unchecked.empty() || settings.unchecked_kinds == ChecksMode::kOff) return;
  int objects = 0;
  std::string kinds;
  for (const auto& [kind, n] : coverage.unchecked) {
    objects += n;
    if (kinds.size() < 600) absl::StrAppend(&kinds, kinds.empty() ? "" : ", ", kind, " (", n, ")");
  }
  const bool error = settings.unchecked_kinds == ChecksMode::kError;
  std::string detail = absl::StrCat(
      objects, " object(s) of ", coverage.unchecked.size(),
      " kind(s) were checked against no schema (", coverage.checked,
      " other object(s) were): ", kinds,
      ". A CustomResourceDefinition of the kind in rendered_manifests or in schema_dirs gives it "
      "one; the built-in schemas cover Kubernetes' own kinds and Flux's.",
      error ? " unchecked_kinds = \"error\" fails the plan." : "");
  const char* summary = "Objects of kinds with no schema were not checked";
  diags->push_back(error ? core::ErrorAt(AttributePath::Attr(kUncheckedKinds), summary, detail)
                         : core::WarningAt(AttributePath::Attr(kRendered), summary, detail));
}

// The schemas a check uses: the built-in ones, under the CRDs of
// `schema_dirs` when set (loaded into *user). Null, with an error on the
// attribute, when a directory cannot be read.
const checks::SchemaCatalog* SchemasFor(const Settings& settings, checks::SchemaCatalog* user,
                                        core::Diagnostics* diags) {
  const checks::SchemaCatalog* builtin = checks::BuiltInSchemas();
  if (settings.schema_dirs.empty()) return builtin;
  user->set_fallback(builtin);
  tree::Env* env = settings.options.env != nullptr ? settings.options.env : tree::Env::Default();
  for (size_t i = 0; i < settings.schema_dirs.size(); ++i) {
    absl::StatusOr<int> added = checks::AddSchemaDir(env, settings.schema_dirs[i], user);
    if (added.ok()) continue;
    diags->push_back(core::ErrorAt(
        AttributePath::Attr(kSchemaDirs).Index(static_cast<int64_t>(i)),
        "Unreadable schema directory",
        absl::StrCat(kSchemaDirs, "[", i, "]: ", added.status().message(),
                     ". The schema checks read the CustomResourceDefinitions there; fix the path "
                     "or the file, or remove the entry.")));
    return nullptr;
  }
  return user;
}

// No checkout to look at: the owned roots (less the excludes, e.g.
// flux-system) will hold only the desired tree when the apply prunes;
// nothing else can be told, and is not judged.
checks::PathLookup LookupWithoutDisk(const Settings& settings) {
  return [cluster = settings.cluster, tree_options = settings.options](std::string_view path) {
    return tree_options.prune && tree::IsOwned(path, cluster) &&
                   !tree::IsExcluded(path, tree_options)
               ? checks::PathKind::kMissing
               : checks::PathKind::kUnknown;
  };
}

checks::CheckOptions OptionsFor(const Settings& settings, const Desired& desired) {
  checks::CheckOptions options;
  options.exclude = settings.checks_exclude;
  options.flux_roots = {absl::StrCat("clusters/", settings.cluster)};
  options.owned_roots = tree::OwnedRoots(settings.cluster);
  // Neither redacted nor write-only content is quoted in a finding.
  options.is_sensitive = [&desired](std::string_view key) {
    return IsFrom(desired, key, kSensitive) || IsFrom(desired, key, kRenderedWo);
  };
  // One thread: the provider runs with one malloc arena (provider/main.cc),
  // and two parsing threads contending on it were slower than one in a
  // hand-timed 40 MB validate; two arenas were faster but raised the
  // no-op plan's peak memory over its target (docs/benchmarks.md).
  options.parallelism = 1;
  options.find_plaintext_secrets = settings.plaintext_secrets != ChecksMode::kOff;
  // Files written SOPS-encrypted: checked as rendered, but never in clear
  // (Report drops their plaintext-secret findings) and judged for
  // decryption like a file encrypted already.
  if (!settings.sops_recipients.empty()) {
    auto keys = std::make_shared<const std::set<std::string>>(KeysToEncrypt(settings, desired));
    options.will_encrypt = [keys](std::string_view key) {
      return keys->count(std::string(key)) != 0;
    };
  }
  // The caller sets options.schemas (SchemasFor).
  return options;
}

}  // namespace

bool CheckManifests(const Settings& settings, const Desired& desired, const Value* prior,
                    int prior_rules, const Value& planned, const tree::ReadSession* checkout,
                    core::Diagnostics* diags) {
  if (settings.checks == ChecksMode::kOff || !settings.checks_known) return false;
  const std::optional<std::set<std::string_view>> changed =
      ChangedSincePrior(prior, prior_rules, planned);
  if (changed.has_value() && changed->empty()) return true;  // a no-op plan checks nothing

  checks::CheckOptions options = OptionsFor(settings, desired);
  if (checkout != nullptr) options.lookup = checks::MakeCheckoutLookup(*checkout, settings.cluster);
  checks::SchemaCatalog user_schemas;
  options.schemas = SchemasFor(settings, &user_schemas, diags);
  if (options.schemas == nullptr && !settings.schema_dirs.empty()) return false;

  std::vector<checks::Finding> findings;
  checks::SchemaCoverage coverage;
  if (!changed.has_value()) {
    findings = checks::CheckTree(desired.tree, options, &coverage);
  } else {
    // Every file's ids take part in the duplicate-object check, so every
    // file is parsed; the findings of a file alone are reported only for
    // what changed (the rest were checked with the prior plan).
    checks::FactsMap facts = checks::CheckFiles(desired.tree, options);
    for (const auto& [key, f] : facts) {
      if (changed->count(key) != 0 || MayAffectOthers(key, desired.tree.at(key))) {
        findings.insert(findings.end(), f.findings.begin(), f.findings.end());
      }
    }
    std::vector<checks::Finding> cross =
        checks::CheckReferences(desired.tree, facts, options, &coverage);
    findings.insert(findings.end(), cross.begin(), cross.end());
  }
  Report(findings, settings, desired, options, diags);
  ReportCoverage(coverage, settings, diags);
  return true;
}

void CheckManifestsAtValidate(const Settings& settings, const Desired& desired,
                              core::Diagnostics* diags) {
  if (settings.checks != ChecksMode::kError || !settings.checks_known) return;
  checks::CheckOptions options = OptionsFor(settings, desired);
  checks::SchemaCatalog user_schemas;
  options.schemas = SchemasFor(settings, &user_schemas, diags);
  if (options.schemas == nullptr && !settings.schema_dirs.empty()) return;
  absl::StatusOr<tree::ReadSession> checkout =
      tree::ReadSession::Open(settings.path, settings.options);
  if (checkout.ok() && checkout->exists()) {
    options.lookup = checks::MakeCheckoutLookup(*checkout, settings.cluster);
  } else {
    options.lookup = LookupWithoutDisk(settings);
  }
  checks::SchemaCoverage coverage;
  std::vector<checks::Finding> findings = checks::CheckTree(desired.tree, options, &coverage);
  // Errors only here (the plan says the warnings).
  if (settings.plaintext_secrets != ChecksMode::kError) {
    std::erase_if(findings, [](const checks::Finding& f) {
      return f.kind == checks::FindingKind::kPlaintextSecret;
    });
  }
  Report(findings, settings, desired, options, diags);
  if (settings.unchecked_kinds == ChecksMode::kError) ReportCoverage(coverage, settings, diags);
}

std::vector<MapFinding> CheckMapAlone(const Settings& settings, const Desired& desired) {
  std::vector<MapFinding> out;
  if (settings.checks == ChecksMode::kOff) return out;
  checks::CheckOptions options = OptionsFor(settings, desired);
  options.schemas = checks::BuiltInSchemas();
  options.lookup = LookupWithoutDisk(settings);
  for (checks::Finding& f : checks::CheckTree(desired.tree, options)) {
    if (f.kind == checks::FindingKind::kPlaintextSecret && options.will_encrypt &&
        options.will_encrypt(f.key))
      continue;
    const bool error = IsError(f, settings);
    out.push_back({SummaryOf(f.kind), error, std::move(f)});
  }
  return out;
}

}  // namespace wildside::resources::gitops
