// Scan and diff against real temp directories.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "status_matchers.h"
#include "tree/checkout.h"
#include "tree/diff.h"
#include "tree/render.h"
#include "tree/scan.h"
#include "tree_test_util.h"

namespace wildside::tree {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using wildside::testing::IsOk;
using wildside::testing::StatusIs;
using namespace wildside::tree::testing;

constexpr char kAbcSha256[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

std::vector<std::pair<std::string, ChangeKind>> Kinds(const ChangeSet& cs) {
  std::vector<std::pair<std::string, ChangeKind>> out;
  for (const Change& c : cs.changes) out.emplace_back(c.path, c.kind);
  return out;
}

TEST(ScanTest, MissingCheckoutIsAnEmptyScan) {
  TempDir tmp;
  absl::StatusOr<TreeScan> scan = ScanCheckout(tmp / "nope", "dev", {});
  ASSERT_THAT(scan, IsOk());
  EXPECT_FALSE(scan->root_exists);
  EXPECT_THAT(scan->entries, IsEmpty());
}

TEST(ScanTest, ExistingEmptyCheckout) {
  TempDir tmp;
  absl::StatusOr<TreeScan> scan = ScanCheckout(tmp.path(), "dev", {});
  ASSERT_THAT(scan, IsOk());
  EXPECT_TRUE(scan->root_exists);
  EXPECT_THAT(scan->entries, IsEmpty());
}

TEST(ScanTest, OnlyOwnedRootsWithHashSizeAndMode) {
  TempDir tmp;
  WriteFile(tmp / "README.md", "readme");
  WriteFile(tmp / ".git/config", "git");
  WriteFile(tmp / "clusters/prod/x.yaml", "prod");
  WriteFile(tmp / "clusters/dev/flux-system/gotk.yaml", "flux");
  WriteFile(tmp / "clusters/dev/a.yaml", "abc", 0600);
  WriteFile(tmp / "platform/traefik/b.yaml", "bb");
  WriteFile(tmp / "modules/m.yaml", "m");
  absl::StatusOr<TreeScan> scan = ScanCheckout(tmp.path(), "dev", {});
  ASSERT_THAT(scan, IsOk());
  std::vector<std::string> paths;
  for (const ScanEntry& e : scan->entries) paths.push_back(e.path);
  EXPECT_THAT(paths, ElementsAre("clusters", "clusters/dev", "clusters/dev/a.yaml", "modules",
                                 "modules/m.yaml", "platform", "platform/traefik",
                                 "platform/traefik/b.yaml"));
  EXPECT_FALSE(scan->Find("clusters")->owned);
  const ScanEntry* a = scan->Find("clusters/dev/a.yaml");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->kind, EntryKind::kFile);
  EXPECT_EQ(a->size, 3u);
  EXPECT_EQ(a->mode, 0600u);
  EXPECT_EQ(a->sha256, kAbcSha256);
  EXPECT_EQ(scan->Find("platform/traefik")->kind, EntryKind::kDirectory);
  EXPECT_THAT(scan->excluded, ElementsAre("clusters/dev/flux-system"));
}

TEST(ScanTest, SymlinkInOwnedRootIsAnErrorNamingIt) {
  TempDir tmp;
  WriteFile(tmp / "outside/secret", "s");
  MakeDirs(tmp / "co/platform/traefik");
  MakeSymlink(tmp / "outside/secret", tmp / "co/platform/traefik/link.yaml");
  EXPECT_THAT(
      ScanCheckout(tmp / "co", "dev", {}),
      StatusIs(absl::StatusCode::kFailedPrecondition, "platform/traefik/link.yaml: symbolic link"));
  TreeOptions stray;
  stray.symlinks_as_stray = true;
  absl::StatusOr<TreeScan> scan = ScanCheckout(tmp / "co", "dev", stray);
  ASSERT_THAT(scan, IsOk());
  EXPECT_EQ(scan->Find("platform/traefik/link.yaml")->kind, EntryKind::kSymlink);
}

TEST(ScanTest, OwnedDirectorySymlinkIsNotFollowed) {
  TempDir tmp;
  WriteFile(tmp / "outside/a.yaml", "a");
  MakeDirs(tmp / "co/platform");
  MakeSymlink(tmp / "outside", tmp / "co/platform/traefik");
  EXPECT_THAT(ScanCheckout(tmp / "co", "dev", {}),
              StatusIs(absl::StatusCode::kFailedPrecondition, "platform/traefik"));
  MakeSymlink(tmp / "outside", tmp / "co/modules");
  TreeOptions stray;
  stray.symlinks_as_stray = true;
  absl::StatusOr<TreeScan> scan = ScanCheckout(tmp / "co", "dev", stray);
  ASSERT_THAT(scan, IsOk());
  EXPECT_EQ(scan->Find("platform/traefik/a.yaml"), nullptr);
  EXPECT_EQ(scan->Find("modules")->kind, EntryKind::kSymlink);
  EXPECT_FALSE(scan->Find("modules")->owned);
}

TEST(ScanTest, FifoIsNeverOpened) {
  TempDir tmp;
  MakeDirs(tmp / "modules");
  ASSERT_EQ(::mkfifo((tmp / "modules/pipe").c_str(), 0644), 0);
  EXPECT_THAT(ScanCheckout(tmp.path(), "dev", {}),
              StatusIs(absl::StatusCode::kFailedPrecondition, "modules/pipe: special file"));
  TreeOptions stray;
  stray.symlinks_as_stray = true;
  absl::StatusOr<TreeScan> scan = ScanCheckout(tmp.path(), "dev", stray);
  ASSERT_THAT(scan, IsOk());
  EXPECT_EQ(scan->Find("modules/pipe")->kind, EntryKind::kOther);
}

TEST(ScanTest, LargeNonUtf8StrayIsReportedWithoutBeingRead) {
  TempDir tmp;
  WriteFile(tmp / "modules/blob.bin", std::string(8 << 20, '\xff'));
  std::map<std::string, std::string> owned = {{"modules/a.yaml", "a\n"}};
  DesiredTree desired = ViewDesiredTree(owned);
  absl::StatusOr<TreeScan> scan = ScanCheckout(tmp.path(), "dev", {}, &desired);
  ASSERT_THAT(scan, IsOk());
  const ScanEntry* blob = scan->Find("modules/blob.bin");
  ASSERT_NE(blob, nullptr);
  EXPECT_EQ(blob->size, 8u << 20);
  EXPECT_EQ(blob->sha256, "");  // never hashed, hence never read
  ChangeSet cs = DiffAgainstDisk(desired, *scan, {});
  EXPECT_THAT(Kinds(cs),
              ElementsAre(std::pair{std::string("modules/a.yaml"), ChangeKind::kCreate},
                          std::pair{std::string("modules/blob.bin"), ChangeKind::kPrune}));
  EXPECT_EQ(cs.changes[1].old_size, 8u << 20);
}

TEST(DiffTest, AllKindsInSortedOrder) {
  TempDir tmp;
  WriteFile(tmp / "modules/same.yaml", "same\n");
  WriteFile(tmp / "modules/content.yaml", "old\n");
  WriteFile(tmp / "modules/size.yaml", "longer old content\n");
  WriteFile(tmp / "modules/mode.yaml", "mode\n", 0600);
  WriteFile(tmp / "modules/stray.yaml", "stray\n");
  MakeDirs(tmp / "modules/empty/deeper");
  std::map<std::string, std::string> owned = {{"modules/same.yaml", "same\n"},
                                              {"modules/content.yaml", "new\n"},
                                              {"modules/size.yaml", "short\n"},
                                              {"modules/mode.yaml", "mode\n"},
                                              {"modules/new/file.yaml", "new\n"}};
  DesiredTree desired = ViewDesiredTree(owned);
  absl::StatusOr<TreeScan> scan = ScanCheckout(tmp.path(), "dev", {}, &desired);
  ASSERT_THAT(scan, IsOk());
  EXPECT_EQ(scan->Find("modules/size.yaml")->sha256, "");  // size differs: not hashed
  ChangeSet cs = DiffAgainstDisk(desired, *scan, {});
  using P = std::pair<std::string, ChangeKind>;
  EXPECT_THAT(Kinds(cs), ElementsAre(P{"modules/content.yaml", ChangeKind::kUpdate},
                                     P{"modules/empty", ChangeKind::kRemoveDir},
                                     P{"modules/empty/deeper", ChangeKind::kRemoveDir},
                                     P{"modules/mode.yaml", ChangeKind::kModeChange},
                                     P{"modules/new/file.yaml", ChangeKind::kCreate},
                                     P{"modules/same.yaml", ChangeKind::kUnchanged},
                                     P{"modules/size.yaml", ChangeKind::kUpdate},
                                     P{"modules/stray.yaml", ChangeKind::kPrune}));
  EXPECT_TRUE(cs.HasChanges());
  EXPECT_THAT(cs.conflicts, IsEmpty());

  TreeOptions keep;
  keep.prune = false;
  ChangeSet kept = DiffAgainstDisk(desired, *scan, keep);
  EXPECT_EQ(kept.Count(ChangeKind::kPrune), 0u);
  EXPECT_EQ(kept.Count(ChangeKind::kRemoveDir), 0u);
  EXPECT_THAT(kept.kept_strays, ElementsAre("modules/stray.yaml"));
}

TEST(DiffTest, DeterministicAcrossRuns) {
  TempDir tmp;
  std::map<std::string, std::string> owned = RealisticFixture("dev");
  ASSERT_THAT(RenderGitopsTree(tmp.path(), owned, "dev"), IsOk());
  WriteFile(tmp / "modules/app/zz.yaml", "z");
  owned["modules/app/deployment.yaml"] += "# edited\n";
  DesiredTree desired = ViewDesiredTree(owned);
  auto a = PlanGitopsTree(tmp.path(), desired, "dev");
  auto b = PlanGitopsTree(tmp.path(), desired, "dev");
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  EXPECT_EQ(ToJson(*a), ToJson(*b));
  EXPECT_EQ(a->Count(ChangeKind::kUpdate), 1u);
  EXPECT_EQ(a->Count(ChangeKind::kPrune), 1u);
}

TEST(DiffTest, FileWhereDirectoryIsNeededIsReplaced) {
  TempDir tmp;
  WriteFile(tmp / "platform/traefik", "i am a file");
  std::map<std::string, std::string> owned = {{"platform/traefik/x.yaml", "x\n"}};
  DesiredTree desired = ViewDesiredTree(owned);
  auto plan = PlanGitopsTree(tmp.path(), desired, "dev");
  ASSERT_THAT(plan, IsOk());
  using P = std::pair<std::string, ChangeKind>;
  EXPECT_THAT(Kinds(*plan), ElementsAre(P{"platform/traefik", ChangeKind::kPrune},
                                        P{"platform/traefik/x.yaml", ChangeKind::kCreate}));
  ASSERT_THAT(RenderGitopsTree(tmp.path(), desired, "dev"), IsOk());
  EXPECT_EQ(ReadFile(tmp / "platform/traefik/x.yaml"), "x\n");
}

TEST(DiffTest, DirectoryWhereFileIsNeededIsReplaced) {
  TempDir tmp;
  WriteFile(tmp / "modules/a/inner/b.yaml", "b");
  WriteFile(tmp / "modules/a/c.yaml", "c");
  std::map<std::string, std::string> owned = {{"modules/a", "now a file\n"}};
  DesiredTree desired = ViewDesiredTree(owned);
  auto plan = PlanGitopsTree(tmp.path(), desired, "dev");
  ASSERT_THAT(plan, IsOk());
  using P = std::pair<std::string, ChangeKind>;
  EXPECT_THAT(Kinds(*plan), ElementsAre(P{"modules/a", ChangeKind::kRemoveDir},
                                        P{"modules/a", ChangeKind::kCreate},
                                        P{"modules/a/c.yaml", ChangeKind::kPrune},
                                        P{"modules/a/inner", ChangeKind::kRemoveDir},
                                        P{"modules/a/inner/b.yaml", ChangeKind::kPrune}));
  absl::StatusOr<RenderReport> r = RenderGitopsTree(tmp.path(), desired, "dev");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(ReadFile(tmp / "modules/a"), "now a file\n");
  EXPECT_EQ(r->dirs_removed, 2u);
  EXPECT_EQ(r->pruned, 2u);
}

TEST(DiffTest, ConflictsThatCannotBeResolved) {
  TempDir tmp;
  WriteFile(tmp / "platform", "a file called platform");
  WriteFile(tmp / "modules/a/b.yaml", "b");
  std::map<std::string, std::string> owned = {{"platform/traefik/x.yaml", "x\n"},
                                              {"modules/a", "file\n"}};
  DesiredTree desired = ViewDesiredTree(owned);
  TreeOptions keep;
  keep.prune = false;
  auto plan = PlanGitopsTree(tmp.path(), desired, "dev", keep);
  ASSERT_THAT(plan, IsOk());
  ASSERT_EQ(plan->conflicts.size(), 2u);
  EXPECT_EQ(plan->conflicts[0].path, "modules/a");
  EXPECT_EQ(plan->conflicts[1].path, "platform");
  auto before = Snapshot(tmp.path());
  ApplyResult r = ApplyInSession(tmp.path(), desired, *plan, keep);
  EXPECT_THAT(r.status, StatusIs(absl::StatusCode::kFailedPrecondition, "platform: a file"));
  EXPECT_EQ(Snapshot(tmp.path()), before);
  // Pruning does not make the owned-root obstacle removable.
  EXPECT_THAT(RenderGitopsTree(tmp.path(), desired, "dev"),
              StatusIs(absl::StatusCode::kFailedPrecondition, "platform"));
  EXPECT_EQ(ReadFile(tmp / "platform"), "a file called platform");
}

TEST(DiffTest, ScanComparisonIsTrustedOnlyForTheSameDesiredTree) {
  TempDir tmp;
  WriteFile(tmp / "modules/a.yaml", "aaaa");
  WriteFile(tmp / "modules/empty.yaml", "");
  std::map<std::string, std::string> disk = {{"modules/a.yaml", "aaaa"},
                                             {"modules/empty.yaml", ""}};
  std::map<std::string, std::string> other = {{"modules/a.yaml", "bbbb"},
                                              {"modules/empty.yaml", ""}};
  DesiredTree same = ViewDesiredTree(disk);
  DesiredTree changed = ViewDesiredTree(other);
  absl::StatusOr<TreeScan> scan = ScanCheckout(tmp.path(), "dev", {}, &same);
  ASSERT_THAT(scan, IsOk());
  EXPECT_TRUE(scan->Find("modules/a.yaml")->compared);
  EXPECT_TRUE(scan->Find("modules/a.yaml")->same_as_compared);
  ChangeSet unchanged = DiffAgainstDisk(same, *scan, {});
  EXPECT_EQ(unchanged.Count(ChangeKind::kUnchanged), 2u);
  EXPECT_TRUE(unchanged.conflicts.empty());
  // Laid down by hand, without an inventory: the apply writes only that.
  EXPECT_FALSE(unchanged.inventory_claim.empty());
  // Same sizes, other buffer: falls back to SHA-256 and sees the change.
  ChangeSet cs = DiffAgainstDisk(changed, *scan, {});
  using P = std::pair<std::string, ChangeKind>;
  EXPECT_THAT(Kinds(cs), ElementsAre(P{"modules/a.yaml", ChangeKind::kUpdate},
                                     P{"modules/empty.yaml", ChangeKind::kUnchanged}));
}

TEST(ReadFileTest, ReadsOnlyRegularFilesWithoutFollowingLinks) {
  TempDir tmp;
  WriteFile(tmp / "co/modules/a.yaml", "hello µ\n\n");
  WriteFile(tmp / "outside/secret", "secret");
  MakeSymlink(tmp / "outside/secret", tmp / "co/modules/link.yaml");
  MakeSymlink(tmp / "outside", tmp / "co/platform");
  absl::StatusOr<ReadSession> co = ReadSession::Open(tmp / "co", {});
  ASSERT_THAT(co, IsOk());
  EXPECT_THAT(co->ReadFile("modules/a.yaml", 1024), IsOk());
  EXPECT_EQ(*co->ReadFile("modules/a.yaml", 1024), "hello µ\n\n");
  EXPECT_THAT(co->ReadFile("modules/link.yaml", 1024),
              StatusIs(absl::StatusCode::kFailedPrecondition, "symbolic link"));
  EXPECT_THAT(co->ReadFile("platform/secret", 1024),
              StatusIs(absl::StatusCode::kFailedPrecondition, "platform"));
  EXPECT_THAT(co->ReadFile("modules/a.yaml", 4),
              StatusIs(absl::StatusCode::kResourceExhausted, "too large"));
  EXPECT_THAT(co->ReadFile("modules/none.yaml", 1024), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(co->ReadFile("../outside/secret", 1024),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(co->ReadFile("modules", 1024),
              StatusIs(absl::StatusCode::kFailedPrecondition, "not a regular file"));
}

}  // namespace
}  // namespace wildside::tree
