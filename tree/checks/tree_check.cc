// The cross-file pass: kustomization references, Flux paths, which files
// Flux decodes as Kubernetes objects, whether their builds can decrypt
// them, and the objects' schemas; what each build accumulates is
// build_model.cc's, what the pass reads of the tree tree_view.cc's.
// Existence outside the desired tree comes from CheckOptions::lookup.
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

#include "tree/checks/build_model.h"
#include "tree/checks/checks.h"
#include "tree/checks/internal.h"
#include "tree/checks/schema.h"
#include "tree/checks/tree_view.h"
#include "tree/content.h"
#include "tree/layout.h"

namespace wildside::tree::checks {

namespace {

class Pass {
 public:
  Pass(const DesiredTree& desired, const FactsMap& facts, const CheckOptions& options)
      : view_(desired, facts, options),
        model_(&view_),
        desired_(desired),
        facts_(facts),
        options_(options),
        findings_(view_.findings()) {}

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
    for (const Root& r : roots) model_.CheckBuild(r);
    model_.DropRepeatedDuplicates();
    if (options_.schemas != nullptr) CheckSchemas(coverage);
    return std::move(findings_);
  }

 private:
  void CheckKustomizations() {
    std::map<std::string, std::vector<std::string>> per_dir;
    for (const auto& [key, content] : desired_) {
      if (IsKustomizationFile(key)) per_dir[std::string(ParentPath(key))].push_back(key);
    }
    for (const auto& [dir, keys] : per_dir) {
      for (size_t i = 1; i < keys.size(); ++i) {
        view_.Add(keys[i], 0, 0, FindingKind::kMultipleKustomizations,
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
      view_.Add(key, r.line, r.column, FindingKind::kOutsideCheckout,
                view_.Named(key, r) +
                    ": an absolute path: Flux builds in a filesystem rooted at the "
                    "source, so only paths relative to the kustomization resolve");
      return;
    }
    std::optional<std::string> resolved = Normalize(dir, r.path);
    if (!resolved) {
      view_.Add(key, r.line, r.column, FindingKind::kOutsideCheckout,
                view_.Named(key, r) +
                    ": climbs out of the checkout: Flux refuses paths outside the "
                    "source root");
      return;
    }
    PathKind kind = view_.KindOf(*resolved);
    std::string shown = view_.Sensitive(key) ? "" : " (\"" + ShortForDisplay(*resolved) + "\")";
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
      view_.Add(key, r.line, r.column, FindingKind::kMissingReference,
                view_.Named(key, r) + ": not found" + shown + ": no such " + what +
                    " in the desired tree or on disk after the apply");
      return;
    }
    if (kind == PathKind::kDirectory) {
      if (!r.may_be_directory) {
        view_.Add(key, r.line, r.column, FindingKind::kMissingReference,
                  view_.Named(key, r) + ": is a directory" + shown + ": this field needs a file");
      } else if (r.needs_kustomization && !view_.KustomizationIn(*resolved)) {
        view_.Add(key, r.line, r.column, FindingKind::kNotAKustomization,
                  view_.Named(key, r) + ": the directory" + shown +
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
        PathKind kind = view_.KindOf(*n);
        if (kind == PathKind::kDirectory) {
          roots.push_back({*n, p.target_namespace, key, p.decrypts});
          continue;
        }
        if (kind == PathKind::kUnknown) continue;
        std::string shown = view_.Sensitive(key) ? "" : " \"" + ShortForDisplay(p.path) + "\"";
        view_.Add(key, p.line, p.column, FindingKind::kFluxPathMissing,
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
      if (view_.KindOf(r) != PathKind::kDirectory || !built_.insert(r).second) continue;
      if (std::optional<std::string> k = view_.KustomizationIn(r)) {
        BuildKustomization(*k, r, &queue);
      } else {
        Generate(r, &queue);
      }
    }
    while (!queue.empty()) {
      std::string dir = std::move(queue.front());
      queue.pop_front();
      if (!built_.insert(dir).second) continue;
      if (std::optional<std::string> k = view_.KustomizationIn(dir))
        BuildKustomization(*k, dir, &queue);
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
      PathKind kind = view_.KindOf(*p);
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
      std::optional<std::string> stop = view_.FirstKustomizationBelow(prefix.size(), key);
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

  void Judge(const std::string& key, const std::string& why) {
    if (collect_ != nullptr) {
      collect_->insert(key);
      return;
    }
    if (!judged_.insert(key).second) return;
    auto f = facts_.find(key);
    if (f == facts_.end()) return;
    for (const FileFacts::NonObject& n : f->second.non_objects) {
      view_.Add(key, n.line, n.column, FindingKind::kNotKubernetesObject,
                "document " + std::to_string(n.document) + " is not a Kubernetes object (" +
                    n.reason + "): " + why);
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
    const auto& will_encrypt = options_.will_encrypt;
    auto encrypted = [&will_encrypt](const std::string& key, const FileFacts& f) {
      return !f.encrypted.empty() || (will_encrypt && will_encrypt(key));
    };
    bool any = false;
    for (const auto& [key, f] : facts_) any = any || encrypted(key, f);
    if (!any) return;
    std::set<std::pair<std::string, std::string>> reported;  // (file, Kustomization)
    for (const Root& root : roots) {
      if (root.by.empty() || root.decrypts) continue;
      for (const std::string& key : FilesDecodedBy(root.dir)) {
        auto f = facts_.find(key);
        if (f == facts_.end() || !encrypted(key, f->second)) continue;
        if (!reported.emplace(key, root.by).second) continue;
        const bool by_us = f->second.encrypted.empty();
        const FileFacts::Encrypted e =
            by_us ? FileFacts::Encrypted{1, 1, 0} : f->second.encrypted.front();
        view_.Add(
            key, e.line, e.column, FindingKind::kUndecryptable,
            std::string(by_us ? "to be written encrypted with SOPS (sops_age_recipients)"
                              : "encrypted with SOPS") +
                ", and the Flux Kustomization in \"" + ShortForDisplay(root.by) +
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

  TreeView view_;
  BuildModel model_;
  const DesiredTree& desired_;
  const FactsMap& facts_;
  const CheckOptions& options_;
  std::vector<Finding>& findings_;  // view_'s
  std::unordered_set<std::string> judged_;
  std::unordered_set<std::string> built_;
  // While set, Judge records the keys it is given here and reports nothing.
  std::set<std::string>* collect_ = nullptr;
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
