// The cross-file pass: kustomization references, Flux paths, which files
// Flux decodes as Kubernetes objects, and what each build accumulates. Works on keys and FileFacts
// only; existence outside the desired tree comes from CheckOptions::lookup.
#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "tree/checks/checks.h"
#include "tree/checks/internal.h"
#include "tree/checks/schema.h"
#include "tree/content.h"
#include "tree/layout.h"

namespace wildside::tree::checks {

namespace {

// The file names kustomize looks for, in its order.
constexpr std::string_view kKustomizationNames[] = {"kustomization.yaml", "kustomization.yml",
                                                    "Kustomization"};

// Remote forms kustomize fetches instead of reading the checkout: any URL,
// git's scp-like `git@host:...`, go-getter's `git::`, and the bare
// `github.com/org/repo` form (a host name as the first segment). A
// host-like first segment is taken as remote only when the path does not
// resolve locally, which is the order kustomize tries them in.
bool IsUrlLike(std::string_view ref) {
  return ref.find("://") != std::string_view::npos || ref.substr(0, 4) == "git@" ||
         ref.substr(0, 5) == "git::";
}

bool HasHostLikeFirstSegment(std::string_view ref) {
  size_t slash = ref.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view host = ref.substr(0, slash);
  size_t dot = host.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return false;
  std::string_view tld = host.substr(dot + 1);
  if (tld.size() < 2) return false;
  for (char c : tld) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
  }
  for (char c : host) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '-')) {
      return false;
    }
  }
  return true;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

// `base` joined with `ref`, normalised ("." dropped, ".." applied);
// nullopt when it climbs above the checkout root.
std::optional<std::string> Normalize(std::string_view base, std::string_view ref) {
  std::vector<std::string_view> out;
  for (std::string_view part : {base, ref}) {
    for (std::string_view seg : Split(part, '/')) {
      if (seg.empty() || seg == ".") continue;
      if (seg == "..") {
        if (out.empty()) return std::nullopt;
        out.pop_back();
      } else {
        out.push_back(seg);
      }
    }
  }
  std::string joined;
  for (std::string_view seg : out) {
    if (!joined.empty()) joined += '/';
    joined += seg;
  }
  return joined;
}

bool IsUnder(std::string_view path, std::string_view dir) {
  if (dir.empty()) return true;
  return path == dir ||
         (path.size() > dir.size() && path.substr(0, dir.size()) == dir && path[dir.size()] == '/');
}

// A directory Flux builds: `clusters/<cluster>` or a Flux Kustomization's
// spec.path, with what that Kustomization layers onto it.
struct Root {
  std::string dir;
  std::string target_namespace;
  std::string by;         // the Flux Kustomization's file, empty for a flux_roots entry
  bool decrypts = false;  // its spec.decryption.provider is sops
};

class Pass {
 public:
  Pass(const DesiredTree& desired, const FactsMap& facts, const CheckOptions& options)
      : desired_(desired), facts_(facts), options_(options) {
    for (const auto& [key, content] : desired_) {
      std::string_view dir = ParentPath(key);
      while (!dir.empty() && dirs_.insert(std::string(dir)).second) dir = ParentPath(dir);
    }
  }

  std::vector<Finding> Run(SchemaCoverage* coverage) {
    CheckKustomizations();
    std::vector<Root> roots = CheckFluxPaths();
    for (const std::string& r : options_.flux_roots) {
      std::optional<std::string> n = Normalize("", r);
      if (n) roots.push_back({*n, {}, {}});
    }
    std::vector<std::string> dirs;
    for (const Root& r : roots) dirs.push_back(r.dir);
    CheckDecodedFiles(dirs);
    CheckDecryption(roots);
    for (const Root& r : roots) CheckBuild(r);
    DropRepeatedDuplicates();
    if (options_.schemas != nullptr) CheckSchemas(coverage);
    return std::move(findings_);
  }

