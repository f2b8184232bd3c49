// tree/checks: the corpus of issue 11 and the finer points of each check.
#include "tree/checks/checks.h"

#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "corpus.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tree/checks/disk_lookup.h"
#include "tree/inventory.h"
#include "tree_test_util.h"

namespace wildside::tree::checks {
namespace {

using testing::Case;
using testing::ConfigMap;
using ::testing::ElementsAre;
using testing::FluxKustomization;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

std::vector<Finding> Check(const std::map<std::string, std::string>& files,
                           const CheckOptions& options = {}) {
  DesiredTree desired = ViewDesiredTree(files);
  return CheckTree(desired, options);
}

std::string Dump(const std::vector<Finding>& findings) {
  std::string out;
  for (const Finding& f : findings) {
    out += "  [" + std::string(FindingKindName(f.kind)) + "] " + FormatFinding(f) + "\n";
  }
  return out;
}

CheckOptions OptionsFor(const Case& c) {
  CheckOptions o;
  o.flux_roots = c.flux_roots;
  o.owned_roots = {"clusters/dev", "modules", "platform"};
  return o;
}

class BrokenCaseTest : public ::testing::TestWithParam<Case> {};

TEST_P(BrokenCaseTest, CaughtWithKeyLineAndColumn) {
  const Case& c = GetParam();
  std::vector<Finding> got = Check(c.files, OptionsFor(c));
  ASSERT_EQ(got.size(), c.expected.size()) << Dump(got);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].key, c.expected[i].key) << Dump(got);
    EXPECT_EQ(got[i].line, c.expected[i].line) << Dump(got);
    EXPECT_EQ(got[i].column, c.expected[i].column) << Dump(got);
    EXPECT_EQ(got[i].kind, c.expected[i].kind) << Dump(got);
    EXPECT_FALSE(got[i].message.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, BrokenCaseTest, ::testing::ValuesIn(testing::BrokenCases()),
                         [](const auto& info) { return info.param.name; });

class GoodCaseTest : public ::testing::TestWithParam<Case> {};

TEST_P(GoodCaseTest, Accepted) {
  const Case& c = GetParam();
  std::vector<Finding> got = Check(c.files, OptionsFor(c));
  EXPECT_THAT(got, IsEmpty()) << Dump(got);
}

INSTANTIATE_TEST_SUITE_P(Corpus, GoodCaseTest, ::testing::ValuesIn(testing::GoodCases()),
                         [](const auto& info) { return info.param.name; });

TEST(ChecksTest, CrdBundleIsAtLeast206KB) {
  EXPECT_GE(testing::CrdBundle(206 * 1024).size(), 206u * 1024);
}

TEST(ChecksTest, EveryProblemAtOnceAcrossFiles) {
  // Every broken case whose keys no earlier case uses, in one tree.
  std::map<std::string, std::string> files;
  CheckOptions o;
  size_t expected = 0;
  for (const Case& c : testing::BrokenCases()) {
    bool clash = false;
    for (const auto& [key, content] : c.files) clash = clash || files.count(key) != 0;
    if (clash) continue;
    files.insert(c.files.begin(), c.files.end());
    o.flux_roots.insert(o.flux_roots.end(), c.flux_roots.begin(), c.flux_roots.end());
    expected += c.expected.size();
  }
  EXPECT_GE(expected, 10u);
  std::vector<Finding> got = Check(files, o);
  EXPECT_EQ(got.size(), expected) << Dump(got);
}

TEST(ChecksTest, SyntaxErrorMessagesSayWhatAndWhere) {
  std::vector<Finding> got = Check({{"a.yaml", "a:\n\tb: 1\n"}});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_THAT(got[0].message,
              HasSubstr("invalid YAML: found character that cannot start any token"));
  EXPECT_EQ(FormatFinding(got[0]), "rendered_manifests[\"a.yaml\"]:2:1: " + got[0].message);
}

// A quote or a flow collection left open is named where it opened, not
// where libyaml gave up (the end of the file, or a line below).
TEST(ChecksTest, UnclosedQuotesAndBracketsAreNamedWhereTheyOpened) {
  struct Case {
    const char* name;
    const char* content;
    int line;
    int column;
    const char* message;
  };
  const Case cases[] = {
      {"DoubleQuoteToTheEnd", "a: 1\nb: \"open\nc: 1\n", 2, 4,
       "invalid YAML: unclosed double-quoted string opened at line 2, column 4: no closing quote "
       "before the end of the file"},
      {"SingleQuoteToTheEnd", "a: 1\nb: 'open\nc: 1\n", 2, 4,
       "invalid YAML: unclosed single-quoted string opened at line 2, column 4: no closing quote "
       "before the end of the file"},
      // The next value's opening quote closes it; libyaml alone says
      // "did not find expected key" at line 5.
      {"DoubleQuoteClosedByTheNextOne",
       "apiVersion: v1\nkind: ConfigMap\ndata:\n  motd: \"hello\n  other: \"x\"\n", 4, 9,
       "invalid YAML: unclosed double-quoted string opened at line 4, column 9: it runs on to the "
       "next double quote at line 5, column 10, and what follows does not parse (did not find "
       "expected "
       "key)"},
      {"SingleQuoteClosedLinesBelow", "data:\n  motd: 'hello\n  other: x\n  more: 'y'\n", 2, 9,
       "invalid YAML: unclosed single-quoted string opened at line 2, column 9: it runs on to the "
       "next single quote at line 4, column 9, and what follows does not parse (did not find "
       "expected key)"},
      {"FlowSequence", "spec:\n  args: [a, b\n  other: x\n", 2, 9,
       "invalid YAML: unclosed flow sequence ('[') opened at line 2, column 9: no ']' follows; did "
       "not find expected ',' or ']' at line 3, column 8"},
      {"FlowMappingToTheEnd", "spec:\n  args: {a: 1, b: 2\n", 2, 9,
       "invalid YAML: unclosed flow mapping ('{') opened at line 2, column 9: no '}' follows; did "
       "not find expected ',' or '}' at line 3, column 1"},
      {"InnerFlowSequence", "a: [x, [y, z\n", 1, 8,
       "invalid YAML: unclosed flow sequence ('[') opened at line 1, column 8: no ']' follows; did "
       "not find expected ',' or ']' at line 2, column 1"},
      // A bracket that does close later: a missing comma, not an open
      // collection; libyaml's words, with the opening.
      {"MissingCommaInAFlowSequence", "a: [\n  x\n  y: 1\n]\n", 3, 4,
       "invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 1, "
       "column 4)"},
      // Text after a quote on the same line: no quote was left open.
      {"TextAfterAQuotedValue", "a: \"x\" y\n", 1, 8,
       "invalid YAML: did not find expected key (while parsing a block mapping at line 1, column "
       "1)"},
  };
  for (const Case& c : cases) {
    std::vector<Finding> got = Check({{"q.yaml", c.content}});
    ASSERT_EQ(got.size(), 1u) << c.name << "\n" << Dump(got);
    EXPECT_EQ(got[0].kind, FindingKind::kYamlSyntax) << c.name;
    EXPECT_EQ(std::pair(got[0].line, got[0].column), std::pair(c.line, c.column)) << c.name;
    EXPECT_EQ(got[0].message, c.message) << c.name;
  }
  // A quoted value may span lines on purpose.
  EXPECT_THAT(Check({{"ok.yaml", "a: \"one\n  two\"\nb: 'three\n  four'\nc: [x,\n  y]\n"}}),
              IsEmpty());
}

TEST(ChecksTest, InvalidUtf8IsASyntaxErrorAtItsPlace) {
  std::vector<Finding> got = Check({{"u.yaml", "a: ok\nb: caf\xc3\n"}});
  ASSERT_EQ(got.size(), 1u) << Dump(got);
  EXPECT_EQ(got[0].kind, FindingKind::kYamlSyntax);
  EXPECT_EQ(got[0].line, 2);
}

TEST(ChecksTest, DeepNestingEndsWithAFindingNotACrash) {
  std::string deep(200000, '[');
  std::vector<Finding> got = Check({{"deep.yaml", deep}});
  ASSERT_EQ(got.size(), 1u) << Dump(got);
  EXPECT_EQ(got[0].kind, FindingKind::kYamlSyntax);
  EXPECT_THAT(got[0].message, HasSubstr("too deeply nested"));
  EXPECT_EQ(got[0].line, 1);
  EXPECT_EQ(got[0].column, 10001);
  std::string ok = std::string(100, '[') + std::string(100, ']') + "\n";
  EXPECT_THAT(Check({{"ok.yaml", ok}}), IsEmpty());
}

TEST(ChecksTest, DirectoriesReachedFromAKustomizationAreNotGenerated) {
  // `sub` has no kustomization: one finding for that, none for what a
  // generated kustomization would have decoded there.
  std::vector<Finding> got = Check({{"platform/redis/kustomization.yaml", "resources:\n- sub\n"},
                                    {"platform/redis/sub/values.yaml", "replicas: 1\n"}},
                                   [] {
                                     CheckOptions o;
                                     o.flux_roots = {"platform/redis"};
                                     return o;
                                   }());
  ASSERT_EQ(got.size(), 1u) << Dump(got);
  EXPECT_EQ(got[0].kind, FindingKind::kNotAKustomization);
}

TEST(ChecksTest, LinesCountAsYamlCountsThem) {
  // CRLF is one break, a lone CR one too, and so are U+0085, U+2028 and
  // U+2029 (YAML 1.1): the place matches libyaml's marks.
  std::vector<Finding> got = Check({{"crlf.yaml", "a: 1\r\nb: 2\r\na: 3\r\n"},
                                    {"cr.yaml", "a: 1\rb: 2\ra: 3\r"},
                                    {"ls.yaml", "a: 1\nb: \"x\xe2\x80\xa8y\"\na: 3\n"},
                                    {"utf8.yaml", "a: \"\xe2\x80\xa8\"\r\nb: caf\xc3\n"}});
  ASSERT_EQ(got.size(), 4u) << Dump(got);
  EXPECT_EQ(std::pair(got[0].line, got[0].column), std::pair(3, 1)) << Dump(got);  // cr
  EXPECT_EQ(std::pair(got[1].line, got[1].column), std::pair(3, 1)) << Dump(got);  // crlf
  EXPECT_EQ(std::pair(got[2].line, got[2].column), std::pair(4, 1)) << Dump(got);  // ls
  EXPECT_EQ(got[3].kind, FindingKind::kYamlSyntax);                                // utf8
  EXPECT_EQ(got[3].line, 3) << Dump(got);
}

// tree_checks_fuzz: a generator field holding a scalar was indexed as a
// sequence one level too deep (heap overflow under ASan).
TEST(ChecksTest, KustomizationFieldsOfTheWrongShapeAreIgnored) {
  EXPECT_THAT(Check({{"modules/kustomization.yaml",
                      "configMapGenerator: x\nsecretGenerator: {files: y}\n"
                      "resources: z\npatches: [a, {path: [b]}]\nopenapi: [c]\n"
                      "configMapGenerator2: [{files: [gone]}]\n"}}),
              IsEmpty());
}

TEST(ChecksTest, DuplicateKeysEverywhereAndOnlyThere) {
  std::vector<Finding> got =
      Check({{"d.yaml",
              "a: 1\n"
              "m: {x: 1, y: 2, x: 3}\n"                       // flow mapping
              "s:\n- k: 1\n  k: 2\n"                          // mapping in a sequence
              "\"a\": 2\n"                                    // quoted vs plain
              "n:\n  <<: {p: 1}\n  \"<<\": 1\n  \"<<\": 2\n"  // quoted << is a key
              "? [c, d]\n: 1\n? [c, d]\n: 2\n"                // complex keys: not compared
              "---\n"
              "a: 1\n"}});  // another document
  std::vector<std::pair<int, int>> places;
  for (const Finding& f : got) {
    EXPECT_EQ(f.kind, FindingKind::kDuplicateKey) << Dump(got);
    places.emplace_back(f.line, f.column);
  }
  EXPECT_THAT(places,
              ElementsAre(std::pair(2, 17), std::pair(5, 3), std::pair(6, 1), std::pair(10, 3)))
      << Dump(got);
  EXPECT_THAT(got[0].message, HasSubstr("duplicate key \"x\": first at line 2, column 5"));
}

TEST(ChecksTest, SensitiveFindingsQuoteNothing) {
  const std::string secret = "hunter2-very-secret";
  std::map<std::string, std::string> files = {
      {"platform/vault/secret.yaml",
       "apiVersion: v1\nkind: Secret\nstringData:\n  " + secret + ": a\n  " + secret + ": b\n"},
      {"platform/vault/kustomization.yaml", "resources:\n- " + secret + ".yaml\n"},
      {"platform/vault/bad.yaml", "a: \"" + secret + "\n"},
  };
  CheckOptions o;
  o.is_sensitive = [](std::string_view) { return true; };
  std::vector<Finding> got = Check(files, o);
  ASSERT_EQ(got.size(), 3u) << Dump(got);
  for (const Finding& f : got) EXPECT_THAT(f.message, Not(HasSubstr("hunter2"))) << Dump(got);
  // Not sensitive: the key and the path are named, the value never.
  got = Check(files);
  ASSERT_EQ(got.size(), 3u) << Dump(got);
  EXPECT_THAT(Dump(got), HasSubstr("duplicate key \"" + secret + "\""));
  EXPECT_THAT(Dump(got), HasSubstr("resources[0] \"" + secret + ".yaml\""));
  EXPECT_THAT(got[0].message, Not(HasSubstr("a: \"")));
}

TEST(ChecksTest, ExcludedFilesAreNotParsedButStillExist) {
  std::map<std::string, std::string> files = {
      {"platform/traefik/chart/templates/deploy.yaml",
       "{{- if .Values.enabled }}\nkind: {{ .Values.kind }\n  bad: [\n"},
      {"platform/traefik/kustomization.yaml", "resources:\n- chart/templates/deploy.yaml\n"},
  };
  EXPECT_EQ(Check(files).size(), 1u);
  CheckOptions o;
  o.exclude = {"platform/*/chart/templates/**"};
  o.flux_roots = {"platform/traefik"};
  EXPECT_THAT(Check(files, o), IsEmpty());
}

TEST(ChecksTest, RemoteReferencesAreSkipped) {
  EXPECT_THAT(Check({{"modules/kustomization.yaml",
                      "resources:\n"
                      "- https://github.com/org/repo//deploy?ref=v1\n"
                      "- github.com/org/repo/deploy?ref=v1\n"
                      "- git@github.com:org/repo.git\n"
                      "- ssh://git@example.com/org/repo.git\n"}}),
              IsEmpty());
}

TEST(ChecksTest, AbsoluteAndFilePathsThatAreDirectories) {
  std::vector<Finding> got = Check({{"modules/kustomization.yaml",
                                     "resources:\n- /etc/passwd\n"
                                     "patches:\n- path: sub\n"},
                                    {"modules/sub/kustomization.yaml", "resources: []\n"}});
  ASSERT_EQ(got.size(), 2u) << Dump(got);
  EXPECT_EQ(got[0].kind, FindingKind::kOutsideCheckout);
  EXPECT_EQ(got[1].kind, FindingKind::kMissingReference);
  EXPECT_THAT(got[1].message, HasSubstr("is a directory"));
}

// A missing reference is called what the field and the path say it is:
// a component is a directory, and so is anything written with a trailing
// '/'; a resource may be either; a patch is a file.
TEST(ChecksTest, MissingReferencesAreCalledFilesOrDirectories) {
  std::vector<Finding> got = Check({{"modules/app/kustomization.yaml",
                                     "resources:\n- gone.yaml\n- ../base/\n"
                                     "components:\n- ../components/gone\n"
                                     "patches:\n- path: gone-patch.yaml\n"}});
  ASSERT_EQ(got.size(), 4u) << Dump(got);
  for (const Finding& f : got) EXPECT_EQ(f.kind, FindingKind::kMissingReference) << Dump(got);
  EXPECT_EQ(FormatFinding(got[0], ""),
            "modules/app/kustomization.yaml:2:3: resources[0] \"gone.yaml\": not found "
            "(\"modules/app/gone.yaml\"): no such file or directory in the desired tree or on disk "
            "after the apply");
  EXPECT_EQ(FormatFinding(got[1], ""),
            "modules/app/kustomization.yaml:3:3: resources[1] \"../base/\": not found "
            "(\"modules/base\"): no such directory in the desired tree or on disk after the apply");
  EXPECT_EQ(FormatFinding(got[2], ""),
            "modules/app/kustomization.yaml:5:3: components[0] \"../components/gone\": not found "
            "(\"modules/components/gone\"): no such directory in the desired tree or on disk after "
            "the apply");
  EXPECT_EQ(FormatFinding(got[3], ""),
            "modules/app/kustomization.yaml:7:9: patches[0].path \"gone-patch.yaml\": not found "
            "(\"modules/app/gone-patch.yaml\"): no such file in the desired tree or on disk after "
            "the apply");
}

TEST(ChecksTest, MultipleKustomizationFiles) {
  std::vector<Finding> got = Check({{"modules/kustomization.yaml", "resources: []\n"},
                                    {"modules/kustomization.yml", "resources: []\n"}});
  ASSERT_EQ(got.size(), 1u) << Dump(got);
  EXPECT_EQ(got[0].kind, FindingKind::kMultipleKustomizations);
  EXPECT_EQ(got[0].key, "modules/kustomization.yml");
}

TEST(ChecksTest, LookupAnswersForWhatTheTreeDoesNotHold) {
  std::map<std::string, std::string> files = {
      {"clusters/dev/kustomization.yaml",
       "resources:\n- flux-system\n- ../../README.md\n- apps.yaml\n"},
      {"clusters/dev/apps.yaml", FluxKustomization("apps", "./clusters/dev/flux-system")},
  };
  CheckOptions o;
  std::vector<std::string> asked;
  o.lookup = [&](std::string_view p) {
    asked.emplace_back(p);
    if (p == "clusters/dev/flux-system") return PathKind::kDirectory;
    if (p == "clusters/dev/flux-system/kustomization.yaml") return PathKind::kFile;
    if (p == "README.md") return PathKind::kFile;
    return PathKind::kMissing;
  };
  EXPECT_THAT(Check(files, o), IsEmpty()) << Dump(Check(files, o));
  EXPECT_THAT(asked, ::testing::Contains("README.md"));
  // Without the lookup nothing outside the desired tree exists.
  std::vector<Finding> got = Check(files);
  ASSERT_EQ(got.size(), 3u) << Dump(got);
  EXPECT_EQ(got[0].kind, FindingKind::kFluxPathMissing);
}

TEST(ChecksTest, FluxPathsOutsideOwnedRootsAreNotJudged) {
  std::map<std::string, std::string> files = {
      {"clusters/dev/apps.yaml", FluxKustomization("apps", "./apps/production")},
      {"clusters/dev/mod.yaml", FluxKustomization("mod", "modules/gone")},
  };
  CheckOptions o;
  o.owned_roots = {"clusters/dev", "modules", "platform"};
  std::vector<Finding> got = Check(files, o);
  ASSERT_EQ(got.size(), 1u) << Dump(got);
  EXPECT_EQ(got[0].key, "clusters/dev/mod.yaml");
  EXPECT_EQ(got[0].line, 8);
  EXPECT_EQ(got[0].column, 9);
}

TEST(ChecksTest, GeneratedKustomizationStopsAtSubdirectoriesWithTheirOwn) {
  std::map<std::string, std::string> files = {
      {"clusters/dev/ok.yaml", ConfigMap("ok")},
      {"clusters/dev/.hidden/x.yaml", "not: an object\n"},  // Flux does not skip dot files
      {"clusters/dev/notes.txt", "anything: [\n"},          // not YAML by name: not parsed
      {"clusters/dev/app/kustomization.yaml", "resources:\n- cm.yaml\n"},
      {"clusters/dev/app/cm.yaml", ConfigMap("cm")},
      {"clusters/dev/app/values.yaml", "replicas: 2\n"},  // not listed: not decoded
  };
  CheckOptions o;
  o.flux_roots = {"clusters/dev"};
  std::vector<Finding> got = Check(files, o);
  ASSERT_EQ(got.size(), 1u) << Dump(got);
  EXPECT_EQ(got[0].key, "clusters/dev/.hidden/x.yaml");
  EXPECT_EQ(got[0].kind, FindingKind::kNotKubernetesObject);
  EXPECT_THAT(got[0].message,
              HasSubstr("document 1 is not a Kubernetes object (no apiVersion and no kind)"));
}

TEST(ChecksTest, EmptyOrNullKindIsNoKind) {
  CheckOptions o;
  o.flux_roots = {"clusters/dev"};
  std::vector<Finding> got = Check({{"clusters/dev/a.yaml", "apiVersion: v1\nkind: \"\"\n"},
                                    {"clusters/dev/b.yaml", "apiVersion: ~\nkind: X\n"},
                                    {"clusters/dev/c.yaml", "apiVersion: v1\nkind: X\n"}},
                                   o);
  ASSERT_EQ(got.size(), 2u) << Dump(got);
  EXPECT_THAT(got[0].message, HasSubstr("(no kind)"));
  EXPECT_THAT(got[1].message, HasSubstr("(no apiVersion)"));
}

TEST(ChecksTest, NonObjectsElsewhereAreFine) {
  EXPECT_THAT(Check({{"platform/traefik/values.yaml", "replicaCount: 1\n"},
                     {"modules/list.yaml", "- a\n- b\n"}}),
              IsEmpty());
}

// Item 7: a caller that caches FileFacts gets the same findings as
// CheckTree, re-parsing only the file that changed.
TEST(ChecksTest, IncrementalCheckMatchesFullCheck) {
  std::map<std::string, std::string> files;
  for (const Case& c : testing::BrokenCases()) files.insert(c.files.begin(), c.files.end());
  for (const Case& c : testing::GoodCases()) files.insert(c.files.begin(), c.files.end());
  CheckOptions o;
  o.flux_roots = {"clusters/dev"};
  DesiredTree desired = ViewDesiredTree(files);
  FactsMap facts;
  for (const auto& [key, content] : desired) facts.emplace(key, CheckFile(key, content, o));

  files["platform/traefik/dup.yaml"] = ConfigMap("fixed");
  desired = ViewDesiredTree(files);
  facts["platform/traefik/dup.yaml"] =
      CheckFile("platform/traefik/dup.yaml", desired.at("platform/traefik/dup.yaml"), o);
  std::vector<Finding> incremental;
  for (const auto& [key, f] : facts) {
    incremental.insert(incremental.end(), f.findings.begin(), f.findings.end());
  }
  std::vector<Finding> refs = CheckReferences(desired, facts, o);
  incremental.insert(incremental.end(), refs.begin(), refs.end());
  std::vector<Finding> full = CheckTree(desired, o);
  std::sort(incremental.begin(), incremental.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.key, a.line, a.column) < std::tie(b.key, b.line, b.column);
  });
  EXPECT_EQ(incremental, full) << Dump(incremental) << "vs\n" << Dump(full);
  for (const Finding& f : full) EXPECT_NE(f.key, "platform/traefik/dup.yaml");
}

