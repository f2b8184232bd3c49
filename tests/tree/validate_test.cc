// Validation: hostile keys, cluster names, every problem at once, and
// nothing written anywhere when validation fails.
#include "tree/validate.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "status_matchers.h"
#include "tree/content.h"
#include "tree/layout.h"
#include "tree/render.h"
#include "tree_test_util.h"

namespace wildside::tree {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using wildside::testing::StatusIs;
using namespace wildside::tree::testing;

struct HostileCase {
  std::string name;
  std::string key;
  std::string why;             // substring of the expected message
  std::string companion = {};  // another key the case needs, if any
};

// Keeps ctest names readable: hostile keys hold control bytes.
void PrintTo(const HostileCase& c, std::ostream* os) { *os << c.name; }

std::vector<HostileCase> HostileCases() {
  std::string long_segment = "modules/" + std::string(256, 'a') + ".yaml";
  std::string long_path = "modules/";
  while (long_path.size() <= 4096) long_path += "abcdefgh/";
  long_path += "x.yaml";
  return {
      {"Empty", "", "empty path"},
      {"AbsoluteEtc", "/etc/passwd", "absolute path"},
      {"AbsoluteOwned", "/platform/traefik/x.yaml", "absolute path"},
      {"DoubleSlashAbsolute", "//etc/passwd", "absolute path"},
      {"DotDotEscape", "../outside.yaml", "'..' segment"},
      {"DotDotInside", "platform/traefik/../../x.yaml", "'..' segment"},
      {"DotDotLast", "platform/traefik/..", "'..' segment"},
      {"DotDotOnly", "..", "'..' segment"},
      {"DotSegment", "platform/./traefik/x.yaml", "'.' segment"},
      {"DotOnly", ".", "'.' segment"},
      {"LeadingDotSlash", "./platform/traefik/x.yaml", "'.' segment"},
      {"EmptySegment", "platform//traefik/x.yaml", "empty path segment"},
      {"TrailingSlash", "platform/traefik/", "trailing slash"},
      {"TrailingSlashDeep", "modules/app/", "trailing slash"},
      {"Backslash", "platform\\traefik\\x.yaml", "backslash"},
      {"BackslashDotDot", "platform/traefik/..\\..\\x.yaml", "backslash"},
      {"Nul", std::string("platform/traefik/a\0b.yaml", 25), "control character"},
      {"Newline", "platform/traefik/a\nb.yaml", "control character"},
      {"CarriageReturn", "platform/traefik/a\rb.yaml", "control character"},
      {"Tab", "platform/traefik/a\tb.yaml", "control character"},
      {"Escape", "platform/traefik/\x1b[31mred.yaml", "control character"},
      {"Delete", "platform/traefik/a\x7f.yaml", "control character"},
      // Code points that hide or reorder text (filename spoofing).
      {"C1Control", "platform/traefik/a\xc2\x85.yaml", "control character in path: U+0085"},
      {"RightToLeftOverride", "platform/traefik/x\xe2\x80\xaelmy.yaml",
       "format character in path: U+202E"},
      {"ZeroWidthSpace", "platform/traefik/a\xe2\x80\x8b.yaml", "format character in path: U+200B"},
      {"ByteOrderMark",
       "platform/traefik/\xef\xbb\xbf"
       "a.yaml",
       "format character in path: U+FEFF"},
      {"SoftHyphen", "platform/traefik/a\xc2\xad.yaml", "format character in path: U+00AD"},
      {"TagCharacter", "platform/traefik/a\xf3\xa0\x80\x81.yaml",
       "format character in path: U+E0001"},
      {"LineSeparator", "platform/traefik/a\xe2\x80\xa8.yaml", "line separator in path: U+2028"},
      {"ParagraphSeparator", "platform/traefik/a\xe2\x80\xa9.yaml",
       "paragraph separator in path: U+2029"},
      {"NoncharacterFFFE", "platform/traefik/a\xef\xbf\xbe.yaml", "noncharacter in path: U+FFFE"},
      {"NoncharacterFDD0", "platform/traefik/a\xef\xb7\x90.yaml", "noncharacter in path: U+FDD0"},
      {"NoncharacterPlane1", "platform/traefik/a\xf0\x9f\xbf\xbf.yaml",
       "noncharacter in path: U+1FFFF"},
      {"InvalidUtf8", "platform/traefik/\xff.yaml", "invalid UTF-8"},
      {"OverlongUtf8Slash", "platform/traefik/\xc0\xaf.yaml", "invalid UTF-8"},
      {"Utf8Surrogate", "platform/traefik/\xed\xa0\x80.yaml", "invalid UTF-8"},
      {"GitDir", ".git/config", "'.git' segment"},
      {"GitInModules", "modules/.git/hooks/pre-commit", "'.git' segment"},
      {"GitUpperCase", "platform/traefik/.GIT/config", "'.git' segment"},
      {"GitInCluster", "clusters/dev/.git/config", "'.git' segment"},
      {"SegmentTooLong", long_segment, "path segment too long"},
      {"PathTooLong", long_path, "path too long"},
      {"OtherCluster", "clusters/prod/app.yaml", "under another cluster"},
      {"OtherClusterNested", "clusters/staging/platform/traefik/x.yaml", "under another cluster"},
      {"ClusterDirAsFile", "clusters/dev", "not under an owned root"},
      {"ClustersTopFile", "clusters/app.yaml", "not under an owned root"},
      {"Readme", "README.md", "not under an owned root"},
      {"UnownedTop", "apps/x.yaml", "not under an owned root"},
      {"WindowsDrive", "C:/Windows/x.yaml", "not under an owned root"},
      {"HomeTilde", "~/x.yaml", "not under an owned root"},
      {"UnknownComponent", "platform/unknown/x.yaml", "unknown platform component"},
      {"ComponentTypo", "platform/vaults/x.yaml", "unknown platform component"},
      {"PlatformFile", "platform/x.yaml", "not under an owned root"},
      {"ComponentDirAsFile", "platform/traefik", "not under an owned root"},
      {"ModulesBare", "modules", "not under an owned root"},
      {"ExcludedFlux", "clusters/dev/flux-system/gotk-components.yaml", "inside an excluded path"},
      {"ExcludedFluxDir", "clusters/dev/flux-system", "inside an excluded path"},
      {"TempPrefix", "platform/traefik/.wildside-tmp-123-0", "reserved name"},
      {"CaseCollision", "platform/traefik/app.yaml", "only by letter case",
       "platform/traefik/App.yaml"},
      {"CaseCollisionDir", "modules/app/y.yaml", "only by letter case", "modules/App/x.yaml"},
      {"DirectoryOfAnotherKey", "modules/a", "is also a directory of", "modules/a/b.yaml"},
  };
}

class HostileKeyTest : public ::testing::TestWithParam<HostileCase> {};

TEST_P(HostileKeyTest, RefusedWithKeyNamedAndNothingWritten) {
  const HostileCase& c = GetParam();
  std::map<std::string, std::string> owned = {{"platform/traefik/good.yaml", "kind: Good\n\n"},
                                              {c.key, "x: 1\n"}};
  if (!c.companion.empty()) owned[c.companion] = "y: 2\n";
  DesiredTree desired = ViewDesiredTree(owned);

  std::vector<KeyProblem> problems = ValidateDesiredTree("dev", desired, {});
  EXPECT_THAT(problems, Contains(AllOf(Field(&KeyProblem::key, c.key),
                                       Field(&KeyProblem::message, HasSubstr(c.why)))));
  for (const KeyProblem& p : problems) {
    EXPECT_NE(p.key, "platform/traefik/good.yaml") << p.message;
  }

  // Nothing is written: neither in a fresh checkout path nor next to it.
  TempDir tmp;
  WriteFile(tmp / "sentinel/secret", "do not touch\n");
  auto before = Snapshot(tmp.path());
  absl::StatusOr<RenderReport> r = RenderGitopsTree(tmp / "checkout", desired, "dev", {});
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(r.status().message()), HasSubstr(c.why));
  EXPECT_EQ(Snapshot(tmp.path()), before);
}

