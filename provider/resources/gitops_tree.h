// wildside_gitops_tree: a GitOps checkout's owned directories as one
// resource. Reads mirror the disk (drift shows in the plan), plans are
// computed from the configuration alone (deterministic), and applies call
// the tree engine (tree/) for every file operation.
//
// See docs/resources/gitops_tree.md for the user-facing contract and
// docs/design.md for the drift model.
#ifndef WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_H_
#define WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_H_

#include <map>
#include <memory>
#include <string>

#include "provider/core/resource.h"

namespace wildside::resources {

std::unique_ptr<core::Resource> NewGitopsTreeResource();

// Every resource this provider serves, keyed by type name.
std::map<std::string, std::unique_ptr<core::Resource>, std::less<>> AllResources();

}  // namespace wildside::resources

#endif  // WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_H_
