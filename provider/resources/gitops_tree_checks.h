// The plan-time checks of wildside_gitops_tree (tree/checks, issue 11) as
// diagnostics on each manifest's own key.
#ifndef WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_CHECKS_H_
#define WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_CHECKS_H_

#include <vector>

#include "provider/core/diagnostics.h"
#include "provider/cty/value.h"
#include "provider/resources/gitops_tree_settings.h"
#include "tree/checks/checks.h"

namespace wildside::tree {
class ReadSession;
}  // namespace wildside::tree

namespace wildside::resources::gitops {

// Checks `desired` (contents and keys known) per `settings.checks`: errors
// or warnings, one per finding, at `<map>["<key>"]`, never quoting content.
//
// `prior` is the prior state without its manifests (nullptr on a create),
// `prior_rules` the rule set it was checked with (its private data; 0 for
// a state never checked: an import, one from before the checks). Only what
// changed is reported again: when the prior was checked with the current
// rules (tree::checks::kRuleSet), its `files` hold the same keys and the
// checks' settings are the same, only changed files (and those that can
// affect others: kustomizations, Flux Kustomizations) have their own
// findings reported, and a plan where nothing changed checks nothing.
// Otherwise the whole tree is checked.
//
// Returns true when the planned tree now counts as checked with the
// current rules (the checks ran, or nothing changed since a prior that
// was): the caller records kRuleSet in the planned private data. `planned` is the planned state
// (its `files` are known). `checkout` answers whether a referenced path outside the desired tree
// exists (tree/checks/disk_lookup.h); nullptr: the checkout could not be
// opened, and nothing outside the desired tree is taken to exist.
bool CheckManifests(const Settings& settings, const Desired& desired, const cty::Value* prior,
                    int prior_rules, const cty::Value& planned, const tree::ReadSession* checkout,
                    core::Diagnostics* diags);

// The checks at ValidateResourceConfig, without a prior state: the whole
// tree, errors only (checks = "error"; a warning would be said again by
// the plan). A reference outside the owned roots is looked up on disk when
// the checkout exists, and not judged when it does not (validate in CI,
// before any checkout).
void CheckManifestsAtValidate(const Settings& settings, const Desired& desired,
                              core::Diagnostics* diags);

// The checks of `desired` alone, with no disk (the `check` provider
// function): the whole tree against the built-in schemas and the CRDs in
// it; a reference into the owned roots resolves only to a desired key when
// the apply prunes, and one anywhere else is not judged (the resource
// looks it up on disk). Each finding with its summary and whether
// `settings` make it an error. Empty when checks = "off".
struct MapFinding {
  const char* summary;
  bool error;
  tree::checks::Finding finding;
};
std::vector<MapFinding> CheckMapAlone(const Settings& settings, const Desired& desired);

}  // namespace wildside::resources::gitops

#endif  // WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_CHECKS_H_