INSTANTIATE_TEST_SUITE_P(Table, HostileKeyTest, ::testing::ValuesIn(HostileCases()),
                         [](const ::testing::TestParamInfo<HostileCase>& info) {
                           return info.param.name;
                         });

TEST(HostileKeyTableTest, HasAtLeastFortyCases) { EXPECT_GE(HostileCases().size(), 40u); }

TEST(ValidateTest, ValidTreeHasNoProblems) {
  std::map<std::string, std::string> owned = RealisticFixture("dev");
  owned["clusters/dev/platform/traefik/x.yaml"] = "a\n";
  owned["platform/extra/x.yaml"] = "a\n";
  // Printable non-ASCII is fine: accents, a fullwidth full stop, CJK.
  owned["platform/traefik/caf\xc3\xa9.yaml"] = "a\n";
  owned["platform/traefik/a\xef\xbc\x8eyaml"] = "a\n";
  owned["modules/\xe4\xb8\xad\xe6\x96\x87.yaml"] = "a\n";
  TreeOptions options;
  options.extra_components = {"extra"};
  EXPECT_THAT(ValidateDesiredTree("dev", ViewDesiredTree(owned), options), IsEmpty());
}

TEST(ValidateTest, ReportsEveryProblemAtOnce) {
  std::map<std::string, std::string> owned = {
      {"../a", ""}, {"/b", ""}, {"README.md", ""}, {"modules/ok.yaml", ""}};
  std::vector<KeyProblem> problems = ValidateDesiredTree("Bad_Name", ViewDesiredTree(owned), {});
  EXPECT_THAT(problems, Contains(Field(&KeyProblem::key, "")));
  EXPECT_THAT(problems, Contains(Field(&KeyProblem::key, "../a")));
  EXPECT_THAT(problems, Contains(Field(&KeyProblem::key, "/b")));
  EXPECT_THAT(problems, Contains(Field(&KeyProblem::key, "README.md")));
  absl::Status s = ProblemsToStatus(problems, "rendered_manifests");
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument,
                          "rendered_manifests[\"../a\"]: '..' segment"));
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, "cluster: invalid cluster name"));
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument,
                          "rendered_manifests[\"README.md\"]: not under an owned root"));
}

