// The corpus of issue 11: broken trees, each with the findings it must
// give (key, line, column, kind), and well-formed trees that must give
// none. checks_test.cc runs every case through CheckTree; oracle_test.cc
// runs `kustomize build` on the reference cases and checks that it agrees.
#ifndef WILDSIDE_TESTS_CHECKS_CORPUS_H_
#define WILDSIDE_TESTS_CHECKS_CORPUS_H_

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "tree/checks/checks.h"

namespace wildside::tree::checks::testing {

struct Expected {
  std::string key;
  int line;
  int column;
  FindingKind kind;
};

struct Case {
  std::string name;
  std::map<std::string, std::string> files;
  std::vector<Expected> expected;  // empty: must be accepted
  // Directories Flux builds (CheckOptions::flux_roots).
  std::vector<std::string> flux_roots = {"clusters/dev"};
  // For the oracle: the directory `kustomize build` runs on (empty: not a
  // reference case). Its verdict must match `expected.empty()`.
  std::string kustomize_dir = "";
};

// gtest prints the name instead of the bytes.
inline void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

// A Flux Kustomization object pointing at `path`.
inline std::string FluxKustomization(const std::string& name, const std::string& path) {
  return "apiVersion: kustomize.toolkit.fluxcd.io/v1\n"
         "kind: Kustomization\n"
         "metadata:\n"
         "  name: " +
         name +
         "\n"
         "  namespace: flux-system\n"
         "spec:\n"
         "  interval: 10m\n"
         "  path: " +
         path +
         "\n"
         "  prune: true\n"
         "  sourceRef:\n"
         "    kind: GitRepository\n"
         "    name: flux-system\n";
}

inline std::string ConfigMap(const std::string& name) {
  return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\ndata:\n  a: \"1\"\n";
}

inline std::string HelmRepository(const std::string& name) {
  return "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: " +
         name + "\n  namespace: flux-system\nspec:\n  interval: 1h\n  url: https://example.com\n";
}

inline std::string ClusterRole(const std::string& name) {
  return "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: " + name +
         "\nrules: []\n";
}

// `object` (as ConfigMap() or ClusterRole() write it) with a namespace
// after its name.
inline std::string InNamespace(const std::string& object, const std::string& ns) {
  std::string out = object;
  size_t name = out.find("\n  name: ");
  size_t eol = out.find('\n', name + 1);
  return out.insert(eol + 1, "  namespace: " + ns + "\n");
}

inline std::string Kustomization(const std::string& body) {
  return "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n" + body;
}

// A CustomResourceDefinition bundle of at least `bytes` bytes: many CRDs
// with deep openAPIV3Schema trees, as vendored CRD files are.
inline std::string CrdBundle(size_t bytes) {
  std::string out;
  for (int i = 0; out.size() < bytes; ++i) {
    std::string n = std::to_string(i);
    out +=
        "---\n"
        "apiVersion: apiextensions.k8s.io/v1\n"
        "kind: CustomResourceDefinition\n"
        "metadata:\n"
        "  name: widgets" +
        n +
        ".example.com\n"
        "  annotations:\n"
        "    controller-gen.kubebuilder.io/version: v0.16.0\n"
        "spec:\n"
        "  group: example.com\n"
        "  names:\n"
        "    kind: Widget" +
        n +
        "\n"
        "    listKind: Widget" +
        n +
        "List\n"
        "    plural: widgets" +
        n +
        "\n"
        "    singular: widget" +
        n +
        "\n"
        "  scope: Namespaced\n"
        "  versions:\n"
        "  - name: v1\n"
        "    served: true\n"
        "    storage: true\n"
        "    schema:\n"
        "      openAPIV3Schema:\n"
        "        description: >-\n"
        "          Widget is the Schema for the widgets API. It spans\n"
        "          several lines: key: value pairs here are text.\n"
        "        type: object\n"
        "        properties:\n"
        "          apiVersion:\n"
        "            type: string\n"
        "          kind:\n"
        "            type: string\n"
        "          spec:\n"
        "            type: object\n"
        "            properties:\n";
    for (int f = 0; f < 12; ++f) {
      std::string fn = std::to_string(f);
      out += "              field" + fn +
             ":\n"
             "                description: |\n"
             "                  Field " +
             fn +
             " of the widget.\n"
             "                  default: none\n"
             "                type: string\n"
             "                enum: [\"a\", \"b\", 'c']\n"
             "                x-kubernetes-validations:\n"
             "                - rule: self.size() < 64\n"
             "                  message: too long\n";
    }
    out += "            required: [field0]\n";
  }
  return out;
}

inline std::vector<Case> BrokenCases() {
  std::vector<Case> cases;
  cases.push_back(
      {"TabIndentation",
       {{"platform/traefik/tab.yaml", "apiVersion: v1\nkind: ConfigMap\ndata:\n\tkey: value\n"}},
       {{"platform/traefik/tab.yaml", 4, 1, FindingKind::kYamlSyntax}}});
  cases.push_back({"UnclosedQuote",
                   {{"platform/traefik/quote.yaml",
                     "apiVersion: v1\nkind: ConfigMap\ndata:\n  motd: \"hello\n  other: x\n"}},
                   {{"platform/traefik/quote.yaml", 4, 9, FindingKind::kYamlSyntax}}});
  cases.push_back({"DuplicateKey",
                   {{"platform/traefik/dup.yaml",
                     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n"}},
                   {{"platform/traefik/dup.yaml", 5, 3, FindingKind::kDuplicateKey}}});
  // Two dashes instead of three: a lone plain scalar where a key was due.
  cases.push_back({"BadDocumentSeparator",
                   {{"platform/traefik/multi.yaml",
                     "apiVersion: v1\nkind: ConfigMap\n--\napiVersion: v1\nkind: Secret\n"}},
                   {{"platform/traefik/multi.yaml", 3, 1, FindingKind::kYamlSyntax}}});
  cases.push_back({"NonObjectWhereFluxGenerates",
                   {{"clusters/dev/values.yaml", "replicaCount: 1\n"},
                    {"clusters/dev/app.yaml", ConfigMap("app") + "---\n- a\n- b\n"},
                    {"clusters/dev/sub/list.yml", "# a comment\n\n- x\n"}},
                   {{"clusters/dev/app.yaml", 8, 1, FindingKind::kNotKubernetesObject},
                    {"clusters/dev/sub/list.yml", 3, 1, FindingKind::kNotKubernetesObject},
                    {"clusters/dev/values.yaml", 1, 1, FindingKind::kNotKubernetesObject}}});
  cases.push_back({"KustomizationListsMissingFile",
                   {{"platform/traefik/kustomization.yaml",
                     Kustomization("resources:\n  - helmrelease.yaml\n  - missing.yaml\n")},
                    {"platform/traefik/helmrelease.yaml", ConfigMap("hr")}},
                   {{"platform/traefik/kustomization.yaml", 5, 5, FindingKind::kMissingReference}},
                   {},
                   "platform/traefik"});
  cases.push_back(
      {"ListedDirectoryWithoutKustomization",
       {{"platform/external-dns/kustomization.yaml", Kustomization("resources:\n- sub\n")},
        {"platform/external-dns/sub/cm.yaml", ConfigMap("cm")}},
       {{"platform/external-dns/kustomization.yaml", 4, 3, FindingKind::kNotAKustomization}},
       {},
       "platform/external-dns"});
  cases.push_back({"ReferenceOutsideCheckout",
                   {{"modules/kustomization.yaml",
                     Kustomization("resources:\n- cm.yaml\n- ../../outside.yaml\n")},
                    {"modules/cm.yaml", ConfigMap("cm")}},
                   {{"modules/kustomization.yaml", 5, 3, FindingKind::kOutsideCheckout}},
                   {},
                   "modules"});
  // One problem per reference case, so that kustomize (which stops at the
  // first) fails for that one.
  cases.push_back(
      {"MissingPatchFile",
       {{"platform/vault/kustomization.yaml",
         Kustomization("resources:\n- cm.yaml\n"
                       "patches:\n- path: patch.yaml\n- path: gone.yaml\n")},
        {"platform/vault/cm.yaml", ConfigMap("cm")},
        {"platform/vault/patch.yaml",
         "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  b: \"2\"\n"}},
       {{"platform/vault/kustomization.yaml", 7, 9, FindingKind::kMissingReference}},
       {},
       "platform/vault"});
  cases.push_back(
      {"MissingGeneratorFile",
       {{"platform/databases/kustomization.yaml",
         Kustomization("configMapGenerator:\n- name: cfg\n"
                       "  files:\n  - app.conf\n  - key=missing.conf\n")},
        {"platform/databases/app.conf", "x=1\n"}},
       {{"platform/databases/kustomization.yaml", 7, 5, FindingKind::kMissingReference}},
       {},
       "platform/databases"});
  cases.push_back({"MissingComponent",
                   {{"platform/sources/kustomization.yaml",
                     Kustomization("resources:\n- cm.yaml\ncomponents:\n- ../components/gone\n")},
                    {"platform/sources/cm.yaml", ConfigMap("cm")}},
                   {{"platform/sources/kustomization.yaml", 6, 3, FindingKind::kMissingReference}},
                   {},
                   "platform/sources"});
  // The other fields that name files, one missing target each; kustomize
  // refuses every one (the oracle runs them all).
  struct FieldCase {
    const char* name;
    const char* body;  // after "resources: [cm.yaml]" (lines 3-4)
    int line;
    int column;
    FindingKind kind;
  };
  const FieldCase fields[] = {
      {"MissingCrd", "crds:\n- gone.yaml\n", 6, 3, FindingKind::kMissingReference},
      {"MissingReplacement", "replacements:\n- path: gone.yaml\n", 6, 9,
       FindingKind::kMissingReference},
      {"MissingOpenapi", "openapi:\n  path: gone.json\n", 6, 9, FindingKind::kMissingReference},
      {"MissingBase", "bases:\n- ../gone\n", 6, 3, FindingKind::kMissingReference},
      {"MissingConfiguration", "configurations:\n- gone.yaml\n", 6, 3,
       FindingKind::kMissingReference},
      {"MissingJson6902Patch",
       "patchesJson6902:\n- path: gone.yaml\n  target:\n    kind: ConfigMap\n    name: cm\n"
       "    version: v1\n",
       6, 9, FindingKind::kMissingReference},
      {"MissingSecretEnv", "secretGenerator:\n- name: s\n  envs:\n  - gone.env\n", 8, 5,
       FindingKind::kMissingReference},
      {"MissingTransformer", "transformers:\n- gone.yaml\n", 6, 3, FindingKind::kMissingReference},
      {"MissingGenerator", "generators:\n- gone\n", 6, 3, FindingKind::kMissingReference},
      {"ComponentWithoutKustomization", "components:\n- comp\n", 6, 3,
       FindingKind::kNotAKustomization},
  };
  for (const FieldCase& f : fields) {
    std::string dir = std::string("platform/cert-manager/") + f.name;
    cases.push_back({f.name,
                     {{dir + "/kustomization.yaml",
                       Kustomization(std::string("resources:\n- cm.yaml\n") + f.body)},
                      {dir + "/cm.yaml", ConfigMap("cm")},
                      {dir + "/comp/notes.txt", "a component without its kustomization\n"}},
                     {{dir + "/kustomization.yaml", f.line, f.column, f.kind}},
                     {},
                     dir});
  }
  cases.push_back({"DuplicateKeyInListedResource",
                   {{"platform/redis/kustomization.yaml", Kustomization("resources:\n- cm.yaml\n")},
                    {"platform/redis/cm.yaml",
                     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n"}},
                   {{"platform/redis/cm.yaml", 5, 3, FindingKind::kDuplicateKey}},
                   {},
                   "platform/redis"});
  cases.push_back(
      {"TabInKustomization",
       {{"platform/redis/kustomization.yaml", Kustomization("resources:\n\t- cm.yaml\n")},
        {"platform/redis/cm.yaml", ConfigMap("cm")}},
       {{"platform/redis/kustomization.yaml", 4, 1, FindingKind::kYamlSyntax}},
       {},
       "platform/redis"});
  cases.push_back(
      {"ResourcesListNonObject",
       {{"platform/redis/kustomization.yaml", Kustomization("resources:\n- values.yaml\n")},
        {"platform/redis/values.yaml", "replicaCount: 1\n"}},
       {{"platform/redis/values.yaml", 1, 1, FindingKind::kNotKubernetesObject}},
       {"platform/redis"},
       "platform/redis"});
  // Item 5 (issue 17): one object accumulated twice. The nested layout
  // of a real render: Flux generates a kustomization for clusters/dev,
  // which takes sources/repo.yaml directly and again through the
  // databases kustomization (no kustomize_dir: `kustomize build` cannot
  // generate Flux's kustomization).
  cases.push_back(
      {"NestedLayoutSourceTwice",
       {{"clusters/dev/platform/sources/repo.yaml", HelmRepository("cloudnative-pg")},
        {"clusters/dev/platform/databases/kustomization.yaml",
         Kustomization("resources:\n- ../sources/repo.yaml\n- release.yaml\n")},
        {"clusters/dev/platform/databases/release.yaml", ConfigMap("release")}},
       {{"clusters/dev/platform/sources/repo.yaml", 1, 1, FindingKind::kDuplicateObject}}});
  cases.push_back(
      {"TwoFilesOneObject",
       {{"platform/redis/kustomization.yaml", Kustomization("resources:\n- a.yaml\n- b.yaml\n")},
        {"platform/redis/a.yaml", ConfigMap("cm")},
        {"platform/redis/b.yaml", "# the same object again\n---\n" + ConfigMap("cm")}},
       {{"platform/redis/b.yaml", 3, 1, FindingKind::kDuplicateObject}},
       {"platform/redis"},
       "platform/redis"});
  cases.push_back(
      {"NoNamespaceIsDefault",
       {{"platform/redis/kustomization.yaml", Kustomization("resources:\n- a.yaml\n- b.yaml\n")},
        {"platform/redis/a.yaml", ConfigMap("cm")},
        {"platform/redis/b.yaml", InNamespace(ConfigMap("cm"), "default")}},
       {{"platform/redis/b.yaml", 1, 1, FindingKind::kDuplicateObject}},
       {"platform/redis"},
       "platform/redis"});
  cases.push_back(
      {"ClusterScopedIgnoresNamespace",
       {{"platform/vault/kustomization.yaml", Kustomization("resources:\n- a.yaml\n- b.yaml\n")},
        {"platform/vault/a.yaml", InNamespace(ClusterRole("reader"), "a")},
        {"platform/vault/b.yaml", InNamespace(ClusterRole("reader"), "b")}},
       {{"platform/vault/b.yaml", 1, 1, FindingKind::kDuplicateObject}},
       {"platform/vault"},
       "platform/vault"});
  cases.push_back({"NamespaceMakesIdsOne",
                   {{"platform/vault/kustomization.yaml",
                     Kustomization("namespace: vault\nresources:\n- a.yaml\n- b.yaml\n")},
                    {"platform/vault/a.yaml", InNamespace(ConfigMap("cm"), "a")},
                    {"platform/vault/b.yaml", InNamespace(ConfigMap("cm"), "b")}},
                   {{"platform/vault/b.yaml", 1, 1, FindingKind::kDuplicateObject}},
                   {"platform/vault"},
                   "platform/vault"});
  cases.push_back(
      {"DirectoryListedTwice",
       {{"platform/traefik/kustomization.yaml", Kustomization("resources:\n- base\n- ./base/\n")},
        {"platform/traefik/base/kustomization.yaml", Kustomization("resources:\n- cm.yaml\n")},
        {"platform/traefik/base/cm.yaml", ConfigMap("cm")}},
       {{"platform/traefik/base/cm.yaml", 1, 1, FindingKind::kDuplicateObject}},
       {"platform/traefik"},
       "platform/traefik"});
  cases.push_back(
      {"OverlayAndBaseInOneBuild",
       {{"platform/databases/kustomization.yaml", Kustomization("resources:\n- base\n- overlay\n")},
        {"platform/databases/base/kustomization.yaml", Kustomization("resources:\n- cm.yaml\n")},
        {"platform/databases/base/cm.yaml", ConfigMap("cm")},
        {"platform/databases/overlay/kustomization.yaml",
         Kustomization("resources:\n- ../base\n")}},
       {{"platform/databases/base/cm.yaml", 1, 1, FindingKind::kDuplicateObject}},
       {"platform/databases"},
       "platform/databases"});
  // Patches without a target (issue 17 item 1).
  cases.push_back(
      {"StrategicMergePatchMatchesNothing",
       {{"platform/redis/kustomization.yaml",
         Kustomization("resources:\n- cm.yaml\npatchesStrategicMerge:\n- patch.yaml\n")},
        {"platform/redis/cm.yaml", ConfigMap("cm")},
        {"platform/redis/patch.yaml", ConfigMap("other")}},
       {{"platform/redis/kustomization.yaml", 6, 3, FindingKind::kPatchTarget}},
       {"platform/redis"},
       "platform/redis"});
  cases.push_back({"PatchFileWithoutTargetMatchesNothing",
                   {{"platform/redis/kustomization.yaml",
                     Kustomization("resources:\n- cm.yaml\npatches:\n- path: patch.yaml\n")},
                    {"platform/redis/cm.yaml", ConfigMap("cm")},
                    {"platform/redis/patch.yaml", InNamespace(ConfigMap("cm"), "elsewhere")}},
                   {{"platform/redis/kustomization.yaml", 6, 9, FindingKind::kPatchTarget}},
                   {"platform/redis"},
                   "platform/redis"});
  cases.push_back({"Json6902PatchWithoutTarget",
                   {{"platform/redis/kustomization.yaml",
                     Kustomization("resources:\n- cm.yaml\npatches:\n- path: ops.yaml\n")},
                    {"platform/redis/cm.yaml", ConfigMap("cm")},
                    {"platform/redis/ops.yaml", "- op: add\n  path: /data/b\n  value: \"2\"\n"}},
                   {{"platform/redis/kustomization.yaml", 6, 9, FindingKind::kPatchTarget}},
                   {"platform/redis"},
                   "platform/redis"});
  cases.push_back(
      {"PatchMatchesTwoObjectsByTheirEarlierName",
       {{"platform/databases/kustomization.yaml",
         Kustomization("resources:\n- blue\n- green\npatchesStrategicMerge:\n- patch.yaml\n")},
        {"platform/databases/patch.yaml", ConfigMap("cm")},
        {"platform/databases/base/kustomization.yaml", Kustomization("resources:\n- cm.yaml\n")},
        {"platform/databases/base/cm.yaml", ConfigMap("cm")},
        {"platform/databases/blue/kustomization.yaml",
         Kustomization("namePrefix: blue-\nresources:\n- ../base\n")},
        {"platform/databases/green/kustomization.yaml",
         Kustomization("namePrefix: green-\nresources:\n- ../base\n")}},
       {{"platform/databases/kustomization.yaml", 7, 3, FindingKind::kPatchTarget}},
       {"platform/databases"},
       "platform/databases"});
  cases.push_back({"FluxPathToMissingDirectory",
                   {{"clusters/dev/apps.yaml", FluxKustomization("apps", "./platform/missing")}},
                   {{"clusters/dev/apps.yaml", 8, 9, FindingKind::kFluxPathMissing}}});
  return cases;
}

inline std::vector<Case> GoodCases() {
  std::vector<Case> cases;
  cases.push_back({"MultiDocument",
                   {{"clusters/dev/multi.yaml",
                     "# leading comment\n---\n" + ConfigMap("a") + "---\n" + ConfigMap("b") +
                         "...\n---\n# only a comment\n---\n" + ConfigMap("c") + "---\n"}},
                   {}});
  cases.push_back({"AnchorsAliasesMergeKeys",
                   {{"clusters/dev/anchors.yaml",
                     "apiVersion: v1\n"
                     "kind: ConfigMap\n"
                     "metadata:\n"
                     "  name: x\n"
                     "  labels: &labels\n"
                     "    app: x\n"
                     "    tier: web\n"
                     "  annotations:\n"
                     "    <<: *labels\n"
                     "    app: y\n"
                     "data:\n"
                     "  base: &base {a: \"1\", b: \"2\"}\n"
                     "  derived:\n"
                     "    <<: *base\n"
                     "    b: \"3\"\n"
                     "  both:\n"
                     "    <<: [*base, *labels]\n"
                     "    a: \"4\"\n"
                     "  copy: *labels\n"
                     "  quoted: {\"a\": 1, b: 2}\n"}},
                   {}});
  cases.push_back({"BlockScalars",
                   {{"clusters/dev/blocks.yaml",
                     "apiVersion: v1\n"
                     "kind: ConfigMap\n"
                     "metadata:\n"
                     "  name: blocks\n"
                     "data:\n"
                     "  config.yaml: |\n"
                     "    a: 1\n"
                     "    a: 1\n"
                     "    \tTabbed: inside a block scalar\n"
                     "  folded: >-\n"
                     "    one\n"
                     "    two\n"
                     "  kept: |+\n"
                     "    keep\n"
                     "\n"
                     "  indented: |2\n"
                     "      two more\n"}},
                   {}});
  cases.push_back({"CrdBundle206KB", {{"clusters/dev/crds.yaml", CrdBundle(206 * 1024)}}, {}});
  cases.push_back(
      {"HelmValuesBesideKustomization",
       {{"clusters/dev/traefik.yaml", FluxKustomization("traefik", "./platform/traefik")},
        {"platform/traefik/kustomization.yaml",
         Kustomization("resources:\n  - helmrelease.yaml\n"
                       "configMapGenerator:\n  - name: traefik-values\n"
                       "    files:\n      - values.yaml=values.yaml\n")},
        {"platform/traefik/helmrelease.yaml", ConfigMap("hr")},
        {"platform/traefik/values.yaml", "replicaCount: 1\nimage:\n  tag: v3\n"},
        {"platform/traefik/extra/values.yml", "# a values file nobody lists\nfoo: bar\n"}},
       {},
       {"clusters/dev"},
       "platform/traefik"});
  cases.push_back({"MergeKeysInListedResource",
                   {{"platform/redis/kustomization.yaml", Kustomization("resources:\n- cm.yaml\n")},
                    {"platform/redis/cm.yaml",
                     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"
                     "  labels: &l {x: \"1\"}\n  annotations:\n    <<: *l\n    x: \"2\"\n"}},
                   {},
                   {"platform/redis"},
                   "platform/redis"});
  cases.push_back({"OverlayReadsBaseFile",
                   {{"platform/cert-manager/base/cm.yaml", ConfigMap("cm")},
                    {"platform/cert-manager/overlay/kustomization.yaml",
                     Kustomization("resources:\n- ../base/cm.yaml\n")}},
                   {},
                   {},
                   "platform/cert-manager/overlay"});
  cases.push_back(
      {"EveryLocalField",
       {{"platform/databases/kustomization.yaml",
         Kustomization("resources:\n- cm.yaml\n- ./base/\n"
                       "components:\n- comp\n"
                       "patches:\n- path: patch.yaml\n  target:\n    kind: ConfigMap\n"
                       "- patch: |-\n    - op: add\n      path: /data/c\n      value: \"3\"\n"
                       "  target:\n    kind: ConfigMap\n    name: cm\n"
                       "patchesStrategicMerge:\n- smp.yaml\n"
                       "configMapGenerator:\n- name: gen\n  files:\n  - app.conf\n"
                       "  - other=app.conf\n  envs:\n  - app.env\n"
                       "secretGenerator:\n- name: sec\n  envs:\n  - app.env\n")},
        {"platform/databases/cm.yaml", ConfigMap("cm")},
        {"platform/databases/base/kustomization.yml", Kustomization("resources:\n- svc.yaml\n")},
        {"platform/databases/base/svc.yaml", ConfigMap("svc")},
        {"platform/databases/comp/Kustomization",
         "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
         "commonLabels:\n  comp: \"yes\"\n"},
        {"platform/databases/patch.yaml",
         "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  b: \"2\"\n"},
        {"platform/databases/smp.yaml",
         "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: svc\ndata:\n  s: \"1\"\n"},
        {"platform/databases/app.conf", "x=1\n"},
        {"platform/databases/app.env", "A=1\n"}},
       {},
       {"platform/databases"},
       "platform/databases"});
  cases.push_back(
      {"EveryOtherField",
       {{"platform/vault/kustomization.yaml",
         Kustomization("resources:\n- cm.yaml\nbases:\n- base\n"
                       "patchesJson6902:\n- path: json6902.yaml\n  target:\n    version: v1\n"
                       "    kind: ConfigMap\n    name: cm\n"
                       "replacements:\n- path: replacement.yaml\n"
                       "configurations:\n- config.yaml\n"
                       "secretGenerator:\n- name: s\n  env: app.env\n")},
        {"platform/vault/cm.yaml", ConfigMap("cm")},
        {"platform/vault/base/kustomization.yaml", "resources:\n- svc.yaml\n"},
        {"platform/vault/base/svc.yaml", ConfigMap("svc")},
        {"platform/vault/json6902.yaml", "- op: add\n  path: /data/j\n  value: \"6902\"\n"},
        {"platform/vault/replacement.yaml",
         "source:\n  kind: ConfigMap\n  name: cm\n  fieldPath: data.a\n"
         "targets:\n- select:\n    name: svc\n  fieldPaths:\n  - data.a\n"},
        {"platform/vault/config.yaml", "nameReference: []\n"},
        {"platform/vault/app.env", "A=1\n"}},
       {},
       {"platform/vault"},
       "platform/vault"});
  cases.push_back(
      {"VersionsAreDifferentIds",
       {{"platform/redis/kustomization.yaml", Kustomization("resources:\n- a.yaml\n- b.yaml\n")},
        {"platform/redis/a.yaml", HelmRepository("repo")},
        {"platform/redis/b.yaml",
         "apiVersion: source.toolkit.fluxcd.io/v1beta2\nkind: HelmRepository\n"
         "metadata:\n  name: repo\n  namespace: flux-system\n"}},
       {},
       {"platform/redis"},
       "platform/redis"});
  cases.push_back(
      {"KindIsCaseSensitive",
       {{"platform/redis/kustomization.yaml", Kustomization("resources:\n- a.yaml\n- b.yaml\n")},
        {"platform/redis/a.yaml", ConfigMap("cm")},
        {"platform/redis/b.yaml", "apiVersion: v1\nkind: Configmap\nmetadata:\n  name: cm\n"}},
       {},
       {"platform/redis"},
       "platform/redis"});
  cases.push_back(
      {"NamespacesKeepIdsApart",
       {{"platform/redis/kustomization.yaml", Kustomization("resources:\n- a.yaml\n- b.yaml\n")},
        {"platform/redis/a.yaml", InNamespace(ConfigMap("cm"), "a")},
        {"platform/redis/b.yaml", InNamespace(ConfigMap("cm"), "b")}},
       {},
       {"platform/redis"},
       "platform/redis"});
  cases.push_back(
      {"PrefixesKeepOverlaysApart",
       {{"platform/databases/kustomization.yaml", Kustomization("resources:\n- blue\n- green\n")},
        {"platform/databases/base/kustomization.yaml", Kustomization("resources:\n- cm.yaml\n")},
        {"platform/databases/base/cm.yaml", ConfigMap("cm")},
        {"platform/databases/blue/kustomization.yaml",
         Kustomization("namePrefix: blue-\nresources:\n- ../base\n")},
        {"platform/databases/green/kustomization.yaml",
         Kustomization("nameSuffix: -green\nresources:\n- ../base\n")}},
       {},
       {"platform/databases"},
       "platform/databases"});
  cases.push_back(
      {"NamespacesKeepOverlaysApart",
       {{"platform/databases/kustomization.yaml", Kustomization("resources:\n- blue\n- green\n")},
        {"platform/databases/base/kustomization.yaml", Kustomization("resources:\n- cm.yaml\n")},
        {"platform/databases/base/cm.yaml", ConfigMap("cm")},
        {"platform/databases/blue/kustomization.yaml",
         Kustomization("namespace: blue\nresources:\n- ../base\n")},
        {"platform/databases/green/kustomization.yaml",
         Kustomization("namespace: green\nresources:\n- ../base\n")}},
       {},
       {"platform/databases"},
       "platform/databases"});
  cases.push_back(
      {"PatchesThatKustomizePlaces",
       {{"platform/databases/kustomization.yaml",
         Kustomization("resources:\n- blue\n- cm.yaml\npatchesStrategicMerge:\n- smp.yaml\n"
                       "patches:\n- path: by-earlier-name.yaml\n- path: default-ns.yaml\n"
                       "- path: targeted.yaml\n  target:\n    kind: Secret\n")},
        {"platform/databases/cm.yaml", ConfigMap("plain")},
        {"platform/databases/smp.yaml", ConfigMap("plain")},
        {"platform/databases/by-earlier-name.yaml", ConfigMap("cm")},
        {"platform/databases/default-ns.yaml", InNamespace(ConfigMap("plain"), "default")},
        {"platform/databases/targeted.yaml", ConfigMap("nothing-has-this-name")},
        {"platform/databases/base/kustomization.yaml", Kustomization("resources:\n- cm.yaml\n")},
        {"platform/databases/base/cm.yaml", ConfigMap("cm")},
        {"platform/databases/blue/kustomization.yaml",
         Kustomization("namePrefix: blue-\nresources:\n- ../base\n")}},
       {},
       {"platform/databases"},
       "platform/databases"});
  // The shared layout as it should be: clusters/dev has no kustomization,
  // the sources are taken once, the components list only their own files.
  cases.push_back(
      {"SharedLayoutSourcesOnce",
       {{"clusters/dev/platform.yaml", FluxKustomization("platform", "./platform")},
        {"platform/sources/kustomization.yaml", Kustomization("resources:\n- repo.yaml\n")},
        {"platform/sources/repo.yaml", HelmRepository("cloudnative-pg")},
        {"platform/databases/kustomization.yaml", Kustomization("resources:\n- release.yaml\n")},
        {"platform/databases/release.yaml", ConfigMap("release")}},
       {}});
  return cases;
}

}  // namespace wildside::tree::checks::testing

#endif  // WILDSIDE_TESTS_CHECKS_CORPUS_H_
