// Apply against real temp directories: ownership, pruning, idempotence,
// modes, symlink escapes, locking.
#include "tree/apply.h"

#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <optional>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "status_matchers.h"
#include "tree/checkout.h"
#include "tree/render.h"
#include "tree/scan.h"
#include "tree/testing/fault_env.h"
#include "tree_test_util.h"

namespace wildside::tree {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using wildside::testing::IsOk;
using wildside::testing::StatusIs;
using namespace wildside::tree::testing;

// A checkout next to a sentinel directory that must never change.
class ApplyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(tmp_ / "sentinel/secret.yaml", "outside the checkout\n");
    WriteFile(tmp_ / "sentinel/sub/deep.yaml", "deep\n", 0600);
    sentinel_ = Snapshot(tmp_ / "sentinel");
  }
  void TearDown() override {
    EXPECT_EQ(Snapshot(tmp_ / "sentinel"), sentinel_) << "sentinel changed";
  }
  std::string co() const { return tmp_ / "checkout"; }
  std::string co(const std::string& rel) const { return co() + "/" + rel; }

  TempDir tmp_;
  std::map<std::string, std::string> sentinel_;
};

TEST_F(ApplyTest, CreatesNestedRootAndWritesByteExactWithExplicitModes) {
  mode_t old_umask = ::umask(077);
  std::map<std::string, std::string> owned = {
      {"clusters/dev/kustomization.yaml", "a: 1\n\n"},
      {"clusters/dev/platform/traefik/x.yaml", "nested\n"},
      {"platform/traefik/helm.yaml", std::string("bin\0ary\xff", 8)},
      {"modules/app/empty.yaml", ""}};
  std::string root = tmp_ / "deep/er/checkout";
  absl::StatusOr<RenderReport> r = RenderGitopsTree(root, owned, "dev");
  ::umask(old_umask);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(ReadTree(root), owned);
  EXPECT_EQ(r->created, 4u);
  EXPECT_EQ(r->bytes_written, 6u + 7u + 8u + 0u);
  EXPECT_EQ(r->dirs_created, 3u + 8u);  // deep, er, checkout + 8 below
  EXPECT_EQ(ModeOf(root + "/platform/traefik/helm.yaml"), 0644u);
  EXPECT_EQ(ModeOf(root + "/platform/traefik"), 0755u);
  EXPECT_EQ(ModeOf(root + "/clusters"), 0755u);
  EXPECT_EQ(ModeOf(root), 0755u);
  EXPECT_THAT(r->changed_paths,
              ElementsAre("clusters/dev/kustomization.yaml", "clusters/dev/platform/traefik/x.yaml",
                          "modules/app/empty.yaml", "platform/traefik/helm.yaml"));
}

TEST_F(ApplyTest, CustomModes) {
  TreeOptions options;
  options.file_mode = 0600;
  options.dir_mode = 0700;
  std::map<std::string, std::string> owned = {{"modules/a/b.yaml", "b\n"}};
  ASSERT_THAT(RenderGitopsTree(co(), owned, "dev", options), IsOk());
  EXPECT_EQ(ModeOf(co("modules/a/b.yaml")), 0600u);
  EXPECT_EQ(ModeOf(co("modules/a")), 0700u);
}

