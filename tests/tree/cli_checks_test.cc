// The wildside-tree CLI's checks (issue 11): validate, and plan/apply
// gated by --checks. Runs the real binary.
#include <nlohmann/json.hpp>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tree_test_util.h"

namespace wildside::tree {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace wildside::tree::testing;

std::string Cli() { return WILDSIDE_TREE_CLI; }
std::string Quote(const std::string& s) { return "'" + s + "'"; }

const char kGoodCm[] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n";

std::map<std::string, std::string> Broken() {
  return {{"clusters/dev/values.yaml", "replicaCount: 1\n"},
          {"platform/traefik/kustomization.yaml", "resources:\n- helmrelease.yaml\n- gone.yaml\n"},
          {"platform/traefik/helmrelease.yaml", kGoodCm},
          {"platform/traefik/dup.yaml", "a: 1\nb: 2\na: 3\n"}};
}

std::string Write(const TempDir& tmp, const std::map<std::string, std::string>& m) {
  std::string path = tmp / "m.json";
  WriteFile(path, nlohmann::json(m).dump());
  return path;
}

TEST(CliChecksTest, ValidateListsEveryFindingAndExitsOne) {
  TempDir tmp;
  std::string out;
  int rc = RunCommand(
      Cli() + " validate --cluster dev --manifests " + Quote(Write(tmp, Broken())) + " 2>&1", &out);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_THAT(
      out, HasSubstr("error: clusters/dev/values.yaml:1:1: document 1 is not a Kubernetes object"));
  EXPECT_THAT(out, HasSubstr("error: platform/traefik/dup.yaml:3:1: duplicate key \"a\""));
  EXPECT_THAT(
      out,
      HasSubstr(
          "error: platform/traefik/kustomization.yaml:3:3: resources[1] \"gone.yaml\": not found"));
  EXPECT_THAT(out, HasSubstr("Invalid: 3 finding(s) in 4 file(s)"));

  rc = RunCommand(
      Cli() + " validate --json --cluster dev --manifests " + Quote(Write(tmp, Broken())), &out);
  EXPECT_EQ(rc, 1) << out;
  nlohmann::json j = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << out;
  EXPECT_EQ(j["ok"], false);
  ASSERT_EQ(j["findings"].size(), 3u);
  EXPECT_EQ(j["findings"][1]["key"], "platform/traefik/dup.yaml");
  EXPECT_EQ(j["findings"][1]["line"], 3);
  EXPECT_EQ(j["findings"][1]["column"], 1);
  EXPECT_EQ(j["findings"][1]["kind"], "duplicate-key");
}

TEST(CliChecksTest, ValidateCleanTreeExitsZero) {
  TempDir tmp;
  std::string out;
  EXPECT_EQ(RunCommand(Cli() + " validate --cluster dev --manifests " +
                           Quote(Write(tmp, RealisticFixture("dev"))) + " 2>&1",
                       &out),
            0)
      << out;
  EXPECT_THAT(out, HasSubstr("Valid: 0 finding(s)"));
}

TEST(CliChecksTest, ValidateReadsExistenceOutsideOwnedRootsFromDir) {
  TempDir tmp;
  std::string co = tmp / "checkout";
  WriteFile(co + "/clusters/dev/flux-system/kustomization.yaml", "resources: []\n");
  WriteFile(co + "/modules/stray.yaml", kGoodCm);  // pruned by an apply: does not count
  std::map<std::string, std::string> m = {
      {"clusters/dev/kustomization.yaml",
       "resources:\n- flux-system\n- ../../modules/stray.yaml\n"}};
  std::string out;
  EXPECT_EQ(RunCommand(Cli() + " validate --dir " + Quote(co) + " --cluster dev --manifests " +
                           Quote(Write(tmp, m)) + " 2>&1",
                       &out),
            1)
      << out;
  EXPECT_THAT(out, HasSubstr("resources[1]"));
  EXPECT_THAT(out, Not(HasSubstr("resources[0]")));
  EXPECT_THAT(out, HasSubstr("Invalid: 1 finding(s)"));
  // Kept strays do count.
  EXPECT_EQ(RunCommand(Cli() + " validate --no-prune --dir " + Quote(co) +
                           " --cluster dev --manifests " + Quote(Write(tmp, m)) + " 2>&1",
                       &out),
            0)
      << out;
}

TEST(CliChecksTest, PlanAndApplyRefuseFindingsByDefaultAndWriteNothing) {
  TempDir tmp;
  std::string co = tmp / "checkout";
  std::string m = Quote(Write(tmp, Broken()));
  std::string out;
  EXPECT_EQ(
      RunCommand(Cli() + " plan --dir " + Quote(co) + " --cluster dev --manifests " + m + " 2>&1",
                 &out),
      1)
      << out;
  EXPECT_THAT(out, HasSubstr("error: platform/traefik/dup.yaml:3:1"));
  EXPECT_THAT(out, HasSubstr("nothing was planned"));
  EXPECT_EQ(
      RunCommand(Cli() + " apply --dir " + Quote(co) + " --cluster dev --manifests " + m + " 2>&1",
                 &out),
      1)
      << out;
  EXPECT_THAT(out, HasSubstr("nothing was written"));
  EXPECT_FALSE(Exists(co));
}

TEST(CliChecksTest, WarnReportsAndGoesOnOffSkips) {
  TempDir tmp;
  std::string co = tmp / "checkout";
  std::string m = Quote(Write(tmp, Broken()));
  std::string out;
  EXPECT_EQ(RunCommand(Cli() + " plan --checks warn --dir " + Quote(co) +
                           " --cluster dev --manifests " + m + " 2>&1",
                       &out),
            2)
      << out;
  EXPECT_THAT(out, HasSubstr("warning: platform/traefik/dup.yaml:3:1"));
  EXPECT_THAT(out, HasSubstr("+ platform/traefik/dup.yaml"));
  EXPECT_EQ(RunCommand(Cli() + " plan --checks warn --json --dir " + Quote(co) +
                           " --cluster dev --manifests " + m,
                       &out),
            2)
      << out;
  nlohmann::json j = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << out;
  EXPECT_EQ(j["findings"].size(), 3u);
  EXPECT_EQ(RunCommand(Cli() + " apply --checks off --dir " + Quote(co) +
                           " --cluster dev --manifests " + m + " 2>&1",
                       &out),
            0)
      << out;
  EXPECT_THAT(out, Not(HasSubstr("warning:")));
  EXPECT_EQ(ReadFile(co + "/platform/traefik/dup.yaml"), "a: 1\nb: 2\na: 3\n");
}

TEST(CliChecksTest, ChecksExcludeAndBadModes) {
  TempDir tmp;
  std::map<std::string, std::string> m = {
      {"platform/traefik/chart/templates/d.yaml", "{{ if .Values.x }}\nkind: [\n"}};
  std::string path = Quote(Write(tmp, m));
  std::string out;
  EXPECT_EQ(RunCommand(Cli() + " validate --cluster dev --manifests " + path + " 2>&1", &out), 1)
      << out;
  EXPECT_EQ(
      RunCommand(Cli() +
                     " validate --cluster dev --checks-exclude 'platform/*/chart/templates/**'"
                     " --manifests " +
                     path + " 2>&1",
                 &out),
      0)
      << out;
  EXPECT_EQ(
      RunCommand(Cli() + " plan --checks maybe --dir x --cluster dev --manifests " + path + " 2>&1",
                 &out),
      1)
      << out;
  EXPECT_THAT(out, HasSubstr("--checks takes error, warn or off"));
}

}  // namespace
}  // namespace wildside::tree
