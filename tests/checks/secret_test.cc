// tree/checks: Secrets committed in clear (issue 22, item 1).
#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tree/checks/checks.h"

namespace wildside::tree::checks {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

std::vector<Finding> Check(const std::map<std::string, std::string>& files, bool sensitive = false,
                           bool find = true) {
  CheckOptions o;
  o.flux_roots = {"clusters/dev"};
  o.find_plaintext_secrets = find;
  if (sensitive) o.is_sensitive = [](std::string_view) { return true; };
  DesiredTree desired = ViewDesiredTree(files);
  return CheckTree(desired, o);
}

TEST(PlaintextSecretTest, SecretValuesInClearAreFoundOnTheirField) {
  std::vector<Finding> f =
      Check({{"clusters/dev/s.yaml",
              "apiVersion: v1\nkind: Secret\nmetadata: {name: approle}\nstringData:\n  role_id: a\n"
              "---\napiVersion: v1\nkind: Secret\nmetadata: {name: tls}\ntype: kubernetes.io/tls\n"
              "data: {tls.crt: eA==}\n"}});
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].kind, FindingKind::kPlaintextSecret);
  EXPECT_EQ(f[0].line, 4);
  EXPECT_EQ(f[0].column, 1);
  EXPECT_THAT(f[0].message, HasSubstr("`stringData` of Secret \"approle\" holds its values"));
  EXPECT_EQ(f[1].line, 11);
  EXPECT_THAT(f[1].message, HasSubstr("`data` of Secret \"tls\""));
  for (const Finding& x : f) {
    EXPECT_THAT(x.message, Not(HasSubstr("eA==")));
    EXPECT_THAT(x.message, Not(HasSubstr("role_id")));
  }
}

TEST(PlaintextSecretTest, EncryptedEmptyAndOtherKindsPass) {
  EXPECT_THAT(
      Check({{"clusters/dev/enc.yaml",
              "apiVersion: v1\nkind: Secret\nmetadata: {name: e}\n"
              "data: {k: 'ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]'}\nsops: {version: 3.9.0}\n"},
             {"clusters/dev/empty.yaml",
              "apiVersion: v1\nkind: Secret\nmetadata: {name: e2}\ndata: {}\nstringData:\n"},
             {"clusters/dev/cm.yaml",
              "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n"},
             {"clusters/dev/other.yaml",
              "apiVersion: example.com/v1\nkind: Secret\nmetadata: {name: o}\ndata: {a: b}\n"}}),
      IsEmpty());
}

TEST(PlaintextSecretTest, SecretGeneratorInputsAreFound) {
  std::vector<Finding> f =
      Check({{"platform/vault/kustomization.yaml",
              "secretGenerator:\n- name: s\n  literals: [a=b, c=d]\n  envs: [s.env]\n"
              "configMapGenerator:\n- name: c\n  literals: [x=y]\n"},
             {"platform/vault/s.env", "A=B\n"}});
  ASSERT_EQ(f.size(), 2u);
  EXPECT_THAT(f[0].message, HasSubstr("secretGenerator[0].literals: kustomize makes a Secret"));
  EXPECT_THAT(f[1].message, HasSubstr("secretGenerator[0].envs[0] \"s.env\""));
  EXPECT_THAT(f[0].message, Not(HasSubstr("a=b")));
}

TEST(PlaintextSecretTest, SensitiveFilesNameNothingAndTheOptionIsOffByDefault) {
  const std::map<std::string, std::string> files = {
      {"clusters/dev/s.yaml",
       "apiVersion: v1\nkind: Secret\nmetadata: {name: approle}\nstringData: {a: b}\n"}};
  std::vector<Finding> f = Check(files, /*sensitive=*/true);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_THAT(f[0].message, Not(HasSubstr("approle")));
  EXPECT_THAT(f[0].message, Not(HasSubstr("stringData")));
  EXPECT_THAT(Check(files, false, /*find=*/false), IsEmpty());
}

// Issue 22, item 2: an encrypted file in a build whose Flux Kustomization
// cannot decrypt it.
std::vector<Finding> CheckDecryption(const std::string& decryption) {
  const std::string ks =
      "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
      "metadata: {name: apps, namespace: flux-system}\nspec:\n  interval: 10m\n"
      "  path: ./apps\n  prune: true\n  sourceRef: {kind: GitRepository, name: flux-system}\n" +
      decryption;
  const std::string encrypted =
      "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: apps}\n"
      "stringData: {k: 'ENC[AES256_GCM,data:eA==,iv:eA==,tag:eA==,type:str]'}\n"
      "sops:\n  version: 3.9.0\n";
  CheckOptions o;
  o.flux_roots = {"clusters/dev"};
  const std::map<std::string, std::string> files = {
      {"clusters/dev/apps.yaml", ks},
      {"apps/secret.yaml", encrypted},
      {"apps/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: apps}\n"},
      // In the bootstrap root: its Kustomization is not in the tree.
      {"clusters/dev/other.yaml", encrypted}};
  DesiredTree desired = ViewDesiredTree(files);
  return CheckTree(desired, o);
}

TEST(UndecryptableTest, EncryptedFileInABuildThatCannotDecrypt) {
  std::vector<Finding> f = CheckDecryption("");
  std::string all;
  for (const Finding& x : f) all += FormatFinding(x) + "\n";
  ASSERT_EQ(f.size(), 1u) << all;
  EXPECT_EQ(f[0].kind, FindingKind::kUndecryptable);
  EXPECT_EQ(f[0].key, "apps/secret.yaml");
  EXPECT_EQ(f[0].line, 5);
  EXPECT_EQ(f[0].column, 1);
  EXPECT_THAT(f[0].message, HasSubstr("the Flux Kustomization in \"clusters/dev/apps.yaml\" that "
                                      "builds \"apps\" has no spec.decryption.provider: sops"));
  EXPECT_THAT(CheckDecryption("  decryption:\n    provider: sops\n"
                              "    secretRef: {name: sops-age}\n"),
              IsEmpty());
}

}  // namespace
}  // namespace wildside::tree::checks
