// The operations of wildside_gitops_tree that touch the checkout: plan
// (gitops_tree_plan.cc), apply and destroy (gitops_tree_apply.cc), each a
// few named phases. The resource class (gitops_tree.cc) hands them the
// request and its context; nothing else calls them.
#ifndef WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_OPS_H_
#define WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_OPS_H_

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "provider/core/diagnostics.h"
#include "provider/core/resource.h"
#include "provider/cty/lazy_value.h"
#include "provider/cty/type.h"
#include "provider/cty/value.h"
#include "provider/resources/gitops_tree_settings.h"
#include "tree/diff.h"
#include "tree/inventory.h"

namespace wildside::tree {
class Env;
}  // namespace wildside::tree

namespace wildside::resources::gitops {

// What every operation of one resource shares.
struct Context {
  tree::Env* env = nullptr;               // the filesystem seam; nullptr: the real one
  cty::Type type = cty::Type::Dynamic();  // the resource's state type
};

core::PlanResult PlanTree(core::PlanRequest request, const Context& ctx);
// An apply whose planned state is null is a destroy.
core::ApplyResult ApplyTree(core::ApplyRequest request, const Context& ctx);

// "a, b, c", or the first 20 and "and 7 more", each escaped for display.
std::string NamePaths(const std::vector<std::string>& paths);

// One error per conflict the engine found. A path another cluster's
// inventory claims is reported on the configured key when it is one,
// naming the owner; anything else on `path`.
void AddConflictDiagnostics(const tree::ChangeSet& changes, const Desired& desired, bool at_apply,
                            core::Diagnostics* diags);

// The files a create would take over: those `changes` overwrite (content
// or mode) or prune that `inventory` (this cluster's own, as on disk)
// lists. Sorted.
std::vector<std::string> TakenOver(const tree::ChangeSet& changes,
                                   const tree::Inventory& inventory);

// Whether a create (no prior state) may take over files this cluster's
// inventory lists: `adopt = true`, or the create half of a -replace of the
// same checkout (its private data carries the update plan's id).
bool MayTakeOver(const Settings& settings, std::string_view replaces_id);

// The error of a create that would take over `taken` (non-empty), naming
// the inventory, the files and the ways on (docs/adr/0011).
core::Diagnostic TakeoverRefused(const Settings& settings, const std::vector<std::string>& taken,
                                 bool at_apply);

// The configuration's rendered_manifests_wo (a null map when it has none),
// decoded without the other maps.
absl::StatusOr<cty::Value> WriteOnlyFromConfig(const cty::LazyValue& config);

// The keys of a map value; empty when it is null or unknown.
std::set<std::string> KeysOf(const cty::Value& map);

}  // namespace wildside::resources::gitops

#endif  // WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_OPS_H_
