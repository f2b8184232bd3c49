// Checks: would Flux accept this tree? Run at plan, before anything is
// written, so a broken manifest fails in `tofu plan` instead of inside the
// cluster when kustomize-controller reconciles it (issue 11).
//
// What is checked (docs/checks.md has the full list and the sources):
//   1. every desired `.yaml`, `.yml` and `Kustomization` file parses as a
//      YAML stream (all its documents) and has no duplicate mapping key;
//   2. every `.yaml`/`.yml` file that Flux decodes as Kubernetes objects
//      (in a directory Flux builds without a kustomization file, or listed
//      under `resources` of a kustomization Flux builds) holds only
//      documents that are mappings with `apiVersion` and `kind`, or empty;
//   3. every local path in a kustomization file resolves, inside the
//      checkout, to a file that the apply leaves on disk, and a directory
//      under `resources`/`components` holds a kustomization file;
//   4. the `spec.path` of a Flux Kustomization that lands in the owned
//      roots names a directory that will exist;
//   5. no build Flux runs from the tree accumulates one object id twice
//      (kustomize's "may not add resource with an already registered
//      id"), after the namespace, namePrefix and nameSuffix transformers
//      of every kustomization on the way (docs/checks.md says what of the
//      build is modelled and what is not).
//
// Content is never quoted in a finding: a message may name a key of the
// YAML (a duplicate) or a path a kustomization references, and not even
// those for a key the caller marks sensitive. Nothing here does I/O: what
// exists outside the desired tree comes from CheckOptions::lookup.
//
// Cost: parsing is the only expensive part and it is per file. A caller
// that keeps the FileFacts of files it already checked (they hold no
// content, only positions and referenced paths) calls CheckFile only for
// files whose content changed, and CheckReferences (no parsing; linear in
// the number of keys and references) when the set of paths or any facts
// changed. CheckTree does both for callers that do not cache. A key absent
// from the facts given to CheckReferences is taken as unparsed (its
// references and documents are not judged), so a caller that keeps no
// facts must parse every file whenever anything changed: about 0.3 s of
// CPU per 40 MB (docs/benchmarks.md). A plan where nothing changed needs
// no check at all.
//
// Thread safety: pure functions; CheckFile may run concurrently on
// different files.
#ifndef WILDSIDE_TREE_CHECKS_CHECKS_H_
#define WILDSIDE_TREE_CHECKS_CHECKS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "tree/desired_tree.h"

namespace wildside::tree::checks {

class SchemaCatalog;

// The version of the rule set: bumped whenever a check is added or made
// stricter, so that a caller that remembers which rules a tree passed can
// check it whole again (the provider keeps it in the private state).
//   1  issue 11: YAML, what Flux decodes, references, Flux paths
//   2  issue 17: duplicate-object, patch-target
//   3  issue 17: objects against their schemas (unknown-field, wrong-type,
//      missing-field, invalid-value)
//   4  issue 22: plaintext-secret
//   5  issue 22: undecryptable
inline constexpr int kRuleSet = 5;

enum class FindingKind {
  kYamlSyntax,           // the stream does not parse (one per file: the first error)
  kDuplicateKey,         // a mapping repeats a key (`<<` merge keys excepted)
  kNotKubernetesObject,  // a document Flux decodes lacks apiVersion/kind
  kMissingReference,     // a kustomization path that will not exist (or a directory where a file is
                         // needed)
  kOutsideCheckout,      // a kustomization path that climbs out of the checkout, or is absolute
  kNotAKustomization,    // a directory under resources/components without a kustomization file
  kMultipleKustomizations,  // a directory with more than one kustomization file name
  kFluxPathMissing,  // a Flux Kustomization's spec.path names a directory that will not exist
  kDuplicateObject,  // a build accumulates one object id twice (kustomize refuses the build)
  kPatchTarget,      // a patch without `target:` that kustomize cannot place (see docs/checks.md)
  kUnknownField,     // a field the object's schema does not declare
  kWrongType,        // a value of another type than the schema's
  kMissingField,     // a field the schema requires is absent
  kInvalidValue,     // a value outside the schema's enum or pattern
  kPlaintextSecret,  // a Secret's values, or a secretGenerator's input, committed in clear
  kUndecryptable,    // a SOPS-encrypted file in a build whose Flux Kustomization cannot decrypt
};

// "yaml-syntax", "duplicate-key", ... (stable; used in JSON output).
std::string_view FindingKindName(FindingKind kind);

// One problem. `key` is the desired-tree key of the file it is about;
// `line` and `column` are 1-based, as libyaml's marks: a column counts
// characters, and LF, CRLF, CR, U+0085, U+2028 and U+2029 each end a line
// (YAML 1.1); both 0 when the problem has no place in the file. `message` reads
// "<what>: <why>" and never quotes content (see above).
struct Finding {
  std::string key;
  int line = 0;
  int column = 0;
  FindingKind kind = FindingKind::kYamlSyntax;
  std::string message;

