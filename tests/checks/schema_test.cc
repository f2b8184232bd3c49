// tree/checks: objects against their schemas (issue 17, item 2), with the
// built-in bundle of the build and with CRDs in the tree.
#include "tree/checks/schema.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tree/checks/checks.h"
#include "tree/checks/internal.h"
#include "tree/checks/schema_dirs.h"
#include "tree/env.h"

namespace wildside::tree::checks {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

struct Result {
  std::vector<Finding> findings;
  SchemaCoverage coverage;
};

// The files under clusters/dev, which Flux builds with a generated
// kustomization (every file decoded).
Result Check(const std::map<std::string, std::string>& files, bool sensitive = false) {
  std::map<std::string, std::string> tree;
  for (const auto& [k, v] : files) tree["clusters/dev/" + k] = v;
  CheckOptions o;
  o.flux_roots = {"clusters/dev"};
  o.schemas = BuiltInSchemas();
  if (sensitive) o.is_sensitive = [](std::string_view) { return true; };
  Result r;
  DesiredTree desired = ViewDesiredTree(tree);
  r.findings = CheckTree(desired, o, &r.coverage);
  return r;
}

std::string Dump(const std::vector<Finding>& findings) {
  std::string out;
  for (const Finding& f : findings) {
    out += "  [" + std::string(FindingKindName(f.kind)) + "] " + FormatFinding(f) + "\n";
  }
  return out;
}

struct Place {
  FindingKind kind;
  int line;
  int column;
  friend bool operator==(const Place&, const Place&) = default;
  friend std::ostream& operator<<(std::ostream& os, const Place& p) {
    return os << FindingKindName(p.kind) << "@" << p.line << ":" << p.column;
  }
};

std::vector<Place> Places(const std::vector<Finding>& findings) {
  std::vector<Place> out;
  for (const Finding& f : findings) out.push_back({f.kind, f.line, f.column});
  return out;
}

const char kDeployment[] = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: apps
spec:
  replicas: REPLICAS
  selector:
    matchLabels: {app: web}
  strategy:
    rollingUpdate: {maxSurge: SURGE}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          imagePullPolicy: POLICY
          resources:
            requests: {cpu: 100m, memory: 64Mi}
            limits: {cpu: 1}
)";

std::string Deployment(const std::string& replicas, const std::string& surge = "25%",
                       const std::string& policy = "IfNotPresent") {
  std::string s = kDeployment;
  s.replace(s.find("REPLICAS"), 8, replicas);
  s.replace(s.find("SURGE"), 5, surge);
  s.replace(s.find("POLICY"), 6, policy);
  return s;
}

const char kHelmRelease[] = R"(apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: traefik
  namespace: traefik
spec:
  INTERVAL: 10m
  chart:
    spec:
      chart: traefik
      sourceRef: {kind: HelmRepository, name: traefik}
  values:
    anything: [goes, here]
)";

std::string HelmRelease(const std::string& interval_line) {
  std::string s = kHelmRelease;
  s.replace(s.find("INTERVAL: 10m"), 13, interval_line);
  return s;
}

