// wildside-tree: plan and apply a GitOps tree from the command line.
//
//   wildside-tree plan     --dir CHECKOUT --cluster NAME [--manifests FILE|-]
//   wildside-tree apply    --dir CHECKOUT --cluster NAME [--manifests FILE|-]
//   wildside-tree validate [--dir CHECKOUT] --cluster NAME [--manifests FILE|-]
//       [--json] [--no-prune] [--exclude GLOB]... [--component NAME]...
//       [--symlinks-as-stray] [--lock-timeout-ms N]
//       [--checks error|warn|off] [--checks-exclude GLOB]...
//       [--schema-dir DIR]...
//
// Manifests are JSON, read from FILE or stdin: either a bare object
// {"<path>": "<content>", ...} or the {"value": {...}} shape that
// `tofu output -json <name>` prints.
//
// Exit codes (like `tofu plan -detailed-exitcode`): plan 0 = the tree
// matches, 2 = it differs, 1 = error; apply 0 = done, 1 = error; validate
// 0 = no finding, 1 = findings or error.
//
// plan and apply run the checks of tree/checks first (Flux would accept
// the tree: YAML, kustomization references, Flux paths). With --checks
// error (the default, as in the provider) a finding fails the command
// before anything is planned or written; with warn the findings are
// printed and the command goes on; off skips them. validate runs only the
// checks (and the key rules); without --dir nothing outside the manifests
// is taken to exist. Human
// output goes to stdout, errors to stderr; --json prints one JSON document.
// An apply that fails prints nothing on stdout (without --json): its error,
// and what it did before it, go to stderr.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tree/checkout.h"
#include "tree/checks/checks.h"
#include "tree/checks/disk_lookup.h"
#include "tree/checks/schema.h"
#include "tree/checks/schema_dirs.h"
#include "tree/content.h"
#include "tree/diff.h"
#include "tree/layout.h"
#include "tree/manifests.h"
#include "tree/render.h"
#include "tree/report.h"
#include "tree/scan.h"
#include "tree/validate.h"

namespace {

using wildside::tree::ChangeKind;
using wildside::tree::ChangeSet;
using wildside::tree::TreeOptions;

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitDiffers = 2;

constexpr char kUsage[] =
    "usage: wildside-tree (plan|apply|validate) --dir CHECKOUT --cluster NAME\n"
    "         [--manifests FILE|-] [--json] [--no-prune] [--exclude GLOB]...\n"
    "         [--component NAME]... [--symlinks-as-stray] "
    "[--lock-timeout-ms N]\n"
    "         [--checks error|warn|off] [--checks-exclude GLOB]...\n"
    "         [--schema-dir DIR]...\n"
    "Manifests: JSON object {path: content} or {\"value\": {...}} as printed\n"
    "by `tofu output -json NAME`; read from stdin when FILE is - or absent.\n"
    "plan exits 0 if the tree matches, 2 if it differs, 1 on error.\n"
    "validate (--dir optional) exits 0 if the checks find nothing, 1 if they do.\n";

enum class ChecksMode { kError, kWarn, kOff };

struct Args {
  std::string command;
  std::string dir;
  std::string cluster;
  std::string manifests = "-";
  bool json = false;
  ChecksMode checks = ChecksMode::kError;
  std::vector<std::string> checks_exclude;
  std::vector<std::string> schema_dirs;  // CRDs for the schema checks
  TreeOptions options;
};

int Fail(const std::string& message) {
  std::cerr << "wildside-tree: " << message << "\n";
  return kExitError;
}

// The engine's error, with the hint only this CLI can give.
int FailWith(const absl::Status& status) {
  std::string message = status.ToString();
  if (wildside::tree::IsUnfollowedEntry(status)) {
    message += " (or pass --symlinks-as-stray to have it pruned)";
  }
  return Fail(message);
}

std::string Dump(const nlohmann::json& j) {
  // Paths found on disk need not be UTF-8; never throw on them.
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Returns an error message, or empty on success.
std::string ParseArgs(int argc, char** argv, Args* args) {
  if (argc < 2) return "missing command";
  args->command = argv[1];
  if (args->command != "plan" && args->command != "apply" && args->command != "validate") {
    return "unknown command \"" + args->command + "\"";
  }
  bool default_excludes = true;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string* out) -> bool {
      if (i + 1 >= argc) return false;
      *out = argv[++i];
      return true;
    };
    std::string v;
    if (a == "--dir") {
      if (!value(&args->dir)) return "--dir needs a value";
    } else if (a == "--cluster") {
      if (!value(&args->cluster)) return "--cluster needs a value";
    } else if (a == "--manifests") {
      if (!value(&args->manifests)) return "--manifests needs a value";
    } else if (a == "--json") {
      args->json = true;
    } else if (a == "--no-prune") {
      args->options.prune = false;
    } else if (a == "--symlinks-as-stray") {
      args->options.symlinks_as_stray = true;
    } else if (a == "--exclude") {
      if (!value(&v)) return "--exclude needs a value";
      if (default_excludes) args->options.exclude.clear();
      default_excludes = false;
      args->options.exclude.push_back(v);
    } else if (a == "--component") {
      if (!value(&v)) return "--component needs a value";
      args->options.extra_components.push_back(v);
    } else if (a == "--lock-timeout-ms") {
      if (!value(&v)) return "--lock-timeout-ms needs a value";
      char* end = nullptr;
      long long ms = std::strtoll(v.c_str(), &end, 10);
      if (end == v.c_str() || *end != '\0' || ms < 0) {
        return "--lock-timeout-ms needs a non-negative integer";
      }
      args->options.lock_timeout_ms = ms;
    } else if (a == "--checks") {
      if (!value(&v)) return "--checks needs a value";
      if (v == "error") {
        args->checks = ChecksMode::kError;
      } else if (v == "warn") {
        args->checks = ChecksMode::kWarn;
      } else if (v == "off") {
        args->checks = ChecksMode::kOff;
      } else {
        return "--checks takes error, warn or off";
      }
    } else if (a == "--checks-exclude") {
      if (!value(&v)) return "--checks-exclude needs a value";
      args->checks_exclude.push_back(v);
    } else if (a == "--schema-dir") {
      if (!value(&v)) return "--schema-dir needs a value";
      args->schema_dirs.push_back(v);
    } else if (a == "-h" || a == "--help") {
      return "help";
    } else {
      return "unknown argument \"" + a + "\"";
    }
  }
  if (args->dir.empty() && args->command != "validate") return "--dir is required";
  if (args->cluster.empty()) return "--cluster is required";
  return "";
}

