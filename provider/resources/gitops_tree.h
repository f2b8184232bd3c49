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

namespace wildside::tree {
class Env;
}  // namespace wildside::tree

namespace wildside::resources {

// The one way to make the resource. Every file operation goes through
// `env`, which must outlive it; nullptr means the real filesystem. Which Env
// a process uses is decided where the provider is assembled
// (provider/server/serve.cc): the real one, or in a test build the test
// hooks' (provider/server/test_hooks.h); unit tests pass a fault-injecting
// one (tree/testing/).
std::unique_ptr<core::Resource> NewGitopsTreeResource(tree::Env* env);

// Every resource this provider serves, keyed by type name, over `env`.
std::map<std::string, std::unique_ptr<core::Resource>, std::less<>> AllResources(tree::Env* env);

}  // namespace wildside::resources

#endif  // WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_H_