TEST(ScalarTest, ResolvedAsKustomizeResolvesThem) {
  EXPECT_EQ(ResolveScalar("3", true, ""), ScalarType::kInteger);
  EXPECT_EQ(ResolveScalar("-0x1F", true, ""), ScalarType::kInteger);
  EXPECT_EQ(ResolveScalar("1_000", true, ""), ScalarType::kInteger);
  EXPECT_EQ(ResolveScalar("3.5", true, ""), ScalarType::kFloat);
  EXPECT_EQ(ResolveScalar("1e3", true, ""), ScalarType::kFloat);
  EXPECT_EQ(ResolveScalar(".inf", true, ""), ScalarType::kFloat);
  EXPECT_EQ(ResolveScalar("true", true, ""), ScalarType::kBoolean);
  EXPECT_EQ(ResolveScalar("yes", true, ""), ScalarType::kString);  // YAML 1.2
  EXPECT_EQ(ResolveScalar("on", true, ""), ScalarType::kString);
  EXPECT_EQ(ResolveScalar("~", true, ""), ScalarType::kNull);
  EXPECT_EQ(ResolveScalar("", true, ""), ScalarType::kNull);
  EXPECT_EQ(ResolveScalar("3", false, ""), ScalarType::kString);  // quoted
  EXPECT_EQ(ResolveScalar("3", true, "tag:yaml.org,2002:str"), ScalarType::kString);
  EXPECT_EQ(ResolveScalar("x", true, "!custom"), ScalarType::kUnknown);
  EXPECT_EQ(ResolveScalar("1.2.3", true, ""), ScalarType::kString);
  EXPECT_EQ(ResolveScalar("2024-01-01", true, ""), ScalarType::kString);
  EXPECT_EQ(ResolveScalar("10m", true, ""), ScalarType::kString);
}

TEST(BuiltInSchemasTest, HoldKubernetesAndFluxKinds) {
  const SchemaCatalog* c = BuiltInSchemas();
  ASSERT_NE(c, nullptr) << "built without the schema bundle (WILDSIDE_SCHEMAS)";
  EXPECT_TRUE(c->Find("apps/v1", "Deployment"));
  EXPECT_TRUE(c->Find("v1", "ConfigMap"));
  EXPECT_TRUE(c->Find("helm.toolkit.fluxcd.io/v2", "HelmRelease"));
  EXPECT_TRUE(c->Find("kustomize.toolkit.fluxcd.io/v1", "Kustomization"));
  EXPECT_TRUE(c->Find("source.extensions.fluxcd.io/v1beta1", "ArtifactGenerator"));
  EXPECT_FALSE(c->Find("apps/v1", "deployment"));  // kind is case-sensitive
  EXPECT_FALSE(c->Find("cert-manager.io/v1", "Certificate"));
  EXPECT_NE(c->object_meta(), nullptr);
  EXPECT_THAT(c->sources(), Not(IsEmpty()));
  EXPECT_EQ(c->Find("apps/v1", "Deployment")->source->label, "Kubernetes v1.34.2");
  EXPECT_EQ(c->Find("helm.toolkit.fluxcd.io/v2", "HelmRelease")->source->label,
            "the CRD of helm-controller v1.6.3");
}

TEST(SchemaCheckTest, ValidDeploymentPasses) {
  Result r = Check({{"web.yaml", Deployment("2")}});
  EXPECT_THAT(r.findings, IsEmpty()) << Dump(r.findings);
  EXPECT_EQ(r.coverage.checked, 1);
  EXPECT_THAT(r.coverage.unchecked, IsEmpty());
  // int-or-string takes both; 3.0 is an integer to JSON Schema.
  EXPECT_THAT(Check({{"web.yaml", Deployment("3.0", "1")}}).findings, IsEmpty());
}

TEST(SchemaCheckTest, StringReplicasIsAWrongType) {
  for (const char* replicas : {"\"two\"", "two", "\"2\"", "true", "2.5"}) {
    Result r = Check({{"web.yaml", Deployment(replicas)}});
    EXPECT_THAT(Places(r.findings), ElementsAre(Place{FindingKind::kWrongType, 7, 13}))
        << replicas << "\n"
        << Dump(r.findings);
  }
  Result r = Check({{"web.yaml", Deployment("two")}});
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].message,
            "spec.replicas: wrong type: a string where the schema of Deployment apps/v1 "
            "(Kubernetes v1.34.2) expects an integer");
}

TEST(SchemaCheckTest, IntOrStringTakesNoBoolean) {
  // Kubernetes' OpenAPI names no enum for imagePullPolicy (only its
  // description does): any string passes.
  Result r = Check({{"web.yaml", Deployment("2", "true", "Sometimes")}});
  EXPECT_THAT(Places(r.findings), ElementsAre(Place{FindingKind::kWrongType, 11, 31}))
      << Dump(r.findings);
  EXPECT_THAT(r.findings[0].message, HasSubstr("expects a string or an integer"));
}