// Reads the manifests from `source` (a path, or "-" for stdin) and parses
// them; returns an error message or empty.
std::string ReadManifests(const std::string& source, std::map<std::string, std::string>* out) {
  std::string text;
  if (source == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(source, std::ios::binary);
    if (!in) return source + ": cannot open manifests file";
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) return source + ": read failed";
  }
  absl::StatusOr<std::map<std::string, std::string>> parsed =
      wildside::tree::ParseManifests(text, source);
  if (!parsed.ok()) return std::string(parsed.status().message());
  *out = *std::move(parsed);
  return "";
}

char Marker(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kCreate:
      return '+';
    case ChangeKind::kUpdate:
      return '~';
    case ChangeKind::kModeChange:
      return 'm';
    case ChangeKind::kPrune:
      return '-';
    case ChangeKind::kRemoveDir:
      return '-';
    case ChangeKind::kUnchanged:
      return ' ';
  }
  return '?';
}

nlohmann::json FindingsToJson(const std::vector<wildside::tree::checks::Finding>& findings) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& f : findings) {
    out.push_back({{"key", f.key},
                   {"line", f.line},
                   {"column", f.column},
                   {"kind", std::string(wildside::tree::checks::FindingKindName(f.kind))},
                   {"message", f.message}});
  }
  return out;
}

// The checks of tree/checks on `desired`, as the provider runs them: Flux
// builds clusters/<cluster>, Flux paths are judged inside the owned roots,
// and the disk answers for what the apply leaves outside them.
// The built-in schemas under the CRDs of every --schema-dir (read into
// *user); an error names the directory or file that cannot be read.
absl::StatusOr<const wildside::tree::checks::SchemaCatalog*> LoadSchemas(
    const Args& args, wildside::tree::checks::SchemaCatalog* user) {
  const wildside::tree::checks::SchemaCatalog* builtin = wildside::tree::checks::BuiltInSchemas();
  if (args.schema_dirs.empty()) return builtin;
  user->set_fallback(builtin);
  for (const std::string& dir : args.schema_dirs) {
    absl::StatusOr<int> added =
        wildside::tree::checks::AddSchemaDir(wildside::tree::Env::Default(), dir, user);
    if (!added.ok()) return added.status();
  }
  return user;
}