TEST_F(ApplyTest, UnmanagedPathsUntouchedStraysPrunedEmptyDirsRemoved) {
  WriteFile(co("README.md"), "readme\n");
  WriteFile(co(".git/config"), "[core]\n");
  WriteFile(co("clusters/prod/app.yaml"), "prod\n");
  WriteFile(co("clusters/dev/flux-system/gotk-components.yaml"), "flux\n");
  WriteFile(co("clusters/dev/old.yaml"), "stray\n");
  WriteFile(co("platform/vault/old/deep/x.yaml"), "stray\n");
  WriteFile(co("modules/gone/y.yaml"), "stray\n");
  MakeDirs(co("platform/redis/empty"));
  std::map<std::string, std::string> unmanaged = {
      {"README.md", "readme\n"},
      {".git/config", "[core]\n"},
      {"clusters/prod/app.yaml", "prod\n"},
      {"clusters/dev/flux-system/gotk-components.yaml", "flux\n"}};
  std::map<std::string, std::string> owned = {{"platform/traefik/x.yaml", "x\n"}};

  absl::StatusOr<RenderReport> r = RenderGitopsTree(co(), owned, "dev");
  ASSERT_THAT(r, IsOk());
  std::map<std::string, std::string> expected = unmanaged;
  expected.insert(owned.begin(), owned.end());
  EXPECT_EQ(ReadTree(co()), expected);
  EXPECT_EQ(r->pruned, 3u);
  // platform/vault/old/deep, platform/vault/old, platform/vault,
  // platform/redis/empty, platform/redis, modules/gone, modules.
  EXPECT_EQ(r->dirs_removed, 7u);
  EXPECT_FALSE(Exists(co("modules")));
  EXPECT_FALSE(Exists(co("platform/vault")));
  // clusters/dev keeps the excluded flux-system folder, so it stays.
  EXPECT_TRUE(Exists(co("clusters/dev/flux-system")));

  // With only the excluded folder gone too, clusters/dev holds nothing but
  // the ownership inventory (docs/adr/0009-ownership-inventory.md), and
  // clusters/ (not owned) stays.
  std::filesystem::remove_all(co("clusters/dev/flux-system"));
  ASSERT_THAT(RenderGitopsTree(co(), owned, "dev"), IsOk());
  EXPECT_FALSE(Exists(co("clusters/dev/old.yaml")));
  EXPECT_TRUE(Exists(co("clusters/dev/.wildside-inventory")));
  EXPECT_TRUE(Exists(co("clusters/prod/app.yaml")));
}

TEST_F(ApplyTest, NoPruneKeepsStrays) {
  WriteFile(co("modules/stray.yaml"), "stray\n");
  TreeOptions options;
  options.prune = false;
  std::map<std::string, std::string> owned = {{"modules/a.yaml", "a\n"}};
  absl::StatusOr<RenderReport> r = RenderGitopsTree(co(), owned, "dev", options);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->pruned, 0u);
  EXPECT_EQ(ReadFile(co("modules/stray.yaml")), "stray\n");
}

TEST_F(ApplyTest, SecondApplyWritesNothingAndKeepsEveryMtime) {
  std::map<std::string, std::string> owned = RealisticFixture("dev");
  ASSERT_THAT(RenderGitopsTree(co(), owned, "dev"), IsOk());
  for (const auto& [path, content] : owned) SetOldMtime(co(path));
  SetOldMtime(co("modules/app"));
  auto before = Snapshot(co());
  absl::StatusOr<RenderReport> r = RenderGitopsTree(co(), owned, "dev");
  ASSERT_THAT(r, IsOk());
  EXPECT_FALSE(r->Changed());
  EXPECT_EQ(r->unchanged, owned.size());
  EXPECT_EQ(r->bytes_written, 0u);
  EXPECT_THAT(r->changed_paths, IsEmpty());
  EXPECT_EQ(Snapshot(co()), before);
  for (const auto& [path, content] : owned) {
    EXPECT_EQ(MtimeOf(co(path)).tv_sec, 1000000000) << path;
  }
  EXPECT_EQ(MtimeOf(co("modules/app")).tv_sec, 1000000000);
}

TEST_F(ApplyTest, ModeDriftFoundAndFixedWithoutRewriting) {
  std::map<std::string, std::string> owned = {{"modules/app/a.yaml", "a\n"},
                                              {"modules/app/b.yaml", "b\n"}};
  ASSERT_THAT(RenderGitopsTree(co(), owned, "dev"), IsOk());
  ASSERT_EQ(::chmod(co("modules/app/a.yaml").c_str(), 0755), 0);
  ASSERT_EQ(::chmod(co("modules/app").c_str(), 0700), 0);
  SetOldMtime(co("modules/app/a.yaml"));
  auto plan = PlanGitopsTree(co(), ViewDesiredTree(owned), "dev");
  ASSERT_THAT(plan, IsOk());
  EXPECT_EQ(plan->Count(ChangeKind::kModeChange), 2u);
  absl::StatusOr<RenderReport> r = RenderGitopsTree(co(), owned, "dev");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->mode_changed, 2u);
  EXPECT_THAT(r->changed_paths, ElementsAre("modules/app/", "modules/app/a.yaml"));
  EXPECT_EQ(ModeOf(co("modules/app/a.yaml")), 0644u);
  EXPECT_EQ(ModeOf(co("modules/app")), 0755u);
  EXPECT_EQ(MtimeOf(co("modules/app/a.yaml")).tv_sec, 1000000000);
}