TEST(SchemaCheckTest, ValueOutsideAFluxEnum) {
  std::string hr = HelmRelease("interval: 10m");
  hr.replace(hr.find("      chart: traefik"), 20,
             "      chart: traefik\n      reconcileStrategy: Latest");
  Result r = Check({{"hr.yaml", hr}});
  EXPECT_THAT(Places(r.findings), ElementsAre(Place{FindingKind::kInvalidValue, 11, 26}))
      << Dump(r.findings);
  EXPECT_THAT(r.findings[0].message, HasSubstr("allows only \"ChartVersion\", \"Revision\""));
}

TEST(SchemaCheckTest, MistypedHelmReleaseFieldGivesUnknownAndMissing) {
  Result r = Check({{"hr.yaml", HelmRelease("intervall: 10m")}});
  EXPECT_THAT(Places(r.findings), ElementsAre(Place{FindingKind::kMissingField, 6, 1},
                                              Place{FindingKind::kUnknownField, 7, 3}))
      << Dump(r.findings);
  EXPECT_THAT(r.findings[0].message, HasSubstr("spec.interval"));
  EXPECT_THAT(r.findings[1].message, HasSubstr("spec.intervall: unknown field"));
  EXPECT_THAT(r.findings[1].message, HasSubstr("the CRD of helm-controller v1.6.3"));
  EXPECT_THAT(Check({{"hr.yaml", HelmRelease("interval: 10m")}}).findings, IsEmpty());
}

TEST(SchemaCheckTest, PatternOfAFluxDuration) {
  Result r = Check({{"hr.yaml", HelmRelease("interval: 10 minutes")}});
  EXPECT_THAT(Places(r.findings), ElementsAre(Place{FindingKind::kInvalidValue, 7, 13}))
      << Dump(r.findings);
  EXPECT_THAT(r.findings[0].message, HasSubstr("must match the pattern"));
}

TEST(SchemaCheckTest, MetadataIsObjectMeta) {
  std::string d = Deployment("2");
  d.replace(d.find("  namespace: apps"), 17, "  namespce: apps");
  Result r = Check({{"web.yaml", d}});
  EXPECT_THAT(Places(r.findings), ElementsAre(Place{FindingKind::kUnknownField, 5, 3}))
      << Dump(r.findings);
  EXPECT_THAT(r.findings[0].message, HasSubstr("metadata.namespce"));
}

TEST(SchemaCheckTest, LaterStepsAndNullsAreNotJudged) {
  // postBuild substitution, SOPS values and block, nulls of optional fields.
  Result r = Check({{"web.yaml", Deployment("${REPLICAS}", "~")},
                    {"hr.yaml", HelmRelease("interval: ENC[AES256_GCM,data:x,type:str]") +
                                    "sops:\n  version: 3.9.0\n"}});
  EXPECT_THAT(r.findings, IsEmpty()) << Dump(r.findings);
}

TEST(SchemaCheckTest, UnknownKindsAreCountedNotJudged) {
  Result r = Check({{"cert.yaml",
                     "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: a}\n"
                     "spec: {whatever: 1}\n---\n"
                     "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: b}\n"},
                    {"cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"}});
  EXPECT_THAT(r.findings, IsEmpty()) << Dump(r.findings);
  EXPECT_EQ(r.coverage.checked, 1);
  EXPECT_EQ(r.coverage.unchecked,
            (std::map<std::string, int>{{"cert-manager.io/v1 Certificate", 2}}));
}

const char kCrd[] = R"(apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [size]
              properties:
                size: {type: integer}
                color: {type: string, enum: [red, blue]}
)";

