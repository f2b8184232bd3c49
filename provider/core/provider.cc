#include "provider/core/provider.h"

#include "absl/strings/escaping.h"
#include "provider/cty/absl_view.h"
#include "absl/strings/str_cat.h"
#include "provider/resources/gitops_tree.h"

namespace wildside::core {

Provider::Provider() {
  provider_schema_.block.description =
      "The wildside provider manages a GitOps repository checkout as one resource.";
  resources_.emplace("wildside_gitops_tree", resources::NewGitopsTreeResource());
}

const Resource* Provider::FindResource(std::string_view type_name) const {
  auto it = resources_.find(type_name);
  return it == resources_.end() ? nullptr : it->second.get();
}

Diagnostic Provider::UnknownResourceType(std::string_view type_name) {
  return Error("Unknown resource type",
               absl::StrCat("The wildside provider has no resource type \"", AV(type_name),
                            "\"; it serves wildside_gitops_tree."));
}

}  // namespace wildside::core
