#include "provider/core/diagnostics.h"

#include "absl/strings/str_cat.h"

namespace wildside::core {

AttributePath AttributePath::Then(std::string_view attribute) const {
  AttributePath p = *this;
  p.steps_.push_back(PathStep{PathStep::Kind::kAttribute, std::string(attribute), 0});
  return p;
}

AttributePath AttributePath::Key(std::string_view key) const {
  AttributePath p = *this;
  p.steps_.push_back(PathStep{PathStep::Kind::kKeyString, std::string(key), 0});
  return p;
}

AttributePath AttributePath::Index(int64_t index) const {
  AttributePath p = *this;
  p.steps_.push_back(PathStep{PathStep::Kind::kKeyInt, "", index});
  return p;
}

std::string AttributePath::ToString() const {
  std::string out;
  for (const PathStep& s : steps_) {
    switch (s.kind) {
      case PathStep::Kind::kAttribute:
        absl::StrAppend(&out, out.empty() ? "" : ".", s.name);
        break;
      case PathStep::Kind::kKeyString:
        absl::StrAppend(&out, "[\"", s.name, "\"]");
        break;
      case PathStep::Kind::kKeyInt:
        absl::StrAppend(&out, "[", s.index, "]");
        break;
    }
  }
  return out;
}

Diagnostic ErrorAt(AttributePath path, std::string summary, std::string detail) {
  return Diagnostic{Diagnostic::Severity::kError, std::move(summary), std::move(detail),
                    std::move(path)};
}

Diagnostic Error(std::string summary, std::string detail) {
  return Diagnostic{Diagnostic::Severity::kError, std::move(summary), std::move(detail),
                    std::nullopt};
}

Diagnostic WarningAt(AttributePath path, std::string summary, std::string detail) {
  return Diagnostic{Diagnostic::Severity::kWarning, std::move(summary), std::move(detail),
                    std::move(path)};
}

bool HasError(const Diagnostics& diags) {
  for (const Diagnostic& d : diags) {
    if (d.severity == Diagnostic::Severity::kError) return true;
  }
  return false;
}

Diagnostic DecodeFailure(std::string_view what, const absl::Status& status) {
  std::string_view message(status.message().data(), status.message().size());
  return Error(absl::StrCat("Invalid ", absl::string_view(what.data(), what.size())),
               absl::StrCat("The provider could not decode the ",
                            absl::string_view(what.data(), what.size()),
                            " OpenTofu sent: ", absl::string_view(message.data(), message.size()),
                            ". This is a bug in OpenTofu or in the provider; please report it."));
}

}  // namespace wildside::core