// Parsing on several threads gives the same facts and findings.
TEST(ChecksTest, ParallelParsingChangesNothing) {
  std::map<std::string, std::string> files;
  for (const Case& c : testing::BrokenCases()) files.insert(c.files.begin(), c.files.end());
  for (int i = 0; i < 300; ++i)
    files["platform/x/f" + std::to_string(i) + ".yaml"] = "a: 1\na: 2\n";
  DesiredTree desired = ViewDesiredTree(files);
  CheckOptions one;
  one.flux_roots = {"clusters/dev", "platform/x"};
  CheckOptions four = one;
  four.parallelism = 4;
  FactsMap a = CheckFiles(desired, one);
  FactsMap b = CheckFiles(desired, four);
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [key, f] : a) {
    EXPECT_EQ(f.findings, b.at(key).findings) << key;
    EXPECT_EQ(f.objects.size(), b.at(key).objects.size()) << key;
  }
  EXPECT_EQ(CheckTree(desired, one), CheckTree(desired, four));
}

// A path the lookup cannot tell about judges nothing that depends on it.
TEST(ChecksTest, UnknownPathsAreNotJudged) {
  std::map<std::string, std::string> files = {
      {"clusters/dev/kustomization.yaml", "resources:\n- flux-system\n- gone.yaml\n"},
      {"clusters/dev/apps.yaml", FluxKustomization("apps", "./clusters/dev/flux-system")}};
  CheckOptions o;
  o.flux_roots = {"clusters/dev"};
  o.lookup = [](std::string_view) { return PathKind::kUnknown; };
  EXPECT_THAT(Check(files, o), IsEmpty()) << Dump(Check(files, o));
  o.lookup = {};
  EXPECT_EQ(Check(files, o).size(), 3u) << Dump(Check(files, o));
}