  friend bool operator==(const Finding&, const Finding&) = default;
};

// What a path resolves to on disk after the apply, for paths the desired
// tree does not hold. kUnknown: the disk cannot tell (no checkout where
// the checks run, e.g. `tofu validate` in CI); nothing that depends on
// the path is judged.
enum class PathKind { kMissing, kFile, kDirectory, kUnknown };

// Answers for a normalised repo-relative path ("a/b", never "..", never
// absolute) that is not a desired key nor a directory of one. The caller
// decides what the apply leaves: inside the owned roots a pruning apply
// leaves nothing but the desired tree, outside them what is on disk stays.
// An empty function means: nothing exists outside the desired tree.
using PathLookup = std::function<PathKind(std::string_view path)>;

struct CheckOptions {
  // Globs (tree/layout.h GlobMatch syntax) of keys not parsed at all, e.g.
  // Helm chart templates `platform/*/chart/templates/**`. A reference to an
  // excluded file still resolves (it exists); its content is not judged.
  std::vector<std::string> exclude;
  // Directories Flux is known to build besides the spec.path of the Flux
  // Kustomizations in the tree: the provider passes `clusters/<cluster>`,
  // the path `flux bootstrap` points the cluster's own Kustomization at.
  std::vector<std::string> flux_roots;
  // Roots whose Flux paths are checked (item 4): a spec.path that lands
  // in one of them must exist. Empty: every spec.path inside the checkout.
  std::vector<std::string> owned_roots;
  // Keys whose content is sensitive: their findings name no YAML key and
  // no referenced path, only the place.
  std::function<bool(std::string_view key)> is_sensitive;
  PathLookup lookup;
  // Threads CheckTree parses files on (CheckFile is pure); 1: the calling
  // thread only. Findings and facts are the same whatever the number.
  int parallelism = 1;
  // Report Secrets and secretGenerator inputs committed in clear
  // (kPlaintextSecret, per file): off unless asked, since what to do
  // about them is the caller's (the provider has its own severity).
  bool find_plaintext_secrets = false;
  // Keys the caller writes SOPS-encrypted (the provider's
  // sops_age_recipients): checked as rendered, in clear, but counted as
  // encrypted files for kUndecryptable, at their first line. Empty: none.
  std::function<bool(std::string_view key)> will_encrypt;
  // Schemas objects are checked against (tree/checks/schema.h), besides
  // the CRDs in the desired tree, which win over them. Null: no object is
  // checked against a schema, not even by a CRD in the tree.
  const SchemaCatalog* schemas = nullptr;
};

// What CheckFile learned from one file, enough for the cross-file pass
// without parsing it again. Holds no content besides referenced paths and
// short identifiers (apiVersion, kind).
struct FileFacts {
  // Problems of the file alone (syntax, duplicate keys), in file order.
  std::vector<Finding> findings;
  // False when the file was not parsed (not YAML by name, or excluded);
  // then nothing below is known.
  bool parsed = false;
  // False when the stream did not parse to its end.
  bool complete = false;

  // A document that is neither empty nor a mapping with apiVersion and
  // kind: where it starts and what it lacks ("a sequence", "no kind", ...).
  struct NonObject {
    int line = 0;
    int column = 0;
    int document = 0;  // 1-based index in the stream
    std::string reason;
  };
  std::vector<NonObject> non_objects;

  // One local-path candidate from a kustomization file.
  struct Reference {
    std::string field;  // e.g. "resources", "patches[2].path", "configMapGenerator[0].files"
    std::string path;   // as written (after `key=` is cut from generator files)
    int line = 0;
    int column = 0;
    bool may_be_directory = false;     // resources, components, bases, generators, ...
    bool directory_only = false;       // components: kustomize loads each as a directory
    bool needs_kustomization = false;  // a directory here must hold a kustomization file
    bool decoded_as_objects = false;   // resources: Flux decodes the file as Kubernetes YAML
    bool has_target = false;           // patches[i].path: the item has a `target:`
  };
  std::vector<Reference> references;  // only for kustomization files

  // spec.path of each Flux Kustomization (kustomize.toolkit.fluxcd.io/*)
  // in the file, as written. One without spec.path builds the source's
  // root, which always exists, and is not listed.
  struct FluxPath {
    std::string path;
    int line = 0;
    int column = 0;
    // spec.targetNamespace: Flux sets it as the root kustomization's
    // `namespace`, in place of the root's own.
    std::string target_namespace;
    // spec.decryption.provider is `sops`: Flux decrypts what it builds.
    bool decrypts = false;
  };
  std::vector<FluxPath> flux_paths;

