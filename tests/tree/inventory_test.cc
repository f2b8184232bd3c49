// Ownership inventories: several clusters on one checkout
// (docs/adr/0009-ownership-inventory.md).
#include "tree/inventory.h"

#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "status_matchers.h"
#include "tree/checkout.h"
#include "tree/render.h"
#include "tree/validate.h"
#include "tree_test_util.h"

namespace wildside::tree {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using wildside::testing::IsOk;
using wildside::testing::StatusIs;
using namespace wildside::tree::testing;
using Files = std::map<std::string, std::string>;

std::vector<std::string> Keys(const Files& m) {
  std::vector<std::string> out;
  for (const auto& [k, v] : m) out.push_back(k);
  return out;
}

// The paths the inventory of `cluster` under `co` lists (empty if none).
std::vector<std::string> Claims(const std::string& co, const std::string& cluster) {
  std::optional<std::string> text = ReadFile(co + "/" + InventoryPath(cluster));
  return text ? ParseInventory(*text) : std::vector<std::string>{};
}

// Every path of `files` is on disk under `co` with that content.
void ExpectOnDisk(const std::string& co, const Files& files, const std::string& what) {
  for (const auto& [p, c] : files) EXPECT_EQ(ReadFile(co + "/" + p), c) << p << ", " << what;
}

const Files kDev = {
    {"clusters/dev/kustomization.yaml", "dev kustomization\n"},
    {"modules/shared/common.yaml", "shared\n"},
    {"platform/traefik/release.yaml", "traefik for dev\n"},
    {"platform/redis/valkey.yaml", "valkey\n"},
};
const Files kProd = {
    {"clusters/prod/kustomization.yaml", "prod kustomization\n"},
    {"clusters/prod/platform/traefik/release.yaml", "traefik for prod\n"},
};

TEST(InventoryFormatTest, SortedUniquePathsAfterAFixedHeader) {
  std::string text = FormatInventory(
      "dev", std::vector<std::string>{"platform/b.yaml", "clusters/dev/a", "platform/b.yaml"});
  EXPECT_EQ(text,
            FormatInventory("dev", std::vector<std::string>{"clusters/dev/a", "platform/b.yaml"}));
  EXPECT_THAT(text, HasSubstr("\nclusters/dev/a\nplatform/b.yaml\n"));
  EXPECT_EQ(text.rfind("# ", 0), 0u);
  EXPECT_THAT(ParseInventory(text), ElementsAre("clusters/dev/a", "platform/b.yaml"));
  // Nothing in it but the cluster and the paths: no time, no hash.
  EXPECT_EQ(text,
            FormatInventory("dev", std::vector<std::string>{"platform/b.yaml", "clusters/dev/a"}));
}

TEST(InventoryFormatTest, NameIsInvisibleToFluxAndArgo) {
  EXPECT_EQ(InventoryPath("dev"), "clusters/dev/.wildside-inventory");
  for (std::string_view ext : {".yaml", ".yml", ".json"}) {
    EXPECT_FALSE(std::string_view(kInventoryName).ends_with(ext)) << ext;
  }
}

TEST(InventoryFormatTest, ParseSkipsHeaderBlankAndMalformedLines) {
  EXPECT_THAT(ParseInventory("# header\n\nmodules/a\r\n../escape\n/abs\nmodules/a\nplatform/x/y"),
              ElementsAre("modules/a", "platform/x/y"));
  EXPECT_TRUE(ParseInventory("").empty());
}

TEST(InventoryValidateTest, ReservedNameIsRefusedAsAKey) {
  DesiredTree d = {{"clusters/dev/.wildside-inventory", "x"},
                   {"platform/traefik/.wildside-inventory", "x"},
                   {"platform/traefik/ok.yaml", "x"}};
  std::vector<KeyProblem> problems = ValidateDesiredTree("dev", d, {});
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].key, "clusters/dev/.wildside-inventory");
  EXPECT_THAT(problems[0].message, HasSubstr("reserved name"));
  EXPECT_EQ(problems[1].key, "platform/traefik/.wildside-inventory");
}