TEST(ChecksTest, FileFactsOfNonYamlKeysAreEmpty) {
  FileFacts f = CheckFile("platform/vault/policy.hcl", "a: [\n", {});
  EXPECT_FALSE(f.parsed);
  EXPECT_THAT(f.findings, IsEmpty());
  EXPECT_TRUE(IsYamlKey("a/Kustomization"));
  EXPECT_TRUE(IsYamlKey("a/b.yml"));
  EXPECT_FALSE(IsYamlKey("a/b.YAML"));
  EXPECT_FALSE(IsYamlKey("a/b.json"));
}

TEST(ChecksTest, KindNamesAreStable) {
  EXPECT_EQ(FindingKindName(FindingKind::kYamlSyntax), "yaml-syntax");
  EXPECT_EQ(FindingKindName(FindingKind::kDuplicateKey), "duplicate-key");
  EXPECT_EQ(FindingKindName(FindingKind::kNotKubernetesObject), "not-kubernetes-object");
  EXPECT_EQ(FindingKindName(FindingKind::kMissingReference), "missing-reference");
  EXPECT_EQ(FindingKindName(FindingKind::kOutsideCheckout), "outside-checkout");
  EXPECT_EQ(FindingKindName(FindingKind::kNotAKustomization), "not-a-kustomization");
  EXPECT_EQ(FindingKindName(FindingKind::kMultipleKustomizations), "multiple-kustomizations");
  EXPECT_EQ(FindingKindName(FindingKind::kFluxPathMissing), "flux-path-missing");
  EXPECT_EQ(FindingKindName(FindingKind::kDuplicateObject), "duplicate-object");
  EXPECT_EQ(FindingKindName(FindingKind::kPatchTarget), "patch-target");
}

