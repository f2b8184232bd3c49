// kubeconform as the schema checks' oracle (issue 17, item 4): for every
// case below, Flux's own build (tests/oracles/flux-build) builds the root,
// kubeconform judges the built objects against the same schemas made
// strict (tests/oracles/kubeconform/schemas), and the objects it finds
// invalid must be exactly those CheckTree reports a schema finding for.
//
// The cases cover every schema finding kind and clean trees of realistic
// shape (a platform with Flux sources, HelmReleases with values, a CRD
// shipped beside its resources, objects of kinds no schema covers, the
// nested and the shared layout). Where the two disagree on purpose,
// `disagrees` says why, and the test requires the difference.
//
// The binaries come from scripts/install-kubeconform (WILDSIDE_KUBECONFORM,
// a directory) and scripts/install-flux-build; a missing one fails the
// test, it is never skipped.
#include <sys/stat.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tree/checks/checks.h"
#include "tree/checks/internal.h"
#include "tree/checks/schema.h"
#include "tree_test_util.h"

namespace wildside::tree::checks {
namespace {

struct SchemaCase {
  std::string name;
  std::map<std::string, std::string> files;
  std::string root;                           // built by flux-build
  std::set<std::string> invalid;              // "Kind/name" both must find invalid
  std::string disagrees;                      // why kubeconform differs, or empty
  std::set<std::string> kubeconform_invalid;  // what it finds when it differs
};

const char kRepo[] =
    "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n"
    "  name: traefik\n  namespace: flux-system\nspec:\n  interval: INTERVAL\n"
    "  url: https://traefik.github.io/charts\n";

const char kRelease[] =
    "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: traefik\n"
    "  namespace: traefik\nspec:\n  FIELD: 10m\n  chart:\n    spec:\n      chart: traefik\n"
    "      version: \"37.x\"\n      reconcileStrategy: STRATEGY\n"
    "      sourceRef: {kind: HelmRepository, name: traefik, namespace: flux-system}\n"
    "  values:\n    deployment: {replicas: 2}\n    ports:\n      websecure: {tls: {enabled: "
    "true}}\n";

const char kDeployment[] =
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: apps\n"
    "  labels: {app: web}\nspec:\n  replicas: REPLICAS\n  strategy:\n"
    "    rollingUpdate: {maxSurge: 25%, maxUnavailable: 1}\n  selector:\n"
    "    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n"
    "    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n"
    "          ports: [{containerPort: 80}]\n"
    "          resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 1}}\n"
    "          env: [{name: A, value: \"1\"}, {name: B, valueFrom: null}]\n";

const char kService[] =
    "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: apps}\n"
    "spec:\n  selector: {app: web}\n  ports:\n    - {port: 80, targetPort: http}\n";

const char kCrd[] =
    "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n"
    "  name: widgets.example.com\nspec:\n  group: example.com\n"
    "  names: {kind: Widget, plural: widgets}\n  scope: Namespaced\n  versions:\n"
    "    - name: v1\n      served: true\n      storage: true\n      schema:\n"
    "        openAPIV3Schema:\n          type: object\n          properties:\n"
    "            spec:\n              type: object\n              required: [size]\n"
    "              properties:\n                size: {type: integer}\n"
    "                color: {type: string, enum: [red, blue]}\n"
    "                labels: {type: object, additionalProperties: {type: string}}\n";

std::string Sub(std::string s, const std::map<std::string, std::string>& subs) {
  for (const auto& [from, to] : subs) {
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
      s.replace(at, from.size(), to);
    }
  }
  return s;
}

std::string Repo(const std::string& interval = "1h") {
  return Sub(kRepo, {{"INTERVAL", interval}});
}
std::string Release(const std::string& field = "interval",
                    const std::string& strategy = "ChartVersion") {
  return Sub(kRelease, {{"FIELD", field}, {"STRATEGY", strategy}});
}
std::string Deployment(const std::string& replicas = "2") {
  return Sub(kDeployment, {{"REPLICAS", replicas}});
}
std::string Widget(const std::string& spec) {
  return "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: apps}\nspec:\n" +
         spec;
}

std::vector<SchemaCase> Cases() {
  const std::string kust =
      "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n";
  std::vector<SchemaCase> out;
  // Clean: the nested layout, Flux generating the root's kustomization.
  out.push_back({"CleanNestedPlatform",
                 {{"clusters/dev/platform/sources/traefik.yaml", Repo()},
                  {"clusters/dev/platform/traefik/release.yaml", Release()},
                  {"clusters/dev/apps/web.yaml", Deployment() + "---\n" + kService},
                  {"clusters/dev/apps/settings.yaml",
                   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: apps}\n"
                   "data: {mode: \"on\", replicas: \"3\"}\n"}},
                 "clusters/dev",
                 {}});
  // Clean: the shared layout, a root kustomization listing components.
  out.push_back({"CleanSharedPlatform",
                 {{"clusters/dev/kustomization.yaml",
                   kust + "  - ../../platform/sources\n  - ../../platform/traefik\n"},
                  {"platform/sources/kustomization.yaml", kust + "  - traefik.yaml\n"},
                  {"platform/sources/traefik.yaml", Repo("30m")},
                  {"platform/traefik/kustomization.yaml", kust + "  - release.yaml\n"},
                  {"platform/traefik/release.yaml", Release("interval", "Revision")}},
                 "clusters/dev",
                 {}});
  // Clean: infrastructure/apps layering as Flux's example repository has
  // it, the cluster's Flux Kustomizations pointing at a prod overlay of a
  // shared base (namePrefix, a strategic-merge patch), built at that path.
  const std::string flux_ks =
      "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n"
      "  name: NAME\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: PATH\n"
      "  prune: true\n  sourceRef: {kind: GitRepository, name: flux-system}\n";
  out.push_back(
      {"CleanAppsOverlayOfASharedBase",
       {{"clusters/prod/infrastructure.yaml",
         Sub(flux_ks, {{"NAME", "infrastructure"}, {"PATH", "./infrastructure"}})},
        {"clusters/prod/apps.yaml", Sub(flux_ks, {{"NAME", "apps"}, {"PATH", "./apps/prod"}}) +
                                        "  dependsOn: [{name: infrastructure}]\n"},
        {"infrastructure/kustomization.yaml", kust + "  - traefik.yaml\n"},
        {"infrastructure/traefik.yaml", Repo() + "---\n" + Release()},
        {"apps/base/kustomization.yaml", kust + "  - web.yaml\n  - service.yaml\n"},
        {"apps/base/web.yaml", Deployment()},
        {"apps/base/service.yaml", kService},
        {"apps/prod/kustomization.yaml",
         kust + "  - ../base\nnamePrefix: prod-\npatches:\n  - path: replicas.yaml\n"},
        {"apps/prod/replicas.yaml",
         "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: apps}\n"
         "spec: {replicas: 5}\n"}},
       "apps/prod",
       {}});
  // The same overlay for two clusters, one of them broken in its own
  // overlay: the base is judged once, the overlay's file where it is.
  out.push_back({"BrokenOverlayOfASharedBase",
                 {{"apps/base/kustomization.yaml", kust + "  - web.yaml\n"},
                  {"apps/base/web.yaml", Deployment()},
                  {"apps/staging/kustomization.yaml", kust + "  - ../base\n  - extra.yaml\n"},
                  {"apps/staging/extra.yaml",
                   "apiVersion: v1\nkind: Service\nmetadata: {name: extra, namespace: apps}\n"
                   "spec: {ports: [{port: \"eighty\"}]}\n"}},
                 "apps/staging",
                 {"Service/extra"}});
  out.push_back({"UnknownFieldInAHelmRelease",
                 {{"clusters/dev/release.yaml", Release("intervall")}},
                 "clusters/dev",
                 {"HelmRelease/traefik"}});
  out.push_back({"StringReplicas",
                 {{"clusters/dev/web.yaml", Deployment("\"two\"") + "---\n" + kService}},
                 "clusters/dev",
                 {"Deployment/web"}});
  out.push_back({"BooleanReplicas",
                 {{"clusters/dev/web.yaml", Deployment("true")}},
                 "clusters/dev",
                 {"Deployment/web"}});
  out.push_back({"MissingSourceRefInAFluxKustomization",
                 {{"clusters/dev/apps.yaml",
                   "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
                   "metadata: {name: apps, namespace: flux-system}\n"
                   "spec: {interval: 10m, path: ./clusters/dev/apps, prune: true}\n"},
                  {"clusters/dev/apps/web.yaml", Deployment()}},
                 "clusters/dev",
                 {"Kustomization/apps"}});
  out.push_back({"ValueOutsideAnEnum",
                 {{"clusters/dev/release.yaml", Release("interval", "Latest")}},
                 "clusters/dev",
                 {"HelmRelease/traefik"}});
  out.push_back({"ValueNotMatchingAPattern",
                 {{"clusters/dev/repo.yaml", Repo("1 hour")}},
                 "clusters/dev",
                 {"HelmRepository/traefik"}});
  out.push_back({"UnknownFieldInMetadata",
                 {{"clusters/dev/cm.yaml",
                   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespce: apps}\n"}},
                 "clusters/dev",
                 {"ConfigMap/a"}});
  out.push_back({"CrdShippedBesideItsResources",
                 {{"clusters/dev/crd.yaml", kCrd},
                  {"clusters/dev/good.yaml", Widget("  size: 3\n  labels: {a: b}\n")},
                  {"clusters/dev/bad.yaml",
                   Sub(Widget("  size: \"3\"\n  colour: red\n"), {{"name: w", "name: x"}})}},
                 "clusters/dev",
                 {"Widget/x"}});
  out.push_back({"KindsWithoutASchemaPass",
                 {{"clusters/dev/cert.yaml",
                   "apiVersion: cert-manager.io/v1\nkind: Certificate\n"
                   "metadata: {name: web, namespace: apps}\nspec: {anything: [1, 2]}\n"},
                  {"clusters/dev/web.yaml", Deployment()}},
                 "clusters/dev",
                 {}});
  // kubeconform reads YAML 1.1, where an unquoted `yes` is a boolean
  // (ConfigMap data takes only strings); kustomize and the checks read
  // YAML 1.2, where it is a string. They agree all the same: Flux's build
  // writes the string quoted, which is what kubeconform (and the API
  // server) get.
  out.push_back({"Yaml11BooleanInConfigMapData",
                 {{"clusters/dev/cm.yaml",
                   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: flags, namespace: apps}\n"
                   "data: {enabled: yes, on: \"1\"}\n"}},
                 "clusters/dev",
                 {}});
  return out;
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// The built-in bundle with the CRDs of the case added as the checks add
// them (they win over a built-in kind), for kubeconform-schemas.
std::string BundleFor(const SchemaCase& c) {
  nlohmann::json bundle = nlohmann::json::parse(BuiltInSchemaBundle());
  for (const auto& [key, content] : c.files) {
    FileFacts facts = CheckFile(key, content, CheckOptions{});
    for (const FileFacts::Object& o : facts.objects) {
      if (o.kind != "CustomResourceDefinition") continue;
      nlohmann::json crd = nlohmann::json::parse(*DocumentAsJson(content, o.document));
      const std::string kind = crd["spec"]["names"]["kind"];
      for (const nlohmann::json& v : crd["spec"]["versions"]) {
        const std::string gvk = crd["spec"]["group"].get<std::string>() + "/" +
                                v["name"].get<std::string>() + "/" + kind;
        bundle["kinds"][gvk] = "crd:" + gvk;
        bundle["schemas"]["crd:" + gvk] = v["schema"]["openAPIV3Schema"];
      }
    }
  }
  return bundle.dump();
}

// "Kind/name" of each object CheckTree reports a schema finding for.
std::set<std::string> OursInvalid(const SchemaCase& c, std::string* detail) {
  CheckOptions options;
  options.flux_roots = {c.root};
  options.schemas = BuiltInSchemas();
  DesiredTree desired = ViewDesiredTree(c.files);
  std::set<std::string> out;
  for (const Finding& f : CheckTree(desired, options)) {
    *detail += "  [" + std::string(FindingKindName(f.kind)) + "] " + FormatFinding(f, "") + "\n";
    if (f.kind != FindingKind::kUnknownField && f.kind != FindingKind::kWrongType &&
        f.kind != FindingKind::kMissingField && f.kind != FindingKind::kInvalidValue) {
      continue;
    }
    FileFacts facts = CheckFile(f.key, c.files.at(f.key), options);
    const FileFacts::Object* at = nullptr;
    for (const FileFacts::Object& o : facts.objects) {
      if (o.line <= f.line) at = &o;
    }
    if (at != nullptr) out.insert(at->kind + "/" + at->name);
  }
  return out;
}

class KubeconformOracleTest : public ::testing::TestWithParam<SchemaCase> {};

TEST_P(KubeconformOracleTest, AgreesWithKubeconform) {
  const std::string dir = WILDSIDE_KUBECONFORM;
  const std::string flux_build = WILDSIDE_FLUX_BUILD;
  ASSERT_TRUE(Exists(dir + "/kubeconform") && Exists(dir + "/kubeconform-schemas"))
      << "no kubeconform in \"" << dir
      << "\": run scripts/install-kubeconform and configure with -DWILDSIDE_KUBECONFORM=<its "
         "output>";
  ASSERT_TRUE(Exists(flux_build)) << "no flux-build at \"" << flux_build
                                  << "\": run scripts/install-flux-build";
  ASSERT_NE(BuiltInSchemas(), nullptr) << "built without the schema bundle";
  const SchemaCase& c = GetParam();
  tree::testing::TempDir tmp;
  const std::string checkout = tmp / "checkout";
  for (const auto& [key, content] : c.files)
    tree::testing::WriteFile(checkout + "/" + key, content);
  tree::testing::WriteFile(tmp / "bundle.json", BundleFor(c));
  std::string out;
  ASSERT_EQ(
      tree::testing::RunCommand("'" + dir + "/kubeconform-schemas' '" + (tmp / "bundle.json") +
                                    "' '" + (tmp / "schemas") + "' 2>&1",
                                &out),
      0)
      << out;
  ASSERT_EQ(tree::testing::RunCommand("'" + flux_build + "' '" + checkout + "' '" + c.root +
                                          "' > '" + (tmp / "built.yaml") + "'",
                                      &out),
            0)
      << "flux-build failed: a schema case must build";
  const std::string location =
      tmp / "schemas/{{ .Group }}/{{ .ResourceAPIVersion }}/{{ .ResourceKind }}.json";
  int rc = tree::testing::RunCommand(
      "'" + dir + "/kubeconform' -strict -ignore-missing-schemas -summary -output json " +
          "-schema-location '" + location + "' '" + (tmp / "built.yaml") + "'",
      &out);
  ASSERT_TRUE(rc == 0 || rc == 1) << "kubeconform exited " << rc << ":\n" << out;
  nlohmann::json report = nlohmann::json::parse(out, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(report.is_object()) << out;
  std::set<std::string> theirs;
  for (const nlohmann::json& r : report.value("resources", nlohmann::json::array())) {
    const std::string status = r.value("status", "");
    ASSERT_NE(status, "statusError") << out;
    if (status == "statusInvalid") theirs.insert(r.value("kind", "") + "/" + r.value("name", ""));
  }
  std::string detail;
  const std::set<std::string> ours = OursInvalid(c, &detail);
  EXPECT_EQ(ours, c.invalid) << "our findings:\n" << detail;
  if (c.disagrees.empty()) {
    EXPECT_EQ(theirs, ours) << "kubeconform:\n" << out << "\nour findings:\n" << detail;
  } else {
    EXPECT_NE(theirs, ours) << "the disagreement no longer holds (" << c.disagrees
                            << "): remove it\n"
                            << out;
    EXPECT_EQ(theirs, c.kubeconform_invalid) << out;
  }
}

INSTANTIATE_TEST_SUITE_P(Schemas, KubeconformOracleTest, ::testing::ValuesIn(Cases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace wildside::tree::checks