TEST_F(ApplyTest, ContentDriftIsHealed) {
  std::map<std::string, std::string> owned = {{"modules/a.yaml", "a\n\n"}};
  ASSERT_THAT(RenderGitopsTree(co(), owned, "dev"), IsOk());
  WriteFile(co("modules/a.yaml"), "b\n\n");  // same size, other content
  absl::StatusOr<RenderReport> r = RenderGitopsTree(co(), owned, "dev");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->updated, 1u);
  EXPECT_EQ(ReadFile(co("modules/a.yaml")), "a\n\n");
}

TEST_F(ApplyTest, OwnedDirectorySymlinkToOutsideIsRefused) {
  MakeDirs(co("platform"));
  MakeSymlink(tmp_ / "sentinel", co("platform/traefik"));
  std::map<std::string, std::string> owned = {{"platform/traefik/secret.yaml", "pwned\n"}};
  EXPECT_THAT(RenderGitopsTree(co(), owned, "dev"),
              StatusIs(absl::StatusCode::kFailedPrecondition, "platform/traefik"));
  // As a stray, the link itself is removed (never followed) and replaced.
  TreeOptions stray;
  stray.symlinks_as_stray = true;
  ASSERT_THAT(RenderGitopsTree(co(), owned, "dev", stray), IsOk());
  struct stat st;
  ASSERT_EQ(::lstat(co("platform/traefik").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(ReadFile(co("platform/traefik/secret.yaml")), "pwned\n");
}

TEST_F(ApplyTest, OwnedRootSymlinkIsNeverReplaced) {
  MakeDirs(co());
  MakeSymlink(tmp_ / "sentinel", co("modules"));
  std::map<std::string, std::string> owned = {{"modules/secret.yaml", "pwned\n"}};
  TreeOptions stray;
  stray.symlinks_as_stray = true;
  EXPECT_THAT(RenderGitopsTree(co(), owned, "dev", stray),
              StatusIs(absl::StatusCode::kFailedPrecondition, "modules"));
  EXPECT_THAT(RenderGitopsTree(co(), owned, "dev"),
              StatusIs(absl::StatusCode::kFailedPrecondition, "modules"));
}

TEST_F(ApplyTest, FileSymlinkIsReplacedNotFollowed) {
  MakeDirs(co("modules"));
  MakeSymlink(tmp_ / "sentinel/secret.yaml", co("modules/a.yaml"));
  std::map<std::string, std::string> owned = {{"modules/a.yaml", "mine\n"}};
  TreeOptions stray;
  stray.symlinks_as_stray = true;
  ASSERT_THAT(RenderGitopsTree(co(), owned, "dev", stray), IsOk());
  EXPECT_EQ(ReadFile(co("modules/a.yaml")), "mine\n");
  struct stat st;
  ASSERT_EQ(::lstat(co("modules/a.yaml").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
}

TEST_F(ApplyTest, DirectorySwappedForSymlinkBetweenScanAndApply) {
  std::map<std::string, std::string> old_tree = {{"platform/traefik/a.yaml", "a\n"},
                                                 {"platform/traefik/b.yaml", "b\n"}};
  ASSERT_THAT(RenderGitopsTree(co(), old_tree, "dev"), IsOk());
  std::map<std::string, std::string> owned = {{"platform/traefik/a.yaml", "new a\n"},
                                              {"platform/traefik/c.yaml", "c\n"}};
  DesiredTree desired = ViewDesiredTree(owned);
  auto plan = PlanGitopsTree(co(), desired, "dev");
  ASSERT_THAT(plan, IsOk());
  // The attacker swaps the directory for a link to the sentinel.
  std::filesystem::rename(co("platform/traefik"), co("platform/moved"));
  MakeSymlink(tmp_ / "sentinel", co("platform/traefik"));
  ApplyResult r = ApplyInSession(co(), desired, *plan, {});
  EXPECT_THAT(r.status, StatusIs(absl::StatusCode::kFailedPrecondition,
                                 "platform/traefik: is a symbolic link"));
  EXPECT_EQ(r.report.created + r.report.updated, 0u);
}

TEST_F(ApplyTest, FileSwappedForSymlinkBetweenScanAndApply) {
  std::map<std::string, std::string> old_tree = {{"modules/a.yaml", "a\n"},
                                                 {"modules/m.yaml", "m\n"}};
  ASSERT_THAT(RenderGitopsTree(co(), old_tree, "dev"), IsOk());
  ASSERT_EQ(::chmod(co("modules/m.yaml").c_str(), 0600), 0);
  std::map<std::string, std::string> owned = {{"modules/a.yaml", "new a\n"},
                                              {"modules/m.yaml", "m\n"}};
  DesiredTree desired = ViewDesiredTree(owned);
  auto plan = PlanGitopsTree(co(), desired, "dev");
  ASSERT_THAT(plan, IsOk());
  ASSERT_EQ(plan->Count(ChangeKind::kModeChange), 1u);
  std::filesystem::remove(co("modules/a.yaml"));
  MakeSymlink(tmp_ / "sentinel/secret.yaml", co("modules/a.yaml"));
  std::filesystem::remove(co("modules/m.yaml"));
  MakeSymlink(tmp_ / "sentinel/sub/deep.yaml", co("modules/m.yaml"));
  ApplyResult r = ApplyInSession(co(), desired, *plan, {});
  // The write replaced the link itself; the chmod refused to follow one.
  EXPECT_THAT(r.status, StatusIs(absl::StatusCode::kFailedPrecondition,
                                 "modules/m.yaml: is a symbolic link"));
  EXPECT_EQ(ReadFile(co("modules/a.yaml")), "new a\n");
  EXPECT_EQ(r.report.updated, 1u);
}

TEST_F(ApplyTest, HandMadeChangeSetCannotClimbOut) {
  MakeDirs(co());
  std::map<std::string, std::string> owned = {{"../sentinel/secret.yaml", "pwned\n"},
                                              {"modules/ok.yaml", "ok\n"}};
  DesiredTree desired = ViewDesiredTree(owned);
  for (const std::string& path :
       {std::string("../sentinel/secret.yaml"), std::string("modules/./../../sentinel/x"),
        std::string("modules//x"), std::string("")}) {
    ChangeSet cs;
    cs.changes.push_back({ChangeKind::kCreate, "modules/ok.yaml"});
    cs.changes.push_back({ChangeKind::kPrune, path});
    ApplyResult r = ApplyInSession(co(), desired, cs, {});
    EXPECT_THAT(r.status, StatusIs(absl::StatusCode::kInvalidArgument)) << path;
  }
  ChangeSet tmp_cs;
  tmp_cs.temp_files.push_back("../sentinel/secret.yaml");
  EXPECT_THAT(ApplyInSession(co(), desired, tmp_cs, {}).status,
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_FALSE(Exists(co("modules")));
}

TEST_F(ApplyTest, LeftoverTempFilesAreRemoved) {
  std::map<std::string, std::string> owned = {{"modules/a.yaml", "a\n"}};
  ASSERT_THAT(RenderGitopsTree(co(), owned, "dev"), IsOk());
  WriteFile(co("modules/.wildside-tmp-1234-0"), "half written");
  auto plan = PlanGitopsTree(co(), ViewDesiredTree(owned), "dev");
  ASSERT_THAT(plan, IsOk());
  EXPECT_FALSE(plan->HasChanges());
  EXPECT_THAT(plan->temp_files, ElementsAre("modules/.wildside-tmp-1234-0"));
  absl::StatusOr<RenderReport> r = RenderGitopsTree(co(), owned, "dev");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->pruned, 0u);
  EXPECT_FALSE(Exists(co("modules/.wildside-tmp-1234-0")));
}

TEST_F(ApplyTest, SecondApplierFailsClearlyWhileLockIsHeld) {
  MakeDirs(co());
  absl::StatusOr<WriteSession> opened = WriteSession::Open(co(), TreeOptions{});
  ASSERT_THAT(opened, IsOk());
  std::optional<WriteSession> lock(*std::move(opened));
  TreeOptions options;
  options.lock_timeout_ms = 60;
  std::map<std::string, std::string> owned = {{"modules/a.yaml", "a\n"}};
  EXPECT_THAT(RenderGitopsTree(co(), owned, "dev", options),
              StatusIs(absl::StatusCode::kUnavailable, "another apply holds the lock"));
  EXPECT_FALSE(Exists(co("modules")));
  lock.reset();  // releases it
  EXPECT_THAT(RenderGitopsTree(co(), owned, "dev", options), IsOk());
  // The lock leaves nothing in the tree.
  EXPECT_THAT(ReadTree(co()),
              ElementsAre(std::pair{std::string("modules/a.yaml"), std::string("a\n")}));
}

// A WriteSession holds the lock from its scan to its last
// write: a second applier that tries at exactly that point (run by an Env
// hook before the session's first write, not by timing) is refused, and
// the session applies the change set it planned from its own scan.
TEST_F(ApplyTest, SecondApplierCannotWriteBetweenScanAndApply) {
  std::map<std::string, std::string> mine = {{"modules/a.yaml", "mine\n"}};
  std::map<std::string, std::string> theirs = {{"modules/a.yaml", "theirs\n"},
                                               {"modules/b.yaml", "theirs\n"}};
  ASSERT_THAT(RenderGitopsTree(
                  co(), std::map<std::string, std::string>{{"modules/a.yaml", "old\n"}}, "dev"),
              IsOk());
  FaultEnv env;
  TreeOptions options;
  options.env = &env;
  absl::StatusOr<WriteSession> session = WriteSession::Open(co(), options);
  ASSERT_THAT(session, IsOk());
  DesiredTree desired = ViewDesiredTree(mine);
  absl::StatusOr<TreeScan> scan = session->Scan("dev", &desired);
  ASSERT_THAT(scan, IsOk());
  ChangeSet changes = DiffAgainstDisk(desired, *scan, options);
  absl::Status second;
  bool ran = false;
  env.SetHook(FaultOp::kOpen, [&] {
    if (ran) return;
    ran = true;
    TreeOptions other;
    other.lock_timeout_ms = 0;
    second = RenderGitopsTree(co(), theirs, "dev", other).status();
  });
  RenderReport report;
  ASSERT_THAT(session->Apply(desired, changes, &report), IsOk());
  env.SetHook(FaultOp::kOpen, nullptr);
  ASSERT_TRUE(ran);
  EXPECT_THAT(second, StatusIs(absl::StatusCode::kUnavailable, "another apply holds the lock"));
  EXPECT_EQ(ReadFile(co("modules/a.yaml")), "mine\n");
  EXPECT_FALSE(Exists(co("modules/b.yaml")));
}

TEST_F(ApplyTest, ConcurrentAppliersSerialise) {
  std::map<std::string, std::string> a = RealisticFixture("dev");
  std::map<std::string, std::string> b = a;
  b["modules/app/extra.yaml"] = "extra\n";
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      for (int k = 0; k < 3; ++k) {
        if (RenderGitopsTree(co(), (i + k) % 2 ? a : b, "dev").ok()) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 12);
  ASSERT_THAT(RenderGitopsTree(co(), a, "dev"), IsOk());
  EXPECT_EQ(ReadTree(co()), a);
}

TEST_F(ApplyTest, ReportSerialisesToJson) {
  std::map<std::string, std::string> owned = {{"modules/a.yaml", "a\n"}};
  absl::StatusOr<RenderReport> r = RenderGitopsTree(co(), owned, "dev");
  ASSERT_THAT(r, IsOk());
  nlohmann::json j = ToJson(*r);
  EXPECT_EQ(j["created"], 1);
  EXPECT_EQ(j["bytes_written"], 2);
  EXPECT_EQ(j["changed_paths"], nlohmann::json::array({"modules/a.yaml"}));
  EXPECT_EQ(j.size(), 9u);
}

}  // namespace
}  // namespace wildside::tree