TEST(InventoryApplyTest, ApplyRecordsTheKeysAndASecondApplyWritesNothing) {
  TempDir tmp;
  const std::string co = tmp / "co";
  ASSERT_THAT(RenderGitopsTree(co, kDev, "dev"), IsOk());
  EXPECT_EQ(Claims(co, "dev"), Keys(kDev));
  EXPECT_EQ(ReadFile(co + "/" + InventoryPath("dev")), FormatInventory("dev", Keys(kDev)));

  SetOldMtime(co + "/" + InventoryPath("dev"));
  auto before = Snapshot(co);
  absl::StatusOr<ChangeSet> plan = PlanGitopsTree(co, ViewDesiredTree(kDev), "dev");
  ASSERT_THAT(plan.status(), IsOk());
  EXPECT_FALSE(plan->HasChanges());
  absl::StatusOr<RenderReport> again = RenderGitopsTree(co, kDev, "dev");
  ASSERT_THAT(again.status(), IsOk());
  EXPECT_EQ(again->created + again->updated + again->pruned, 0u);
  EXPECT_EQ(Snapshot(co), before);
  EXPECT_EQ(MtimeOf(co + "/" + InventoryPath("dev")).tv_sec, 1000000000);

  ReadSession c = *ReadSession::Open(co, TreeOptions{});
  absl::StatusOr<Inventory> inv = c.ReadInventory("dev");
  ASSERT_THAT(inv.status(), IsOk());
  EXPECT_TRUE(inv->exists);
  EXPECT_EQ(inv->paths, Keys(kDev));
  EXPECT_FALSE(c.ReadInventory("prod")->exists);
}

TEST(InventoryApplyTest, TwoClustersNeverPruneEachOther) {
  TempDir tmp;
  const std::string co = tmp / "co";
  ASSERT_THAT(RenderGitopsTree(co, kDev, "dev"), IsOk());
  ASSERT_THAT(RenderGitopsTree(co, kProd, "prod"), IsOk());
  ExpectOnDisk(co, kDev, "after prod's apply");
  ExpectOnDisk(co, kProd, "after prod's apply");
  ASSERT_THAT(RenderGitopsTree(co, kDev, "dev"), IsOk());
  ExpectOnDisk(co, kProd, "after dev's second apply");
  // Each one's plan is empty, and foreign files are listed apart.
  for (auto [cluster, files] : {std::pair{"dev", &kDev}, std::pair{"prod", &kProd}}) {
    absl::StatusOr<ChangeSet> plan = PlanGitopsTree(co, ViewDesiredTree(*files), cluster);
    ASSERT_THAT(plan.status(), IsOk());
    EXPECT_FALSE(plan->HasChanges()) << cluster;
  }
  absl::StatusOr<ChangeSet> prod = PlanGitopsTree(co, ViewDesiredTree(kProd), "prod");
  EXPECT_EQ(prod->foreign,
            (std::vector<std::string>{"modules/shared/common.yaml", "platform/redis/valkey.yaml",
                                      "platform/traefik/release.yaml"}));
  absl::StatusOr<TreeScan> scan = ScanCheckout(co, "prod", {});
  ASSERT_THAT(scan.status(), IsOk());
  EXPECT_EQ(scan->foreign.size(), kDev.size());
  EXPECT_EQ(*ClaimOf(scan->foreign, "platform/redis/valkey.yaml"), "dev");
  EXPECT_EQ(scan->Find(InventoryPath("prod")), nullptr) << "the inventory is never an entry";
}

TEST(InventoryApplyTest, WritingAPathAnotherClusterClaimsIsAConflictNamingTheOwner) {
  TempDir tmp;
  const std::string co = tmp / "co";
  ASSERT_THAT(RenderGitopsTree(co, kDev, "dev"), IsOk());
  for (const std::string content : {"traefik for dev\n", "other\n"}) {
    Files prod = kProd;
    prod["platform/traefik/release.yaml"] = content;  // dev's, same or other content
    absl::StatusOr<ChangeSet> plan = PlanGitopsTree(co, ViewDesiredTree(prod), "prod");
    ASSERT_THAT(plan.status(), IsOk());
    ASSERT_EQ(plan->conflicts.size(), 1u);
    EXPECT_EQ(plan->conflicts[0].path, "platform/traefik/release.yaml");
    EXPECT_EQ(plan->conflicts[0].owner, "dev");
    EXPECT_THAT(plan->conflicts[0].message, HasSubstr("cluster \"dev\""));
    auto before = Snapshot(co);
    EXPECT_THAT(RenderGitopsTree(co, prod, "prod").status(),
                StatusIs(absl::StatusCode::kFailedPrecondition, "platform/traefik/release.yaml"));
    EXPECT_EQ(Snapshot(co), before) << "nothing written, not even prod's inventory";
  }
}

TEST(InventoryApplyTest, UnclaimedFileInAnOwnedDirectoryIsStillAStray) {
  TempDir tmp;
  const std::string co = tmp / "co";
  ASSERT_THAT(RenderGitopsTree(co, kDev, "dev"), IsOk());
  ASSERT_THAT(RenderGitopsTree(co, kProd, "prod"), IsOk());
  WriteFile(co + "/platform/traefik/by-hand.yaml", "hand\n");
  absl::StatusOr<ChangeSet> plan = PlanGitopsTree(co, ViewDesiredTree(kProd), "prod");
  ASSERT_THAT(plan.status(), IsOk());
  EXPECT_EQ(plan->Count(ChangeKind::kPrune), 1u);
  ASSERT_THAT(RenderGitopsTree(co, kProd, "prod"), IsOk());
  EXPECT_FALSE(Exists(co + "/platform/traefik/by-hand.yaml"));
  ExpectOnDisk(co, kDev, "after prod pruned the stray");
}

