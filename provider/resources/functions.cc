#include "provider/resources/functions.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"
#include "provider/resources/gitops_tree_checks.h"
#include "provider/resources/gitops_tree_settings.h"
#include "tree/checks/checks.h"
#include "tree/content.h"
#include "tree/strings.h"

namespace wildside::resources {
namespace {

using core::FunctionError;
using core::FunctionResult;
using cty::Type;
using cty::Value;
using tree::AV;
namespace checks = tree::checks;
namespace gitops = resources::gitops;

constexpr int64_t kManifestsArg = 0;
constexpr int64_t kSecondArg = 1;

// The settings `check` reads: those of the resource that change what its
// checks report, and nothing that needs the disk (`schema_dirs`).
const std::vector<std::string>& CheckSettingNames() {
  static const auto* names = new std::vector<std::string>{"cluster",
                                                          "exclude",
                                                          "checks_exclude",
                                                          "extra_components",
                                                          "prune",
                                                          gitops::kChecks,
                                                          gitops::kPlaintextSecrets,
                                                          gitops::kSopsRecipients,
                                                          gitops::kSopsFiles,
                                                          gitops::kSopsKeys};
  return *names;
}

Type FindingType() {
  return Type::Object({{"key", Type::String()},
                       {"line", Type::Number()},
                       {"column", Type::Number()},
                       {"kind", Type::String()},
                       {"severity", Type::String()},
                       {"summary", Type::String()},
                       {"message", Type::String()}});
}

// `v` as a value of the resource's attribute type `want`: the conversions
// an HCL literal needs (a `[...]` tuple arrives as a list, maybe of
// dynamic when empty), nothing looser. An error names settings.<name>.
std::optional<Value> AsAttribute(std::string_view name, const Value& v, const Type& want,
                                 std::string* error) {
  if (v.IsNull()) return Value::Null(want);
  const Type& have = v.type();
  if (want.kind() == Type::Kind::kList) {
    const bool listy = have.kind() == Type::Kind::kList || have.kind() == Type::Kind::kSet;
    if (listy && (have.element().kind() == Type::Kind::kString || v.elements().empty())) {
      return Value::List(Type::String(), v.elements());
    }
    *error = absl::StrCat("settings.", AV(name), ": must be a list of strings, not ",
                          have.FriendlyName(), ".");
    return std::nullopt;
  }
  if (have != want) {
    *error = absl::StrCat("settings.", AV(name), ": must be a ", want.FriendlyName(), ", not ",
                          have.FriendlyName(), ".");
    return std::nullopt;
  }
  return v;
}

// The resource configuration `check` judges: `manifests` as
// rendered_manifests and the given settings; the rest null (defaults).
// The map is moved in, not copied.
std::variant<Value, FunctionError> ConfigFrom(Value manifests, const Value& settings) {
  // The schema's type, built once per process (the function is pure).
  static const Type config_type = gitops::BuildSchema().ImpliedType();
  Value::Entries attrs;
  const bool object = settings.type().kind() == Type::Kind::kObject;
  if (!object && settings.type().kind() != Type::Kind::kMap) {
    return FunctionError{absl::StrCat("settings: must be an object such as { cluster = \"dev\" }, "
                                      "not ",
                                      settings.type().FriendlyName(), "."),
                         kSecondArg};
  }
  const std::vector<std::string>& allowed = CheckSettingNames();
  for (const auto& [name, v] : settings.entries()) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      return FunctionError{
          absl::StrCat("settings: has no attribute \"", tree::EscapeForDisplay(name),
                       "\"; it takes ", absl::StrJoin(allowed, ", "), "."),
          kSecondArg};
    }
    std::string error;
    std::optional<Value> converted =
        AsAttribute(name, v, config_type.attributes().at(name), &error);
    if (!converted.has_value()) return FunctionError{std::move(error), kSecondArg};
    attrs.emplace(name, *std::move(converted));
  }
  if (auto it = attrs.find("cluster"); it == attrs.end() || it->second.IsNull()) {
    return FunctionError{
        "settings.cluster: is required: the checks judge the tree as the "
        "resource for that cluster writes it.",
        kSecondArg};
  }
  attrs["path"] = Value::String(".");  // never read: a function sees no disk
  attrs[gitops::kRendered] = std::move(manifests);
  return Value::Object(config_type, std::move(attrs));
}