 private:
  PathKind KindOf(const std::string& path) {
    if (path.empty()) return PathKind::kDirectory;
    if (desired_.count(path) != 0) return PathKind::kFile;
    if (dirs_.count(path) != 0) return PathKind::kDirectory;
    auto it = lookups_.find(path);
    if (it != lookups_.end()) return it->second;
    PathKind k = options_.lookup ? options_.lookup(path) : PathKind::kMissing;
    lookups_.emplace(path, k);
    return k;
  }

  // The kustomization file kustomize would read in `dir`, if any.
  std::optional<std::string> KustomizationIn(const std::string& dir) {
    auto it = kustomization_of_.find(dir);
    if (it != kustomization_of_.end()) return it->second;
    std::optional<std::string> found;
    for (std::string_view name : kKustomizationNames) {
      std::string p = JoinPath(dir, name);
      if (KindOf(p) == PathKind::kFile) {
        found = p;
        break;
      }
    }
    kustomization_of_.emplace(dir, found);
    return found;
  }

  void Add(const std::string& key, int line, int column, FindingKind kind, std::string message) {
    findings_.push_back({key, line, column, kind, std::move(message)});
  }

  bool Sensitive(std::string_view key) const {
    return options_.is_sensitive && options_.is_sensitive(key);
  }

  // `field "ref"` (or only `field` for a sensitive file).
  std::string Named(std::string_view key, const FileFacts::Reference& r) const {
    if (Sensitive(key)) return r.field;
    return r.field + " \"" + ShortForDisplay(r.path) + "\"";
  }

  void CheckKustomizations() {
    std::map<std::string, std::vector<std::string>> per_dir;
    for (const auto& [key, content] : desired_) {
      if (IsKustomizationFile(key)) per_dir[std::string(ParentPath(key))].push_back(key);
    }
    for (const auto& [dir, keys] : per_dir) {
      for (size_t i = 1; i < keys.size(); ++i) {
        Add(keys[i], 0, 0, FindingKind::kMultipleKustomizations,
            "more than one kustomization file in " +
                (dir.empty() ? "the checkout root" : "\"" + ShortForDisplay(dir) + "\"") +
                " (also \"" + ShortForDisplay(BaseName(keys[0])) +
                "\"): kustomize refuses to choose");
      }
      for (const std::string& key : keys) {
        auto f = facts_.find(key);
        if (f == facts_.end()) continue;
        for (const FileFacts::Reference& r : f->second.references) CheckReference(key, dir, r);
      }
    }
  }

  void CheckReference(const std::string& key, const std::string& dir,
                      const FileFacts::Reference& r) {
    if (IsUrlLike(r.path)) return;
    if (!r.path.empty() && r.path[0] == '/') {
      Add(key, r.line, r.column, FindingKind::kOutsideCheckout,
          Named(key, r) +
              ": an absolute path: Flux builds in a filesystem rooted at the "
              "source, so only paths relative to the kustomization resolve");
      return;
    }
    std::optional<std::string> resolved = Normalize(dir, r.path);
    if (!resolved) {
      Add(key, r.line, r.column, FindingKind::kOutsideCheckout,
          Named(key, r) +
              ": climbs out of the checkout: Flux refuses paths outside the "
              "source root");
      return;
    }
    PathKind kind = KindOf(*resolved);
    std::string shown = Sensitive(key) ? "" : " (\"" + ShortForDisplay(*resolved) + "\")";
    if (kind == PathKind::kUnknown) return;
    if (kind == PathKind::kMissing) {
      if (HasHostLikeFirstSegment(r.path)) return;  // kustomize would try it as remote
      // What the reference names, as far as the field and a trailing '/'
      // tell: a resource without one may be either.
      const bool directory =
          r.directory_only || (r.may_be_directory && !r.path.empty() && r.path.back() == '/');
      const char* what = directory            ? "directory"
                         : r.may_be_directory ? "file or directory"
                                              : "file";
      Add(key, r.line, r.column, FindingKind::kMissingReference,
          Named(key, r) + ": not found" + shown + ": no such " + what +
              " in the desired tree or on disk after the apply");
      return;
    }
    if (kind == PathKind::kDirectory) {
      if (!r.may_be_directory) {
        Add(key, r.line, r.column, FindingKind::kMissingReference,
            Named(key, r) + ": is a directory" + shown + ": this field needs a file");
      } else if (r.needs_kustomization && !KustomizationIn(*resolved)) {
        Add(key, r.line, r.column, FindingKind::kNotAKustomization,
            Named(key, r) + ": the directory" + shown +
                " has no kustomization.yaml, kustomization.yml or Kustomization");
      }
    }
  }

