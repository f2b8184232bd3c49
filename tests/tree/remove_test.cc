// WriteSession::Remove: the destroy path.
#include "tree/checkout.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "status_matchers.h"
#include "tree/render.h"
#include "tree_test_util.h"

namespace wildside::tree {
namespace {

using wildside::testing::IsOk;
using wildside::testing::StatusIs;
using namespace wildside::tree::testing;

std::vector<std::string> Keys(const std::map<std::string, std::string>& m) {
  std::vector<std::string> out;
  for (const auto& [k, v] : m) out.push_back(k);
  return out;
}

TEST(RemoveTest, RemovesListedFilesAndEmptiedOwnedDirs) {
  TempDir tmp;
  std::string co = tmp / "co";
  std::map<std::string, std::string> f = RealisticFixture("dev");
  ASSERT_THAT(RenderGitopsTree(co, f, "dev"), IsOk());
  WriteFile(co + "/README.md", "readme\n");
  WriteFile(co + "/clusters/prod/x.yaml", "prod\n");
  WriteFile(co + "/clusters/dev/flux-system/gotk.yaml", "flux\n");
  WriteFile(co + "/platform/vault/unlisted.yaml", "not in state\n");

  ApplyResult r = RemoveInSession(co, "dev", Keys(f), {});
  ASSERT_THAT(r.status, IsOk());
  EXPECT_EQ(r.report.pruned, f.size());
  EXPECT_EQ(ReadTree(co), (std::map<std::string, std::string>{
                              {"README.md", "readme\n"},
                              {"clusters/dev/flux-system/gotk.yaml", "flux\n"},
                              {"clusters/prod/x.yaml", "prod\n"},
                              {"platform/vault/unlisted.yaml", "not in state\n"}}));
  EXPECT_FALSE(Exists(co + "/modules"));
  EXPECT_FALSE(Exists(co + "/platform/traefik"));
  EXPECT_TRUE(Exists(co + "/clusters"));

  // Already clean: success, nothing done.
  ApplyResult again = RemoveInSession(co, "dev", Keys(f), {});
  ASSERT_THAT(again.status, IsOk());
  EXPECT_EQ(again.report.pruned, 0u);
  // Missing checkout: success.
  EXPECT_THAT(RemoveInSession(tmp / "none", "dev", Keys(f), {}).status, IsOk());
}

TEST(RemoveTest, RefusesPathsOutsideOwnedRootsBeforeDeletingAnything) {
  TempDir tmp;
  WriteFile(tmp / "co/modules/a.yaml", "a");
  WriteFile(tmp / "co/README.md", "r");
  ApplyResult r = RemoveInSession(tmp / "co", "dev", {"modules/a.yaml", "README.md", "../x"}, {});
  EXPECT_THAT(r.status, StatusIs(absl::StatusCode::kInvalidArgument, "path[\"README.md\"]"));
  EXPECT_THAT(r.status, StatusIs(absl::StatusCode::kInvalidArgument, "path[\"../x\"]"));
  EXPECT_TRUE(Exists(tmp / "co/modules/a.yaml"));
}

TEST(RemoveTest, SkipsExcludedPaths) {
  TempDir tmp;
  WriteFile(tmp / "co/clusters/dev/flux-system/gotk.yaml", "flux\n");
  WriteFile(tmp / "co/clusters/dev/app.yaml", "app\n");
  ApplyResult r = RemoveInSession(
      tmp / "co", "dev", {"clusters/dev/flux-system/gotk.yaml", "clusters/dev/app.yaml"}, {});
  ASSERT_THAT(r.status, IsOk());
  EXPECT_EQ(r.report.pruned, 1u);
  EXPECT_EQ(ReadFile(tmp / "co/clusters/dev/flux-system/gotk.yaml"), "flux\n");
  EXPECT_FALSE(Exists(tmp / "co/clusters/dev/app.yaml"));
}

TEST(RemoveTest, NeverFollowsSymlinks) {
  TempDir tmp;
  WriteFile(tmp / "outside/a.yaml", "outside\n");
  WriteFile(tmp / "outside/b.yaml", "outside\n");
  MakeDirs(tmp / "co/platform");
  MakeDirs(tmp / "co/modules");
  MakeSymlink(tmp / "outside", tmp / "co/platform/traefik");
  MakeSymlink(tmp / "outside/b.yaml", tmp / "co/modules/b.yaml");
  ApplyResult r =
      RemoveInSession(tmp / "co", "dev", {"platform/traefik/a.yaml", "modules/b.yaml"}, {});
  ASSERT_THAT(r.status, IsOk());
  EXPECT_EQ(r.report.pruned, 0u);
  EXPECT_EQ(ReadFile(tmp / "outside/a.yaml"), "outside\n");
  EXPECT_EQ(ReadFile(tmp / "outside/b.yaml"), "outside\n");
  EXPECT_TRUE(Exists(tmp / "co/platform/traefik"));
  EXPECT_TRUE(Exists(tmp / "co/modules/b.yaml"));
}

}  // namespace
}  // namespace wildside::tree
