#include "tree/manifests.h"

#include <utility>

#include <nlohmann/json.hpp>

#include "tree/content.h"
#include "tree/strings.h"

namespace wildside::tree {

absl::StatusOr<std::map<std::string, std::string>> ParseManifests(std::string_view text,
                                                                  std::string_view source) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return absl::InvalidArgumentError(StrCat(source, ": manifests are not valid JSON"));
  }
  if (doc.is_object()) {
    auto value = doc.find("value");
    if (value != doc.end() && value->is_object()) {
      nlohmann::json inner = std::move(*value);
      doc = std::move(inner);
    }
  }
  if (!doc.is_object()) {
    return absl::InvalidArgumentError(
        StrCat(source, ": manifests must be a JSON object of path to content"));
  }
  std::map<std::string, std::string> out;
  std::string problems;
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (!it.value().is_string()) {
      problems += StrCat("\n  manifests[\"", EscapeForDisplay(it.key()), "\"]: not a string");
      continue;
    }
    out.emplace(it.key(), std::move(it.value().get_ref<std::string&>()));
  }
  if (!problems.empty()) {
    return absl::InvalidArgumentError(StrCat(source, ": invalid manifests:", problems));
  }
  return out;
}

}  // namespace wildside::tree