std::vector<wildside::tree::checks::Finding> RunChecks(
    const Args& args, const wildside::tree::DesiredTree& desired,
    const wildside::tree::checks::SchemaCatalog* schemas,
    wildside::tree::checks::SchemaCoverage* coverage = nullptr) {
  std::optional<wildside::tree::ReadSession> checkout;  // outlives the lookup
  wildside::tree::checks::CheckOptions options;
  options.exclude = args.checks_exclude;
  options.flux_roots = {"clusters/" + args.cluster};
  options.owned_roots = wildside::tree::OwnedRoots(args.cluster);
  // Parsing is the cost; a pipeline's CLI run has the cores to itself.
  options.parallelism = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  options.schemas = schemas;
  options.find_plaintext_secrets = true;
  if (!args.dir.empty()) {
    // A checkout that cannot be opened (not a directory, ...) holds
    // nothing the checks can use; plan and apply then say why.
    absl::StatusOr<wildside::tree::ReadSession> opened =
        wildside::tree::ReadSession::Open(args.dir, args.options);
    if (opened.ok()) {
      checkout.emplace(*std::move(opened));
      options.lookup = wildside::tree::checks::MakeCheckoutLookup(*checkout, args.cluster);
    }
  }
  return wildside::tree::checks::CheckTree(desired, options, coverage);
}

// What no schema covered, as `validate` reports it.
nlohmann::json CoverageToJson(const wildside::tree::checks::SchemaCoverage& coverage) {
  nlohmann::json unchecked = nlohmann::json::object();
  for (const auto& [kind, n] : coverage.unchecked) unchecked[kind] = n;
  return {{"checked", coverage.checked}, {"unchecked", unchecked}};
}

void PrintCoverage(const wildside::tree::checks::SchemaCoverage& coverage) {
  if (coverage.unchecked.empty()) return;
  int objects = 0;
  std::string kinds;
  for (const auto& [kind, n] : coverage.unchecked) {
    objects += n;
    kinds += (kinds.empty() ? "" : ", ") + kind + " (" + std::to_string(n) + ")";
  }
  std::cerr << "note: " << objects << " object(s) of " << coverage.unchecked.size()
            << " kind(s) checked against no schema: " << kinds << "\n";
}

// Prints the findings on stderr, one per line, as `error:` or `warning:`.
void PrintFindings(const std::vector<wildside::tree::checks::Finding>& findings, bool as_errors) {
  for (const auto& f : findings) {
    std::cerr << (as_errors ? "error: " : "warning: ")
              << wildside::tree::checks::FormatFinding(f, "") << "\n";
  }
}

// Secrets committed in clear (plaintext-secret) are warnings here, as
// by default in the provider: moved out of *findings and returned.
std::vector<wildside::tree::checks::Finding> TakePlaintextSecrets(
    std::vector<wildside::tree::checks::Finding>* findings) {
  std::vector<wildside::tree::checks::Finding> out;
  std::erase_if(*findings, [&](wildside::tree::checks::Finding& f) {
    if (f.kind != wildside::tree::checks::FindingKind::kPlaintextSecret) return false;
    out.push_back(std::move(f));
    return true;
  });
  return out;
}

int Validate(const Args& args, const wildside::tree::DesiredTree& desired) {
  absl::Status keys = wildside::tree::CheckDesiredTree(args.cluster, desired, args.options);
  if (!keys.ok()) return FailWith(keys);
  wildside::tree::checks::SchemaCatalog user;
  absl::StatusOr<const wildside::tree::checks::SchemaCatalog*> schemas = LoadSchemas(args, &user);
  if (!schemas.ok()) return FailWith(schemas.status());
  wildside::tree::checks::SchemaCoverage coverage;
  std::vector<wildside::tree::checks::Finding> findings =
      RunChecks(args, desired, *schemas, &coverage);
  std::vector<wildside::tree::checks::Finding> warnings = TakePlaintextSecrets(&findings);
  if (args.json) {
    std::cout << Dump({{"ok", findings.empty()},
                       {"findings", FindingsToJson(findings)},
                       {"warnings", FindingsToJson(warnings)},
                       {"schemas", CoverageToJson(coverage)}})
              << "\n";
  } else {
    PrintFindings(warnings, false);
    PrintFindings(findings, true);
    PrintCoverage(coverage);
    std::cout << (findings.empty() ? "Valid: " : "Invalid: ") << findings.size()
              << " finding(s) in " << desired.size() << " file(s)\n";
  }
  return findings.empty() ? kExitOk : kExitError;
}

