// The wildside-tree CLI, run as a real process.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tree_test_util.h"

namespace wildside::tree {
namespace {

using ::testing::HasSubstr;
using namespace wildside::tree::testing;

std::string Cli() { return WILDSIDE_TREE_CLI; }

std::string Quote(const std::string& s) { return "'" + s + "'"; }

void WriteJson(const std::string& path, const nlohmann::json& j) { WriteFile(path, j.dump()); }

TEST(CliTest, AppliesFixtureThenPlanExitsZeroThenDetectsDrift) {
  TempDir tmp;
  std::map<std::string, std::string> f = RealisticFixture("dev");
  // The shape `tofu output -json rendered_manifests` prints.
  WriteJson(tmp / "out.json", {{"sensitive", false}, {"type", "map"}, {"value", f}});
  std::string co = tmp / "checkout";
  std::string base =
      Cli() + " %s --dir " + Quote(co) + " --cluster dev --manifests " + Quote(tmp / "out.json");
  auto cmd = [&](const std::string& verb, const std::string& extra = "") {
    std::string c = base;
    c.replace(c.find("%s"), 2, verb);
    return c + extra;
  };
  std::string out;
  EXPECT_EQ(RunCommand(cmd("plan"), &out), 2) << out;
  EXPECT_THAT(out, HasSubstr("+ modules/app/crds.yaml"));
  EXPECT_THAT(out, HasSubstr("i clusters/dev/.wildside-inventory (ownership inventory)"));
  EXPECT_EQ(RunCommand(cmd("apply"), &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("Applied: " + std::to_string(f.size()) + " created"));
  EXPECT_EQ(ReadTree(co), f);
  EXPECT_EQ(RunCommand(cmd("plan"), &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("No changes"));

  WriteFile(co + "/platform/vault/values.yaml", "drift\n");
  WriteFile(co + "/modules/app/stray.yaml", "stray\n");
  EXPECT_EQ(RunCommand(cmd("plan"), &out), 2) << out;
  EXPECT_THAT(out, HasSubstr("~ platform/vault/values.yaml"));
  EXPECT_THAT(out, HasSubstr("- modules/app/stray.yaml"));
  EXPECT_EQ(RunCommand(cmd("plan", " --json"), &out), 2) << out;
  nlohmann::json plan = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(plan.is_discarded()) << out;
  EXPECT_EQ(plan["has_changes"], true);
  EXPECT_EQ(plan["changes"].size(), 2u);
  EXPECT_EQ(plan["inventory"]["path"], "clusters/dev/.wildside-inventory");
  EXPECT_EQ(plan["inventory"]["claim"], false);
  EXPECT_EQ(plan["foreign"].size(), 0u);

  EXPECT_EQ(RunCommand(cmd("apply", " --json"), &out), 0) << out;
  nlohmann::json report = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << out;
  EXPECT_EQ(report["updated"], 1);
  EXPECT_EQ(report["pruned"], 1);
  EXPECT_EQ(report["ok"], true);
  EXPECT_EQ(RunCommand(cmd("plan"), &out), 0) << out;
}

TEST(CliTest, BareMapFromStdin) {
  TempDir tmp;
  WriteJson(tmp / "m.json", {{"modules/a.yaml", "a\n"}});
  std::string out;
  EXPECT_EQ(RunCommand(Cli() + " apply --dir " + Quote(tmp / "co") + " --cluster dev < " +
                           Quote(tmp / "m.json"),
                       &out),
            0)
      << out;
  EXPECT_EQ(ReadFile(tmp / "co/modules/a.yaml"), "a\n");
}

TEST(CliTest, ErrorsExitOneAndWriteNothing) {
  TempDir tmp;
  WriteFile(tmp / "bad.json", "{not json");
  WriteJson(tmp / "hostile.json", {{"../escape.yaml", "x"}, {"modules/ok.yaml", "ok"}});
  WriteJson(tmp / "number.json", {{"modules/a.yaml", 1}});
  std::string base = Cli() + " apply --dir " + Quote(tmp / "co") + " --cluster dev --manifests ";
  EXPECT_EQ(RunCommand(base + Quote(tmp / "bad.json") + " 2>/dev/null"), 1);
  EXPECT_EQ(RunCommand(base + Quote(tmp / "number.json") + " 2>/dev/null"), 1);
  std::string err;
  EXPECT_EQ(RunCommand(base + Quote(tmp / "hostile.json") + " 2>&1", &err), 1);
  EXPECT_THAT(err, HasSubstr("desired[\"../escape.yaml\"]: '..' segment"));
  EXPECT_EQ(RunCommand(Cli() + " plan --dir " + Quote(tmp / "co") + " --cluster dev --manifests " +
                       Quote(tmp / "hostile.json") + " 2>/dev/null"),
            1);
  EXPECT_EQ(RunCommand(base + Quote(tmp / "missing.json") + " 2>/dev/null"), 1);
  EXPECT_EQ(RunCommand(Cli() + " frobnicate 2>/dev/null"), 1);
  EXPECT_EQ(RunCommand(Cli() + " plan --dir x 2>/dev/null"), 1);
  EXPECT_FALSE(Exists(tmp / "co"));
}

TEST(CliTest, ApplyThatGivesUpOnTheLockPrintsNothingOnStdout) {
  TempDir tmp;
  WriteJson(tmp / "m.json", {{"modules/a.yaml", "a\n"}});
  std::string co = tmp / "co";
  ASSERT_EQ(::mkdir(co.c_str(), 0755), 0);
  // Another applier holds the checkout lock.
  int held = ::open(co.c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(held, 0);
  ASSERT_EQ(::flock(held, LOCK_EX), 0);
  std::string cmd = Cli() + " apply --dir " + Quote(co) +
                    " --cluster dev --lock-timeout-ms 0 --manifests " + Quote(tmp / "m.json");
  std::string out;
  EXPECT_EQ(RunCommand(cmd + " 2>/dev/null", &out), 1);
  EXPECT_EQ(out, "") << "a failed apply must not print a report that reads as success";
  std::string err;
  EXPECT_EQ(RunCommand(cmd + " 2>&1 >/dev/null", &err), 1);
  EXPECT_THAT(err, HasSubstr("wildside-tree: "));
  ::close(held);
  EXPECT_FALSE(Exists(co + "/modules/a.yaml"));
}

TEST(CliTest, SymlinkErrorNamesTheCliFlag) {
  TempDir tmp;
  WriteJson(tmp / "m.json", {{"platform/traefik/a.yaml", "a\n"}});
  std::string co = tmp / "co";
  ASSERT_EQ(::mkdir(co.c_str(), 0755), 0);
  ASSERT_EQ(::mkdir((co + "/platform").c_str(), 0755), 0);
  ASSERT_EQ(::symlink("/tmp", (co + "/platform/traefik").c_str()), 0);
  std::string err;
  EXPECT_EQ(RunCommand(Cli() + " plan --dir " + Quote(co) + " --cluster dev --manifests " +
                           Quote(tmp / "m.json") + " 2>&1",
                       &err),
            1);
  EXPECT_THAT(err, HasSubstr("platform/traefik: symbolic link inside an owned root"));
  EXPECT_THAT(err, HasSubstr("--symlinks-as-stray"));
  EXPECT_THAT(err, ::testing::Not(HasSubstr("set symlinks_as_stray")));
}

}  // namespace
}  // namespace wildside::tree
