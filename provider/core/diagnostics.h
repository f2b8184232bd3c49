// Diagnostics and attribute paths in the provider's own terms.
//
// Resource code reports user-facing problems as Diagnostics (error or
// warning, summary, detail, and the attribute path they concern); the wire
// layer turns them into tfplugin6 diagnostics and OpenTofu points at the
// offending expression in the configuration. No protobuf type appears here.
#ifndef WILDSIDE_PROVIDER_CORE_DIAGNOSTICS_H_
#define WILDSIDE_PROVIDER_CORE_DIAGNOSTICS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace wildside::core {

struct PathStep {
  enum class Kind { kAttribute, kKeyString, kKeyInt };
  Kind kind = Kind::kAttribute;
  std::string name;   // attribute name or string key
  int64_t index = 0;  // list index
};

class AttributePath {
 public:
  AttributePath() = default;
  static AttributePath Attr(std::string_view name) { return AttributePath().Then(name); }

  AttributePath Then(std::string_view attribute) const;
  AttributePath Key(std::string_view key) const;
  AttributePath Index(int64_t index) const;

  const std::vector<PathStep>& steps() const { return steps_; }
  bool empty() const { return steps_.empty(); }
  // OpenTofu's rendering: rendered_manifests["platform/x.yaml"], exclude[0].
  std::string ToString() const;

 private:
  std::vector<PathStep> steps_;
};

struct Diagnostic {
  enum class Severity { kError, kWarning };
  Severity severity = Severity::kError;
  std::string summary;
  std::string detail;
  std::optional<AttributePath> attribute;
};

using Diagnostics = std::vector<Diagnostic>;

Diagnostic ErrorAt(AttributePath path, std::string summary, std::string detail);
Diagnostic Error(std::string summary, std::string detail);
Diagnostic WarningAt(AttributePath path, std::string summary, std::string detail);

bool HasError(const Diagnostics& diags);

// The diagnostic for a request value that could not be decoded (`what`:
// "prior state", ...): a protocol problem, but reported as a diagnostic so
// OpenTofu shows the reason.
Diagnostic DecodeFailure(std::string_view what, const absl::Status& status);

}  // namespace wildside::core

#endif  // WILDSIDE_PROVIDER_CORE_DIAGNOSTICS_H_