// Also found by tree_validate_fuzz: "" is a key too, not a cluster problem.
TEST(ValidateTest, EmptyKeyIsAKeyProblemNotAClusterProblem) {
  std::map<std::string, std::string> owned = {{"", "x"}, {"modules/ok.yaml", ""}};
  std::vector<KeyProblem> problems = ValidateDesiredTree("dev", ViewDesiredTree(owned), {});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].key, "");
  EXPECT_FALSE(problems[0].about_cluster);
  EXPECT_THAT(ProblemsToStatus(problems, "rendered_manifests"),
              StatusIs(absl::StatusCode::kInvalidArgument, "rendered_manifests[\"\"]: empty path"));
}

TEST(ValidateTest, ClusterProblemIsMarkedAsSuch) {
  std::vector<KeyProblem> problems = ValidateDesiredTree("Bad_Name", {}, {});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_TRUE(problems[0].about_cluster);
}

TEST(ValidateTest, CaseCollisionWithAnInvalidKeyIsNotBlamedOnTheValidKey) {
  std::map<std::string, std::string> owned = {{"Platform/traefik/x.yaml", "x"},
                                              {"platform/traefik/ok.yaml", "ok"}};
  std::vector<KeyProblem> problems = ValidateDesiredTree("dev", ViewDesiredTree(owned), {});
  EXPECT_THAT(problems,
              Contains(AllOf(Field(&KeyProblem::key, "Platform/traefik/x.yaml"),
                             Field(&KeyProblem::message, HasSubstr("not under an owned root")))));
  for (const KeyProblem& p : problems) EXPECT_NE(p.key, "platform/traefik/ok.yaml") << p.message;
}

