// The kustomize oracle (issue 11, item 8): on every reference case of the
// corpus, `kustomize build` and CheckTree agree: where kustomize fails, we
// report a finding; where it builds, we report none.
//
// kustomize runs with --load-restrictor LoadRestrictionsNone, as Flux's
// kustomize-controller builds (fluxcd/pkg kustomize.Build): files may come
// from anywhere in the source, and the source root itself is the fence
// (Flux's secure filesystem; the CLI has none, so the `../../outside` case
// points at a file that does not exist outside the checkout either).
//
// The binary comes from scripts/install-kustomize (WILDSIDE_KUSTOMIZE); a
// missing binary fails the test, it is never skipped.
#include <sys/stat.h>

#include <cstdlib>
#include <iostream>

#include <string>
#include <vector>

#include "corpus.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tree_test_util.h"

namespace wildside::tree::checks {
namespace {

using testing::Case;

std::vector<Case> ReferenceCases() {
  std::vector<Case> out;
  for (std::vector<Case> set : {testing::BrokenCases(), testing::GoodCases()}) {
    for (Case& c : set) {
      if (!c.kustomize_dir.empty()) out.push_back(std::move(c));
    }
  }
  return out;
}

class KustomizeOracleTest : public ::testing::TestWithParam<Case> {};

TEST_P(KustomizeOracleTest, AgreesWithKustomizeBuild) {
  const std::string kustomize = WILDSIDE_KUSTOMIZE;
  struct stat st;
  ASSERT_TRUE(!kustomize.empty() && ::stat(kustomize.c_str(), &st) == 0)
      << "no kustomize at \"" << kustomize
      << "\": run scripts/install-kustomize and configure with -DWILDSIDE_KUSTOMIZE=<its output>";
  const Case& c = GetParam();
  tree::testing::TempDir tmp;
  const std::string checkout = tmp / "checkout";
  for (const auto& [key, content] : c.files)
    tree::testing::WriteFile(checkout + "/" + key, content);

  std::string out;
  int rc = tree::testing::RunCommand(kustomize + " build --load-restrictor LoadRestrictionsNone '" +
                                         checkout + "/" + c.kustomize_dir + "' 2>&1",
                                     &out);
  ASSERT_GE(rc, 0) << "could not run " << kustomize;
  bool kustomize_builds = rc == 0;
  if (std::getenv("WILDSIDE_ORACLE_VERBOSE") != nullptr)
    std::cerr << c.name << ": rc=" << rc << "\n" << out.substr(0, 600) << "\n";

  CheckOptions options;
  options.flux_roots = c.flux_roots;
  DesiredTree desired = ViewDesiredTree(c.files);
  std::vector<Finding> findings = CheckTree(desired, options);
  std::string ours;
  for (const Finding& f : findings) ours += FormatFinding(f) + "\n";

  EXPECT_EQ(findings.empty(), kustomize_builds)
      << "kustomize build " << c.kustomize_dir << " exited " << rc << ":\n"
      << out << "\nour findings:\n"
      << ours;
  EXPECT_EQ(kustomize_builds, c.expected.empty()) << out;
}

INSTANTIATE_TEST_SUITE_P(Corpus, KustomizeOracleTest, ::testing::ValuesIn(ReferenceCases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace wildside::tree::checks
