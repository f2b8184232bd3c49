// Names and findings: what both passes of the checks share (which keys are
// YAML or kustomizations, the excludes, how a finding reads). Below
// file_check.cc and tree_check.cc, so neither calls into the other's file
// for them.
#include <string>
#include <string_view>

#include "tree/checks/checks.h"
#include "tree/checks/internal.h"
#include "tree/content.h"
#include "tree/layout.h"

namespace wildside::tree::checks {

bool HasYamlExtension(std::string_view key) {
  std::string_view base = BaseName(key);
  size_t dot = base.rfind('.');
  if (dot == std::string_view::npos) return false;
  std::string_view ext = base.substr(dot);
  return ext == ".yaml" || ext == ".yml";
}

bool IsExcludedFromChecks(std::string_view key, const CheckOptions& options) {
  for (const std::string& pattern : options.exclude) {
    if (GlobMatch(pattern, key)) return true;
  }
  return false;
}

std::string ShortForDisplay(std::string_view s, size_t max) {
  std::string out = EscapeForDisplay(s);
  if (out.size() <= max) return out;
  size_t cut = max;
  // Do not split a UTF-8 sequence.
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  out.resize(cut);
  return out + "...";
}

std::string_view FindingKindName(FindingKind kind) {
  switch (kind) {
    case FindingKind::kYamlSyntax:
      return "yaml-syntax";
    case FindingKind::kDuplicateKey:
      return "duplicate-key";
    case FindingKind::kNotKubernetesObject:
      return "not-kubernetes-object";
    case FindingKind::kMissingReference:
      return "missing-reference";
    case FindingKind::kOutsideCheckout:
      return "outside-checkout";
    case FindingKind::kNotAKustomization:
      return "not-a-kustomization";
    case FindingKind::kMultipleKustomizations:
      return "multiple-kustomizations";
    case FindingKind::kFluxPathMissing:
      return "flux-path-missing";
    case FindingKind::kDuplicateObject:
      return "duplicate-object";
    case FindingKind::kPatchTarget:
      return "patch-target";
    case FindingKind::kUnknownField:
      return "unknown-field";
    case FindingKind::kWrongType:
      return "wrong-type";
    case FindingKind::kMissingField:
      return "missing-field";
    case FindingKind::kInvalidValue:
      return "invalid-value";
    case FindingKind::kPlaintextSecret:
      return "plaintext-secret";
    case FindingKind::kUndecryptable:
      return "undecryptable";
  }
  return "unknown";
}

std::string FormatFinding(const Finding& f, std::string_view attribute) {
  std::string out(attribute);
  out += attribute.empty() ? EscapeForDisplay(f.key) : "[\"" + EscapeForDisplay(f.key) + "\"]";
  if (f.line > 0) out += ":" + std::to_string(f.line) + ":" + std::to_string(f.column);
  out += ": ";
  out += f.message;
  return out;
}

bool IsKustomizationFile(std::string_view key) {
  std::string_view base = BaseName(key);
  return base == "kustomization.yaml" || base == "kustomization.yml" || base == "Kustomization";
}

bool IsYamlKey(std::string_view key) { return HasYamlExtension(key) || IsKustomizationFile(key); }

}  // namespace wildside::tree::checks
