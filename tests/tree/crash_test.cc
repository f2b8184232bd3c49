// kill -9 during apply: a child process applies tree B over tree A and is
// SIGKILLed after a random delay, many times. After each kill every file
// holds A's content or B's (or is absent if B created it), never a mix; and
// the next apply converges to B and leaves no temporary file behind.
//
// This covers a crashed process, not a power cut: data the kernel had
// accepted survives a SIGKILL. The fault-injection tests cover failed and
// dropped syncs.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <string>

#include "gtest/gtest.h"
#include "tree/render.h"
#include "tree/scan.h"

namespace wildside::tree {
namespace {

namespace fs = std::filesystem;
using Manifests = std::map<std::string, std::string>;

// Different sizes and contents in A and B, so a torn file can match neither.
Manifests MakeTree(char fill, size_t base, int count, bool with_extra) {
  Manifests m;
  static const char* kComponents[] = {"traefik", "vault", "databases", "redis"};
  for (int i = 0; i < count; ++i) {
    std::string path = std::string("platform/") + kComponents[i % 4] + "/d" + std::to_string(i / 40) + "/f" +
                       std::to_string(i) + ".yaml";
    m[path] = "# " + path + "\n" + std::string(base + static_cast<size_t>(i) * 13, fill) + "\n";
  }
  if (with_extra) m["clusters/dev/only-in-b.yaml"] = "b only\n";
  return m;
}

std::string ReadFileOrNull(const fs::path& p, bool* exists) {
  std::ifstream in(p, std::ios::binary);
  *exists = static_cast<bool>(in);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(CrashTest, KillNineDuringApplyNeverLeavesATornFile) {
  char tmpl[] = "/tmp/wildside-crash-XXXXXX";
  const fs::path dir = mkdtemp(tmpl);
  const std::string root = (dir / "checkout").string();
  const Manifests a = MakeTree('a', 3000, 200, false);
  const Manifests b = MakeTree('b', 5000, 200, true);

  // How long an uninterrupted apply takes, to spread the kills over it.
  ASSERT_TRUE(RenderGitopsTree(root, a, "dev").ok());
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(RenderGitopsTree(root, b, "dev").ok());
  const auto full_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();

  std::mt19937 rng(4242);
  int killed_mid_apply = 0;
  constexpr int kIterations = 60;
  for (int iter = 0; iter < kIterations; ++iter) {
    ASSERT_TRUE(RenderGitopsTree(root, a, "dev").ok()) << "reset to A, iteration " << iter;
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      bool ok = RenderGitopsTree(root, b, "dev").ok();
      _exit(ok ? 0 : 1);
    }
    usleep(static_cast<useconds_t>(rng() % static_cast<uint64_t>(full_us * 1.2 + 1)));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status)) ++killed_mid_apply;

    for (const auto& [path, b_content] : b) {
      bool exists = false;
      std::string got = ReadFileOrNull(fs::path(root) / path, &exists);
      auto in_a = a.find(path);
      if (!exists) {
        EXPECT_EQ(in_a, a.end()) << path << " vanished (iteration " << iter << ")";
        continue;
      }
      bool is_a = in_a != a.end() && got == in_a->second;
      EXPECT_TRUE(is_a || got == b_content) << path << " is torn: " << got.size() << " bytes (iteration " << iter
                                            << ")";
    }
    // The next apply converges and removes any leftover temp file.
    ASSERT_TRUE(RenderGitopsTree(root, b, "dev").ok());
    absl::StatusOr<TreeScan> scan = ScanTree(root, "dev", TreeOptions());
    ASSERT_TRUE(scan.ok());
    EXPECT_TRUE(scan->temp_files.empty()) << "iteration " << iter;
    for (const auto& [path, b_content] : b) {
      bool exists = false;
      ASSERT_EQ(ReadFileOrNull(fs::path(root) / path, &exists), b_content) << path;
    }
  }
  std::cout << killed_mid_apply << " of " << kIterations << " applies killed mid-way\n";
  // The test means something only if most kills landed mid-apply.
  EXPECT_GE(killed_mid_apply, kIterations / 2);
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace
}  // namespace wildside::tree