// Issue 17 item 1: the duplicate-object finding names the id as kustomize
// prints it, both places, and which kustomization pulled each in.
TEST(DuplicateObjectTest, NamesTheIdBothPlacesAndTheWayIn) {
  std::map<std::string, std::string> files = {
      {"clusters/dev/platform/sources/repo.yaml", testing::HelmRepository("cloudnative-pg")},
      {"clusters/dev/platform/databases/kustomization.yaml",
       testing::Kustomization("resources:\n- release.yaml\n- ../sources/repo.yaml\n")},
      {"clusters/dev/platform/databases/release.yaml", ConfigMap("release")}};
  CheckOptions o;
  o.flux_roots = {"clusters/dev"};
  std::vector<Finding> got = Check(files, o);
  ASSERT_EQ(got.size(), 1u) << Dump(got);
  EXPECT_EQ(got[0].kind, FindingKind::kDuplicateObject);
  EXPECT_EQ(got[0].key, "clusters/dev/platform/sources/repo.yaml");
  const std::string& m = got[0].message;
  EXPECT_THAT(m,
              HasSubstr("HelmRepository.v1.source.toolkit.fluxcd.io/cloudnative-pg.flux-system"));
  EXPECT_THAT(m, HasSubstr("the build of \"clusters/dev\""));
  EXPECT_THAT(m,
              HasSubstr("resources[1] of \"clusters/dev/platform/databases/kustomization.yaml\""));
  EXPECT_THAT(m,
              HasSubstr("taken directly by the kustomization Flux generates for \"clusters/dev\""));
  EXPECT_THAT(m, HasSubstr("may not add resource with an already registered id"));

  // Two files: the second is the finding's place, the first is named with
  // its line and column.
  files = {{"platform/redis/kustomization.yaml",
            testing::Kustomization("resources:\n- a.yaml\n- b.yaml\n")},
           {"platform/redis/a.yaml", "---\n" + ConfigMap("cm")},
           {"platform/redis/b.yaml", ConfigMap("cm")}};
  o.flux_roots = {"platform/redis"};
  got = Check(files, o);
  ASSERT_EQ(got.size(), 1u) << Dump(got);
  EXPECT_EQ(got[0].key, "platform/redis/b.yaml");
  EXPECT_THAT(got[0].message, HasSubstr("ConfigMap.v1.[noGrp]/cm.[noNs]"));
  EXPECT_THAT(got[0].message, HasSubstr("first at \"platform/redis/a.yaml\" line 2, column 1"));

  // Sensitive: the places stay, the id goes.
  o.is_sensitive = [](std::string_view) { return true; };
  got = Check(files, o);
  ASSERT_EQ(got.size(), 1u) << Dump(got);
  EXPECT_THAT(got[0].message, Not(HasSubstr("cm")));
  EXPECT_THAT(got[0].message, HasSubstr("an object is accumulated twice"));
}