  // Item 4; returns the Flux paths that are directories of the desired
  // tree, for items 2 and 5.
  std::vector<Root> CheckFluxPaths() {
    std::vector<Root> roots;
    for (const auto& [key, facts] : facts_) {
      if (desired_.count(key) == 0) continue;
      for (const FileFacts::FluxPath& p : facts.flux_paths) {
        std::optional<std::string> n = Normalize("", p.path);
        // Absolute or climbing out: another source's layout, or a
        // mistake kustomize-controller reports itself; not ours to judge.
        if (!n || (!p.path.empty() && p.path[0] == '/')) continue;
        bool ours = options_.owned_roots.empty();
        for (const std::string& root : options_.owned_roots) ours = ours || IsUnder(*n, root);
        if (!ours) continue;
        PathKind kind = KindOf(*n);
        if (kind == PathKind::kDirectory) {
          roots.push_back({*n, p.target_namespace, key, p.decrypts});
          continue;
        }
        if (kind == PathKind::kUnknown) continue;
        std::string shown = Sensitive(key) ? "" : " \"" + ShortForDisplay(p.path) + "\"";
        Add(key, p.line, p.column, FindingKind::kFluxPathMissing,
            "spec.path" + shown +
                (kind == PathKind::kFile ? ": names a file; Flux builds a directory"
                                         : ": no such directory in the desired tree or on "
                                           "disk after the apply"));
      }
    }
    return roots;
  }

  // Item 2: walk what Flux builds from each root and judge every file it
  // decodes as Kubernetes YAML.
  //
  // Only a root Flux builds gets a generated kustomization; a directory
  // reached from a kustomization without one of its own is an error
  // already (kNotAKustomization) and is not walked.
  void CheckDecodedFiles(const std::vector<std::string>& roots) {
    std::deque<std::string> queue;
    for (const std::string& r : roots) {
      if (KindOf(r) != PathKind::kDirectory || !built_.insert(r).second) continue;
      if (std::optional<std::string> k = KustomizationIn(r)) {
        BuildKustomization(*k, r, &queue);
      } else {
        Generate(r, &queue);
      }
    }
    while (!queue.empty()) {
      std::string dir = std::move(queue.front());
      queue.pop_front();
      if (!built_.insert(dir).second) continue;
      if (std::optional<std::string> k = KustomizationIn(dir)) BuildKustomization(*k, dir, &queue);
    }
  }

  // kustomize decodes the files under resources (and bases); directories
  // under resources, bases and components are built in turn.
  void BuildKustomization(const std::string& kfile, const std::string& dir,
                          std::deque<std::string>* queue) {
    auto f = facts_.find(kfile);
    if (f == facts_.end()) return;  // on disk only, or not parsed
    for (const FileFacts::Reference& r : f->second.references) {
      if (!r.may_be_directory || IsUrlLike(r.path)) continue;
      bool resources = r.decoded_as_objects;
      bool components = r.field.rfind("components", 0) == 0;
      if (!resources && !components) continue;
      std::optional<std::string> p = Normalize(dir, r.path);
      if (!p) continue;
      PathKind kind = KindOf(*p);
      if (kind == PathKind::kDirectory) {
        queue->push_back(*p);
      } else if (kind == PathKind::kFile && resources) {
        Judge(*p, "it is listed under resources of \"" + ShortForDisplay(kfile) + "\"");
      }
    }
  }