TEST(ValidateTest, CaseCollisionIsReportedOnEachKeyNamingTheOther) {
  std::map<std::string, std::string> owned = {{"modules/App/x.yaml", "x"},
                                              {"modules/app/y.yaml", "y"}};
  std::vector<KeyProblem> problems = ValidateDesiredTree("dev", ViewDesiredTree(owned), {});
  EXPECT_THAT(
      problems,
      Contains(AllOf(Field(&KeyProblem::key, "modules/App/x.yaml"),
                     Field(&KeyProblem::message, HasSubstr("differs from \"modules/app\"")))));
  EXPECT_THAT(
      problems,
      Contains(AllOf(Field(&KeyProblem::key, "modules/app/y.yaml"),
                     Field(&KeyProblem::message, HasSubstr("differs from \"modules/App\"")))));
}

TEST(ValidateTest, ValidUtf8IsShownAsItselfInMessages) {
  // U+FF0E FULLWIDTH FULL STOP: printable, so shown as is, never as bytes.
  const std::string key = "platform/traefik\xef\xbc\x8e/x.yaml";
  absl::Status s =
      CheckDesiredTree("dev", ViewDesiredTree(std::map<std::string, std::string>{{key, "x"}}), {});
  EXPECT_THAT(std::string(s.message()), HasSubstr("desired[\"" + key + "\"]"));
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("unknown platform component \"traefik\xef\xbc\x8e\""));
  EXPECT_THAT(std::string(s.message()), ::testing::Not(HasSubstr("\\x")));
  EXPECT_THAT(std::string(s.message()), ::testing::Not(HasSubstr("\\3")));
}

struct EscapeCase {
  std::string name;
  std::string in;
  std::string shown;
};

void PrintTo(const EscapeCase& c, std::ostream* os) { *os << c.name; }

class EscapeForDisplayTest : public ::testing::TestWithParam<EscapeCase> {};

TEST_P(EscapeForDisplayTest, EscapesOnlyWhatIsInvalidOrRefused) {
  EXPECT_EQ(EscapeForDisplay(GetParam().in), GetParam().shown);
}

INSTANTIATE_TEST_SUITE_P(
    Table, EscapeForDisplayTest,
    ::testing::Values(EscapeCase{"Ascii", "platform/traefik/a.yaml", "platform/traefik/a.yaml"},
                      EscapeCase{"Accent", "caf\xc3\xa9", "caf\xc3\xa9"},
                      EscapeCase{"Fullwidth",
                                 "a\xef\xbc\x8e"
                                 "b",
                                 "a\xef\xbc\x8e"
                                 "b"},
                      EscapeCase{"Newline", "a\nb", "a\\nb"},
                      EscapeCase{"Escape",
                                 "a\x1b"
                                 "b",
                                 "a\\x1bb"},
                      EscapeCase{"Delete", "a\x7f", "a\\x7f"},
                      EscapeCase{"QuoteAndBackslash", "a\"b\\c", "a\\\"b\\\\c"},
                      EscapeCase{"InvalidByte",
                                 "a\xff"
                                 "b",
                                 "a\\xffb"},
                      EscapeCase{"Truncated", "a\xe2\x80", "a\\xe2\\x80"},
                      EscapeCase{"C1", "a\xc2\x85", "a\\u0085"},
                      EscapeCase{"Rlo",
                                 "a\xe2\x80\xae"
                                 "b",
                                 "a\\u202eb"},
                      EscapeCase{"Tag", "a\xf3\xa0\x80\x81", "a\\U000e0001"},
                      EscapeCase{"CombiningMarkStays", "e\xcc\x81", "e\xcc\x81"}),
    [](const ::testing::TestParamInfo<EscapeCase>& info) { return info.param.name; });

