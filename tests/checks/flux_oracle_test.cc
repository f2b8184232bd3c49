// Flux's own build as an oracle (issue 17, item 4): for every corpus case
// and every directory of its flux_roots that exists, tests/oracles/flux-build
// (fluxcd/pkg/kustomize: Flux's generator, then its secure build) fails
// exactly when CheckTree reports a finding that the build of that
// directory would raise.
//
// Which findings a build raises: every kind but flux-path-missing (a
// Flux Kustomization object whose spec.path is missing is a valid object
// in this build; the build of that other path fails, not this one), and
// only in the files this build parses (ParsedKeys): a broken file that
// the directory's kustomization does not reach, or that a generator reads
// as data, or that only another root decodes, fails no build of this
// root. Where the verdicts still differ for a good reason, Exceptions()
// names the case and root and says why; the test then requires them to
// differ, so an exception that no longer holds fails and is removed.
//
// Every case of the corpus joins by itself, new ones included; a case
// none of whose flux_roots exists builds nothing here (the kustomize
// oracle, oracle_test.cc, covers the directories without a Flux root).
//
// The binary comes from scripts/install-flux-build (WILDSIDE_FLUX_BUILD);
// a missing binary fails the test, it is never skipped.
#include <sys/stat.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "corpus.h"
#include "gtest/gtest.h"
#include "tree/layout.h"
#include "tree_test_util.h"

