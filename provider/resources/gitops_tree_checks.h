// The plan-time checks of wildside_gitops_tree (tree/checks, issue 11) as
// diagnostics on each manifest's own key.
#ifndef WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_CHECKS_H_
#define WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_CHECKS_H_

#include "provider/core/diagnostics.h"
#include "provider/cty/value.h"
#include "provider/resources/gitops_tree_settings.h"

namespace wildside::tree {
class ReadSession;
}  // namespace wildside::tree

namespace wildside::resources::gitops {

// Checks `desired` (contents and keys known) per `settings.checks`: errors
// or warnings, one per finding, at `<map>["<key>"]`, never quoting content.
//
// `prior` is the prior state without its manifests (nullptr on a create).
// Only what changed is parsed again: when the prior state's `files` hold
// the same keys and the checks' settings are the same, a file whose hash
// is unchanged is not parsed unless it can affect other files (a
// kustomization, a Flux Kustomization), and a plan where nothing changed
// checks nothing. `planned` is the planned state (its `files` are known).
// `checkout` answers whether a referenced path outside the desired tree
// exists (tree/checks/disk_lookup.h); nullptr: the checkout could not be
// opened, and nothing outside the desired tree is taken to exist.
void CheckManifests(const Settings& settings, const Desired& desired, const cty::Value* prior,
                    const cty::Value& planned, const tree::ReadSession* checkout,
                    core::Diagnostics* diags);

}  // namespace wildside::resources::gitops

#endif  // WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_CHECKS_H_
