// The realistic fixture of issue 3, written byte-exact into a fresh checkout.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "status_matchers.h"
#include "tree/render.h"
#include "tree_test_util.h"

namespace wildside::tree {
namespace {

using wildside::testing::IsOk;
using namespace wildside::tree::testing;

TEST(FixtureTest, ShapeMatchesTheIssue) {
  std::map<std::string, std::string> f = RealisticFixture("dev");
  EXPECT_GE(f.size(), 40u);
  EXPECT_LE(f.size(), 44u);
  size_t big = 0;
  for (const auto& [path, content] : f) {
    ASSERT_GE(content.size(), 2u);
    EXPECT_EQ(content.substr(content.size() - 2), "\n\n") << path;
    if (content.size() > 100 * 1024) {
      ++big;
      EXPECT_GE(content.size(), 200u * 1024);
      EXPECT_NE(content.find("µ"), std::string::npos);
      EXPECT_NE(content.find("\n---\n"), std::string::npos);
    } else {
      EXPECT_LT(content.size(), 1024u) << path;
    }
  }
  EXPECT_EQ(big, 1u);
}

TEST(FixtureTest, WrittenByteExactThenNoChanges) {
  TempDir tmp;
  std::map<std::string, std::string> f = RealisticFixture("dev");
  absl::StatusOr<RenderReport> r = RenderGitopsTree(tmp / "checkout", f, "dev");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->created, f.size());
  EXPECT_EQ(ReadTree(tmp / "checkout"), f);
  uint64_t bytes = 0;
  for (const auto& [path, content] : f) bytes += content.size();
  EXPECT_EQ(r->bytes_written, bytes);
  auto plan = PlanGitopsTree(tmp / "checkout", ViewDesiredTree(f), "dev");
  ASSERT_THAT(plan, IsOk());
  EXPECT_FALSE(plan->HasChanges());
  EXPECT_EQ(plan->Count(ChangeKind::kUnchanged), f.size());
}

}  // namespace
}  // namespace wildside::tree