TEST(InventoryApplyTest, ADirectoryHoldingForeignFilesIsNeverRemoved) {
  TempDir tmp;
  const std::string co = tmp / "co";
  ASSERT_THAT(RenderGitopsTree(co, kDev, "dev"), IsOk());
  // prod has nothing under platform/ or modules/: those directories hold
  // only dev's files and must stay.
  ASSERT_THAT(RenderGitopsTree(co, kProd, "prod"), IsOk());
  EXPECT_TRUE(Exists(co + "/platform/redis"));
  EXPECT_TRUE(Exists(co + "/modules/shared"));
}

TEST(InventoryApplyTest, AForeignFileWhereADirectoryMustBeIsAConflict) {
  TempDir tmp;
  const std::string co = tmp / "co";
  ASSERT_THAT(RenderGitopsTree(co, kDev, "dev"), IsOk());
  Files prod = kProd;
  prod["platform/redis/valkey.yaml/inner.yaml"] = "x\n";
  absl::StatusOr<ChangeSet> plan = PlanGitopsTree(co, ViewDesiredTree(prod), "prod");
  ASSERT_THAT(plan.status(), IsOk());
  ASSERT_EQ(plan->conflicts.size(), 1u);
  EXPECT_EQ(plan->conflicts[0].path, "platform/redis/valkey.yaml");
  EXPECT_EQ(plan->conflicts[0].owner, "dev");
}

TEST(InventoryApplyTest, DroppingAKeyPrunesAndReleasesIt) {
  TempDir tmp;
  const std::string co = tmp / "co";
  ASSERT_THAT(RenderGitopsTree(co, kDev, "dev"), IsOk());
  Files dev = kDev;
  dev.erase("platform/traefik/release.yaml");
  ASSERT_THAT(RenderGitopsTree(co, dev, "dev"), IsOk());
  EXPECT_FALSE(Exists(co + "/platform/traefik/release.yaml"));
  EXPECT_EQ(Claims(co, "dev"), Keys(dev));
  // Now prod may take it.
  Files prod = kProd;
  prod["platform/traefik/release.yaml"] = "prod's now\n";
  ASSERT_THAT(RenderGitopsTree(co, prod, "prod"), IsOk());
  EXPECT_THAT(Claims(co, "prod"), ::testing::Contains("platform/traefik/release.yaml"));
}

TEST(InventoryApplyTest, WithoutPruneADroppedFileThatStaysStaysClaimed) {
  TempDir tmp;
  const std::string co = tmp / "co";
  ASSERT_THAT(RenderGitopsTree(co, kDev, "dev"), IsOk());
  Files dev = kDev;
  dev.erase("platform/redis/valkey.yaml");
  TreeOptions keep;
  keep.prune = false;
  ASSERT_THAT(RenderGitopsTree(co, dev, "dev", keep), IsOk());
  EXPECT_TRUE(Exists(co + "/platform/redis/valkey.yaml"));
  EXPECT_EQ(Claims(co, "dev"), Keys(kDev));
}

TEST(InventoryApplyTest, AnInstanceWithNoKeysUnderItsClusterStillKeepsItsInventory) {
  TempDir tmp;
  const std::string co = tmp / "co";
  Files shared = {{"platform/traefik/release.yaml", "t\n"}};
  ASSERT_THAT(RenderGitopsTree(co, shared, "dev"), IsOk());
  EXPECT_EQ(Claims(co, "dev"), Keys(shared));
  absl::StatusOr<ChangeSet> plan = PlanGitopsTree(co, ViewDesiredTree(shared), "dev");
  ASSERT_THAT(plan.status(), IsOk());
  EXPECT_FALSE(plan->HasChanges());
  // Nothing configured any more: everything pruned, an empty inventory kept.
  ASSERT_THAT(RenderGitopsTree(co, Files{}, "dev"), IsOk());
  EXPECT_FALSE(Exists(co + "/platform/traefik/release.yaml"));
  EXPECT_TRUE(Claims(co, "dev").empty());
  EXPECT_FALSE(PlanGitopsTree(co, DesiredTree{}, "dev")->HasChanges());
}

TEST(InventoryApplyTest, ExcludeNeverHidesTheInventory) {
  TempDir tmp;
  const std::string co = tmp / "co";
  TreeOptions options;
  options.exclude = {"clusters/dev/.*"};
  ASSERT_THAT(RenderGitopsTree(co, kDev, "dev", options), IsOk());
  EXPECT_EQ(Claims(co, "dev"), Keys(kDev));
  EXPECT_FALSE(PlanGitopsTree(co, ViewDesiredTree(kDev), "dev", options)->HasChanges());
}

