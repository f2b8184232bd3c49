// For tests only: wildside_gitops_tree over a chosen filesystem seam, so a
// test can fail the N-th write of an apply (tree/testing/fault_env.h) and
// check what the resource returns. Production code uses
// NewGitopsTreeResource() (the real filesystem); nothing else reaches this.
#ifndef WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_TESTING_H_
#define WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_TESTING_H_

#include <memory>

#include "provider/core/resource.h"

namespace wildside::tree {
class Env;
}  // namespace wildside::tree

namespace wildside::resources {

// Every tree operation of the returned resource goes through `env`, which
// must outlive it. nullptr means the real filesystem.
std::unique_ptr<core::Resource> NewGitopsTreeResourceForTesting(tree::Env* env);

}  // namespace wildside::resources

#endif  // WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_TESTING_H_
