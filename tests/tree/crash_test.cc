// Every crash point, deterministically.
//
// An uninterrupted apply (or destroy) is run once through a CrashEnv to
// count its mutating calls (open-for-write, write, fsync, syncfs, rename,
// unlink, rmdir, mkdir, chmod, flock). Then, for every N from 1 to that
// count, a forked child runs the same operation from the same starting tree
// and SIGKILLs itself at its N-th mutating call, before the call reaches
// the kernel. After each kill:
//   * every managed file holds entirely its old or its new content (or is
//     absent where the old tree did not have it / the new one drops it);
//   * the next plain apply converges to the new tree, with the right modes,
//     and leaves no temporary file; a plan after it is empty.
// The same is run again with drop_unsynced: at the crash point the env
// first throws away every effect no sync had made durable (leveldb's
// fault-injection model), which a process kill alone cannot show. Each
// scenario also checks the "crash" right after a successful return: with
// unsynced effects dropped, the tree must already be exactly the new one.
//
// No sleeps, no timing, no randomness: the same points every run.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tree/checkout.h"
#include "tree/inventory.h"
#include "tree/render.h"
#include "tree/scan.h"
#include "tree/testing/crash_env.h"
#include "tree_test_util.h"

namespace wildside::tree {
namespace {

using testing::ModeOf;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;
using Manifests = std::map<std::string, std::string>;

// Contents differ in size and bytes between the trees, so a torn or
// truncated file can match neither.
std::string Body(const std::string& path, char fill, size_t size) {
  return "# " + path + "\n" + std::string(size, fill) + "\n";
}

// The old tree: what the previous apply wrote, plus hand-made drift.
struct Scenario {
  Manifests old_tree;                       // managed files before
  Manifests new_tree;                       // desired after
  Manifests strays;                         // files on disk that neither tree has
  std::map<std::string, mode_t> old_modes;  // hand-made chmods
};

Scenario ChangeEverything() {
  Scenario s;
  auto both = [&](const std::string& p, bool edit) {
    s.old_tree[p] = Body(p, 'a', 3000 + p.size());
    s.new_tree[p] = edit ? Body(p, 'b', 5000 + p.size()) : s.old_tree[p];
  };
  both("platform/traefik/release.yaml", true);  // update
  both("platform/traefik/values.yaml", false);  // unchanged
  both("platform/vault/policy.yaml", false);    // chmod only
  s.old_modes["platform/vault/policy.yaml"] = 0600;
  both("clusters/dev/kustomization.yaml", true);  // update
  both("modules/shared/common.yaml", false);      // unchanged
  both("platform/databases/cluster.yaml", true);  // update + chmod
  s.old_modes["platform/databases/cluster.yaml"] = 0640;
  // Dropped from the configuration: pruned, its directory removed.
  s.old_tree["platform/redis/old/valkey.yaml"] = Body("old", 'a', 4000);
  s.old_tree["platform/redis/old/deep/more.yaml"] = Body("more", 'a', 1000);
  // New files, in new directories.
  s.new_tree["platform/redis/valkey.yaml"] = Body("valkey", 'b', 6000);
  s.new_tree["platform/cert-manager/issuers/le.yaml"] = Body("le", 'b', 700);
  s.new_tree["clusters/dev/apps/podinfo/release.yaml"] = Body("podinfo", 'b', 900);
  // Strays: pruned, and their now-empty directory removed.
  s.strays["platform/sources/stray.yaml"] = "left by hand\n";
  s.strays["platform/external-dns/tmp/junk/x.yaml"] = "junk\n";
  return s;
}

void LayDown(const std::string& root, const Scenario& s) {
  std::error_code ec;
  std::filesystem::remove_all(root, ec);
  for (const auto& [path, content] : s.old_tree) {
    auto mode = s.old_modes.find(path);
    WriteFile(root + "/" + path, content, mode == s.old_modes.end() ? 0644 : mode->second);
  }
  for (const auto& [path, content] : s.strays) WriteFile(root + "/" + path, content);
}

// Every managed path holds its old or its new content, whole; `what` names
// the crash point in failure messages.
void ExpectOldOrNew(const std::string& root, const Manifests& old_tree, const Manifests& new_tree,
                    const std::string& what) {
  std::set<std::string> paths;
  for (const auto& [p, c] : old_tree) paths.insert(p);
  for (const auto& [p, c] : new_tree) paths.insert(p);
  for (const std::string& p : paths) {
    std::optional<std::string> got = ReadFile(root + "/" + p);
    auto o = old_tree.find(p);
    auto n = new_tree.find(p);
    if (!got.has_value()) {
      // Absent is the old state of a new file or the new state of a
      // dropped one; a file in both trees must never vanish.
      EXPECT_TRUE(o == old_tree.end() || n == new_tree.end()) << p << " vanished, " << what;
      continue;
    }
    bool is_old = o != old_tree.end() && *got == o->second;
    bool is_new = n != new_tree.end() && *got == n->second;
    EXPECT_TRUE(is_old || is_new) << p << " is torn (" << got->size() << " bytes), " << what;
  }
}

void ExpectExactly(const std::string& root, const Manifests& tree, const std::string& what) {
  for (const auto& [p, content] : tree) {
    EXPECT_EQ(ReadFile(root + "/" + p), content) << p << ", " << what;
    EXPECT_EQ(ModeOf(root + "/" + p), 0644u) << p << ", " << what;
  }
}

void ExpectNoTempFiles(const std::string& root, const std::string& what) {
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    std::string name = entry.path().filename().string();
    EXPECT_NE(name.rfind(".wildside-tmp-", 0), 0u) << entry.path() << " left behind, " << what;
  }
}

// Destroys cluster dev's `paths` as the provider's Destroy does: a write
// session on the existing checkout, then Remove.
bool Destroy(const std::string& root, const std::vector<std::string>& paths,
             const TreeOptions& options) {
  absl::StatusOr<WriteSession> checkout = WriteSession::OpenExisting(root, options);
  RenderReport report;
  return checkout.ok() && checkout->Remove("dev", paths, &report).ok();
}

// Runs `op` in a forked child with the env armed at `n`; returns the raw
// wait status. `after` runs in the child when `op` returned (e.g. to drop
// unsynced effects of a completed apply).
int RunInChild(CrashEnv& env, int n, bool drop, const std::function<bool()>& op,
               const std::function<void()>& after = {}) {
  pid_t pid = fork();
  if (pid == 0) {
    env.CrashAt(n, drop);
    bool ok = op();
    if (after) after();
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

struct Mode {
  const char* name;
  size_t bulk_sync_threshold;  // 0: fsync per file; 1: one syncfs per batch
  bool drop_unsynced;
};

constexpr Mode kModes[] = {
    {"fsync per file, kill", 0, false},
    {"fsync per file, kill + drop unsynced", 0, true},
    {"batched syncfs, kill", 1, false},
    {"batched syncfs, kill + drop unsynced", 1, true},
};

class CrashPointTest : public ::testing::TestWithParam<Mode> {};

TEST_P(CrashPointTest, ApplyIsOldOrNewAtEveryMutatingCall) {
  const Mode mode = GetParam();
  TempDir tmp;
  const std::string root = tmp / "checkout";
  const Scenario s = ChangeEverything();
  CrashEnv env;
  TreeOptions options;
  options.bulk_sync_threshold = mode.bulk_sync_threshold;
  options.env = &env;
  TreeOptions plain;
  plain.bulk_sync_threshold = mode.bulk_sync_threshold;

  auto apply = [&] { return RenderGitopsTree(root, s.new_tree, "dev", options).ok(); };

  // Count the calls of an uninterrupted apply from the old tree.
  LayDown(root, s);
  env.CrashAt(0, false);
  ASSERT_TRUE(apply());
  const int calls = env.MutatingCalls();
  ASSERT_GT(calls, 20) << "the scenario should exercise many calls";
  ExpectExactly(root, s.new_tree, "uninterrupted");

  for (int n = 1; n <= calls + 1; ++n) {
    const std::string what = std::string(mode.name) + ", crash at call " + std::to_string(n) +
                             " of " + std::to_string(calls);
    LayDown(root, s);
    const bool after_return = n == calls + 1;
    int status = RunInChild(env, after_return ? 0 : n, mode.drop_unsynced, apply, [&] {
      if (mode.drop_unsynced) env.DropUnsynced();
    });
    if (after_return) {
      ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << what;
      // A power cut right after a successful apply loses nothing.
      ExpectExactly(root, s.new_tree, what + " (after return)");
    } else {
      ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
          << "the child did not reach call " << n << ", " << what;
      ExpectOldOrNew(root, s.old_tree, s.new_tree, what);
    }
    // The next plain apply converges, and a plan after it is empty.
    ApplyResult r = RenderGitopsTreeWithReport(root, ViewDesiredTree(s.new_tree), "dev", plain);
    ASSERT_TRUE(r.status.ok()) << r.status << ", " << what;
    ExpectExactly(root, s.new_tree, what + " (converged)");
    ExpectNoTempFiles(root, what);
    EXPECT_FALSE(testing::Exists(root + "/platform/redis/old")) << what;
    EXPECT_FALSE(testing::Exists(root + "/platform/sources/stray.yaml")) << what;
    absl::StatusOr<ChangeSet> plan =
        PlanGitopsTree(root, ViewDesiredTree(s.new_tree), "dev", plain);
    ASSERT_TRUE(plan.ok()) << plan.status();
    EXPECT_FALSE(plan->HasChanges()) << what;
    if (::testing::Test::HasFailure()) break;  // one broken point is enough
  }
  std::cout << "[crash points] apply, " << mode.name << ": " << calls << " mutating calls, "
            << calls << " crash points + 1 after return\n";
  RecordProperty("crash_points", calls);
}

TEST_P(CrashPointTest, DestroyIsOldOrGoneAtEveryMutatingCall) {
  const Mode mode = GetParam();
  TempDir tmp;
  const std::string root = tmp / "checkout";
  Scenario s = ChangeEverything();
  // Destroy starts from a converged tree: the new tree on disk, plus a
  // file that is not managed (kept) and a leftover temp file.
  Scenario converged;
  converged.old_tree = s.new_tree;
  converged.strays["platform/traefik/not-managed.yaml"] = "kept\n";
  std::vector<std::string> paths;
  for (const auto& [p, c] : s.new_tree) paths.push_back(p);

  CrashEnv env;
  TreeOptions options;
  options.bulk_sync_threshold = mode.bulk_sync_threshold;
  options.env = &env;
  TreeOptions plain;
  auto destroy = [&] { return Destroy(root, paths, options); };

  LayDown(root, converged);
  env.CrashAt(0, false);
  ASSERT_TRUE(destroy());
  const int calls = env.MutatingCalls();
  ASSERT_GT(calls, 5);

  const Manifests gone;
  for (int n = 1; n <= calls + 1; ++n) {
    const std::string what = std::string("destroy, ") + mode.name + ", crash at call " +
                             std::to_string(n) + " of " + std::to_string(calls);
    LayDown(root, converged);
    const bool after_return = n == calls + 1;
    int status = RunInChild(env, after_return ? 0 : n, mode.drop_unsynced, destroy, [&] {
      if (mode.drop_unsynced) env.DropUnsynced();
    });
    if (after_return) {
      ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << what;
      for (const std::string& p : paths) {
        EXPECT_FALSE(testing::Exists(root + "/" + p)) << p << ", " << what;
      }
    } else {
      ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << what;
      ExpectOldOrNew(root, converged.old_tree, gone, what);
    }
    ASSERT_TRUE(Destroy(root, paths, plain)) << what;
    for (const std::string& p : paths) {
      EXPECT_FALSE(testing::Exists(root + "/" + p)) << p << ", " << what;
    }
    EXPECT_EQ(ReadFile(root + "/platform/traefik/not-managed.yaml"), "kept\n") << what;
    ExpectNoTempFiles(root, what);
    if (::testing::Test::HasFailure()) break;
  }
  std::cout << "[crash points] destroy, " << mode.name << ": " << calls
            << " crash points + 1 after return\n";
  RecordProperty("crash_points", calls);
}

// Two clusters on one checkout (docs/adr/0009-ownership-inventory.md): dev
// has an inventory from its last apply, prod's files sit in the same
// platform/ and modules/ directories, claimed by prod's inventory. At every
// crash point of dev's apply and of dev's destroy, no file of the checkout
// is claimed by no inventory (apart from the hand-made strays, which never
// were), and none of prod's files was touched.
void LayDownTwoClusters(const std::string& root, const Scenario& dev, const Manifests& prod) {
  LayDown(root, dev);
  std::vector<std::string> dev_keys, prod_keys;
  for (const auto& [p, c] : dev.old_tree) dev_keys.push_back(p);
  for (const auto& [p, c] : prod) {
    WriteFile(root + "/" + p, c);
    prod_keys.push_back(p);
  }
  WriteFile(root + "/" + InventoryPath("dev"), FormatInventory("dev", dev_keys));
  WriteFile(root + "/" + InventoryPath("prod"), FormatInventory("prod", prod_keys));
}

Manifests ProdFiles() {
  Manifests m;
  for (const char* p : {"clusters/prod/kustomization.yaml", "platform/traefik/prod-only.yaml",
                        "platform/redis/old/prod.yaml", "modules/prod/m.yaml"}) {
    m[p] = Body(p, 'p', 800);
  }
  return m;
}

void ExpectEveryFileClaimed(const std::string& root, const Manifests& exempt,
                            const std::string& what) {
  std::set<std::string> claimed;
  for (const char* cluster : {"dev", "prod"}) {
    std::optional<std::string> text = ReadFile(root + "/" + InventoryPath(cluster));
    if (!text) continue;
    for (std::string& p : ParseInventory(*text)) claimed.insert(std::move(p));
  }
  for (const auto& [p, content] : testing::ReadTree(root)) {
    if (p.find(".wildside-tmp-") != std::string::npos || exempt.count(p) != 0) continue;
    EXPECT_TRUE(claimed.count(p) != 0) << p << " is claimed by no inventory, " << what;
  }
}

TEST_P(CrashPointTest, ApplyNeverLeavesAFileUnclaimed) {
  const Mode mode = GetParam();
  TempDir tmp;
  const std::string root = tmp / "checkout";
  const Scenario s = ChangeEverything();
  const Manifests prod = ProdFiles();
  CrashEnv env;
  TreeOptions options;
  options.bulk_sync_threshold = mode.bulk_sync_threshold;
  options.env = &env;
  auto apply = [&] { return RenderGitopsTree(root, s.new_tree, "dev", options).ok(); };

  LayDownTwoClusters(root, s, prod);
  env.CrashAt(0, false);
  ASSERT_TRUE(apply());
  const int calls = env.MutatingCalls();
  for (int n = 1; n <= calls + 1; ++n) {
    const std::string what = std::string("two clusters, ") + mode.name + ", crash at call " +
                             std::to_string(n) + " of " + std::to_string(calls);
    LayDownTwoClusters(root, s, prod);
    const bool after_return = n == calls + 1;
    int status = RunInChild(env, after_return ? 0 : n, mode.drop_unsynced, apply, [&] {
      if (mode.drop_unsynced) env.DropUnsynced();
    });
    if (!after_return) {
      ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << what;
    }
    ExpectOldOrNew(root, s.old_tree, s.new_tree, what);
    for (const auto& [p, c] : prod) EXPECT_EQ(ReadFile(root + "/" + p), c) << p << ", " << what;
    ExpectEveryFileClaimed(root, s.strays, what);
    if (after_return) {
      std::vector<std::string> keys;
      for (const auto& [p, c] : s.new_tree) keys.push_back(p);
      EXPECT_EQ(ReadFile(root + "/" + InventoryPath("dev")), FormatInventory("dev", keys)) << what;
    }
    if (::testing::Test::HasFailure()) break;
  }
  std::cout << "[crash points] apply, two clusters, " << mode.name << ": " << calls << "\n";
}

TEST_P(CrashPointTest, DestroyNeverLeavesAFileUnclaimed) {
  const Mode mode = GetParam();
  TempDir tmp;
  const std::string root = tmp / "checkout";
  Scenario converged;
  converged.old_tree = ChangeEverything().new_tree;
  const Manifests prod = ProdFiles();
  std::vector<std::string> paths;
  for (const auto& [p, c] : converged.old_tree) paths.push_back(p);
  CrashEnv env;
  TreeOptions options;
  options.bulk_sync_threshold = mode.bulk_sync_threshold;
  options.env = &env;
  auto destroy = [&] { return Destroy(root, paths, options); };

  LayDownTwoClusters(root, converged, prod);
  env.CrashAt(0, false);
  ASSERT_TRUE(destroy());
  const int calls = env.MutatingCalls();
  EXPECT_FALSE(testing::Exists(root + "/" + InventoryPath("dev")));
  const Manifests gone;
  for (int n = 1; n <= calls + 1; ++n) {
    const std::string what = std::string("two clusters, destroy, ") + mode.name +
                             ", crash at call " + std::to_string(n) + " of " +
                             std::to_string(calls);
    LayDownTwoClusters(root, converged, prod);
    const bool after_return = n == calls + 1;
    int status = RunInChild(env, after_return ? 0 : n, mode.drop_unsynced, destroy, [&] {
      if (mode.drop_unsynced) env.DropUnsynced();
    });
    if (!after_return) {
      ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << what;
    }
    ExpectOldOrNew(root, converged.old_tree, gone, what);
    for (const auto& [p, c] : prod) EXPECT_EQ(ReadFile(root + "/" + p), c) << p << ", " << what;
    ExpectEveryFileClaimed(root, {}, what);
    if (::testing::Test::HasFailure()) break;
  }
  std::cout << "[crash points] destroy, two clusters, " << mode.name << ": " << calls << "\n";
}

INSTANTIATE_TEST_SUITE_P(AllSyncModes, CrashPointTest, ::testing::ValuesIn(kModes),
                         [](const ::testing::TestParamInfo<Mode>& info) {
                           std::string n;
                           for (const char* c = info.param.name; *c; ++c) {
                             n += std::isalnum(static_cast<unsigned char>(*c)) ? *c : '_';
                           }
                           return n;
                         });

// The env itself: a rename whose directory was never synced is undone and
// the replaced file comes back; a synced one stays.
TEST(CrashEnvTest, DropUndoesUnsyncedRenameAndKeepsSyncedOne) {
  TempDir tmp;
  WriteFile(tmp / "d/target", "old");
  WriteFile(tmp / "d/src", "new");
  CrashEnv env;
  env.CrashAt(0, true);
  int dir = ::open((tmp / "d").c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(dir, 0);
  ASSERT_EQ(env.RenameAt(dir, "src", dir, "target"), 0);
  env.DropUnsynced();
  EXPECT_EQ(ReadFile(tmp / "d/target"), "old");
  EXPECT_EQ(ReadFile(tmp / "d/src"), "new");
  ASSERT_EQ(env.RenameAt(dir, "src", dir, "target"), 0);
  ASSERT_EQ(env.Fsync(dir), 0);
  env.DropUnsynced();
  EXPECT_EQ(ReadFile(tmp / "d/target"), "new");
  EXPECT_FALSE(testing::Exists(tmp / "d/src"));
  ::close(dir);
}

// Unsynced data is truncated away; an fsync keeps it.
TEST(CrashEnvTest, DropTruncatesUnsyncedData) {
  TempDir tmp;
  testing::MakeDirs(tmp.path());
  CrashEnv env;
  env.CrashAt(0, true);
  int dir = ::open(tmp.path().c_str(), O_RDONLY | O_DIRECTORY);
  int fd = env.OpenAt(dir, "f", O_WRONLY | O_CREAT | O_EXCL, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(env.Write(fd, "abc", 3), 3);
  ASSERT_EQ(env.Fsync(fd), 0);
  ASSERT_EQ(env.Write(fd, "def", 3), 3);
  ASSERT_EQ(env.Fsync(dir), 0);  // the name is durable, "def" is not
  env.DropUnsynced();
  EXPECT_EQ(ReadFile(tmp / "f"), "abc");
  ::close(fd);
  ::close(dir);
}

// The pause runs once, just before the n-th mutating call: the calls
// before it have happened, that one has not; then it proceeds. Calls that
// do not mutate are not counted.
TEST(CrashEnvTest, PauseRunsOnceBeforeTheNthMutatingCallWhichThenProceeds) {
  TempDir tmp;
  testing::MakeDirs(tmp.path());
  CrashEnv env;
  env.CrashAt(0, false);
  int runs = 0;
  int calls_seen = -1;
  std::set<std::string> there;
  env.PauseAt(3, [&] {
    ++runs;
    calls_seen = env.MutatingCalls();
    for (const char* d : {"a", "b", "c", "d"}) {
      if (testing::Exists(tmp / d)) there.insert(d);
    }
  });
  int dir = ::open(tmp.path().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(dir, 0);
  for (const char* d : {"a", "b", "c", "d"}) {
    ASSERT_EQ(env.MkdirAt(dir, d, 0755), 0) << d;
    struct stat st;
    ASSERT_EQ(env.FstatAt(dir, d, &st, AT_SYMLINK_NOFOLLOW), 0) << d;  // not counted
  }
  ::close(dir);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(calls_seen, 2);
  EXPECT_EQ(there, (std::set<std::string>{"a", "b"}));
  EXPECT_TRUE(testing::Exists(tmp / "c")) << "the paused call went on";
  EXPECT_TRUE(testing::Exists(tmp / "d"));
  EXPECT_EQ(env.MutatingCalls(), 4);
}

// Mutating calls from several threads are each counted once.
TEST(CrashEnvTest, CountsMutatingCallsFromSeveralThreads) {
  TempDir tmp;
  testing::MakeDirs(tmp.path());
  CrashEnv env;
  env.CrashAt(0, false);
  int dir = ::open(tmp.path().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(dir, 0);
  constexpr int kThreads = 4;
  constexpr int kEach = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&env, dir, t] {
      for (int i = 0; i < kEach; ++i) {
        std::string name = "d" + std::to_string(t) + "-" + std::to_string(i);
        env.MkdirAt(dir, name.c_str(), 0755);
        env.UnlinkAt(dir, name.c_str(), AT_REMOVEDIR);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  ::close(dir);
  EXPECT_EQ(env.MutatingCalls(), kThreads * kEach * 2);
}

// OnMutatingCall sees every mutating call's running count, in order, and
// none of the calls that do not mutate.
TEST(CrashEnvTest, OnMutatingCallSeesEachCountInOrder) {
  TempDir tmp;
  testing::MakeDirs(tmp.path());
  CrashEnv env;
  env.CrashAt(0, false);
  std::vector<int> seen;
  env.OnMutatingCall([&seen](int n) { seen.push_back(n); });
  int dir = ::open(tmp.path().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(dir, 0);
  ASSERT_EQ(env.MkdirAt(dir, "a", 0755), 0);
  struct stat st;
  ASSERT_EQ(env.FstatAt(dir, "a", &st, AT_SYMLINK_NOFOLLOW), 0);  // not counted
  ASSERT_EQ(env.UnlinkAt(dir, "a", AT_REMOVEDIR), 0);
  ::close(dir);
  EXPECT_EQ(seen, (std::vector<int>{1, 2}));
}

}  // namespace
}  // namespace wildside::tree