// Runs the checks for plan and apply per --checks. Returns true when the
// command may go on; `findings` receives what was found (for --json).
bool GateOnChecks(const Args& args, const wildside::tree::DesiredTree& desired,
                  std::vector<wildside::tree::checks::Finding>* findings) {
  if (args.checks == ChecksMode::kOff) return true;
  wildside::tree::checks::SchemaCatalog user;
  absl::StatusOr<const wildside::tree::checks::SchemaCatalog*> schemas = LoadSchemas(args, &user);
  if (!schemas.ok()) {
    FailWith(schemas.status());
    return false;
  }
  *findings = RunChecks(args, desired, *schemas);
  PrintFindings(TakePlaintextSecrets(findings), false);
  if (findings->empty()) return true;
  bool fatal = args.checks == ChecksMode::kError;
  PrintFindings(*findings, fatal);
  if (fatal) {
    if (args.json) {
      std::cout << Dump({{"ok", false},
                         {"error", "the checks found problems (--checks warn lets them through)"},
                         {"findings", FindingsToJson(*findings)}})
                << "\n";
    }
    Fail(std::to_string(findings->size()) +
         " finding(s): Flux would not accept this tree; nothing was " +
         (args.command == "apply" ? "written" : "planned") +
         " (--checks warn reports them and goes on)");
  }
  return !fatal;
}

int Plan(const Args& args, const wildside::tree::DesiredTree& desired) {
  std::vector<wildside::tree::checks::Finding> findings;
  if (!GateOnChecks(args, desired, &findings)) return kExitError;
  absl::StatusOr<ChangeSet> plan =
      wildside::tree::PlanGitopsTree(args.dir, desired, args.cluster, args.options);
  if (!plan.ok()) return FailWith(plan.status());
  if (args.json) {
    nlohmann::json j = wildside::tree::ToJson(*plan);
    if (args.checks != ChecksMode::kOff) j["findings"] = FindingsToJson(findings);
    std::cout << Dump(j) << "\n";
  } else {
    for (const auto& c : plan->changes) {
      if (c.kind == ChangeKind::kUnchanged) continue;
      std::cout << Marker(c.kind) << " " << wildside::tree::EscapeForDisplay(c.path)
                << (c.kind == ChangeKind::kRemoveDir ? "/" : "") << "\n";
    }
    for (const auto& c : plan->conflicts) {
      std::cout << "! " << wildside::tree::EscapeForDisplay(c.path) << ": " << c.message << "\n";
    }
    if (!plan->inventory_claim.empty() || !plan->inventory_release.empty()) {
      std::cout << "i " << plan->inventory_path << " (ownership inventory)\n";
    }
    size_t changed = plan->changes.size() - plan->Count(ChangeKind::kUnchanged);
    std::cout << (plan->HasChanges() ? "Plan: " : "No changes: ") << changed << " change(s), "
              << plan->Count(ChangeKind::kUnchanged) << " unchanged, " << plan->conflicts.size()
              << " conflict(s)\n";
  }
  return plan->HasChanges() ? kExitDiffers : kExitOk;
}

int Apply(const Args& args, const wildside::tree::DesiredTree& desired) {
  std::vector<wildside::tree::checks::Finding> findings;
  if (!GateOnChecks(args, desired, &findings)) return kExitError;
  wildside::tree::ApplyResult r =
      wildside::tree::RenderGitopsTreeWithReport(args.dir, desired, args.cluster, args.options);
  if (args.json) {
    nlohmann::json j = wildside::tree::ToJson(r.report);
    j["ok"] = r.status.ok();
    if (args.checks != ChecksMode::kOff) j["findings"] = FindingsToJson(findings);
    if (!r.status.ok()) j["error"] = r.status.ToString();
    std::cout << Dump(j) << "\n";
    if (!r.status.ok()) return FailWith(r.status);
    return kExitOk;
  }
  if (!r.status.ok()) {
    // Nothing on stdout: "Applied: ..." there would read as success to a
    // script. What was done before the error goes with the error.
    int code = FailWith(r.status);
    if (r.report.Changed()) {
      std::cerr << "wildside-tree: done before the error: " << wildside::tree::Summarize(r.report)
                << "\n";
      for (const std::string& p : r.report.changed_paths) {
        std::cerr << "  " << wildside::tree::EscapeForDisplay(p) << "\n";
      }
    }
    return code;
  }
  for (const std::string& p : r.report.changed_paths) {
    std::cout << "  " << wildside::tree::EscapeForDisplay(p) << "\n";
  }
  std::cout << "Applied: " << wildside::tree::Summarize(r.report) << "\n";
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  std::string error = ParseArgs(argc, argv, &args);
  if (error == "help") {
    std::cout << kUsage;
    return kExitOk;
  }
  if (!error.empty()) {
    std::cerr << "wildside-tree: " << error << "\n" << kUsage;
    return kExitError;
  }
  std::map<std::string, std::string> owned;
  error = ReadManifests(args.manifests, &owned);
  if (!error.empty()) return Fail(error);
  wildside::tree::DesiredTree desired = wildside::tree::ViewDesiredTree(owned);
  if (args.command == "validate") return Validate(args, desired);
  return args.command == "plan" ? Plan(args, desired) : Apply(args, desired);
}
