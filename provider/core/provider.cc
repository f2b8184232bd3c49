#include "provider/core/provider.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace wildside::core {

Provider::Provider(Resources resources, Functions functions)
    : resources_(std::move(resources)), functions_(std::move(functions)) {
  provider_schema_.block.description =
      "The wildside provider manages a GitOps repository checkout as one resource.";
}

const Resource* Provider::FindResource(std::string_view type_name) const {
  auto it = resources_.find(type_name);
  return it == resources_.end() ? nullptr : it->second.get();
}

const Function* Provider::FindFunction(std::string_view name) const {
  auto it = functions_.find(name);
  return it == functions_.end() ? nullptr : it->second.get();
}

Diagnostic Provider::UnknownResourceType(std::string_view type_name) const {
  std::vector<std::string> served;
  for (const auto& [name, unused] : resources_) served.push_back(name);
  return Error("Unknown resource type",
               absl::StrCat("The wildside provider has no resource type \"", std::string(type_name),
                            "\"; it serves ", absl::StrJoin(served, ", "), "."));
}

}  // namespace wildside::core
