// wildside_gitops_tree: a GitOps checkout's owned directories as one
// resource. Reads mirror the disk (drift shows in the plan), plans are
// computed from the configuration alone (deterministic), and applies call
// the tree engine (tree/) for every file operation.
//
// See docs/resources/gitops_tree.md for the user-facing contract and
// docs/design.md for the drift model.
#ifndef WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_H_
#define WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_H_

#include <memory>

#include "provider/core/resource.h"

namespace wildside::resources {

std::unique_ptr<core::Resource> NewGitopsTreeResource();

}  // namespace wildside::resources

#endif  // WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_H_