// Two pipelines raced through git and both inventories claim one path:
// both plans fail; dropping the key from one releases it, file kept.
TEST(InventoryApplyTest, APathTwoInventoriesClaimIsReleasedByDroppingItFromOne) {
  TempDir tmp;
  const std::string co = tmp / "co";
  const std::string both = "modules/shared/common.yaml";
  ASSERT_THAT(RenderGitopsTree(co, kDev, "dev"), IsOk());
  Files prod = kProd;
  prod[both] = kDev.at(both);
  WriteFile(co + "/" + InventoryPath("prod"), FormatInventory("prod", Keys(prod)));
  for (auto [cluster, files] :
       {std::pair<const char*, const Files*>{"dev", &kDev}, {"prod", &prod}}) {
    absl::StatusOr<ChangeSet> plan = PlanGitopsTree(co, ViewDesiredTree(*files), cluster);
    ASSERT_THAT(plan.status(), IsOk());
    ASSERT_EQ(plan->conflicts.size(), 1u) << cluster;
    EXPECT_EQ(plan->conflicts[0].path, both);
  }
  Files dev = kDev;
  dev.erase(both);
  ASSERT_THAT(RenderGitopsTree(co, dev, "dev"), IsOk());
  EXPECT_EQ(ReadFile(co + "/" + both), kDev.at(both)) << "foreign to dev now: not deleted";
  EXPECT_EQ(Claims(co, "dev"), Keys(dev));
  ASSERT_THAT(RenderGitopsTree(co, prod, "prod"), IsOk());
  EXPECT_FALSE(PlanGitopsTree(co, ViewDesiredTree(prod), "prod")->HasChanges());
  EXPECT_FALSE(PlanGitopsTree(co, ViewDesiredTree(dev), "dev")->HasChanges());
}

TEST(InventoryRemoveTest, DestroyDeletesTheInventoryLastAndKeepsClaimsOnWhatStays) {
  TempDir tmp;
  const std::string co = tmp / "co";
  ASSERT_THAT(RenderGitopsTree(co, kDev, "dev"), IsOk());
  ASSERT_THAT(RenderGitopsTree(co, kProd, "prod"), IsOk());
  // The destroy half of a replacement keeps some files: they stay claimed.
  ApplyResult part = RemoveInSession(co, "dev", {"platform/redis/valkey.yaml"}, {});
  ASSERT_THAT(part.status, IsOk());
  Files kept = kDev;
  kept.erase("platform/redis/valkey.yaml");
  EXPECT_EQ(Claims(co, "dev"), Keys(kept));
  // A full destroy: files, then the inventory, then clusters/dev.
  ApplyResult all = RemoveInSession(co, "dev", Keys(kDev), {});
  ASSERT_THAT(all.status, IsOk());
  EXPECT_EQ(all.report.pruned, kept.size());
  EXPECT_FALSE(Exists(co + "/" + InventoryPath("dev")));
  EXPECT_FALSE(Exists(co + "/clusters/dev"));
  ExpectOnDisk(co, kProd, "after dev's destroy");
  EXPECT_EQ(Claims(co, "prod"), Keys(kProd));
}

TEST(InventoryRemoveTest, DestroyNeverDeletesAFileAnotherClusterClaims) {
  TempDir tmp;
  const std::string co = tmp / "co";
  ASSERT_THAT(RenderGitopsTree(co, kDev, "dev"), IsOk());
  // A race through git: prod's inventory claims one of dev's files too.
  const std::string both = "modules/shared/common.yaml";
  WriteFile(co + "/" + InventoryPath("prod"),
            FormatInventory("prod", std::vector<std::string>{both}));
  ApplyResult r = RemoveInSession(co, "dev", Keys(kDev), {});
  ASSERT_THAT(r.status, IsOk());
  EXPECT_EQ(r.report.pruned, kDev.size() - 1);
  EXPECT_EQ(ReadFile(co + "/" + both), kDev.at(both));
  EXPECT_FALSE(Exists(co + "/" + InventoryPath("dev"))) << "released: the file is prod's";
}

TEST(InventoryRemoveTest, DestroyThroughACheckoutReleasesToo) {
  TempDir tmp;
  const std::string co = tmp / "co";
  ASSERT_THAT(RenderGitopsTree(co, kDev, "dev"), IsOk());
  WriteSession c = *WriteSession::Open(co, TreeOptions{});
  RenderReport report;
  ASSERT_THAT(c.Remove("dev", Keys(kDev), &report), IsOk());
  EXPECT_FALSE(Exists(co + "/" + InventoryPath("dev")));
}

}  // namespace
}  // namespace wildside::tree