TEST(DuplicateObjectTest, FluxTargetNamespaceReplacesTheRootsOwn) {
  std::map<std::string, std::string> files = {
      {"clusters/dev/apps.yaml",
       FluxKustomization("apps", "./platform/redis") + "  targetNamespace: redis\n"},
      {"platform/redis/kustomization.yaml",
       testing::Kustomization("resources:\n- a.yaml\n- b.yaml\n")},
      {"platform/redis/a.yaml", testing::InNamespace(ConfigMap("cm"), "a")},
      {"platform/redis/b.yaml", testing::InNamespace(ConfigMap("cm"), "b")}};
  CheckOptions o;
  o.flux_roots = {"clusters/dev"};
  std::vector<Finding> got = Check(files, o);
  ASSERT_EQ(got.size(), 1u) << Dump(got);
  EXPECT_EQ(got[0].key, "platform/redis/b.yaml");
  EXPECT_THAT(got[0].message, HasSubstr("ConfigMap.v1.[noGrp]/cm.redis"));
  EXPECT_THAT(got[0].message, HasSubstr("the spec.targetNamespace of the Flux Kustomization in "
                                        "\"clusters/dev/apps.yaml\" makes their ids one"));
  EXPECT_THAT(got[0].message, HasSubstr("spec.path of the Flux Kustomization in "
                                        "\"clusters/dev/apps.yaml\""));
  EXPECT_THAT(got[0].message, HasSubstr("ID conflict"));
  // Without the targetNamespace the two namespaces keep them apart.
  files["clusters/dev/apps.yaml"] = FluxKustomization("apps", "./platform/redis");
  EXPECT_THAT(Check(files, o), IsEmpty()) << Dump(Check(files, o));
}

