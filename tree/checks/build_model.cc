#include "tree/checks/build_model.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "tree/content.h"
#include "tree/layout.h"

namespace wildside::tree::checks {

// Item 5: the objects each build accumulates, by kustomize's rules
// (Accumulator); a directory's objects are worked out once and shared
// by every build that includes it.
void BuildModel::CheckBuild(const Root& root) {
  if (view_.KindOf(root.dir) != PathKind::kDirectory) return;
  std::string label = "the build of \"" + ShortForDisplay(root.dir) + "\"";
  if (!root.by.empty()) {
    label += " (spec.path of the Flux Kustomization in \"" + ShortForDisplay(root.by) + "\")";
  }
  BuildDirectory(root.dir, label, root.target_namespace.empty() ? nullptr : &root);
}

// The objects a kustomization directory yields to whoever includes it.
const BuiltObjects& BuildModel::Included(const std::string& dir) {
  auto it = included_.find(dir);
  if (it != included_.end()) return it->second;
  static const BuiltObjects kUnknown{{}, false};
  if (!building_.insert(dir).second) return kUnknown;  // a cycle: not modelled
  BuiltObjects out =
      BuildDirectory(dir, "the kustomization in \"" + ShortForDisplay(dir) + "\"", nullptr);
  building_.erase(dir);
  return included_.emplace(dir, std::move(out)).first->second;
}

// `flux` is the root with the Flux Kustomization's targetNamespace, when
// it has one: Flux sets it as the root kustomization's namespace, in
// place of the root's own.
BuiltObjects BuildModel::BuildDirectory(const std::string& dir, const std::string& label,
                                        const Root* flux) {
  Accumulator acc(label, view_.options().is_sensitive, &view_.findings());
  BuiltObjects out;
  bool final_ids = true;
  std::optional<std::string> kfile = view_.KustomizationIn(dir);
  FileFacts::Transforms transforms;
  std::string namespace_from;
  if (!kfile) {
    GenerateObjects(dir, &acc, &out.complete);
  } else {
    auto f = view_.facts().find(*kfile);
    if (f == view_.facts().end()) return {{}, false};  // on disk only, or not parsed
    namespace_from = "the `namespace` of \"" + ShortForDisplay(*kfile) + "\"";
    AccumulateListed(dir, *kfile, f->second, &acc, &out.complete, &final_ids);
    transforms = f->second.transforms;
    if (transforms.generates) out.complete = false;
  }
  if (flux != nullptr) {
    transforms.namespace_ = flux->target_namespace;
    namespace_from = "the spec.targetNamespace of the Flux Kustomization in \"" +
                     ShortForDisplay(flux->by) + "\"";
  }
  if (kfile) CheckPatches(dir, *kfile, view_.facts().at(*kfile), transforms, acc, out.complete);
  acc.Transform(transforms, namespace_from);
  if (!final_ids || transforms.may_rename) return {{}, false};
  out.objects = acc.Take();
  return out;
}

// kustomize adds what `resources` (and `bases`) list, in order, then
// what `components` bring.
void BuildModel::AccumulateListed(const std::string& dir, const std::string& kfile,
                                  const FileFacts& facts, Accumulator* acc, bool* complete,
                                  bool* final_ids) {
  for (bool components : {false, true}) {
    for (const FileFacts::Reference& r : facts.references) {
      if (!r.may_be_directory || IsUrlLike(r.path)) continue;
      if (components != (r.field.rfind("components", 0) == 0)) continue;
      if (!components && !r.decoded_as_objects) continue;
      std::optional<std::string> p = Normalize(dir, r.path);
      if (!p) continue;
      const std::string via = r.field + " of \"" + ShortForDisplay(kfile) + "\"";
      PathKind kind = view_.KindOf(*p);
      if (kind == PathKind::kFile && !components) {
        AddFile(*p, "listed under " + via, acc, complete);
      } else if (kind == PathKind::kDirectory) {
        if (components && ComponentTransforms(*p)) *final_ids = false;
        AddIncluded(*p, ", which " + via + " includes", acc, complete);
      } else {
        *complete = false;  // a remote base, or a finding of its own
      }
    }
  }
}

// True when the component in `dir` has transformers of its own: they
// apply to everything its includer accumulated, which is not modelled.
bool BuildModel::ComponentTransforms(const std::string& dir) {
  std::optional<std::string> k = view_.KustomizationIn(dir);
  if (!k) return false;
  auto f = view_.facts().find(*k);
  if (f == view_.facts().end()) return true;
  const FileFacts::Transforms& t = f->second.transforms;
  return t.may_rename || !t.namespace_.empty() || !t.name_prefix.empty() || !t.name_suffix.empty();
}

// A file's objects; one on disk only, or not parsed, adds what is not
// known.
void BuildModel::AddFile(const std::string& key, const std::string& via, Accumulator* acc,
                         bool* complete) {
  auto desired = view_.desired().find(key);
  auto f = view_.facts().find(key);
  if (desired == view_.desired().end() || f == view_.facts().end()) {
    *complete = false;
    return;
  }
  if (!f->second.objects_known) *complete = false;
  for (const FileFacts::Object& o : f->second.objects) {
    acc->Add({&desired->first, &o, o.name, o.namespace_, via, {}});
  }
}

void BuildModel::AddIncluded(const std::string& dir, const std::string& suffix, Accumulator* acc,
                             bool* complete) {
  const BuiltObjects& sub = Included(dir);
  if (!sub.complete) *complete = false;
  for (const BuiltObject& o : sub.objects) {
    BuiltObject copy = o;
    copy.via += suffix;
    acc->Add(std::move(copy));
  }
}

// The objects of Flux's generated kustomization (see Generate).
void BuildModel::GenerateObjects(const std::string& dir, Accumulator* acc, bool* complete) {
  const std::string generated =
      "the kustomization Flux generates for \"" + ShortForDisplay(dir) + "\"";
  std::string prefix = dir.empty() ? "" : dir + "/";
  std::set<std::string> subs;
  for (auto it = view_.desired().lower_bound(prefix);
       it != view_.desired().end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    const std::string& key = it->first;
    if (!HasYamlExtension(key)) continue;
    std::optional<std::string> stop = view_.FirstKustomizationBelow(prefix.size(), key);
    if (!stop) {
      AddFile(key, "taken directly by " + generated, acc, complete);
    } else if (subs.insert(*stop).second) {
      AddIncluded(*stop,
                  ", in \"" + ShortForDisplay(*stop) + "\", which " + generated + " includes", acc,
                  complete);
    }
  }
  // Files on disk only may be part of it too.
  if (view_.options().lookup) *complete = false;
}

// Patches without a `target:` (patchesStrategicMerge, patches[].path):
// kustomize places a strategic-merge patch by its own id, on the one
// object of the kustomization that has (or had) that id, and refuses a
// JSON 6902 patch. A patch that matches two objects by ids they surely
// had is a finding; one that matches none, only when every object the
// kustomization accumulates is known. Inline patches are not read.
void BuildModel::CheckPatches(const std::string& dir, const std::string& kfile,
                              const FileFacts& facts, const FileFacts::Transforms& transforms,
                              const Accumulator& acc, bool complete) {
  for (const FileFacts::Reference& r : facts.references) {
    const bool smp_list = r.field.rfind("patchesStrategicMerge[", 0) == 0;
    const bool patches = r.field.rfind("patches[", 0) == 0 && !r.has_target;
    if (!smp_list && !patches) continue;
    std::optional<std::string> p = Normalize(dir, r.path);
    if (!p) continue;
    auto f = view_.facts().find(*p);
    if (f == view_.facts().end() || view_.desired().count(*p) == 0) continue;
    const FileFacts& patch = f->second;
    const std::string named = view_.Named(kfile, r);
    if (patches && patch.objects.empty() && !patch.non_objects.empty() &&
        patch.non_objects.front().reason == "a sequence") {
      view_.Add(kfile, r.line, r.column, FindingKind::kPatchTarget,
                named +
                    ": a JSON 6902 patch (a list of operations) without `target:`; kustomize "
                    "refuses it: must specify a target for patch");
      continue;
    }
    if (!patch.objects_known) continue;
    for (const FileFacts::Object& o : patch.objects) {
      CheckPatchTarget(kfile, r, named, *p, o, transforms, acc, complete);
    }
  }
}

void BuildModel::CheckPatchTarget(const std::string& kfile, const FileFacts::Reference& r,
                                  const std::string& named, const std::string& patch_key,
                                  const FileFacts::Object& patch,
                                  const FileFacts::Transforms& transforms, const Accumulator& acc,
                                  bool complete) {
  const std::string id = ObjectId(patch.api_version, patch.kind, patch.name, patch.namespace_);
  std::vector<const BuiltObject*> surely;
  bool maybe = false;
  for (const BuiltObject& o : acc.objects()) {
    const bool had =
        Accumulator::IdOf(o) == id ||
        std::find(o.earlier_ids.begin(), o.earlier_ids.end(), id) != o.earlier_ids.end();
    if (had) {
      surely.push_back(&o);
      continue;
    }
    // The id after this kustomization's own transformers: whether the
    // patch sees it depends on the order they run in.
    const std::string_view kind = o.written->kind;
    const bool renamed_ns = !transforms.namespace_.empty() && !IsClusterScopedKind(kind);
    maybe = maybe || ObjectId(o.written->api_version, kind,
                              transforms.name_prefix + o.name + transforms.name_suffix,
                              renamed_ns ? transforms.namespace_ : o.namespace_) == id;
  }
  const bool hidden = view_.Sensitive(kfile) || view_.Sensitive(patch_key);
  const std::string what = hidden ? "the patch"
                                  : "the patch for " + ShownId(patch.api_version, patch.kind,
                                                               patch.name, patch.namespace_);
  const std::string where = " (document " + std::to_string(patch.document) + ")";
  if (surely.size() >= 2) {
    std::string places;
    for (const BuiltObject* o : surely) {
      if (!places.empty()) places += ", ";
      places += "\"" + ShortForDisplay(*o->key) + "\" line " + std::to_string(o->written->line);
    }
    view_.Add(kfile, r.line, r.column, FindingKind::kPatchTarget,
              named + ": " + what + where + " has no `target:` and matches " +
                  std::to_string(surely.size()) + " objects (" + places +
                  "); kustomize refuses it: multiple matches, failed to find unique target for "
                  "patch");
  } else if (surely.empty() && !maybe && complete) {
    view_.Add(kfile, r.line, r.column, FindingKind::kPatchTarget,
              named + ": " + what + where +
                  " has no `target:` and matches no object this kustomization accumulates; "
                  "kustomize refuses it: no matches, failed to find unique target for patch");
  }
}

// Two builds that include one directory find its duplicates alike: the
// first finding at a place stands.
void BuildModel::DropRepeatedDuplicates() {
  std::set<std::tuple<std::string, int, int>> seen;
  std::vector<Finding> kept;
  for (Finding& f : view_.findings()) {
    if (f.kind == FindingKind::kDuplicateObject && !seen.emplace(f.key, f.line, f.column).second) {
      continue;
    }
    kept.push_back(std::move(f));
  }
  view_.findings() = std::move(kept);
}

}  // namespace wildside::tree::checks