TEST(SchemaCheckTest, CrdInTheTreeValidatesItsResources) {
  const std::string bad =
      "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  size: 3\n"
      "  colour: red\n";
  Result r = Check({{"crd.yaml", kCrd}, {"w.yaml", bad}});
  EXPECT_THAT(Places(r.findings), ElementsAre(Place{FindingKind::kUnknownField, 6, 3}))
      << Dump(r.findings);
  EXPECT_THAT(r.findings[0].message, HasSubstr("the CRD in \"clusters/dev/crd.yaml\""));
  const std::string good =
      "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  size: 3\n"
      "  color: red\n";
  r = Check({{"crd.yaml", kCrd}, {"w.yaml", good}});
  EXPECT_THAT(r.findings, IsEmpty()) << Dump(r.findings);
  EXPECT_EQ(r.coverage.checked, 2);  // the CRD itself, and the Widget
}

TEST(SchemaCheckTest, SensitiveFilesNameNoKey) {
  Result r = Check({{"hr.yaml", HelmRelease("intervall: 10m")}}, /*sensitive=*/true);
  ASSERT_EQ(r.findings.size(), 2u) << Dump(r.findings);
  for (const Finding& f : r.findings) EXPECT_THAT(f.message, Not(HasSubstr("interval")));
}

// A directory of CRDs (schema_dirs, --schema-dir): its kinds are checked,
// under the CRDs of the tree and over the built-in schemas.
class SchemaDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/wildside-schema-dir-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& name, const std::string& content) {
    std::ofstream(dir_ + "/" + name) << content;
  }
  std::string dir_;
};

TEST_F(SchemaDirTest, CrdsOfTheDirectoryCheckTheirKinds) {
  Write("widgets.yaml", kCrd);
  Write("notes.txt", "not read");
  Write("values.yml", "replicas: 2\n");  // no CRD: nothing added, no error
  SchemaCatalog user;
  user.set_fallback(BuiltInSchemas());
  absl::StatusOr<int> added = AddSchemaDir(Env::Default(), dir_, &user);
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_EQ(*added, 1);
  ASSERT_TRUE(user.Find("example.com/v1", "Widget"));
  EXPECT_EQ(user.Find("example.com/v1", "Widget")->source->label,
            "the CRD in \"" + dir_ + "/widgets.yaml\"");
  EXPECT_TRUE(user.Find("apps/v1", "Deployment"));  // the fallback's
  EXPECT_NE(user.object_meta(), nullptr);

  std::map<std::string, std::string> tree = {
      {"clusters/dev/w.yaml",
       "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {sise: 3}\n"}};
  CheckOptions o;
  o.flux_roots = {"clusters/dev"};
  o.schemas = &user;
  DesiredTree desired = ViewDesiredTree(tree);
  std::vector<Finding> found = CheckTree(desired, o);
  EXPECT_THAT(Places(found), ElementsAre(Place{FindingKind::kMissingField, 4, 1},
                                         Place{FindingKind::kUnknownField, 4, 8}))
      << Dump(found);
}

TEST_F(SchemaDirTest, UnreadableOrBrokenFilesAreErrorsNamingThem) {
  SchemaCatalog user;
  absl::StatusOr<int> missing = AddSchemaDir(Env::Default(), dir_ + "/nope", &user);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(std::string(missing.status().message()),
              HasSubstr(dir_ + "/nope: cannot open the schema directory"));
  Write("broken.yaml", "a: [1, 2\n");
  absl::StatusOr<int> broken = AddSchemaDir(Env::Default(), dir_, &user);
  ASSERT_FALSE(broken.ok());
  EXPECT_THAT(std::string(broken.status().message()),
              HasSubstr("schema file " + dir_ + "/broken.yaml:"));
}

TEST(SchemaCheckTest, OffWithoutACatalog) {
  std::map<std::string, std::string> tree = {{"clusters/dev/web.yaml", Deployment("two")}};
  CheckOptions o;
  o.flux_roots = {"clusters/dev"};
  DesiredTree desired = ViewDesiredTree(tree);
  EXPECT_THAT(CheckTree(desired, o), IsEmpty());
}

}  // namespace
}  // namespace wildside::tree::checks