// What is not modelled is not judged: ids a patch or a transformer may
// change, a component's transformers, objects on disk only, cycles.
TEST(DuplicateObjectTest, WhatIsNotModelledIsNotJudged) {
  std::map<std::string, std::string> files = {
      {"platform/databases/kustomization.yaml",
       testing::Kustomization("resources:\n- blue\n- green\n")},
      {"platform/databases/base/kustomization.yaml",
       testing::Kustomization("resources:\n- cm.yaml\n")},
      {"platform/databases/base/cm.yaml", ConfigMap("cm")},
      {"platform/databases/blue/kustomization.yaml",
       testing::Kustomization("resources:\n- ../base\npatches:\n- path: rename.yaml\n"
                              "  target:\n    kind: ConfigMap\n")},
      {"platform/databases/blue/rename.yaml", "- op: replace\n  path: /metadata/name\n"},
      {"platform/databases/green/kustomization.yaml",
       testing::Kustomization("resources:\n- ../base\n")}};
  CheckOptions o;
  o.flux_roots = {"platform/databases"};
  EXPECT_THAT(Check(files, o), IsEmpty()) << Dump(Check(files, o));

  // A cycle ends the walk; kustomize reports it itself.
  files = {
      {"platform/a/kustomization.yaml", testing::Kustomization("resources:\n- ../b\n")},
      {"platform/b/kustomization.yaml", testing::Kustomization("resources:\n- ../a\n- cm.yaml\n")},
      {"platform/b/cm.yaml", ConfigMap("cm")}};
  o.flux_roots = {"platform/a"};
  EXPECT_THAT(Check(files, o), IsEmpty()) << Dump(Check(files, o));

  // A kustomization on disk only: its objects are unknown.
  files = {{"clusters/dev/cm.yaml", ConfigMap("cm")}};
  o.flux_roots = {"clusters/dev"};
  o.lookup = [](std::string_view path) {
    if (path == "clusters/dev/flux-system") return PathKind::kDirectory;
    if (path == "clusters/dev/flux-system/kustomization.yaml") return PathKind::kFile;
    return PathKind::kMissing;
  };
  EXPECT_THAT(Check(files, o), IsEmpty()) << Dump(Check(files, o));
}

