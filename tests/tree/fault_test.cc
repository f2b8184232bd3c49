// Atomicity under injected faults: fail the Nth write, rename, sync (and
// open, unlink, mkdir, chmod) of an apply, for every N the apply makes.
// After each failure every file must hold its old or its new content, the
// report must match what was done, and the next apply must converge with no
// temporary file left behind.
#include <set>
#include <string>
#include <tuple>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "status_matchers.h"
#include "tree/render.h"
#include "tree/scan.h"
#include "tree/testing/fault_env.h"
#include "tree_test_util.h"

namespace wildside::tree {
namespace {

using wildside::testing::IsOk;
using namespace wildside::tree::testing;

std::map<std::string, std::string> OldTree() {
  return {{"clusters/dev/a.yaml", "old a\n\n"},
          {"clusters/dev/keep.yaml", "keep\n\n"},
          {"platform/traefik/b.yaml", "old b, longer\n\n"},
          {"platform/vault/stray.yaml", "stray\n\n"},
          {"modules/gone/x.yaml", "gone\n\n"},
          {"modules/app/mode.yaml", "mode\n\n"}};
}

std::map<std::string, std::string> NewTree() {
  return {{"clusters/dev/a.yaml", "new a\n\n"},  // same size, new content
          {"clusters/dev/keep.yaml", "keep\n\n"},
          {"platform/traefik/b.yaml", "new b\n\n"},  // new size
          {"platform/traefik/c.yaml", "created c\n\n"},
          {"platform/redis/deep/d.yaml", std::string(300000, 'd') + "\n\n"},
          {"modules/app/mode.yaml", "mode\n\n"}};
}

// Sets up the old state in a fresh checkout, including a mode drift and a
// leftover temp file from an "earlier crash".
void MakeOldState(const std::string& root) {
  ASSERT_THAT(RenderGitopsTree(root, OldTree(), "dev"), IsOk());
  ASSERT_EQ(::chmod((root + "/modules/app/mode.yaml").c_str(), 0600), 0);
  WriteFile(root + "/platform/traefik/.wildside-tmp-1-0", "leftover");
}

// Every path is absent, old or new content; nothing else exists.
void ExpectOldOrNew(const std::string& root, const std::string& context) {
  std::map<std::string, std::string> old_tree = OldTree(), new_tree = NewTree();
  for (const auto& [path, content] : ReadTree(root)) {
    if (path.find(".wildside-tmp-") != std::string::npos) continue;  // cleaned next run
    bool is_old = old_tree.count(path) && old_tree[path] == content;
    bool is_new = new_tree.count(path) && new_tree[path] == content;
    EXPECT_TRUE(is_old || is_new) << context << ": " << path << " has mixed content";
  }
  for (const auto& [path, content] : old_tree) {
    if (new_tree.count(path) && new_tree[path] == content) {
      EXPECT_EQ(ReadFile(root + "/" + path), content) << context << ": " << path;
    }
  }
}

void ExpectConverges(const std::string& root, const std::string& context) {
  absl::StatusOr<RenderReport> r = RenderGitopsTree(root, NewTree(), "dev");
  ASSERT_THAT(r, IsOk()) << context;
  EXPECT_EQ(ReadTree(root), NewTree()) << context;
  EXPECT_EQ(ModeOf(root + "/modules/app/mode.yaml"), 0644u) << context;
  absl::StatusOr<TreeScan> scan = ScanCheckout(root, "dev", {});
  ASSERT_THAT(scan, IsOk());
  EXPECT_TRUE(scan->temp_files.empty()) << context;
  auto plan = PlanGitopsTree(root, ViewDesiredTree(NewTree()), "dev");
  ASSERT_THAT(plan, IsOk());
  EXPECT_FALSE(plan->HasChanges()) << context;
}

// (operation to fail, bulk mode: one syncfs per batch instead of fsyncs)
class FaultTest : public ::testing::TestWithParam<std::tuple<FaultOp, bool>> {};

TEST_P(FaultTest, EveryFailurePointLeavesOldOrNewAndConverges) {
  const FaultOp op = std::get<0>(GetParam());
  const size_t threshold = std::get<1>(GetParam()) ? 1 : 0;
  // A clean run counts how many calls of `op` an apply makes.
  int total = 0;
  {
    TempDir tmp;
    std::string root = tmp / "co";
    MakeOldState(root);
    FaultEnv env;
    env.FailNth(op, 0);  // arm nothing, just count
    TreeOptions options;
    options.env = &env;
    options.bulk_sync_threshold = threshold;
    ASSERT_THAT(RenderGitopsTree(root, NewTree(), "dev", options), IsOk());
    total = env.Count(op);
  }
  ASSERT_GT(total, 0) << FaultOpName(op);
  for (int n = 1; n <= total; ++n) {
    std::string context =
        std::string(FaultOpName(op)) + " #" + std::to_string(n) + " of " + std::to_string(total);
    TempDir tmp;
    std::string root = tmp / "co";
    MakeOldState(root);
    FaultEnv env;
    env.FailNth(op, n, n % 2 ? EIO : ENOSPC);
    TreeOptions options;
    options.env = &env;
    options.bulk_sync_threshold = threshold;
    ApplyResult r = RenderGitopsTreeWithReport(root, ViewDesiredTree(NewTree()), "dev", options);
    ASSERT_TRUE(env.Fired()) << context;
    EXPECT_FALSE(r.status.ok()) << context;
    EXPECT_FALSE(r.status.message().empty()) << context;
    ExpectOldOrNew(root, context);
    // The report lists exactly the writes that happened.
    std::map<std::string, std::string> new_tree = NewTree(), old_tree = OldTree();
    for (const std::string& p : r.report.changed_paths) {
      if (p.back() == '/' || !new_tree.count(p)) continue;
      EXPECT_EQ(ReadFile(root + "/" + p), new_tree[p]) << context << ": " << p;
    }
    for (const auto& [path, content] : new_tree) {
      bool reported =
          std::count(r.report.changed_paths.begin(), r.report.changed_paths.end(), path) > 0;
      bool was_new_already = old_tree.count(path) && old_tree[path] == content;
      if (!reported && !was_new_already) {
        EXPECT_NE(ReadFile(root + "/" + path), std::optional<std::string>(content))
            << context << ": " << path << " written but not reported";
      }
    }
    ExpectConverges(root, context);
  }
}

INSTANTIATE_TEST_SUITE_P(AllOps, FaultTest,
                         ::testing::Combine(::testing::Values(FaultOp::kWrite, FaultOp::kRename,
                                                              FaultOp::kSync, FaultOp::kOpen,
                                                              FaultOp::kUnlink, FaultOp::kMkdir,
                                                              FaultOp::kChmod),
                                            ::testing::Bool()),
                         [](const ::testing::TestParamInfo<std::tuple<FaultOp, bool>>& info) {
                           return std::string(FaultOpName(std::get<0>(info.param))) +
                                  (std::get<1>(info.param) ? "_Bulk" : "_PerFile");
                         });

}  // namespace
}  // namespace wildside::tree
