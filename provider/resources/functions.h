// The provider functions (issue 20; docs/functions/): what the checks of
// wildside_gitops_tree say about a manifest map, and a kustomization that
// lists a directory of one, for the people who write the modules that
// render the maps, in their own tests, preconditions and check blocks,
// with no checkout.
//
//   provider::wildside::check(manifests, settings)
//   provider::wildside::kustomization(manifests, directory)
//
// Both are pure (core/function.h): no disk, no clock, no configuration.
#ifndef WILDSIDE_PROVIDER_RESOURCES_FUNCTIONS_H_
#define WILDSIDE_PROVIDER_RESOURCES_FUNCTIONS_H_

#include "provider/core/provider.h"

namespace wildside::resources {

// Every function this provider serves, keyed by name.
core::Provider::Functions AllFunctions();

}  // namespace wildside::resources

#endif  // WILDSIDE_PROVIDER_RESOURCES_FUNCTIONS_H_