  // Flux's generated kustomization: every .yaml/.yml below `dir`, except
  // below a sub-directory with its own kustomization file, which is built
  // as one resource instead.
  void Generate(const std::string& dir, std::deque<std::string>* queue) {
    std::string prefix = dir.empty() ? "" : dir + "/";
    for (auto it = desired_.lower_bound(prefix);
         it != desired_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
      const std::string& key = it->first;
      if (!HasYamlExtension(key)) continue;
      // The first directory below `dir` on the way to `key` that holds a
      // kustomization file stops the walk there.
      std::optional<std::string> stop = FirstKustomizationBelow(prefix.size(), key);
      if (stop) {
        queue->push_back(*stop);
        continue;
      }
      Judge(key, "Flux generates a kustomization for " +
                     (dir.empty() ? std::string("the checkout root")
                                  : "\"" + ShortForDisplay(dir) + "\"") +
                     ", which has none, from every .yaml/.yml below it");
    }
  }

  // Two builds that include one directory find its duplicates alike: the
  // first finding at a place stands.
  void DropRepeatedDuplicates() {
    std::set<std::tuple<std::string, int, int>> seen;
    std::vector<Finding> kept;
    for (Finding& f : findings_) {
      if (f.kind == FindingKind::kDuplicateObject &&
          !seen.emplace(f.key, f.line, f.column).second) {
        continue;
      }
      kept.push_back(std::move(f));
    }
    findings_ = std::move(kept);
  }

  // Item 5: the objects each build accumulates, by kustomize's rules
  // (Accumulator); a directory's objects are worked out once and shared
  // by every build that includes it.
  void CheckBuild(const Root& root) {
    if (KindOf(root.dir) != PathKind::kDirectory) return;
    std::string label = "the build of \"" + ShortForDisplay(root.dir) + "\"";
    if (!root.by.empty()) {
      label += " (spec.path of the Flux Kustomization in \"" + ShortForDisplay(root.by) + "\")";
    }
    BuildDirectory(root.dir, label, root.target_namespace.empty() ? nullptr : &root);
  }