// Issue 17 item 1: a patch kustomize cannot place is named at its entry
// in the kustomization, with the patch's id and where the candidates are.
TEST(PatchTargetTest, MessagesNameThePatchAndTheCandidates) {
  std::map<std::string, std::string> files = {
      {"platform/databases/kustomization.yaml",
       testing::Kustomization("resources:\n- blue\n- green\npatchesStrategicMerge:\n- p.yaml\n")},
      {"platform/databases/p.yaml", "---\n" + ConfigMap("cm")},
      {"platform/databases/base/kustomization.yaml",
       testing::Kustomization("resources:\n- cm.yaml\n")},
      {"platform/databases/base/cm.yaml", ConfigMap("cm")},
      {"platform/databases/blue/kustomization.yaml",
       testing::Kustomization("namePrefix: blue-\nresources:\n- ../base\n")},
      {"platform/databases/green/kustomization.yaml",
       testing::Kustomization("nameSuffix: -green\nresources:\n- ../base\n")}};
  CheckOptions o;
  o.flux_roots = {"platform/databases"};
  std::vector<Finding> got = Check(files, o);
  ASSERT_EQ(got.size(), 1u) << Dump(got);
  EXPECT_EQ(got[0].kind, FindingKind::kPatchTarget);
  EXPECT_THAT(got[0].message, HasSubstr("patchesStrategicMerge[0] \"p.yaml\": the patch for "
                                        "ConfigMap.v1.[noGrp]/cm.[noNs] (document 1)"));
  EXPECT_THAT(got[0].message, HasSubstr("matches 2 objects (\"platform/databases/base/cm.yaml\" "
                                        "line 1, \"platform/databases/base/cm.yaml\" line 1)"));

  // Not all objects known (a generator makes some): "matches nothing" is
  // not judged, since a generated object may be the one.
  files = {{"platform/redis/kustomization.yaml",
            testing::Kustomization("resources:\n- cm.yaml\npatchesStrategicMerge:\n- p.yaml\n"
                                   "configMapGenerator:\n- name: gen\n  literals:\n  - a=b\n")},
           {"platform/redis/cm.yaml", ConfigMap("cm")},
           {"platform/redis/p.yaml", ConfigMap("gen")}};
  o.flux_roots = {"platform/redis"};
  EXPECT_THAT(Check(files, o), IsEmpty()) << Dump(Check(files, o));

  // Sensitive: no id.
  files["platform/redis/kustomization.yaml"] =
      testing::Kustomization("resources:\n- cm.yaml\npatchesStrategicMerge:\n- p.yaml\n");
  o.is_sensitive = [](std::string_view) { return true; };
  got = Check(files, o);
  ASSERT_EQ(got.size(), 1u) << Dump(got);
  EXPECT_THAT(got[0].message, Not(HasSubstr("gen")));
  EXPECT_THAT(got[0].message, HasSubstr("the patch (document 1) has no `target:`"));
}

// Objects kustomize does not accumulate as written are not ids: Lists,
// kustomize's own kinds, documents without a name, ids behind aliases.
TEST(DuplicateObjectTest, OnlyNamedObjectsAsWrittenAreIds) {
  FileFacts f = CheckFile("platform/x/a.yaml",
                          ConfigMap("one") +
                              "---\napiVersion: v1\nkind: List\nmetadata:\n  "
                              "name: l\nitems: []\n"
                              "---\napiVersion: v1\nkind: ConfigMap\n"
                              "metadata: {}\n"
                              "---\napiVersion: v1\nkind: ConfigMap\n"
                              "metadata:\n  <<: {name: merged}\n"
                              "---\n" +
                              testing::InNamespace(ConfigMap("two"), "ns"),
                          {});
  ASSERT_EQ(f.objects.size(), 2u);
  EXPECT_EQ(f.objects[0].name, "one");
  EXPECT_EQ(f.objects[0].namespace_, "");
  EXPECT_EQ(f.objects[0].line, 1);
  EXPECT_EQ(f.objects[1].name, "two");
  EXPECT_EQ(f.objects[1].namespace_, "ns");
  EXPECT_EQ(f.objects[1].document, 5);

  f = CheckFile("platform/x/kustomization.yaml",
                "namespace: n\nnamePrefix: p-\nnameSuffix: -s\nresources: []\n", {});
  EXPECT_EQ(f.transforms.namespace_, "n");
  EXPECT_EQ(f.transforms.name_prefix, "p-");
  EXPECT_EQ(f.transforms.name_suffix, "-s");
  EXPECT_FALSE(f.transforms.may_rename);
  f = CheckFile("platform/x/kustomization.yaml", "replacements: []\n", {});
  EXPECT_TRUE(f.transforms.may_rename);
}