TEST(DisplayKeyForDiskPathTest, PlainNamesStayAndOthersAreEscapedDistinctly) {
  EXPECT_EQ(DisplayKeyForDiskPath("platform/traefik/caf\xc3\xa9.yaml"),
            "platform/traefik/caf\xc3\xa9.yaml");
  EXPECT_EQ(DisplayKeyForDiskPath("modules/\xe4\xb8\xad.yaml"), "modules/\xe4\xb8\xad.yaml");
  // NFD: OpenTofu would fold it into the NFC key "café".
  EXPECT_EQ(DisplayKeyForDiskPath("platform/traefik/cafe\xcc\x81.yaml"),
            "platform/traefik/cafe\\u0301.yaml");
  EXPECT_EQ(DisplayKeyForDiskPath("modules/a\\u0301"), "modules/a\\\\u0301");
  EXPECT_EQ(DisplayKeyForDiskPath("modules/\xff"), "modules/\\xff");
  EXPECT_EQ(DisplayKeyForDiskPath("modules/a\xe2\x80\xae"), "modules/a\\u202e");
  // Angstrom sign U+212B: NFC turns it into U+00C5.
  EXPECT_EQ(DisplayKeyForDiskPath("modules/\xe2\x84\xab"), "modules/\\u212b");
}

TEST(ValidateTest, ControlBytesAreEscapedInStatus) {
  std::map<std::string, std::string> owned = {{"modules/a\nb", ""}};
  absl::Status s = CheckDesiredTree("dev", ViewDesiredTree(owned), {});
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, "desired[\"modules/a\\nb\"]"));
}

struct ClusterCase {
  std::string name;
  std::string cluster;
  bool valid;
};

void PrintTo(const ClusterCase& c, std::ostream* os) { *os << c.name; }

class ClusterNameTest : public ::testing::TestWithParam<ClusterCase> {};