  // The objects a kustomization directory yields to whoever includes it.
  const BuiltObjects& Included(const std::string& dir) {
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
  BuiltObjects BuildDirectory(const std::string& dir, const std::string& label, const Root* flux) {
    Accumulator acc(label, options_.is_sensitive, &findings_);
    BuiltObjects out;
    bool final_ids = true;
    std::optional<std::string> kfile = KustomizationIn(dir);
    FileFacts::Transforms transforms;
    std::string namespace_from;
    if (!kfile) {
      GenerateObjects(dir, &acc, &out.complete);
    } else {
      auto f = facts_.find(*kfile);
      if (f == facts_.end()) return {{}, false};  // on disk only, or not parsed
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
    if (kfile) CheckPatches(dir, *kfile, facts_.at(*kfile), transforms, acc, out.complete);
    acc.Transform(transforms, namespace_from);
    if (!final_ids || transforms.may_rename) return {{}, false};
    out.objects = acc.Take();
    return out;
  }

  // kustomize adds what `resources` (and `bases`) list, in order, then
  // what `components` bring.
  void AccumulateListed(const std::string& dir, const std::string& kfile, const FileFacts& facts,
                        Accumulator* acc, bool* complete, bool* final_ids) {
    for (bool components : {false, true}) {
      for (const FileFacts::Reference& r : facts.references) {
        if (!r.may_be_directory || IsUrlLike(r.path)) continue;
        if (components != (r.field.rfind("components", 0) == 0)) continue;
        if (!components && !r.decoded_as_objects) continue;
        std::optional<std::string> p = Normalize(dir, r.path);
        if (!p) continue;
        const std::string via = r.field + " of \"" + ShortForDisplay(kfile) + "\"";
        PathKind kind = KindOf(*p);
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
  bool ComponentTransforms(const std::string& dir) {
    std::optional<std::string> k = KustomizationIn(dir);
    if (!k) return false;
    auto f = facts_.find(*k);
    if (f == facts_.end()) return true;
    const FileFacts::Transforms& t = f->second.transforms;
    return t.may_rename || !t.namespace_.empty() || !t.name_prefix.empty() ||
           !t.name_suffix.empty();
  }

  // A file's objects; one on disk only, or not parsed, adds what is not
  // known.
  void AddFile(const std::string& key, const std::string& via, Accumulator* acc, bool* complete) {
    auto desired = desired_.find(key);
    auto f = facts_.find(key);
    if (desired == desired_.end() || f == facts_.end()) {
      *complete = false;
      return;
    }
    if (!f->second.objects_known) *complete = false;
    for (const FileFacts::Object& o : f->second.objects) {
      acc->Add({&desired->first, &o, o.name, o.namespace_, via, {}});
    }
  }

  void AddIncluded(const std::string& dir, const std::string& suffix, Accumulator* acc,
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
  void GenerateObjects(const std::string& dir, Accumulator* acc, bool* complete) {
    const std::string generated =
        "the kustomization Flux generates for \"" + ShortForDisplay(dir) + "\"";
    std::string prefix = dir.empty() ? "" : dir + "/";
    std::set<std::string> subs;
    for (auto it = desired_.lower_bound(prefix);
         it != desired_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
      const std::string& key = it->first;
      if (!HasYamlExtension(key)) continue;
      std::optional<std::string> stop = FirstKustomizationBelow(prefix.size(), key);
      if (!stop) {
        AddFile(key, "taken directly by " + generated, acc, complete);
      } else if (subs.insert(*stop).second) {
        AddIncluded(*stop,
                    ", in \"" + ShortForDisplay(*stop) + "\", which " + generated + " includes",
                    acc, complete);
      }
    }
    // Files on disk only may be part of it too.
    if (options_.lookup) *complete = false;
  }

  // The first directory below `key`'s first `from` characters on the way
  // to `key` that holds a kustomization file.
  std::optional<std::string> FirstKustomizationBelow(size_t from, const std::string& key) {
    for (size_t pos = from;;) {
      size_t slash = key.find('/', pos);
      if (slash == std::string::npos) return std::nullopt;
      std::string sub = key.substr(0, slash);
      if (KustomizationIn(sub)) return sub;
      pos = slash + 1;
    }
  }

  // Patches without a `target:` (patchesStrategicMerge, patches[].path):
  // kustomize places a strategic-merge patch by its own id, on the one
  // object of the kustomization that has (or had) that id, and refuses a
  // JSON 6902 patch. A patch that matches two objects by ids they surely
  // had is a finding; one that matches none, only when every object the
  // kustomization accumulates is known. Inline patches are not read.
  void CheckPatches(const std::string& dir, const std::string& kfile, const FileFacts& facts,
                    const FileFacts::Transforms& transforms, const Accumulator& acc,
                    bool complete) {
    for (const FileFacts::Reference& r : facts.references) {
      const bool smp_list = r.field.rfind("patchesStrategicMerge[", 0) == 0;
      const bool patches = r.field.rfind("patches[", 0) == 0 && !r.has_target;
      if (!smp_list && !patches) continue;
      std::optional<std::string> p = Normalize(dir, r.path);
      if (!p) continue;
      auto f = facts_.find(*p);
      if (f == facts_.end() || desired_.count(*p) == 0) continue;
      const FileFacts& patch = f->second;
      const std::string named = Named(kfile, r);
      if (patches && patch.objects.empty() && !patch.non_objects.empty() &&
          patch.non_objects.front().reason == "a sequence") {
        Add(kfile, r.line, r.column, FindingKind::kPatchTarget,
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

  void CheckPatchTarget(const std::string& kfile, const FileFacts::Reference& r,
                        const std::string& named, const std::string& patch_key,
                        const FileFacts::Object& patch, const FileFacts::Transforms& transforms,
                        const Accumulator& acc, bool complete) {
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
    const bool hidden = Sensitive(kfile) || Sensitive(patch_key);
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
      Add(kfile, r.line, r.column, FindingKind::kPatchTarget,
          named + ": " + what + where + " has no `target:` and matches " +
              std::to_string(surely.size()) + " objects (" + places +
              "); kustomize refuses it: multiple matches, failed to find unique target for "
              "patch");
    } else if (surely.empty() && !maybe && complete) {
      Add(kfile, r.line, r.column, FindingKind::kPatchTarget,
          named + ": " + what + where +
              " has no `target:` and matches no object this kustomization accumulates; "
              "kustomize refuses it: no matches, failed to find unique target for patch");
    }
  }

  void Judge(const std::string& key, const std::string& why) {
    if (collect_ != nullptr) {
      collect_->insert(key);
      return;
    }
    if (!judged_.insert(key).second) return;
    auto f = facts_.find(key);
    if (f == facts_.end()) return;
    for (const FileFacts::NonObject& n : f->second.non_objects) {
      Add(key, n.line, n.column, FindingKind::kNotKubernetesObject,
          "document " + std::to_string(n.document) + " is not a Kubernetes object (" + n.reason +
              "): " + why);
    }
  }

  // The files the build of `root` decodes (item 2's walk for that root
  // alone, reporting nothing).
  std::set<std::string> FilesDecodedBy(const std::string& root) {
    std::set<std::string> files;
    std::unordered_set<std::string> built;
    std::swap(built, built_);
    collect_ = &files;
    CheckDecodedFiles({root});
    collect_ = nullptr;
    std::swap(built, built_);
    return files;
  }

  // An encrypted file (a `sops:` block) in a build whose Flux
  // Kustomization in the tree has no `spec.decryption.provider: sops`:
  // kustomize-controller cannot decrypt it. A root no Kustomization of
  // the tree builds (flux bootstrap's, in flux-system on disk) is not
  // judged: what it decrypts cannot be read (docs/checks.md).
  void CheckDecryption(const std::vector<Root>& roots) {
    bool any = false;
    for (const auto& [key, f] : facts_) any = any || !f.encrypted.empty();
    if (!any) return;
    std::set<std::pair<std::string, std::string>> reported;  // (file, Kustomization)
    for (const Root& root : roots) {
      if (root.by.empty() || root.decrypts) continue;
      for (const std::string& key : FilesDecodedBy(root.dir)) {
        auto f = facts_.find(key);
        if (f == facts_.end() || f->second.encrypted.empty()) continue;
        if (!reported.emplace(key, root.by).second) continue;
        const FileFacts::Encrypted& e = f->second.encrypted.front();
        Add(key, e.line, e.column, FindingKind::kUndecryptable,
            "encrypted with SOPS, and the Flux Kustomization in \"" + ShortForDisplay(root.by) +
                "\" that builds \"" + ShortForDisplay(root.dir) +
                "\" has no spec.decryption.provider: sops, so kustomize-controller cannot "
                "decrypt it; add spec.decryption (provider: sops, secretRef: the Secret holding "
                "the age key) to that Kustomization, or give kustomize-controller a global "
                "decryption key");
      }
    }
  }

  // The objects of the files Flux decodes against their schemas: the
  // findings CheckFile made, or, for a kind a CRD of the tree defines,
  // those of a check against that CRD here (the tree's CRD is what the
  // cluster will run; it wins over the built-in schemas).
  void CheckSchemas(SchemaCoverage* coverage) {
    SchemaCatalog crds = TreeCrds();
    std::vector<std::string> keys(judged_.begin(), judged_.end());
    std::sort(keys.begin(), keys.end());
    for (const std::string& key : keys) {
      auto f = facts_.find(key);
      if (f == facts_.end()) continue;
      std::vector<FileFacts::Object> by_crd;
      for (const FileFacts::Object& o : f->second.objects) {
        if (crds.Find(o.api_version, o.kind)) {
          by_crd.push_back(o);
        } else if (o.schema_checked) {
          Count(o, coverage);
          findings_.insert(findings_.end(), o.schema_findings.begin(), o.schema_findings.end());
        } else {
          Count(o, coverage);
        }
      }
      if (by_crd.empty()) continue;
      CheckObjectSchemas(key, desired_.at(key), &crds, options_.schemas, options_, &by_crd);
      for (const FileFacts::Object& o : by_crd) {
        Count(o, coverage);
        findings_.insert(findings_.end(), o.schema_findings.begin(), o.schema_findings.end());
      }
    }
  }

  static void Count(const FileFacts::Object& o, SchemaCoverage* coverage) {
    if (coverage == nullptr) return;
    if (o.schema_checked) {
      ++coverage->checked;
    } else {
      ++coverage->unchecked[o.api_version + " " + o.kind];
    }
  }

  // Every CustomResourceDefinition of the desired tree, later keys
  // winning over earlier ones for one kind.
  SchemaCatalog TreeCrds() {
    SchemaCatalog crds;
    for (const auto& [key, f] : facts_) {
      for (const FileFacts::Object& o : f.objects) {
        if (o.kind != "CustomResourceDefinition" || o.api_version != "apiextensions.k8s.io/v1") {
          continue;
        }
        std::optional<std::string> json = DocumentAsJson(desired_.at(key), o.document);
        if (json) crds.AddCrdJson(*json, "the CRD in \"" + ShortForDisplay(key) + "\"");
      }
    }
    return crds;
  }

  const DesiredTree& desired_;
  const FactsMap& facts_;
  const CheckOptions& options_;
  std::set<std::string, std::less<>> dirs_;
  std::unordered_map<std::string, PathKind> lookups_;
  std::unordered_map<std::string, std::optional<std::string>> kustomization_of_;
  std::unordered_set<std::string> judged_;
  std::unordered_set<std::string> built_;
  // While set, Judge records the keys it is given here and reports nothing.
  std::set<std::string>* collect_ = nullptr;
  // Item 5: what each kustomization directory yields, and the ones on
  // the way down (a cycle stops there).
  std::unordered_map<std::string, BuiltObjects> included_;
  std::unordered_set<std::string> building_;
  std::vector<Finding> findings_;
};

bool FindingLess(const Finding& a, const Finding& b) {
  if (a.key != b.key) return a.key < b.key;
  if (a.line != b.line) return a.line < b.line;
  return a.column < b.column;
}

}  // namespace

std::vector<Finding> CheckReferences(const DesiredTree& desired, const FactsMap& facts,
                                     const CheckOptions& options, SchemaCoverage* coverage) {
  std::vector<Finding> out = Pass(desired, facts, options).Run(coverage);
  std::stable_sort(out.begin(), out.end(), FindingLess);
  return out;
}

FactsMap CheckFiles(const DesiredTree& desired, const CheckOptions& options) {
  std::vector<const std::pair<const std::string, std::string_view>*> files;
  files.reserve(desired.size());
  for (const auto& entry : desired) {
    if (IsYamlKey(entry.first)) files.push_back(&entry);
  }
  // Each worker parses every n-th file into its own slot: no locks, and
  // the map is built in key order afterwards.
  std::vector<FileFacts> parsed(files.size());
  auto work = [&](size_t first, size_t step) {
    for (size_t i = first; i < files.size(); i += step) {
      parsed[i] = CheckFile(files[i]->first, files[i]->second, options);
    }
  };
  // Below this many files a thread costs more than it saves.
  constexpr size_t kFilesPerThread = 64;
  const size_t threads =
      std::clamp<size_t>(std::min<size_t>(static_cast<size_t>(std::max(options.parallelism, 1)),
                                          files.size() / kFilesPerThread),
                         1, 64);
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work, t, threads);
  work(0, threads);
  for (std::thread& t : pool) t.join();
  FactsMap facts;
  for (size_t i = 0; i < files.size(); ++i) {
    if (parsed[i].parsed) facts.emplace_hint(facts.end(), files[i]->first, std::move(parsed[i]));
  }
  return facts;
}

std::vector<Finding> CheckTree(const DesiredTree& desired, const CheckOptions& options,
                               SchemaCoverage* coverage) {
  FactsMap facts = CheckFiles(desired, options);
  std::vector<Finding> out;
  for (const auto& [key, f] : facts) out.insert(out.end(), f.findings.begin(), f.findings.end());
  std::vector<Finding> refs = CheckReferences(desired, facts, options, coverage);
  out.insert(out.end(), std::make_move_iterator(refs.begin()), std::make_move_iterator(refs.end()));
  std::stable_sort(out.begin(), out.end(), FindingLess);
  return out;
}

}  // namespace wildside::tree::checks