  // Each document with SOPS's top-level `sops:` block (encrypted), at
  // that key.
  struct Encrypted {
    int line = 0;
    int column = 0;
    int document = 0;
  };
  std::vector<Encrypted> encrypted;

  // Each document that is a Kubernetes object with a metadata.name, as
  // written (short identifiers only, no content). Documents of kinds
  // kustomize expands or does not accumulate (`List`s, kustomize's own
  // Kustomization/Component) are left out.
  struct Object {
    std::string api_version;
    std::string kind;
    std::string name;
    std::string namespace_;  // metadata.namespace, empty when absent
    int line = 0;            // where the document's root mapping starts
    int column = 0;
    int document = 0;  // 1-based index in the stream
    // Checked by CheckFile against CheckOptions::schemas, with what it
    // found (used unless a CRD in the tree defines the kind).
    bool schema_checked = false;
    std::vector<Finding> schema_findings;
  };
  std::vector<Object> objects;
  // False when a document is an object kustomize accumulates but is not in
  // `objects` (a List, no name, an id behind an alias): then what the file
  // adds to a build is not wholly known.
  bool objects_known = true;

  // What a kustomization file does to the ids of what it accumulates.
  struct Transforms {
    std::string namespace_;  // `namespace:`, empty when absent
    std::string name_prefix;
    std::string name_suffix;
    // patches, patchesStrategicMerge, patchesJson6902, replacements or
    // transformers: any of them may rename an object, so the ids that
    // leave this kustomization are not known for sure.
    bool may_rename = false;
    // configMapGenerator, secretGenerator, generators or helmCharts: it
    // makes objects of its own, which are not modelled.
    bool generates = false;
  };
  Transforms transforms;  // only for kustomization files
};

// True for the names kustomize recognises: kustomization.yaml,
// kustomization.yml, Kustomization (the base name of `key`).
bool IsKustomizationFile(std::string_view key);

// True when `key` is parsed as YAML: it ends in `.yaml` or `.yml` or is a
// kustomization file (case-sensitive, like Flux's filepath.Ext).
bool IsYamlKey(std::string_view key);

// Parses one file (when IsYamlKey and not excluded) and returns its facts.
// `key` is used for the findings and to know whether it is a
// kustomization file; `content` is only read.
FileFacts CheckFile(std::string_view key, std::string_view content, const CheckOptions& options);

// Facts by key, as CheckFile made them (a key absent here is taken as not
// parsed: its content is not judged).
using FactsMap = std::map<std::string, FileFacts, std::less<>>;

// CheckFile on every key of `desired`, on options.parallelism threads;
// keys not parsed (not YAML, excluded) are left out.
FactsMap CheckFiles(const DesiredTree& desired, const CheckOptions& options);

// How many of the objects the builds apply were checked against a schema,
// and the kinds of those no schema covers (never an error: a kind with no
// schema is the user's CRD installed from elsewhere, say).
struct SchemaCoverage {
  int checked = 0;
  std::map<std::string, int> unchecked;  // "<apiVersion> <kind>" -> objects
};

// The cross-file pass (items 2-5 and the schemas): references, Flux paths,
// what Flux decodes, what each build accumulates, and the schema findings
// of the objects Flux decodes. Reads the keys of `desired`, `facts`,
// options.lookup, and the content of only two kinds of files: those
// holding a CustomResourceDefinition, and those holding an object of a
// kind such a CRD defines (checked against it here, since CheckFile
// cannot know it). Findings in key, then line order. `coverage`, when
// given, is filled when options.schemas is set.
std::vector<Finding> CheckReferences(const DesiredTree& desired, const FactsMap& facts,
                                     const CheckOptions& options,
                                     SchemaCoverage* coverage = nullptr);

// CheckFile on every key, then CheckReferences: every finding, the per-file
// ones first, all sorted by key, line, column.
std::vector<Finding> CheckTree(const DesiredTree& desired, const CheckOptions& options,
                               SchemaCoverage* coverage = nullptr);

// One line: `<attribute>["<key>"]:<line>:<column>: <message>` (the place
// left out when line is 0), or `<key>:<line>:<column>: <message>` when
// `attribute` is empty (the CLI); the key shown with EscapeForDisplay.
std::string FormatFinding(const Finding& finding,
                          std::string_view attribute = "rendered_manifests");

}  // namespace wildside::tree::checks

#endif  // WILDSIDE_TREE_CHECKS_CHECKS_H_
