// The kustomize build, modelled (issue 17, item 1; docs/checks.md, "What
// of the build is modelled"; ADR 0012): the objects each build Flux runs
// from the tree accumulates, by kustomize's rules (Accumulator), with the
// duplicate-object and patch-target findings. A directory's objects are
// worked out once and shared by every build that includes it. Internal to
// tree/checks.
#ifndef WILDSIDE_TREE_CHECKS_BUILD_MODEL_H_
#define WILDSIDE_TREE_CHECKS_BUILD_MODEL_H_

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "tree/checks/internal.h"
#include "tree/checks/tree_view.h"

namespace wildside::tree::checks {

class BuildModel {
 public:
  explicit BuildModel(TreeView* view) : view_(*view) {}

  // The build of one root: its duplicate-object and patch-target findings.
  void CheckBuild(const Root& root);
  // Two builds that include one directory find its duplicates alike: the
  // first finding at a place stands.
  void DropRepeatedDuplicates();

 private:
  const BuiltObjects& Included(const std::string& dir);
  BuiltObjects BuildDirectory(const std::string& dir, const std::string& label, const Root* flux);
  void AccumulateListed(const std::string& dir, const std::string& kfile, const FileFacts& facts,
                        Accumulator* acc, bool* complete, bool* final_ids);
  bool ComponentTransforms(const std::string& dir);
  void AddFile(const std::string& key, const std::string& via, Accumulator* acc, bool* complete);
  void AddIncluded(const std::string& dir, const std::string& suffix, Accumulator* acc,
                   bool* complete);
  void GenerateObjects(const std::string& dir, Accumulator* acc, bool* complete);
  void CheckPatches(const std::string& dir, const std::string& kfile, const FileFacts& facts,
                    const FileFacts::Transforms& transforms, const Accumulator& acc, bool complete);
  void CheckPatchTarget(const std::string& kfile, const FileFacts::Reference& r,
                        const std::string& named, const std::string& patch_key,
                        const FileFacts::Object& patch, const FileFacts::Transforms& transforms,
                        const Accumulator& acc, bool complete);

  TreeView& view_;  // the tree, and the findings every part adds to
  // What each kustomization directory yields, and the ones on the way
  // down (a cycle stops there).
  std::unordered_map<std::string, BuiltObjects> included_;
  std::unordered_set<std::string> building_;
};

}  // namespace wildside::tree::checks

#endif  // WILDSIDE_TREE_CHECKS_BUILD_MODEL_H_