TEST(DiskLookupTest, OwnedRootsHoldOnlyTheDesiredTreeOutsideTheDiskAnswers) {
  tree::testing::TempDir tmp;
  tree::testing::WriteFile(tmp / "README.md", "hi\n");
  tree::testing::WriteFile(tmp / "modules/stray.yaml", "x\n");
  tree::testing::WriteFile(tmp / "clusters/dev/flux-system/kustomization.yaml", "x\n");
  ReadSession checkout = *ReadSession::Open(tmp.path(), TreeOptions{});
  PathLookup lookup = MakeCheckoutLookup(checkout, "dev");
  EXPECT_EQ(lookup("README.md"), PathKind::kFile);
  EXPECT_EQ(lookup("modules/stray.yaml"), PathKind::kMissing);          // pruned by the apply
  EXPECT_EQ(lookup("clusters/dev/flux-system"), PathKind::kDirectory);  // excluded
  EXPECT_EQ(lookup("clusters/dev/flux-system/kustomization.yaml"), PathKind::kFile);
  EXPECT_EQ(lookup("nothing"), PathKind::kMissing);
  TreeOptions keep;
  keep.prune = false;
  ReadSession kept = *ReadSession::Open(tmp.path(), keep);
  EXPECT_EQ(MakeCheckoutLookup(kept, "dev")("modules/stray.yaml"), PathKind::kFile);
  ReadSession absent = *ReadSession::Open(tmp / "absent", keep);
  EXPECT_EQ(MakeCheckoutLookup(absent, "dev")("README.md"), PathKind::kMissing);
}

// A file another cluster's inventory claims survives this cluster's apply
// (docs/adr/0009-ownership-inventory.md), and so does its directory.
TEST(DiskLookupTest, FilesAnotherClusterClaimsAreThereAfterTheApply) {
  tree::testing::TempDir tmp;
  tree::testing::WriteFile(tmp / "modules/common/ns.yaml", "x\n");
  tree::testing::WriteFile(tmp / "modules/stray.yaml", "x\n");
  tree::testing::WriteFile(
      tmp / InventoryPath("shared"),
      FormatInventory("shared", std::vector<std::string>{"modules/common/ns.yaml"}));
  ReadSession checkout = *ReadSession::Open(tmp.path(), TreeOptions{});
  PathLookup lookup = MakeCheckoutLookup(checkout, "prod");
  EXPECT_EQ(lookup("modules/common/ns.yaml"), PathKind::kFile);
  EXPECT_EQ(lookup("modules/common"), PathKind::kDirectory);
  EXPECT_EQ(lookup("modules/stray.yaml"), PathKind::kMissing);  // nobody's: pruned
}

// Outside what the apply prunes the disk answers as kustomize would read
// it: a relative path through a symlink resolves to its target, whether
// that is a directory or a file, and a dangling link is missing. So do
// links reached from a write session, the one an apply holds.
TEST(DiskLookupTest, SymlinksAreFollowedAndADanglingOneIsMissing) {
  tree::testing::TempDir tmp;
  tree::testing::WriteFile(tmp / "shared/base/kustomization.yaml", "x\n");
  tree::testing::WriteFile(tmp / "shared/base/app.yaml", "x\n");
  tree::testing::MakeDirs(tmp / "docs");
  tree::testing::MakeSymlink("shared/base", tmp / "base-dir");
  tree::testing::MakeSymlink("../shared/base/app.yaml", tmp / "docs/app.yaml");
  tree::testing::MakeSymlink("shared/gone", tmp / "dangling");
  tree::testing::MakeSymlink("../dangling", tmp / "docs/via-dangling");
  for (bool write : {false, true}) {
    SCOPED_TRACE(write ? "write session" : "read session");
    absl::StatusOr<ReadSession> read = ReadSession::Open(tmp.path(), TreeOptions{});
    absl::StatusOr<WriteSession> written = WriteSession::Open(tmp.path(), TreeOptions{});
    ASSERT_TRUE(read.ok() && written.ok());
    const ReadSession& checkout = write ? *written : *read;
    PathLookup lookup = MakeCheckoutLookup(checkout, "dev");
    EXPECT_EQ(lookup("base-dir"), PathKind::kDirectory);
    EXPECT_EQ(lookup("base-dir/kustomization.yaml"), PathKind::kFile);
    EXPECT_EQ(lookup("docs/app.yaml"), PathKind::kFile);
    EXPECT_EQ(lookup("dangling"), PathKind::kMissing);
    EXPECT_EQ(lookup("docs/via-dangling"), PathKind::kMissing);
    EXPECT_EQ(lookup("base-dir/nothing.yaml"), PathKind::kMissing);
  }
}

}  // namespace
}  // namespace wildside::tree::checks
