// The operations of wildside_gitops_tree that touch the checkout: plan
// (gitops_tree_plan.cc), apply and destroy (gitops_tree_apply.cc), each a
// few named phases. The resource class (gitops_tree.cc) hands them the
// request and its context; nothing else calls them.
#ifndef WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_OPS_H_
#define WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_OPS_H_

#include <memory>
#include <mutex>
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

// What this provider process has done, in memory only: nothing on disk,
// nothing in a state. Both clients run every ApplyResourceChange of one
// apply, and the re-plans they make during it, in one provider process
// (docs/adr/0011), so it links the halves of a replacement that the
// protocol does not: the update plan's private never reaches the apply
// walk, and the destroy of a deposed object (create_before_destroy) gets
// only its own state's private. Thread-safe.
class ProcessRecord {
 public:
  // A create of checkout `id` (MakeId) was applied.
  void RecordCreated(std::string_view id);
  bool WasCreated(std::string_view id) const;
  // The destroy half of a -replace of `id` ran, keeping the files its
  // create will own: that create takes them back, not over.
  void RecordHandedOver(std::string_view id);
  bool WasHandedOver(std::string_view id) const;

 private:
  mutable std::mutex mu_;
  std::set<std::string, std::less<>> created_;
  std::set<std::string, std::less<>> handed_over_;
};

// What every operation of one resource shares.
struct Context {
  tree::Env* env = nullptr;               // the filesystem seam; nullptr: the real one
  cty::Type type = cty::Type::Dynamic();  // the resource's state type
  std::shared_ptr<ProcessRecord> record = std::make_shared<ProcessRecord>();
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
// same checkout (at plan time its private data carries the update plan's
// id; in the apply walk, `record` saw the destroy half hand it over).
bool MayTakeOver(const Settings& settings, std::string_view replaces_id,
                 const ProcessRecord& record);

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