// The first error of `diags` as a function error on the argument it is
// about (the resource's attribute names told as the function's).
FunctionError FirstError(const core::Diagnostics& diags) {
  for (const core::Diagnostic& d : diags) {
    if (d.severity != core::Diagnostic::Severity::kError) continue;
    if (d.detail.starts_with(gitops::kRendered)) {
      return FunctionError{
          absl::StrCat("manifests", d.detail.substr(std::string_view(gitops::kRendered).size())),
          kManifestsArg};
    }
    return FunctionError{absl::StrCat("settings.", d.detail), kSecondArg};
  }
  return FunctionError{"invalid arguments", std::nullopt};
}

Value FindingValue(const gitops::MapFinding& m) {
  const checks::Finding& f = m.finding;
  return Value::Object(FindingType(),
                       {{"key", Value::String(f.key)},
                        {"line", Value::Number(static_cast<int64_t>(f.line))},
                        {"column", Value::Number(static_cast<int64_t>(f.column))},
                        {"kind", Value::String(std::string(checks::FindingKindName(f.kind)))},
                        {"severity", Value::String(m.error ? "error" : "warning")},
                        {"summary", Value::String(m.summary)},
                        {"message", Value::String(f.message)}});
}

class CheckFunction : public core::Function {
 public:
  CheckFunction() {
    sig_.parameters = {
        {"manifests", Type::Map(Type::String()),
         "A manifest map, as a module's `rendered_manifests` output: repo-relative path to the "
         "file's text.",
         false},
        {"settings", Type::Dynamic(),
         "An object of the resource's settings the checks depend on: `cluster` (required), "
         "`exclude`, `checks_exclude`, `extra_components`, `prune`, `checks`, "
         "`plaintext_secrets`, `sops_age_recipients`, `sops_files`, `sops_encrypted_keys`; an "
         "absent one has the resource's default.",
         false}};
    sig_.return_type = Type::List(FindingType());
    sig_.summary = "The findings the resource's plan would report for a manifest map";
    sig_.description =
        "Runs the checks of `wildside_gitops_tree` on `manifests` alone and returns one object "
        "per finding (`key`, `line`, `column`, `kind`, `severity`, `summary`, `message`), in "
        "key and line order; content is never quoted. It cannot see a checkout: a "
        "kustomization reference into the directories the resource owns resolves only to a "
        "key of the map (when `prune` is on), and one anywhere else is not judged (the "
        "resource looks it up on disk). Objects are checked against the built-in schemas and "
        "the CustomResourceDefinitions in the map.";
  }
  const core::FunctionSignature& Signature() const override { return sig_; }

  FunctionResult Call(std::vector<Value> args) const override {
    std::variant<Value, FunctionError> config = ConfigFrom(std::move(args[0]), args[1]);
    if (auto* error = std::get_if<FunctionError>(&config)) return std::move(*error);
    const Value& obj = std::get<Value>(config);
    core::Diagnostics diags;
    gitops::Settings settings;
    gitops::ReadSettings(obj, nullptr, &settings, &diags);
    gitops::Desired desired = gitops::DesiredFrom(obj, &diags);
    gitops::ValidateKeys(settings, desired, &diags);
    if (core::HasError(diags)) return FirstError(diags);
    Value::Elements findings;
    for (const gitops::MapFinding& m : gitops::CheckMapAlone(settings, desired)) {
      findings.push_back(FindingValue(m));
    }
    return Value::List(FindingType(), std::move(findings));
  }

 private:
  core::FunctionSignature sig_;
};