TEST_P(ClusterNameTest, Dns1123Label) {
  const ClusterCase& c = GetParam();
  if (c.valid) {
    EXPECT_THAT(ValidateCluster(c.cluster), wildside::testing::IsOk());
  } else {
    EXPECT_THAT(ValidateCluster(c.cluster),
                StatusIs(absl::StatusCode::kInvalidArgument, "invalid cluster name"));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, ClusterNameTest,
    ::testing::Values(
        ClusterCase{"Simple", "dev", true}, ClusterCase{"OneChar", "a", true},
        ClusterCase{"Hyphen", "eu-west-1", true}, ClusterCase{"Max63", std::string(63, 'a'), true},
        ClusterCase{"Empty", "", false}, ClusterCase{"Upper", "Dev", false},
        ClusterCase{"LeadingHyphen", "-dev", false}, ClusterCase{"TrailingHyphen", "dev-", false},
        ClusterCase{"Underscore", "dev_1", false}, ClusterCase{"Dot", "dev.1", false},
        ClusterCase{"TooLong", std::string(64, 'a'), false},
        ClusterCase{"Traversal", "dev/../x", false}, ClusterCase{"DotDot", "..", false},
        ClusterCase{"NonAscii", "d\xc3\xa9v", false}),
    [](const ::testing::TestParamInfo<ClusterCase>& info) { return info.param.name; });

TEST(LayoutTest, GlobMatch) {
  EXPECT_TRUE(GlobMatch("clusters/*/flux-system/**", "clusters/dev/flux-system/a.yaml"));
  EXPECT_TRUE(GlobMatch("clusters/*/flux-system/**", "clusters/dev/flux-system/a/b.yaml"));
  EXPECT_TRUE(GlobMatch("clusters/*/flux-system/**", "clusters/dev/flux-system"));
  EXPECT_FALSE(GlobMatch("clusters/*/flux-system/**", "clusters/dev/flux-systemx/a"));
  EXPECT_FALSE(GlobMatch("clusters/*/flux-system/**", "clusters/dev/sub/flux-system/a"));
  EXPECT_TRUE(GlobMatch("**/*.bak", "modules/a/b.bak"));
  EXPECT_TRUE(GlobMatch("modules/?.yaml", "modules/a.yaml"));
  EXPECT_FALSE(GlobMatch("modules/?.yaml", "modules/ab.yaml"));
  EXPECT_FALSE(GlobMatch("modules/*", "modules/a/b"));
  // Found by tree_glob_fuzz: a '*' in the name does not stop '*' matching.
  EXPECT_TRUE(GlobMatch("*c", "*ac"));
  EXPECT_TRUE(GlobMatch("modules/*.yaml", "modules/a*b.yaml"));
  // Pathological patterns finish quickly.
  EXPECT_FALSE(GlobMatch("**/**/**/**/**/**/**/**/**/**/x", std::string(2000, 'a')));
  // Found by tree_glob_fuzz: many `**` groups separated by segments took
  // exponential time in the old backtracking matcher.
  std::string many = "**/";
  for (int i = 0; i < 25; ++i) many += "a/**/";
  std::string as;
  for (int i = 0; i < 60; ++i) as += "a/";
  EXPECT_FALSE(GlobMatch(many + "b", as + "c"));
  EXPECT_TRUE(GlobMatch(many + "c", as + "c"));
}

TEST(LayoutTest, OwnedRootOfStopsAtTheRootTheKeyLivesIn) {
  EXPECT_EQ(OwnedRootOf("clusters/dev/a/b.yaml"), "clusters/dev");
  EXPECT_EQ(OwnedRootOf("clusters/dev"), "clusters/dev");
  EXPECT_EQ(OwnedRootOf("modules/app/x.yaml"), "modules");
  EXPECT_EQ(OwnedRootOf("platform"), "platform");
  EXPECT_EQ(OwnedRootOf("platform/traefik/x.yaml"), "platform");
  EXPECT_EQ(OwnedRootOf("clusters"), "");
  EXPECT_EQ(OwnedRootOf("README.md"), "");
  EXPECT_EQ(OwnedRootOf("modulesx/a"), "");
  // Every root OwnedRoots names is its own owned root.
  for (const std::string& root : OwnedRoots("dev")) EXPECT_EQ(OwnedRootOf(root), root);
}

TEST(LayoutTest, PlaceKeyNamesTheOneReason) {
  TreeOptions options;
  EXPECT_EQ(PlaceKey("clusters/dev/a.yaml", "dev", options), KeyPlacement::kOwned);
  EXPECT_EQ(PlaceKey("clusters/dev", "dev", options), KeyPlacement::kClusterRootOnly);
  EXPECT_EQ(PlaceKey("clusters/prod/a.yaml", "dev", options), KeyPlacement::kOtherCluster);
  EXPECT_EQ(PlaceKey("modules", "dev", options), KeyPlacement::kModulesRootOnly);
  EXPECT_EQ(PlaceKey("modules/a.yaml", "dev", options), KeyPlacement::kOwned);
  EXPECT_EQ(PlaceKey("platform/traefik", "dev", options), KeyPlacement::kPlatformRootOnly);
  EXPECT_EQ(PlaceKey("platform/my-app/a.yaml", "dev", options), KeyPlacement::kUnknownComponent);
  options.extra_components.push_back("my-app");
  EXPECT_EQ(PlaceKey("platform/my-app/a.yaml", "dev", options), KeyPlacement::kOwned);
  EXPECT_EQ(PlaceKey("README.md", "dev", options), KeyPlacement::kOutsideRoots);
}

TEST(LayoutTest, ExcludingPatternLooksAtThePathAndEveryParent) {
  TreeOptions options;
  ASSERT_NE(ExcludingPattern("clusters/dev/flux-system/gotk.yaml", options), nullptr);
  EXPECT_EQ(*ExcludingPattern("clusters/dev/flux-system/gotk.yaml", options), options.exclude[0]);
  EXPECT_EQ(ExcludingPattern("clusters/dev/apps.yaml", options), nullptr);
  options.exclude = {"modules/secret"};
  EXPECT_NE(ExcludingPattern("modules/secret/a/b.yaml", options), nullptr);
  EXPECT_EQ(ExcludingPattern("modules/secrets/a.yaml", options), nullptr);
}

}  // namespace
}  // namespace wildside::tree