namespace wildside::tree::checks {
namespace {

using testing::Case;

// A case and root where Flux's build and CheckTree may disagree on
// purpose; `reason` says why.
struct Exception {
  std::string_view case_name;
  std::string_view root;
  std::string_view reason;
};

// Case name, root (as in the case's flux_roots), why. Empty while every
// corpus case agrees; ExceptionsNameCorpusCases keeps the names honest.
const std::vector<Exception>& Exceptions() {
  static const std::vector<Exception> kList = {};
  return kList;
}

const Exception* FindException(std::string_view case_name, std::string_view root) {
  for (const Exception& e : Exceptions()) {
    if (e.case_name == case_name && e.root == root) return &e;
  }
  return nullptr;
}

// Whether a finding of `kind`, in a file the build parses, fails it.
bool FailsTheBuild(FindingKind kind) {
  switch (kind) {
    case FindingKind::kYamlSyntax:
    case FindingKind::kDuplicateKey:  // kyaml (objects), sigs.k8s.io/yaml (kustomizations)
    case FindingKind::kNotKubernetesObject:
    case FindingKind::kMissingReference:
    case FindingKind::kOutsideCheckout:  // the secure filesystem's fence
    case FindingKind::kNotAKustomization:
    case FindingKind::kMultipleKustomizations:
    case FindingKind::kDuplicateObject:  // "may not add resource with an already registered id"
    case FindingKind::kPatchTarget:      // "failed to find unique target for patch"
      return true;
    case FindingKind::kFluxPathMissing:
      // The Kustomization object is fine here; reconciling it fails, not
      // building the directory that holds it.
    case FindingKind::kUnknownField:
    case FindingKind::kWrongType:
    case FindingKind::kMissingField:
    case FindingKind::kInvalidValue:
      // Schemas are the API server's to judge, after the build.
    case FindingKind::kPlaintextSecret:  // a Secret in clear builds fine
    case FindingKind::kUndecryptable:    // decryption comes after the build
      return false;
  }
  return true;  // a kind added since: a build error until shown otherwise
}

constexpr std::string_view kKustomizationNames[] = {"kustomization.yaml", "kustomization.yml",
                                                    "Kustomization"};

// `base` joined with `ref`, "." dropped and ".." applied; nullopt when it
// climbs above the checkout root.
std::optional<std::string> Resolve(std::string_view base, std::string_view ref) {
  std::vector<std::string> out;
  for (std::string_view part : {base, ref}) {
    while (!part.empty()) {
      size_t slash = part.find('/');
      std::string_view seg = part.substr(0, slash);
      part = slash == std::string_view::npos ? std::string_view() : part.substr(slash + 1);
      if (seg.empty() || seg == ".") continue;
      if (seg == "..") {
        if (out.empty()) return std::nullopt;
        out.pop_back();
      } else {
        out.emplace_back(seg);
      }
    }
  }
  std::string joined;
  for (const std::string& seg : out) joined = JoinPath(joined, seg);
  return joined;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The keys a Flux build of `root` parses as YAML: the kustomization files
// of every directory it builds as a kustomization and the files they name
// (but the data files of configMapGenerator/secretGenerator, read as
// text); for a root without a kustomization file, every .yaml/.yml below
// it, a sub-directory with its own kustomization file being built as one
// instead (Flux's generator, fluxcd/pkg kustomize_generator.go).
//
// An independent walk over the keys, with the references CheckFile found;
// it over-approximates (kustomize stops at its first error) but never
// counts a file the build does not read.
class ParsedKeys {
 public:
  ParsedKeys(const std::map<std::string, std::string>& files, const FactsMap& facts)
      : files_(files), facts_(facts) {
    for (const auto& [key, content] : files_) {
      for (std::string_view d = ParentPath(key); !d.empty(); d = ParentPath(d)) {
        dirs_.emplace(d);
      }
    }
  }

  std::set<std::string> Of(const std::string& root) {
    parsed_.clear();
    built_.clear();
    if (!Kustomizations(root).empty()) {
      Build(root);
      return parsed_;
    }
    std::string prefix = root.empty() ? "" : root + "/";
    for (auto it = files_.lower_bound(prefix);
         it != files_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
      const std::string& key = it->first;
      std::optional<std::string> stop;
      for (size_t pos = key.find('/', prefix.size()); pos != std::string::npos;
           pos = key.find('/', pos + 1)) {
        if (!Kustomizations(key.substr(0, pos)).empty()) {
          stop = key.substr(0, pos);
          break;
        }
      }
      if (stop) {
        Build(*stop);
      } else if (EndsWith(key, ".yaml") || EndsWith(key, ".yml")) {
        parsed_.insert(key);
      }
    }
    return parsed_;
  }

 private:
  std::vector<std::string> Kustomizations(const std::string& dir) const {
    std::vector<std::string> out;
    for (std::string_view name : kKustomizationNames) {
      std::string k = JoinPath(dir, name);
      if (files_.count(k) != 0) out.push_back(k);
    }
    return out;
  }

  void Build(const std::string& dir) {
    if (!built_.insert(dir).second) return;
    for (const std::string& kfile : Kustomizations(dir)) {
      parsed_.insert(kfile);
      auto facts = facts_.find(kfile);
      if (facts == facts_.end()) continue;
      for (const FileFacts::Reference& r : facts->second.references) {
        if (r.field.rfind("configMapGenerator", 0) == 0 ||
            r.field.rfind("secretGenerator", 0) == 0) {
          continue;  // read as text (files) or as KEY=value lines (envs)
        }
        std::optional<std::string> p = Resolve(dir, r.path);
        if (!p || (!r.path.empty() && r.path[0] == '/')) continue;
        if (files_.count(*p) != 0) {
          parsed_.insert(*p);
        } else if (dirs_.count(*p) != 0) {
          Build(*p);
        }
      }
    }
  }

  const std::map<std::string, std::string>& files_;
  const FactsMap& facts_;
  std::set<std::string, std::less<>> dirs_;
  std::set<std::string> parsed_;
  std::set<std::string> built_;
};

std::vector<Case> AllCases() {
  std::vector<Case> out = testing::BrokenCases();
  for (Case& c : testing::GoodCases()) out.push_back(std::move(c));
  return out;
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

class FluxBuildOracleTest : public ::testing::TestWithParam<Case> {};

TEST_P(FluxBuildOracleTest, AgreesWithFluxBuild) {
  const std::string flux_build = WILDSIDE_FLUX_BUILD;
  struct stat st;
  ASSERT_TRUE(!flux_build.empty() && ::stat(flux_build.c_str(), &st) == 0)
      << "no flux-build at \"" << flux_build
      << "\": run scripts/install-flux-build and configure with -DWILDSIDE_FLUX_BUILD=<its output>";
  const Case& c = GetParam();
  const bool verbose = std::getenv("WILDSIDE_ORACLE_VERBOSE") != nullptr;
  tree::testing::TempDir tmp;
  const std::string checkout = tmp / "checkout";
  for (const auto& [key, content] : c.files)
    tree::testing::WriteFile(checkout + "/" + key, content);

  CheckOptions options;
  options.flux_roots = c.flux_roots;
  DesiredTree desired = ViewDesiredTree(c.files);
  std::vector<Finding> findings = CheckTree(desired, options);
  FactsMap facts;
  for (const auto& [key, content] : desired) facts.emplace(key, CheckFile(key, content, options));
  ParsedKeys parsed_keys(c.files, facts);

  int built = 0;
  for (const std::string& given : c.flux_roots) {
    std::optional<std::string> root = Resolve("", given);
    ASSERT_TRUE(root.has_value()) << "flux root " << given << " climbs out of the checkout";
    if (!IsDirectory(JoinPath(checkout, *root))) continue;
    ++built;
    std::string out;
    int rc = tree::testing::RunCommand(
        "'" + flux_build + "' '" + checkout + "' '" + *root + "' 2>&1", &out);
    ASSERT_TRUE(rc == 0 || rc == 1) << "could not run " << flux_build << " (exit " << rc << "):\n"
                                    << out;
    const bool flux_fails = rc != 0;

    std::set<std::string> parsed = parsed_keys.Of(*root);
    std::string raised;
    std::string others;
    for (const Finding& f : findings) {
      bool counts = FailsTheBuild(f.kind) && parsed.count(f.key) != 0;
      (counts ? raised : others) +=
          "  [" + std::string(FindingKindName(f.kind)) + "] " + FormatFinding(f, "") + "\n";
    }
    const bool we_fail = !raised.empty();
    if (verbose) {
      std::cerr << c.name << " " << *root << ": flux-build exit " << rc
                << (we_fail ? ", build findings" : ", no build finding") << "\n"
                << raised << "other findings:\n"
                << others << out.substr(0, 600) << "\n";
    }
    std::string detail = "flux-build " + *root + " exited " + std::to_string(rc) + ":\n" + out +
                         "\nfindings that fail this build:\n" + raised + "other findings:\n" +
                         others;
    if (const Exception* e = FindException(c.name, given)) {
      EXPECT_NE(we_fail, flux_fails) << "the exception for " << c.name << " " << *root
                                     << " no longer holds (" << e->reason << "): remove it\n"
                                     << detail;
    } else {
      EXPECT_EQ(we_fail, flux_fails) << detail;
    }
  }
  if (verbose && built == 0) std::cerr << c.name << ": no flux root exists, nothing built\n";
}

INSTANTIATE_TEST_SUITE_P(Corpus, FluxBuildOracleTest, ::testing::ValuesIn(AllCases()),
                         [](const auto& info) { return info.param.name; });

// An exception whose case was renamed or removed would excuse nothing.
TEST(FluxBuildOracleExceptions, ExceptionsNameCorpusCases) {
  std::vector<Case> cases = AllCases();
  for (const Exception& e : Exceptions()) {
    bool found = false;
    for (const Case& c : cases) {
      for (const std::string& root : c.flux_roots)
        found = found || (c.name == e.case_name && root == e.root);
    }
    EXPECT_TRUE(found) << "exception for " << e.case_name << " " << e.root
                       << ": no corpus case has that name and flux root";
  }
}

}  // namespace
}  // namespace wildside::tree::checks