// A name kustomize reads back as the same string without quotes: starts
// with a letter or `_`, then letters, digits, `.`, `_`, `-`, and is no
// YAML boolean or null word.
bool PlainScalarIsSafe(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  static const std::set<std::string, std::less<>> kWords = {"y",   "n",    "yes",   "no",  "on",
                                                            "off", "true", "false", "null"};
  return kWords.count(tree::ToLowerAscii(s)) == 0;
}

// `directory` as a key prefix: relative, no `.`/`..`/empty segments, at
// most one trailing slash. Empty on error (with *error set).
std::string DirectoryPrefix(std::string_view directory, std::string* error) {
  std::string_view d = directory;
  if (d.ends_with("/")) d.remove_suffix(1);
  bool bad = d.empty() || d.front() == '/' || d.find('\0') != std::string_view::npos;
  for (std::string_view seg : tree::Split(d, '/')) {
    bad = bad || seg.empty() || seg == "." || seg == "..";
  }
  if (bad) {
    *error = absl::StrCat("directory: \"", tree::EscapeForDisplay(directory),
                          "\" is not a repo-relative directory such as \"platform/vault\" (no "
                          "leading slash, no empty, \".\" or \"..\" segment).");
    return "";
  }
  return absl::StrCat(AV(d), "/");
}

class KustomizationFunction : public core::Function {
 public:
  KustomizationFunction() {
    sig_.parameters = {{"manifests", Type::Map(Type::String()),
                        "A manifest map, as a module's `rendered_manifests` output.", false},
                       {"directory", Type::String(),
                        "A repo-relative directory of the map, e.g. `platform/vault`.", false}};
    sig_.return_type = Type::String();
    sig_.summary = "A kustomization.yaml listing a directory of a manifest map";
    sig_.description =
        "Returns the text of a `kustomization.yaml` for `directory` whose `resources` list, in "
        "byte order, every `.yaml`/`.yml` file of the map directly in `directory` (a "
        "kustomization file itself excepted) and every subdirectory holding a kustomization "
        "file in the map. Add it to the map under `<directory>/kustomization.yaml` and a new "
        "file can never be left out of the build.";
  }
  const core::FunctionSignature& Signature() const override { return sig_; }

  FunctionResult Call(std::vector<Value> args) const override {
    std::string error;
    const std::string prefix = DirectoryPrefix(args[1].AsString(), &error);
    if (prefix.empty()) return FunctionError{std::move(error), kSecondArg};
    std::set<std::string> resources;
    bool any = false;
    for (const auto& [key, unused] : args[0].entries()) {
      if (!key.starts_with(prefix)) continue;
      any = true;
      std::string_view rest = std::string_view(key).substr(prefix.size());
      const size_t slash = rest.find('/');
      if (slash == std::string_view::npos) {
        if (checks::IsYamlKey(rest) && !checks::IsKustomizationFile(rest)) {
          resources.emplace(rest);
        }
      } else if (rest.find('/', slash + 1) == std::string_view::npos &&
                 checks::IsKustomizationFile(rest.substr(slash + 1))) {
        resources.emplace(rest.substr(0, slash));
      }
    }
    if (!any) {
      return FunctionError{absl::StrCat("directory: no key of manifests is under \"",
                                        tree::EscapeForDisplay(prefix), "\"."),
                           kSecondArg};
    }
    std::string out =
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:";
    if (resources.empty()) out += " []";
    out += "\n";
    for (const std::string& r : resources) {
      absl::StrAppend(
          &out, "  - ",
          PlainScalarIsSafe(r)
              ? r
              : nlohmann::json(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
          "\n");
    }
    return Value::String(std::move(out));
  }

 private:
  core::FunctionSignature sig_;
};

}  // namespace

core::Provider::Functions AllFunctions() {
  core::Provider::Functions out;
  out.emplace("check", std::make_unique<CheckFunction>());
  out.emplace("kustomization", std::make_unique<KustomizationFunction>());
  return out;
}

}  // namespace wildside::resources
