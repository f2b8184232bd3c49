// End-to-end tests: the real `tofu` binary (and `terraform`, when it is on
// the PATH) installs the provider from a filesystem mirror with `init` and
// drives wildside_gitops_tree through plan, apply, drift, import and
// destroy. Nothing here mocks OpenTofu.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "file_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "subprocess.h"

#ifndef WILDSIDE_MIRROR_DIR
#error "WILDSIDE_MIRROR_DIR must be defined by the build"
#endif
#ifndef WILDSIDE_TOFU
#define WILDSIDE_TOFU ""
#endif
#ifndef WILDSIDE_TOFU_OLDER
#define WILDSIDE_TOFU_OLDER ""
#endif
#ifndef WILDSIDE_RELEASE_DIST
#define WILDSIDE_RELEASE_DIST ""
#endif
#ifndef WILDSIDE_TESTDATA_DIR
#error "WILDSIDE_TESTDATA_DIR must be defined by the build"
#endif
#ifndef WILDSIDE_TREE_CLI
#error "WILDSIDE_TREE_CLI must be defined by the build"
#endif
// 1 when the provider was built with its test seams
// (provider/server/test_hooks.h): the crash-point and orphan tests need
// them.
#ifndef WILDSIDE_TEST_HOOKS
#define WILDSIDE_TEST_HOOKS 0
#endif

namespace wildside {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

// The clients. The full suite runs on the newest pinned OpenTofu
// (WILDSIDE_TOFU, configured by scripts/test); the core set (init from the
// mirror, create, no-op plan, drift edited/deleted/stray/chmod planned and
// healed, import, destroy, creating over existing files, an exclude change,
// the upgrades from earlier releases, the shared checkout) also on every
// older pinned OpenTofu (WILDSIDE_TOFU_OLDER: "1.10.10=/path,1.9.4=/path")
// and on terraform when it is on the PATH. A client is named by what it is
// and its version, e.g. "tofu_1_12_6", so a ctest regex can pick a tier.
struct Client {
  std::string name;
  std::string binary;
  // For the release client: the linux_amd64 zip scripts/release wrote,
  // installed from a packed filesystem mirror instead of the build tree.
  std::string release_zip;
};

std::string ParamName(std::string s) {
  for (char& c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return s;
}

// The first line of `<binary> version`, e.g. "OpenTofu v1.12.6" -> "1.12.6".
std::string VersionOf(const std::string& binary) {
  testing::CommandResult r = testing::RunCommand(
      {binary, "version"},
      testing::EnvironmentWith({{"TF_CLI_CONFIG_FILE", "/dev/null"}, {"CHECKPOINT_DISABLE", "1"}}),
      "", 120s);
  std::string line = r.out.substr(0, r.out.find('\n'));
  size_t v = line.find(" v");
  return v == std::string::npos ? "unknown" : line.substr(v + 2);
}

const std::vector<Client>& AllClients() {
  static const std::vector<Client>* clients = [] {
    auto* out = new std::vector<Client>;
    const char* env = std::getenv("WILDSIDE_TOFU");
    std::string newest = (env != nullptr && *env != '\0') ? env : WILDSIDE_TOFU;
    out->push_back({"tofu_" + ParamName(newest.empty() ? "missing" : VersionOf(newest)), newest});
    std::string older = WILDSIDE_TOFU_OLDER;
    for (size_t start = 0; start < older.size();) {
      size_t end = older.find(',', start);
      if (end == std::string::npos) end = older.size();
      std::string item = older.substr(start, end - start);
      size_t eq = item.find('=');
      if (eq != std::string::npos)
        out->push_back({"tofu_" + ParamName(item.substr(0, eq)), item.substr(eq + 1)});
      start = end + 1;
    }
    // The core set once more on the newest tofu, against the fully static
    // release binary installed from its zip (scripts/test builds it).
    std::string dist = WILDSIDE_RELEASE_DIST;
    if (!dist.empty()) {
      out->push_back(
          {out->front().name + "_release", newest,
           dist + "/terraform-provider-wildside_" WILDSIDE_PROVIDER_VERSION "_linux_amd64.zip"});
    }
    testing::CommandResult which = testing::RunCommand({"sh", "-c", "command -v terraform"},
                                                       testing::EnvironmentWith({}), "", 120s);
    if (which.exit_code == 0) {
      std::string bin = which.out.substr(0, which.out.find('\n'));
      out->push_back({"terraform_" + ParamName(VersionOf(bin)), bin});
    }
    return out;
  }();
  return *clients;
}

std::vector<std::string> NewestClient() { return {AllClients().front().name}; }
std::vector<std::string> EveryClient() {
  std::vector<std::string> names;
  for (const Client& c : AllClients()) names.push_back(c.name);
  return names;
}

const Client* FindClient(const std::string& name) {
  for (const Client& c : AllClients()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::string ClientBinary(const std::string& name) {
  const Client* c = FindClient(name);
  return c != nullptr ? c->binary : "";
}

std::string ReadFile(const fs::path& p) { return testing::ReadWholeFile(p); }
void WriteFile(const fs::path& p, std::string_view content) { testing::WriteWholeFile(p, content); }
uint32_t ModeOf(const fs::path& p) { return testing::PermissionBits(p); }

// `s` with every run of white space as one space: OpenTofu wraps a long
// diagnostic line where the terminal (or its default width) ends.
std::string FoldSpace(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c)) == 0) {
      out += c;
    } else if (!out.empty() && out.back() != ' ') {
      out += ' ';
    }
  }
  return out;
}

// Every warning in `output` is one of `allowed` (summaries), among them
// the one that counts objects no schema covers (issue 17), which names
// `kinds` (e.g. "x.io/v1 Thing (2)"); with `kinds` empty, that one is not
// there.
void ExpectOnlyWarnings(const std::string& output, const std::string& kinds,
                        const std::vector<std::string>& allowed) {
  size_t at = 0;
  int unchecked = 0;
  while ((at = output.find("Warning: ", at)) != std::string::npos) {
    const size_t end = output.find('\n', at);
    const std::string summary = output.substr(at + 9, end - at - 9);
    EXPECT_TRUE(summary == "Objects of kinds with no schema were not checked" ||
                std::find(allowed.begin(), allowed.end(), summary) != allowed.end())
        << output.substr(at, 200);
    if (summary == "Objects of kinds with no schema were not checked") ++unchecked;
    ++at;
  }
  if (kinds.empty()) {
    EXPECT_EQ(unchecked, 0) << output;
  } else {
    EXPECT_GT(unchecked, 0) << output;
    EXPECT_THAT(FoldSpace(output), ::testing::HasSubstr("checked against no schema"));
    EXPECT_THAT(FoldSpace(output), ::testing::HasSubstr(kinds));
  }
}

void ExpectOnlyUncheckedKindWarnings(const std::string& output, const std::string& kinds) {
  ExpectOnlyWarnings(output, kinds, {});
}

// Manifests shaped like the real ones; every value ends in "\n\n" and one
// carries non-ASCII UTF-8.
std::map<std::string, std::string> SampleManifests() {
  return {
      {"platform/sources/cloudnative-pg.yaml",
       "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: "
       "cloudnative-pg\n\n"},
      {"platform/databases/cluster.yaml",
       "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: pg\nspec:\n  "
       "instances: 2\n\n"},
      {"platform/redis/valkey.yaml",
       "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: valkey\n  annotations:\n    "
       "note: \"5 µs\"\n\n"},
      {"platform/databases/kustomization.yaml", "resources:\n  - cluster.yaml\n"},
      {"clusters/dev/kustomization.yaml", "resources:\n  - ../../platform/databases\n\n"},
  };
}

// The terraform block every configuration here starts with: the provider
// at this build's version (WILDSIDE_PROVIDER_VERSION, the project's one
// version; scripts/check-versions keeps examples and docs in step).
std::string TerraformBlock() {
  return std::string(
             "terraform {\n  required_providers {\n    wildside = {\n"
             "      source  = \"registry.opentofu.org/wildside/wildside\"\n      version = \"") +
         WILDSIDE_PROVIDER_VERSION + "\"\n    }\n  }\n}\n";
}

// Points the wildside requirement of a copied configuration (an example
// asking for "~> x.y", the last release's snapshot for "0.1.0") at this
// build's exact version: a pre-release matches no "~>" constraint.
void PinToThisBuild(const fs::path& main_tf) {
  std::string config = ReadFile(main_tf);
  const size_t source = config.find("wildside/wildside\"");
  const size_t at = config.find("version = \"", source);
  ASSERT_NE(source, std::string::npos) << main_tf;
  ASSERT_NE(at, std::string::npos) << main_tf;
  const size_t value = at + std::string_view("version = \"").size();
  config.replace(value, config.find('"', value) - value, WILDSIDE_PROVIDER_VERSION);
  WriteFile(main_tf, config);
}

class Workspace {
 public:
  explicit Workspace(const std::string& client) : client_(client) {
    char tmpl[] = "/tmp/wildside-e2e-XXXXXX";
    root_ = mkdtemp(tmpl);
    work_ = root_ / "work";
    fs::create_directories(work_);
    std::string mirror = WILDSIDE_MIRROR_DIR;
    if (const Client* c = FindClient(client); c != nullptr && !c->release_zip.empty()) {
      // A packed mirror, as `tofu providers mirror` writes it.
      mirror = (root_ / "mirror").string();
      fs::path pkg = root_ / "mirror/registry.opentofu.org/wildside/wildside";
      fs::create_directories(pkg);
      fs::copy_file(c->release_zip, pkg / fs::path(c->release_zip).filename());
    }
    WriteFile(root_ / "cli.tfrc",
              "provider_installation {\n  filesystem_mirror {\n    path    = \"" + mirror +
                  "\"\n    include = [\"registry.opentofu.org/wildside/*\"]\n  }\n"
                  "  direct {\n    exclude = [\"registry.opentofu.org/wildside/*\"]\n  }\n}\n");
  }
  ~Workspace() {
    if (!::testing::Test::HasFailure()) {
      std::error_code ec;
      fs::remove_all(root_, ec);
    } else {
      std::cerr << "kept workspace for inspection: " << root_ << "\n";
    }
  }

  const fs::path& root() const { return root_; }
  const fs::path& work() const { return work_; }
  fs::path checkout() const { return work_ / "checkout"; }

  // Writes the manifest sources (src/<key>) and a config whose
  // rendered_manifests reads them with fileset()/file(), byte for byte.
  void WriteSources(const std::map<std::string, std::string>& files) {
    std::error_code ec;
    fs::remove_all(work_ / "src", ec);
    for (const auto& [key, content] : files) WriteFile(work_ / "src" / key, content);
  }

  // `map_attribute`: which map receives the manifests (rendered_manifests,
  // or rendered_manifests_wo for the write-only tests).
  void WriteConfig(std::string_view resource_body_extra = "", std::string_view extra_blocks = "",
                   std::string_view map_attribute = "rendered_manifests") {
    WriteFile(work_ / "main.tf", std::string(TerraformBlock() + R"(
locals {
  manifests = { for f in fileset("${path.module}/src", "**") : f => file("${path.module}/src/${f}") }
}

resource "wildside_gitops_tree" "t" {
  path               = "checkout"
  cluster            = "dev"
)") + "  " + std::string(map_attribute) +
                                     " = local.manifests\n" + std::string(resource_body_extra) +
                                     "}\n" + std::string(extra_blocks));
  }

  void WriteRawConfig(std::string_view hcl) { WriteFile(work_ / "main.tf", hcl); }

  testing::CommandResult Run(std::vector<std::string> args,
                             const std::map<std::string, std::string>& extra_env = {}) {
    args.insert(args.begin(), ClientBinary(client_));
    return testing::RunCommand(args, Environment(extra_env), work_.string(), 300s);
  }

  // Like Run, but in the background: the caller waits for (or kills) it.
  std::unique_ptr<testing::ChildProcess> Start(
      std::vector<std::string> args, const std::map<std::string, std::string>& extra_env = {}) {
    args.insert(args.begin(), ClientBinary(client_));
    return std::make_unique<testing::ChildProcess>(args, Environment(extra_env), work_.string());
  }

  std::vector<std::string> Environment(const std::map<std::string, std::string>& extra_env) const {
    std::map<std::string, std::string> env = {
        {"TF_CLI_CONFIG_FILE", (root_ / "cli.tfrc").string()},
        {"CHECKPOINT_DISABLE", "1"},
        {"TF_IN_AUTOMATION", "1"},
        {"TF_INPUT", "0"},
        {"TF_LOG", ""},
        {"TF_LOG_PROVIDER", ""},
        {"TF_PLUGIN_CACHE_DIR", ""},
        {"TF_DATA_DIR", ""},
        // The provider's test seams act only when a test asks for them.
        {"WILDSIDE_TEST_CRASH_AT", ""},
        {"WILDSIDE_TEST_CRASH_DROP_UNSYNCED", ""},
        {"WILDSIDE_TEST_PAUSE_AT", ""},
        {"WILDSIDE_TEST_PAUSE_DIR", ""},
    };
    for (auto& [k, v] : extra_env) env[k] = v;
    return testing::EnvironmentWith(env);
  }

  // init/apply/plan helpers that assert success with the output on failure.
  void Init() {
    testing::CommandResult r = Run({"init", "-no-color", "-input=false"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  testing::CommandResult Apply() {
    return Run({"apply", "-auto-approve", "-no-color", "-input=false"});
  }
  testing::CommandResult Plan() {
    return Run({"plan", "-detailed-exitcode", "-no-color", "-input=false"});
  }
  testing::CommandResult Destroy() {
    return Run({"destroy", "-auto-approve", "-no-color", "-input=false"});
  }

 private:
  std::string client_;
  fs::path root_;
  fs::path work_;
};

#define ASSERT_EXIT_CODE(result, code)                                 \
  ASSERT_EQ((result).exit_code, code) << "stdout:\n"                   \
                                      << (result).out << "\nstderr:\n" \
                                      << (result).err

class EndToEndTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string bin = ClientBinary(GetParam());
    ASSERT_FALSE(bin.empty() || GetParam() == "tofu_missing")
        << "No tofu binary configured: run scripts/install-tofu and configure with "
           "-DWILDSIDE_TOFU=<path> (scripts/test does both).";
    ASSERT_EQ(access(bin.c_str(), X_OK), 0) << "client binary not executable: " << bin;
    ws_ = std::make_unique<Workspace>(GetParam());
  }

  void ApplyAndCheckTree(const std::map<std::string, std::string>& files) {
    ws_->WriteSources(files);
    ws_->WriteConfig();
    ASSERT_NO_FATAL_FAILURE(ws_->Init());
    testing::CommandResult apply = ws_->Apply();
    ASSERT_EXIT_CODE(apply, 0);
    for (const auto& [key, content] : files) {
      EXPECT_EQ(ReadFile(ws_->checkout() / key), content) << key;
      EXPECT_EQ(ModeOf(ws_->checkout() / key), 0644u) << key;
    }
  }

  std::unique_ptr<Workspace> ws_;
};

// The core set: what every supported client must do (see AllClients()).
class EndToEndCoreTest : public EndToEndTest {};

TEST_P(EndToEndCoreTest, FreshApplyCreatesExactTreeThenPlanIsEmptyAndDestroyRemovesIt) {
  ASSERT_NO_FATAL_FAILURE(ApplyAndCheckTree(SampleManifests()));
  testing::CommandResult plan = ws_->Plan();
  ASSERT_EXIT_CODE(plan, 0);
  // Nothing but the tree and the ownership inventory: no stray files in
  // the owned roots.
  size_t count = 0;
  for (const auto& e : fs::recursive_directory_iterator(ws_->checkout()))
    count += e.is_regular_file() ? 1 : 0;
  EXPECT_EQ(count, SampleManifests().size() + 1);
  EXPECT_TRUE(fs::exists(ws_->checkout() / "clusters/dev/.wildside-inventory"));

  testing::CommandResult destroy = ws_->Destroy();
  ASSERT_EXIT_CODE(destroy, 0);
  for (const auto& [key, unused] : SampleManifests())
    EXPECT_FALSE(fs::exists(ws_->checkout() / key)) << key;
  EXPECT_FALSE(fs::exists(ws_->checkout() / "platform"));
}

TEST_P(EndToEndCoreTest, HandEditedFileShowsAsDriftAndApplyRestoresIt) {
  ASSERT_NO_FATAL_FAILURE(ApplyAndCheckTree(SampleManifests()));
  WriteFile(ws_->checkout() / "platform/databases/cluster.yaml",
            "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: pg\nspec:\n  "
            "instances: 7\n\n");
  testing::CommandResult plan = ws_->Plan();
  ASSERT_EXIT_CODE(plan, 2);
  EXPECT_THAT(plan.out, HasSubstr("platform/databases/cluster.yaml"));
  EXPECT_THAT(plan.out, HasSubstr("instances: 7"));
  EXPECT_THAT(plan.out, HasSubstr("instances: 2"));
  // A refresh-only plan reports the same edit as a change made outside.
  testing::CommandResult refresh = ws_->Run({"plan", "-refresh-only", "-no-color", "-input=false"});
  ASSERT_EXIT_CODE(refresh, 0);
  EXPECT_THAT(refresh.out, HasSubstr("Objects have changed outside of"));
  EXPECT_THAT(refresh.out, HasSubstr("platform/databases/cluster.yaml"));
  ASSERT_EXIT_CODE(ws_->Apply(), 0);
  EXPECT_EQ(ReadFile(ws_->checkout() / "platform/databases/cluster.yaml"),
            SampleManifests().at("platform/databases/cluster.yaml"));
  ASSERT_EXIT_CODE(ws_->Plan(), 0);
}

// Upgrades plan empty: a workspace as release 0.1.0 left it (its state,
// written by OpenTofu 1.8.3, the oldest client, so every client reads it;
// the checkout; the configuration) plans no change with this build, and an
// apply changes nothing. Any schema change must fill its new attributes in
// UpgradeResourceState for this to hold.
TEST_P(EndToEndCoreTest, StateFromTheLastReleasePlansEmpty) {
  const fs::path snapshot = fs::path(WILDSIDE_TESTDATA_DIR) / "state-0.1.0";
  fs::copy(snapshot, ws_->work(),
           fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  // Its configuration, as 0.1.0's users wrote it, now names this build.
  ASSERT_NO_FATAL_FAILURE(PinToThisBuild(ws_->work() / "main.tf"));
  std::map<std::string, fs::file_time_type> mtimes;
  for (const auto& e : fs::recursive_directory_iterator(ws_->checkout())) {
    if (e.is_regular_file()) mtimes[e.path().string()] = e.last_write_time();
  }
  ASSERT_EQ(mtimes.size(), 6u);
  ASSERT_NO_FATAL_FAILURE(ws_->Init());
  ASSERT_EXIT_CODE(ws_->Plan(), 0);
  testing::CommandResult apply = ws_->Apply();
  ASSERT_EXIT_CODE(apply, 0);
  EXPECT_THAT(apply.out, HasSubstr("0 added, 0 changed, 0 destroyed"));
  for (const auto& [path, mtime] : mtimes) EXPECT_EQ(fs::last_write_time(path), mtime) << path;
  // No ownership inventory yet: the first apply that changes the tree
  // writes it (docs/adr/0009-ownership-inventory.md, "Upgrading").
  EXPECT_FALSE(fs::exists(ws_->checkout() / "clusters/dev/.wildside-inventory"));
  ASSERT_EXIT_CODE(ws_->Plan(), 0);
}

TEST_P(EndToEndTest, LineEndingOnlyDriftIsNamedInThePlan) {
  ASSERT_NO_FATAL_FAILURE(ApplyAndCheckTree(SampleManifests()));
  const std::string lf = SampleManifests().at("clusters/dev/kustomization.yaml");
  std::string crlf;
  for (char c : lf) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  WriteFile(ws_->checkout() / "clusters/dev/kustomization.yaml", crlf);
  testing::CommandResult plan = ws_->Plan();
  ASSERT_EXIT_CODE(plan, 2);
  EXPECT_THAT(plan.out + plan.err, HasSubstr("Drift in the checkout"));
  EXPECT_THAT(plan.out + plan.err, HasSubstr("clusters/dev/kustomization.yaml: line endings only"));
  ASSERT_EXIT_CODE(ws_->Apply(), 0);
  EXPECT_EQ(ReadFile(ws_->checkout() / "clusters/dev/kustomization.yaml"),
            SampleManifests().at("clusters/dev/kustomization.yaml"));
  ASSERT_EXIT_CODE(ws_->Plan(), 0);
}

TEST_P(EndToEndCoreTest, DeletedFileIsPlannedBackAndRestored) {
  ASSERT_NO_FATAL_FAILURE(ApplyAndCheckTree(SampleManifests()));
  fs::remove(ws_->checkout() / "platform/redis/valkey.yaml");
  testing::CommandResult plan = ws_->Plan();
  ASSERT_EXIT_CODE(plan, 2);
  EXPECT_THAT(plan.out, HasSubstr("platform/redis/valkey.yaml"));
  ASSERT_EXIT_CODE(ws_->Apply(), 0);
  EXPECT_EQ(ReadFile(ws_->checkout() / "platform/redis/valkey.yaml"),
            SampleManifests().at("platform/redis/valkey.yaml"));
  ASSERT_EXIT_CODE(ws_->Plan(), 0);
}

TEST_P(EndToEndCoreTest, StrayFileIsPrunedAndUnownedFilesAreLeftAlone) {
  ASSERT_NO_FATAL_FAILURE(ApplyAndCheckTree(SampleManifests()));
  WriteFile(ws_->checkout() / "platform/databases/stray.yaml", "kind: Leftover\n");
  WriteFile(ws_->checkout() / "README.md", "# checkout\n");
  WriteFile(ws_->checkout() / "clusters/prod/kustomization.yaml", "resources: []\n");
  WriteFile(ws_->checkout() / "clusters/dev/flux-system/gotk-sync.yaml", "kind: GitRepository\n");
  testing::CommandResult plan = ws_->Plan();
  ASSERT_EXIT_CODE(plan, 2);
  EXPECT_THAT(plan.out, HasSubstr("platform/databases/stray.yaml"));
  EXPECT_THAT(plan.out, Not(HasSubstr("README.md")));
  EXPECT_THAT(plan.out, Not(HasSubstr("gotk-sync.yaml")));
  ASSERT_EXIT_CODE(ws_->Apply(), 0);
  EXPECT_FALSE(fs::exists(ws_->checkout() / "platform/databases/stray.yaml"));
  EXPECT_EQ(ReadFile(ws_->checkout() / "README.md"), "# checkout\n");
  EXPECT_EQ(ReadFile(ws_->checkout() / "clusters/prod/kustomization.yaml"), "resources: []\n");
  EXPECT_EQ(ReadFile(ws_->checkout() / "clusters/dev/flux-system/gotk-sync.yaml"),
            "kind: GitRepository\n");
  ASSERT_EXIT_CODE(ws_->Plan(), 0);
}

TEST_P(EndToEndCoreTest, ModeChangeIsShownAndFixed) {
  ASSERT_NO_FATAL_FAILURE(ApplyAndCheckTree(SampleManifests()));
  fs::path f = ws_->checkout() / "platform/sources/cloudnative-pg.yaml";
  ASSERT_EQ(chmod(f.c_str(), 0600), 0);
  testing::CommandResult plan = ws_->Plan();
  ASSERT_EXIT_CODE(plan, 2);
  EXPECT_THAT(plan.out, HasSubstr("0600"));
  ASSERT_EXIT_CODE(ws_->Apply(), 0);
  EXPECT_EQ(ModeOf(f), 0644u);
  ASSERT_EXIT_CODE(ws_->Plan(), 0);
}

TEST_P(EndToEndCoreTest, KeyRemovedFromConfigDeletesFileAndEmptiedDirectory) {
  auto files = SampleManifests();
  files["platform/vault/vault.yaml"] = "kind: HelmRelease\n\n";
  ASSERT_NO_FATAL_FAILURE(ApplyAndCheckTree(files));
  files.erase("platform/vault/vault.yaml");
  ws_->WriteSources(files);
  ASSERT_EXIT_CODE(ws_->Apply(), 0);
  EXPECT_FALSE(fs::exists(ws_->checkout() / "platform/vault/vault.yaml"));
  EXPECT_FALSE(fs::exists(ws_->checkout() / "platform/vault"));
  ASSERT_EXIT_CODE(ws_->Plan(), 0);
}

TEST_P(EndToEndTest, ContentKnownOnlyAfterApplyWorks) {
  ws_->WriteSources(SampleManifests());
  ws_->WriteConfig(R"(  sensitive_manifests = {}
)",
                   R"(
resource "terraform_data" "release" {
  input = "v1"
}

resource "wildside_gitops_tree" "later" {
  path    = "checkout2"
  cluster = "dev"
  rendered_manifests = {
    "platform/traefik/release.yaml" = "release: ${terraform_data.release.id}\n"
  }
}
)");
  ASSERT_NO_FATAL_FAILURE(ws_->Init());
  testing::CommandResult plan = ws_->Plan();
  ASSERT_EXIT_CODE(plan, 2);
  EXPECT_THAT(plan.out, HasSubstr("known after apply"));
  ASSERT_EXIT_CODE(ws_->Apply(), 0);
  std::string release = ReadFile(ws_->work() / "checkout2/platform/traefik/release.yaml");
  EXPECT_THAT(release, HasSubstr("release: "));
  EXPECT_GT(release.size(), std::string("release: \n").size());
  ASSERT_EXIT_CODE(ws_->Plan(), 0);
}

TEST_P(EndToEndTest, SensitiveManifestsAreRedactedButOtherDiffsShow) {
  ws_->WriteSources(SampleManifests());
  ws_->WriteConfig(R"(  sensitive_manifests = {
    "clusters/dev/secret.yaml" = "password: hunter2-secret\n"
  }
)");
  ASSERT_NO_FATAL_FAILURE(ws_->Init());
  testing::CommandResult apply = ws_->Apply();
  ASSERT_EXIT_CODE(apply, 0);
  EXPECT_THAT(apply.out, Not(HasSubstr("hunter2-secret")));
  EXPECT_EQ(ReadFile(ws_->checkout() / "clusters/dev/secret.yaml"), "password: hunter2-secret\n");
  WriteFile(ws_->checkout() / "clusters/dev/secret.yaml", "password: hunter3-secret\n");
  WriteFile(ws_->checkout() / "platform/databases/cluster.yaml", "kind: Edited\n");
  testing::CommandResult plan = ws_->Plan();
  ASSERT_EXIT_CODE(plan, 2);
  EXPECT_THAT(plan.out, Not(HasSubstr("hunter2-secret")));
  EXPECT_THAT(plan.out, Not(HasSubstr("hunter3-secret")));
  EXPECT_THAT(plan.out, HasSubstr("kind: Edited"));
  ASSERT_EXIT_CODE(ws_->Apply(), 0);
  EXPECT_EQ(ReadFile(ws_->checkout() / "clusters/dev/secret.yaml"), "password: hunter2-secret\n");
}

TEST_P(EndToEndCoreTest, ImportOfExistingCheckoutThenPlanIsEmpty) {
  ASSERT_NO_FATAL_FAILURE(ApplyAndCheckTree(SampleManifests()));
  fs::remove(ws_->work() / "terraform.tfstate");
  fs::remove(ws_->work() / "terraform.tfstate.backup");
  testing::CommandResult imp =
      ws_->Run({"import", "-no-color", "-input=false", "wildside_gitops_tree.t", "dev:checkout"});
  ASSERT_EXIT_CODE(imp, 0);
  ASSERT_EXIT_CODE(ws_->Plan(), 0);
}

// Issue 17: `tofu validate` runs the checks (it never did: only the plan
// checked), and with no checkout on disk it judges only what needs none.
TEST_P(EndToEndCoreTest, ValidateFailsOnABrokenManifest) {
  auto files = SampleManifests();
  files["platform/databases/cluster.yaml"] =
      "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nkind: Pooler\n";
  files["clusters/dev/kustomization.yaml"] = "resources:\n  - flux-system/gotk-sync.yaml\n";
  ws_->WriteSources(files);
  ws_->WriteConfig();
  ASSERT_NO_FATAL_FAILURE(ws_->Init());
  testing::CommandResult validate = ws_->Run({"validate", "-no-color"});
  ASSERT_EXIT_CODE(validate, 1);
  const std::string all = validate.out + validate.err;
  EXPECT_THAT(all, HasSubstr("Duplicate YAML key"));
  EXPECT_THAT(all, HasSubstr("rendered_manifests[\"platform/databases/cluster.yaml\"]:3:1"));
  // flux-system is not the resource's to prune, and there is no checkout
  // to look in: not judged.
  EXPECT_THAT(all, Not(HasSubstr("flux-system")));
  EXPECT_FALSE(fs::exists(ws_->checkout()));

  files["platform/databases/cluster.yaml"] = "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\n";
  ws_->WriteSources(files);
  ASSERT_EXIT_CODE(ws_->Run({"validate", "-no-color"}), 0);
}

// Issue 17: an import was never checked, so the next plan checks the whole
// tree, and a broken manifest already on disk fails it (it used to plan
// clean: any prior state counted as checked). Once applied with the
// current rules, a plan with nothing changed checks nothing again.
TEST_P(EndToEndCoreTest, ImportedBrokenCheckoutFailsTheNextPlan) {
  auto files = SampleManifests();
  files["platform/databases/cluster.yaml"] =
      "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nkind: Pooler\n";
  ws_->WriteSources(files);
  ws_->WriteConfig("  checks = \"warn\"\n");
  ASSERT_NO_FATAL_FAILURE(ws_->Init());
  testing::CommandResult apply = ws_->Apply();
  ASSERT_EXIT_CODE(apply, 0);
  EXPECT_THAT(apply.out + apply.err, HasSubstr("Warning: Duplicate YAML key"));
  // Checked at that apply's plan: the next plan checks nothing, warns of
  // nothing.
  testing::CommandResult plan = ws_->Plan();
  ASSERT_EXIT_CODE(plan, 0);
  EXPECT_THAT(plan.out + plan.err, Not(HasSubstr("Duplicate YAML key")));

  fs::remove(ws_->work() / "terraform.tfstate");
  fs::remove(ws_->work() / "terraform.tfstate.backup");
  ws_->WriteConfig();
  testing::CommandResult imp =
      ws_->Run({"import", "-no-color", "-input=false", "wildside_gitops_tree.t", "dev:checkout"});
  ASSERT_EXIT_CODE(imp, 0);
  plan = ws_->Plan();
  ASSERT_EXIT_CODE(plan, 1);
  EXPECT_THAT(plan.out + plan.err, HasSubstr("Duplicate YAML key"));
  EXPECT_THAT(plan.out + plan.err,
              HasSubstr("rendered_manifests[\"platform/databases/cluster.yaml\"]:3:1"));
}

// A scratch container without a writable temporary directory: OpenTofu
// drops the plugin's stderr, so the reason must come through the one
// stdout line it shows ("Unrecognized remote plugin message: ...").
TEST_P(EndToEndCoreTest, SocketDirectoryThatDoesNotExistIsNamedInTofusError) {
  ws_->WriteSources(SampleManifests());
  ws_->WriteConfig();
  ASSERT_NO_FATAL_FAILURE(ws_->Init());
  const std::string missing = (ws_->root() / "no-such-dir").string();
  testing::CommandResult plan =
      ws_->Run({"plan", "-no-color", "-input=false"}, {{"PLUGIN_UNIX_SOCKET_DIR", missing}});
  ASSERT_EXIT_CODE(plan, 1);
  const std::string all = plan.out + plan.err;
  const std::string folded = FoldSpace(all);
  EXPECT_THAT(folded, HasSubstr("Unrecognized remote plugin message")) << all;
  EXPECT_THAT(folded, HasSubstr("terraform-provider-wildside: cannot create its plugin socket in " +
                                missing +
                                " (from PLUGIN_UNIX_SOCKET_DIR): No such file or directory. Set "
                                "PLUGIN_UNIX_SOCKET_DIR (or TMPDIR, when that is unset) to a "
                                "writable directory."))
      << all;
  EXPECT_FALSE(fs::exists(ws_->checkout()));
}

TEST_P(EndToEndTest, ImportBlockAdoptsCheckoutWithoutChanges) {
  ASSERT_NO_FATAL_FAILURE(ApplyAndCheckTree(SampleManifests()));
  fs::remove(ws_->work() / "terraform.tfstate");
  fs::remove(ws_->work() / "terraform.tfstate.backup");
  ws_->WriteConfig("", R"(
import {
  to = wildside_gitops_tree.t
  id = "dev:checkout"
}
)");
  testing::CommandResult plan = ws_->Run({"plan", "-no-color", "-input=false"});
  ASSERT_EXIT_CODE(plan, 0);
  EXPECT_THAT(plan.out, HasSubstr("1 to import, 0 to add, 0 to change, 0 to destroy"));
  ASSERT_EXIT_CODE(ws_->Apply(), 0);
  ASSERT_EXIT_CODE(ws_->Plan(), 0);
}

// Issue 17: the nested layout of a real render, where the kustomization
// Flux generates for clusters/dev takes a source directly and again
// through a component's kustomization. Flux refuses that build; so does
// the plan, naming both places, and nothing is written. Fixed, it applies.
TEST_P(EndToEndCoreTest, ObjectAccumulatedTwiceByFluxsBuildFailsThePlan) {
  const std::string repo =
      "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n"
      "  name: cloudnative-pg\n  namespace: flux-system\nspec:\n  interval: 1h\n"
      "  url: https://cloudnative-pg.github.io/charts\n";
  std::map<std::string, std::string> files = {
      {"clusters/dev/platform/sources/cloudnative-pg.yaml", repo},
      {"clusters/dev/platform/databases/kustomization.yaml",
       "resources:\n  - ../sources/cloudnative-pg.yaml\n  - release.yaml\n"},
      {"clusters/dev/platform/databases/release.yaml",
       "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: release\n"}};
  ws_->WriteSources(files);
  ws_->WriteConfig();
  ASSERT_NO_FATAL_FAILURE(ws_->Init());
  testing::CommandResult plan = ws_->Plan();
  ASSERT_EXIT_CODE(plan, 1);
  const std::string all = plan.out + plan.err;
  EXPECT_THAT(all, HasSubstr("One object accumulated twice in a Flux build"));
  EXPECT_THAT(all, HasSubstr("rendered_manifests[\"clusters/dev/platform/sources/"
                             "cloudnative-pg.yaml\"]:1:1"));
  EXPECT_THAT(all, HasSubstr("clusters/dev/platform/databases/kustomization.yaml"));
  EXPECT_THAT(all, HasSubstr("HelmRepository.v1.source.toolkit.fluxcd.io/cloudnative-pg"));
  ASSERT_EXIT_CODE(ws_->Apply(), 1);
  EXPECT_FALSE(fs::exists(ws_->checkout()));

  files["clusters/dev/platform/databases/kustomization.yaml"] = "resources:\n  - release.yaml\n";
  ASSERT_NO_FATAL_FAILURE(ApplyAndCheckTree(files));
  ASSERT_EXIT_CODE(ws_->Plan(), 0);
}

// Issue 17, item 2: objects against their schemas. A HelmRelease with a
// mistyped field (Flux's CRD: unknown field and missing required field),
// a Deployment with a string for replicas (Kubernetes' OpenAPI), and a
// custom resource checked by the CRD shipped beside it each fail the plan
// at their lines, and nothing is written; an object of a kind with no
// schema passes, counted in a warning. Fixed, it applies and plans empty.
TEST_P(EndToEndCoreTest, ObjectsAreCheckedAgainstTheirSchemas) {
  const std::string release =
      "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: traefik\n"
      "  namespace: traefik\nspec:\n  intervall: 10m\n  chart:\n    spec:\n      chart: traefik\n"
      "      sourceRef: {kind: HelmRepository, name: traefik}\n";
  const std::string deployment =
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: apps\n"
      "spec:\n  replicas: \"two\"\n  selector:\n    matchLabels: {app: web}\n  template:\n"
      "    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n"
      "        - {name: web, image: nginx}\n";
  const std::string crd =
      "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n"
      "  name: widgets.example.com\nspec:\n  group: example.com\n"
      "  names: {kind: Widget, plural: widgets}\n  scope: Namespaced\n  versions:\n"
      "    - name: v1\n      served: true\n      storage: true\n      schema:\n"
      "        openAPIV3Schema:\n          type: object\n          properties:\n"
      "            spec:\n              type: object\n"
      "              properties: {size: {type: integer}}\n";
  const std::string widget =
      "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: apps}\n"
      "spec:\n  sise: 3\n";
  const std::string certificate =
      "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: c, namespace: apps}\n"
      "spec: {secretName: c, anything: goes}\n";
  std::map<std::string, std::string> files = {{"clusters/dev/release.yaml", release},
                                              {"clusters/dev/deployment.yaml", deployment},
                                              {"clusters/dev/crd.yaml", crd},
                                              {"clusters/dev/widget.yaml", widget},
                                              {"clusters/dev/certificate.yaml", certificate}};
  ws_->WriteSources(files);
  ws_->WriteConfig();
  ASSERT_NO_FATAL_FAILURE(ws_->Init());
  testing::CommandResult plan = ws_->Plan();
  ASSERT_EXIT_CODE(plan, 1);
  const std::string all = FoldSpace(plan.out + plan.err);
  EXPECT_THAT(all, HasSubstr("rendered_manifests[\"clusters/dev/release.yaml\"]:7:3: "
                             "spec.intervall: unknown field"));
  EXPECT_THAT(all, HasSubstr("rendered_manifests[\"clusters/dev/release.yaml\"]:6:1: "
                             "missing required field spec.interval"));
  EXPECT_THAT(all, HasSubstr("rendered_manifests[\"clusters/dev/deployment.yaml\"]:7:13: "
                             "spec.replicas: wrong type: a string"));
  EXPECT_THAT(all, HasSubstr("rendered_manifests[\"clusters/dev/widget.yaml\"]:5:3: "
                             "spec.sise: unknown field"));
  EXPECT_THAT(all, HasSubstr("the CRD in \"clusters/dev/crd.yaml\""));
  EXPECT_THAT(all, Not(HasSubstr("certificate.yaml\"]:")));
  ASSERT_EXIT_CODE(ws_->Apply(), 1);
  EXPECT_FALSE(fs::exists(ws_->checkout()));

  files["clusters/dev/release.yaml"].replace(release.find("intervall"), 9, "interval");
  files["clusters/dev/deployment.yaml"].replace(deployment.find("\"two\""), 5, "2");
  files["clusters/dev/widget.yaml"].replace(widget.find("sise"), 4, "size");
  ws_->WriteSources(files);
  testing::CommandResult apply = ws_->Apply();
  ASSERT_EXIT_CODE(apply, 0);
  ExpectOnlyUncheckedKindWarnings(apply.out + apply.err, "cert-manager.io/v1 Certificate (1)");
  EXPECT_THAT(FoldSpace(apply.out + apply.err),
              HasSubstr("1 object(s) of 1 kind(s) were checked against no schema (4 other "
                        "object(s) were)"));
  EXPECT_EQ(ReadFile(ws_->checkout() / "clusters/dev/widget.yaml"),
            files["clusters/dev/widget.yaml"]);
  ASSERT_EXIT_CODE(ws_->Plan(), 0);
}

// Issue 17: CRDs from a directory the user names check the kinds the
// built-in schemas do not cover; `unchecked_kinds = "error"` insists on a
// schema for every object; a schema directory that cannot be read is an
// error on its attribute.
TEST_P(EndToEndTest, SchemaDirsCheckTheirKindsAndUncheckedKindsMayFail) {
  const std::string crd =
      "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n"
      "  name: certificates.cert-manager.io\nspec:\n  group: cert-manager.io\n"
      "  names: {kind: Certificate, plural: certificates}\n  scope: Namespaced\n"
      "  versions:\n    - name: v1\n      served: true\n      storage: true\n      schema:\n"
      "        openAPIV3Schema:\n          type: object\n          properties:\n"
      "            spec:\n              type: object\n              required: [secretName]\n"
      "              properties: {secretName: {type: string}, dnsNames: {type: array, items: "
      "{type: string}}}\n";
  WriteFile(ws_->work() / "crds/cert-manager.yaml", crd);
  std::map<std::string, std::string> files = {
      {"clusters/dev/cert.yaml",
       "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: c, namespace: a}\n"
       "spec:\n  secretNam: c\n"},
      {"clusters/dev/thing.yaml",
       "apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: t, namespace: a}\n"}};
  ws_->WriteSources(files);
  ws_->WriteConfig("  schema_dirs = [\"crds\"]\n");
  ASSERT_NO_FATAL_FAILURE(ws_->Init());
  testing::CommandResult plan = ws_->Plan();
  ASSERT_EXIT_CODE(plan, 1);
  std::string all = FoldSpace(plan.out + plan.err);
  EXPECT_THAT(all, HasSubstr("rendered_manifests[\"clusters/dev/cert.yaml\"]:5:3: spec.secretNam: "
                             "unknown field: the schema of Certificate cert-manager.io/v1 (the CRD "
                             "in \"crds/cert-manager.yaml\")"));
  EXPECT_THAT(all, HasSubstr("missing required field spec.secretName"));

  files["clusters/dev/cert.yaml"].replace(files["clusters/dev/cert.yaml"].find("secretNam"), 9,
                                          "secretName");
  ws_->WriteSources(files);
  ws_->WriteConfig("  schema_dirs = [\"crds\"]\n  unchecked_kinds = \"error\"\n");
  plan = ws_->Plan();
  ASSERT_EXIT_CODE(plan, 1);
  all = FoldSpace(plan.out + plan.err);
  EXPECT_THAT(all, HasSubstr("Error: Objects of kinds with no schema were not checked"));
  EXPECT_THAT(all, HasSubstr("example.com/v1 Thing (1)"));
  EXPECT_FALSE(fs::exists(ws_->checkout()));

  ws_->WriteConfig("  schema_dirs = [\"no-such-dir\"]\n");
  plan = ws_->Plan();
  ASSERT_EXIT_CODE(plan, 1);
  all = FoldSpace(plan.out + plan.err);
  EXPECT_THAT(all, HasSubstr("Unreadable schema directory"));
  EXPECT_THAT(all, HasSubstr("schema_dirs[0]: no-such-dir: cannot open the schema directory"));

  ws_->WriteConfig("  schema_dirs = [\"crds\"]\n");
  testing::CommandResult apply = ws_->Apply();
  ASSERT_EXIT_CODE(apply, 0);
  ExpectOnlyUncheckedKindWarnings(apply.out + apply.err, "example.com/v1 Thing (1)");
  ASSERT_EXIT_CODE(ws_->Plan(), 0);
}

// Issue 22, item 1: a Secret in clear is a warning on its key by default,
// an error with plaintext_secrets = "error" (nothing written), nothing
// with "off"; an encrypted one (a sops: block) is not reported.
TEST_P(EndToEndTest, SecretsInClearAreReportedOnTheirKey) {
  std::map<std::string, std::string> files = {
      {"clusters/dev/approle.yaml",
       "apiVersion: v1\nkind: Secret\nmetadata: {name: approle, namespace: vault}\n"
       "stringData:\n  secret_id: s3cr3t-value\n"},
      {"clusters/dev/encrypted.yaml",
       "apiVersion: v1\nkind: Secret\nmetadata: {name: enc, namespace: vault}\n"
       "stringData:\n  k: ENC[AES256_GCM,data:eA==,iv:eA==,tag:eA==,type:str]\n"
       "sops:\n  version: 3.9.0\n"}};
  ws_->WriteSources(files);
  ws_->WriteConfig("  plaintext_secrets = \"error\"\n");
  ASSERT_NO_FATAL_FAILURE(ws_->Init());
  testing::CommandResult plan = ws_->Plan();
  ASSERT_EXIT_CODE(plan, 1);
  std::string all = FoldSpace(plan.out + plan.err);
  EXPECT_THAT(all, HasSubstr("Error: Secret committed in clear"));
  EXPECT_THAT(all, HasSubstr("rendered_manifests[\"clusters/dev/approle.yaml\"]:4:1: `stringData` "
                             "of Secret \"approle\" holds its values in clear"));
  EXPECT_THAT(all, Not(HasSubstr("encrypted.yaml\"]:")));
  EXPECT_THAT(all, Not(HasSubstr("s3cr3t-value\"]")));
  EXPECT_FALSE(fs::exists(ws_->checkout()));

  ws_->WriteConfig();
  testing::CommandResult apply = ws_->Apply();
  ASSERT_EXIT_CODE(apply, 0);
  all = FoldSpace(apply.out + apply.err);
  EXPECT_THAT(all, HasSubstr("Warning: Secret committed in clear"));
  EXPECT_THAT(all, HasSubstr("plaintext_secrets = \"warn\": the apply goes on."));
  ASSERT_EXIT_CODE(ws_->Plan(), 0);

  ws_->WriteConfig("  plaintext_secrets = \"off\"\n");
  apply = ws_->Apply();
  ASSERT_EXIT_CODE(apply, 0);
  EXPECT_THAT(apply.out + apply.err, Not(HasSubstr("Secret committed in clear")));
}

// Issue 22, item 2: an encrypted file in a build whose Flux Kustomization
// (in the tree) has no spec.decryption fails the plan on its sops: block;
// with decryption set, it applies.
TEST_P(EndToEndTest, EncryptedFileInABuildThatCannotDecryptFailsThePlan) {
  const std::string ks =
      "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
      "metadata: {name: vault, namespace: flux-system}\nspec:\n  interval: 10m\n"
      "  path: ./platform/vault\n  prune: true\n"
      "  sourceRef: {kind: GitRepository, name: flux-system}\n";
  std::map<std::string, std::string> files = {
      {"clusters/dev/vault.yaml", ks},
      {"platform/vault/approle.yaml",
       "apiVersion: v1\nkind: Secret\nmetadata: {name: approle, namespace: vault}\n"
       "stringData:\n  secret_id: ENC[AES256_GCM,data:eA==,iv:eA==,tag:eA==,type:str]\n"
       "sops:\n  version: 3.9.0\n"}};
  ws_->WriteSources(files);
  ws_->WriteConfig();
  ASSERT_NO_FATAL_FAILURE(ws_->Init());
  testing::CommandResult plan = ws_->Plan();
  ASSERT_EXIT_CODE(plan, 1);
  const std::string all = FoldSpace(plan.out + plan.err);
  EXPECT_THAT(all, HasSubstr("Encrypted file its Flux Kustomization cannot decrypt"));
  EXPECT_THAT(all,
              HasSubstr("rendered_manifests[\"platform/vault/approle.yaml\"]:6:1: encrypted "
                        "with SOPS, and the Flux Kustomization in \"clusters/dev/vault.yaml\""));
  EXPECT_FALSE(fs::exists(ws_->checkout()));

  files["clusters/dev/vault.yaml"] = ks +
                                     "  decryption:\n    provider: sops\n"
                                     "    secretRef: {name: sops-age}\n";
  ws_->WriteSources(files);
  testing::CommandResult apply = ws_->Apply();
  ASSERT_EXIT_CODE(apply, 0);
  EXPECT_THAT(apply.out + apply.err, Not(HasSubstr("cannot decrypt")));
  EXPECT_THAT(apply.out + apply.err, Not(HasSubstr("Secret committed in clear")));
  ASSERT_EXIT_CODE(ws_->Plan(), 0);
}

// The SOPS oracles (scripts/install-sops): sops, age and age-keygen.
struct SopsTools {
  fs::path dir = WILDSIDE_SOPS;
  fs::path tool(const char* name) const { return dir / name; }
};

// A new age identity in `dir`/`name`; returns its recipient.
std::string NewAgeIdentity(const SopsTools& t, const fs::path& dir, const std::string& name) {
  const fs::path key = dir / name;
  testing::CommandResult made =
      testing::RunCommand({t.tool("age-keygen").string(), "-o", key.string()},
                          testing::EnvironmentWith({}), dir.string(), 60s);
  EXPECT_EQ(made.exit_code, 0) << made.err;
  testing::CommandResult pub =
      testing::RunCommand({t.tool("age-keygen").string(), "-y", key.string()},
                          testing::EnvironmentWith({}), dir.string(), 60s);
  EXPECT_EQ(pub.exit_code, 0) << pub.err;
  std::string r = pub.out;
  while (!r.empty() && r.back() == '\n') r.pop_back();
  return r;
}

// `sops -d` of a file with an identity: the decrypted JSON's stringData.token.
std::string SopsToken(const SopsTools& t, const fs::path& file, const fs::path& identity) {
  testing::CommandResult dec =
      testing::RunCommand({t.tool("sops").string(), "--decrypt", "--input-type", "yaml",
                           "--output-type", "json", file.string()},
                          testing::EnvironmentWith({{"SOPS_AGE_KEY_FILE", identity.string()}}),
                          file.parent_path().string(), 60s);
  EXPECT_EQ(dec.exit_code, 0) << file << ": " << dec.err;
  if (dec.exit_code != 0) return "";
  const std::string key = "\"token\":";
  const size_t at = dec.out.find(key);
  if (at == std::string::npos) return "";
  const size_t open = dec.out.find('"', at + key.size());
  const size_t close = dec.out.find('"', open + 1);
  return dec.out.substr(open + 1, close - open - 1);
}

// Whether any file under `dir` holds `needle`.
bool AnyFileHolds(const fs::path& dir, std::string_view needle) {
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && ReadFile(e.path()).find(needle) != std::string::npos) return true;
  }
  return false;
}

// Issue 22, items 3 and 4: Secrets written SOPS-encrypted to the
// configured age recipients; sops decrypts them; drift is kept without a
// key (a plan right after is empty; a hand edit, a changed value, a new
// recipient each re-encrypt exactly the files they touch).
TEST_P(EndToEndCoreTest, SecretsAreWrittenSopsEncryptedAndDriftIsKeptWithoutTheKey) {
  const SopsTools sops;
  ASSERT_TRUE(fs::exists(sops.tool("sops")))
      << sops.tool("sops") << " is missing: run scripts/install-sops and configure with "
      << "-DWILDSIDE_SOPS=<its output> (scripts/test does both)";
  const std::string one = NewAgeIdentity(sops, ws_->root(), "one.txt");
  const std::string two = NewAgeIdentity(sops, ws_->root(), "two.txt");
  const std::string token = "wildside-known-token-7f3a";
  auto secret = [](const std::string& name, const std::string& value) {
    return "apiVersion: v1\nkind: Secret\nmetadata:\n  name: " + name +
           "\n  namespace: vault\ntype: Opaque\nstringData:\n  token: " + value + "\n";
  };
  std::map<std::string, std::string> files = {
      {"platform/vault/approle.yaml", secret("approle", token)},
      {"platform/vault/other.yaml", secret("other", "second-known-value")},
      {"platform/vault/kustomization.yaml", "resources:\n  - approle.yaml\n  - other.yaml\n"},
      {"clusters/dev/kustomization.yaml", "resources:\n  - ../../platform/vault\n"}};
  ws_->WriteSources(files);
  // Without encryption: the plaintext-secret finding, on the key.
  ws_->WriteConfig();
  ASSERT_NO_FATAL_FAILURE(ws_->Init());
  testing::CommandResult plan = ws_->Plan();
  ASSERT_EXIT_CODE(plan, 2);
  EXPECT_THAT(FoldSpace(plan.out + plan.err),
              HasSubstr("rendered_manifests[\"platform/vault/approle.yaml\"]:7:1: `stringData` of "
                        "Secret \"approle\" holds its values in clear"));

  const fs::path a = ws_->checkout() / "platform/vault/approle.yaml";
  const fs::path b = ws_->checkout() / "platform/vault/other.yaml";
  ws_->WriteConfig("  sops_age_recipients = [\"" + one + "\"]\n");
  testing::CommandResult apply = ws_->Apply();
  ASSERT_EXIT_CODE(apply, 0);
  EXPECT_THAT(apply.out + apply.err, Not(HasSubstr("Secret committed in clear")));
  EXPECT_FALSE(AnyFileHolds(ws_->checkout(), token));
  EXPECT_FALSE(AnyFileHolds(ws_->checkout(), "second-known-value"));
  EXPECT_THAT(ReadFile(a), HasSubstr("name: approle"));  // metadata stays readable
  EXPECT_EQ(SopsToken(sops, a, ws_->root() / "one.txt"), token);
  ASSERT_EXIT_CODE(ws_->Plan(), 0);

  // A hand edit of one encrypted file: a plan that rewrites that file only.
  const std::string b_before = ReadFile(b);
  WriteFile(a, ReadFile(a) + "# edited by hand\n");
  plan = ws_->Plan();
  ASSERT_EXIT_CODE(plan, 2);
  EXPECT_THAT(plan.out, HasSubstr("platform/vault/approle.yaml"));
  ASSERT_EXIT_CODE(ws_->Apply(), 0);
  EXPECT_THAT(ReadFile(a), Not(HasSubstr("edited by hand")));
  EXPECT_EQ(SopsToken(sops, a, ws_->root() / "one.txt"), token);
  EXPECT_EQ(ReadFile(b), b_before);
  ASSERT_EXIT_CODE(ws_->Plan(), 0);

  // One value changed: that file only is encrypted again.
  const std::string a_before = ReadFile(a);
  files["platform/vault/approle.yaml"] = secret("approle", "rotated-known-token");
  ws_->WriteSources(files);
  ASSERT_EXIT_CODE(ws_->Apply(), 0);
  EXPECT_NE(ReadFile(a), a_before);
  EXPECT_EQ(ReadFile(b), b_before);
  EXPECT_EQ(SopsToken(sops, a, ws_->root() / "one.txt"), "rotated-known-token");

  // A second recipient: every encrypted file again; either identity opens it.
  ws_->WriteConfig("  sops_age_recipients = [\"" + one + "\", \"" + two + "\"]\n");
  ASSERT_EXIT_CODE(ws_->Apply(), 0);
  EXPECT_NE(ReadFile(b), b_before);
  for (const char* id : {"one.txt", "two.txt"}) {
    EXPECT_EQ(SopsToken(sops, a, ws_->root() / id), "rotated-known-token") << id;
    EXPECT_EQ(SopsToken(sops, b, ws_->root() / id), "second-known-value") << id;
  }
  ASSERT_EXIT_CODE(ws_->Plan(), 0);

  // Deleting an encrypted file is drift like any other; destroy removes them.
  fs::remove(b);
  ASSERT_EXIT_CODE(ws_->Plan(), 2);
  ASSERT_EXIT_CODE(ws_->Apply(), 0);
  EXPECT_EQ(SopsToken(sops, b, ws_->root() / "two.txt"), "second-known-value");
  ASSERT_EXIT_CODE(ws_->Destroy(), 0);
  EXPECT_FALSE(fs::exists(a));
  EXPECT_FALSE(fs::exists(b));
}

// The `check` function, with no provider block: a broken map warns in a
// check block and fails a precondition with the very messages the
// resource's plan gives for it; a second call gives the same answer
// (Terraform itself also fails an apply whose result differs from the
// plan's).
TEST_P(EndToEndCoreTest, CheckFunctionWarnsFailsAPreconditionAndSaysWhatTheResourceSays) {
  const std::string locals = TerraformBlock() + R"(
locals {
  broken = {
    "platform/vault/kustomization.yaml" = "resources:\n  - missing.yaml\n  - cm.yaml\n"
    "platform/vault/cm.yaml"            = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n"
  }
  settings = { cluster = "dev", exclude = ["clusters/*/flux-system/**"] }
  findings = provider::wildside::check(local.broken, local.settings)
  lines    = join("\n", [for f in local.findings : "${f.key}:${f.line}: ${f.message}"])
}
)";
  ws_->WriteRawConfig(locals + R"(
check "manifests" {
  assert {
    condition     = length(local.findings) == 0
    error_message = local.lines
  }
}
output "findings" { value = local.findings }
output "same" { value = provider::wildside::check(local.broken, local.settings) == local.findings }
output "kustomization" { value = provider::wildside::kustomization(local.broken, "platform/vault") }
)");
  ASSERT_NO_FATAL_FAILURE(ws_->Init());
  testing::CommandResult apply = ws_->Apply();
  ASSERT_EXIT_CODE(apply, 0);
  const std::string warned = FoldSpace(apply.out + apply.err);
  EXPECT_THAT(warned, HasSubstr("Check block assertion failed"));
  testing::CommandResult out = ws_->Run({"output", "-json"});
  ASSERT_EXIT_CODE(out, 0);
  const nlohmann::json outputs = nlohmann::json::parse(out.out);
  EXPECT_EQ(outputs["same"]["value"], true);
  EXPECT_EQ(outputs["kustomization"]["value"],
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
            "  - cm.yaml\n");
  std::vector<std::string> messages;
  for (const auto& f : outputs["findings"]["value"]) {
    messages.push_back(FoldSpace(f["message"].get<std::string>()));
  }
  ASSERT_EQ(messages.size(), 2u) << out.out;
  EXPECT_EQ(outputs["findings"]["value"][0]["kind"], "duplicate-key");
  EXPECT_EQ(outputs["findings"]["value"][1]["kind"], "missing-reference");
  for (const std::string& m : messages) EXPECT_THAT(warned, HasSubstr(m));

  // In a precondition: the plan fails, with the same text.
  ws_->WriteRawConfig(locals + R"(
resource "terraform_data" "gate" {
  lifecycle {
    precondition {
      condition     = length(local.findings) == 0
      error_message = local.lines
    }
  }
}
)");
  testing::CommandResult plan = ws_->Plan();
  ASSERT_EXIT_CODE(plan, 1);
  const std::string failed = FoldSpace(plan.out + plan.err);
  EXPECT_THAT(failed, HasSubstr("precondition failed"));
  for (const std::string& m : messages) EXPECT_THAT(failed, HasSubstr(m));

  // The resource given the same map reports the same messages.
  ws_->WriteRawConfig(locals + R"(
resource "wildside_gitops_tree" "t" {
  path               = "checkout"
  cluster            = "dev"
  rendered_manifests = local.broken
}
)");
  plan = ws_->Plan();
  ASSERT_EXIT_CODE(plan, 1);
  const std::string resource = FoldSpace(plan.out + plan.err);
  for (const std::string& m : messages) EXPECT_THAT(resource, HasSubstr(m));
  EXPECT_FALSE(fs::exists(ws_->checkout()));
}

// An imported encrypted file cannot be proven equal to its plaintext
// without the key: the first plan after the import rewrites it, the next
// one is empty.
TEST_P(EndToEndTest, ImportedEncryptedFileIsRewrittenOnceThenPlansEmpty) {
  const SopsTools sops;
  ASSERT_TRUE(fs::exists(sops.tool("sops"))) << "run scripts/install-sops (scripts/test does)";
  const std::string recipient = NewAgeIdentity(sops, ws_->root(), "key.txt");
  ws_->WriteSources(
      {{"platform/vault/approle.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: approle\nstringData:\n"
        "  token: imported-known-token\n"},
       {"clusters/dev/kustomization.yaml", "resources:\n  - ../../platform/vault/approle.yaml\n"}});
  ws_->WriteConfig("  sops_age_recipients = [\"" + recipient + "\"]\n");
  ASSERT_NO_FATAL_FAILURE(ws_->Init());
  ASSERT_EXIT_CODE(ws_->Apply(), 0);
  const fs::path file = ws_->checkout() / "platform/vault/approle.yaml";
  const std::string written = ReadFile(file);
  fs::remove(ws_->work() / "terraform.tfstate");
  fs::remove(ws_->work() / "terraform.tfstate.backup");
  ASSERT_EXIT_CODE(
      ws_->Run({"import", "-no-color", "-input=false", "wildside_gitops_tree.t", "dev:checkout"}),
      0);
  testing::CommandResult plan = ws_->Plan();
  ASSERT_EXIT_CODE(plan, 2);
  EXPECT_THAT(plan.out, HasSubstr("platform/vault/approle.yaml"));
  ASSERT_EXIT_CODE(ws_->Apply(), 0);
  EXPECT_NE(ReadFile(file), written);
  EXPECT_EQ(SopsToken(sops, file, ws_->root() / "key.txt"), "imported-known-token");
  ASSERT_EXIT_CODE(ws_->Plan(), 0);
  // The ownership inventory lists it like any managed file.
  EXPECT_THAT(ReadFile(ws_->checkout() / "clusters/dev/.wildside-inventory"),
              HasSubstr("platform/vault/approle.yaml"));
}

// A post-quantum recipient is refused at plan, on its own index.
TEST_P(EndToEndTest, PostQuantumRecipientIsRefusedOnItsIndex) {
  ws_->WriteSources(SampleManifests());
  ws_->WriteConfig(
      "  sops_age_recipients = "
      "[\"age1e55murcwgydtzlvr590c9yqqus6daaxestsny93wac6zvhm9zdvqvzcsl8\", "
      "\"age1pq1qqqqqqqqqqqqqq\"]\n");
  ASSERT_NO_FATAL_FAILURE(ws_->Init());
  testing::CommandResult plan = ws_->Plan();
  ASSERT_EXIT_CODE(plan, 1);
  const std::string all = FoldSpace(plan.out + plan.err);
  EXPECT_THAT(all, HasSubstr("Invalid age recipient"));
  EXPECT_THAT(all, HasSubstr("sops_age_recipients[1]: \"age1pq1qqqqq…\" is not an age X25519 "
                             "recipient: it is a post-quantum (ML-KEM) recipient"));
  EXPECT_FALSE(fs::exists(ws_->checkout()));
}

TEST_P(EndToEndCoreTest, CreatingOverExistingFilesWarnsInThePlan) {
  WriteFile(ws_->checkout() / "platform/databases/cluster.yaml", "kind: Old\n");
  WriteFile(ws_->checkout() / "platform/databases/old.yaml", "kind: Old\n");
  // Already in place: shown as added (+) like the rest, but not written.
  const fs::path same = ws_->checkout() / "platform/redis/valkey.yaml";
  WriteFile(same, SampleManifests().at("platform/redis/valkey.yaml"));
  fs::permissions(same, fs::perms(0644));
  ws_->WriteSources(SampleManifests());
  ws_->WriteConfig();
  ASSERT_NO_FATAL_FAILURE(ws_->Init());
  testing::CommandResult plan = ws_->Plan();
  ASSERT_EXIT_CODE(plan, 2);
  EXPECT_THAT(plan.out + plan.err, HasSubstr("Existing files will be replaced"));
  // Each file by name (the terminal may wrap the warning's lines).
  EXPECT_THAT(plan.out + plan.err, HasSubstr("Overwritten (1): platform/databases/cluster.yaml."));
  EXPECT_THAT(plan.out + plan.err, HasSubstr("Pruned (1): platform/databases/old.yaml."));
  EXPECT_THAT(plan.out + plan.err, HasSubstr("Files already in place"));
  EXPECT_THAT(FoldSpace(plan.out + plan.err),
              HasSubstr("1 file in \"checkout\" already holds this content and will not be "
                        "written (the plan shows every file as added): "
                        "platform/redis/valkey.yaml."));
  struct stat before;
  ASSERT_EQ(::stat(same.c_str(), &before), 0);
  ASSERT_EXIT_CODE(ws_->Apply(), 0);
  struct stat after;
  ASSERT_EQ(::stat(same.c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino) << "the file already in place was rewritten";
}

TEST_P(EndToEndTest, InvalidClusterNameIsADiagnosticOnTheAttribute) {
  ws_->WriteSources(SampleManifests());
  ws_->WriteConfig();
  std::string main = ReadFile(ws_->work() / "main.tf");
  main.replace(main.find("cluster            = \"dev\""),
               std::string("cluster            = \"dev\"").size(),
               "cluster            = \"Dev_Cluster\"");
  ws_->WriteRawConfig(main);
  ASSERT_NO_FATAL_FAILURE(ws_->Init());
  testing::CommandResult validate = ws_->Run({"validate", "-no-color"});
  ASSERT_EXIT_CODE(validate, 1);
  EXPECT_THAT(validate.err, HasSubstr("Invalid cluster name"));
  EXPECT_THAT(validate.err, HasSubstr("Dev_Cluster"));
}

TEST_P(EndToEndTest, HostileKeysFailThePlanNamingTheKeyAndWriteNothing) {
  ws_->WriteRawConfig(TerraformBlock() + R"(
resource "wildside_gitops_tree" "t" {
  path    = "checkout"
  cluster = "dev"
  rendered_manifests = {
    "../escape.yaml"               = "x"
    "/etc/wildside-e2e.yaml"       = "x"
    "platform/unknown/x.yaml"      = "x"
    "clusters/prod/x.yaml"         = "x"
    "platform/traefik/fine.yaml"   = "x"
  }
}
)");
  ASSERT_NO_FATAL_FAILURE(ws_->Init());
  testing::CommandResult plan = ws_->Plan();
  ASSERT_EXIT_CODE(plan, 1);
  for (std::string key : {"../escape.yaml", "/etc/wildside-e2e.yaml", "platform/unknown/x.yaml",
                          "clusters/prod/x.yaml"}) {
    EXPECT_THAT(plan.err, HasSubstr(key)) << key;
  }
  testing::CommandResult apply = ws_->Apply();
  ASSERT_EXIT_CODE(apply, 1);
  EXPECT_FALSE(fs::exists(ws_->checkout()));
  EXPECT_FALSE(fs::exists(ws_->work() / "escape.yaml"));
  EXPECT_FALSE(fs::exists("/etc/wildside-e2e.yaml"));
}

TEST_P(EndToEndTest, EmptyAndSpoofingKeysFailValidateAndPlanAllAtOnce) {
  // HCL strings: "\u202E" right-to-left override, "\u200B" zero-width space,
  // "\u0085" a C1 control; an empty key; a key in both maps.
  ws_->WriteRawConfig(TerraformBlock() + R"(
resource "wildside_gitops_tree" "t" {
  path    = "checkout"
  cluster = "dev"
  rendered_manifests = {
    ""                                  = "x"
    "platform/traefik/x\u202Elmy.yaml"  = "x"
    "platform/traefik/a\u200B.yaml"     = "x"
    "platform/traefik/b\u0085.yaml"     = "x"
    "platform/traefik/both.yaml"        = "x"
    "platform/traefik/fine.yaml"        = "x"
  }
  sensitive_manifests = {
    ""                           = "s"
    "platform/traefik/both.yaml" = "s"
  }
}
)");
  ASSERT_NO_FATAL_FAILURE(ws_->Init());
  testing::CommandResult validate = ws_->Run({"validate", "-no-color"});
  ASSERT_EXIT_CODE(validate, 1);
  testing::CommandResult plan = ws_->Plan();
  ASSERT_EXIT_CODE(plan, 1);
  for (const testing::CommandResult* r : {&validate, &plan}) {
    EXPECT_THAT(r->err, HasSubstr("rendered_manifests[\"\"]: empty path"));
    EXPECT_THAT(r->err, HasSubstr("U+202E"));
    EXPECT_THAT(r->err, HasSubstr("U+200B"));
    EXPECT_THAT(r->err, HasSubstr("U+0085"));
    EXPECT_THAT(r->err, HasSubstr("also in rendered_manifests"));
  }
  EXPECT_FALSE(fs::exists(ws_->checkout()));
}

TEST_P(EndToEndTest, ClustersSymlinkAtTheTopFailsThePlan) {
  ASSERT_NO_FATAL_FAILURE(ApplyAndCheckTree(SampleManifests()));
  fs::rename(ws_->checkout() / "clusters", ws_->root() / "elsewhere");
  fs::create_directory_symlink(ws_->root() / "elsewhere", ws_->checkout() / "clusters");
  testing::CommandResult plan = ws_->Plan();
  ASSERT_EXIT_CODE(plan, 1);
  EXPECT_THAT(plan.err, HasSubstr("clusters: a symlink is where the directory clusters/ must be"));
  EXPECT_EQ(ReadFile(ws_->root() / "elsewhere/dev/kustomization.yaml"),
            SampleManifests().at("clusters/dev/kustomization.yaml"));
}

// A tainted tree (what a create that failed part-way leaves) is replaced:
// OpenTofu destroys, then creates. The destroy half must leave the files the
// create will own, so files already right are neither deleted nor rewritten.
TEST_P(EndToEndTest, TaintedTreeIsReplacedWithoutRewritingCorrectFiles) {
  ASSERT_NO_FATAL_FAILURE(ApplyAndCheckTree(SampleManifests()));
  auto inode = [](const fs::path& p) {
    struct stat st;
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_ino;
  };
  // A hard link outside the checkout pins each file's inode, so a file that
  // is deleted and written again cannot come back with the same number.
  std::map<std::string, fs::path> pinned;
  for (const auto& [key, unused] : SampleManifests()) {
    pinned[key] = ws_->root() / ("pin-" + std::to_string(pinned.size()));
    fs::create_hard_link(ws_->checkout() / key, pinned[key]);
  }
  const std::string edited = "platform/databases/cluster.yaml";
  WriteFile(ws_->checkout() / edited, "kind: Edited\n");
  pinned.erase(edited);
  ASSERT_EXIT_CODE(ws_->Run({"taint", "-no-color", "wildside_gitops_tree.t"}), 0);
  // The create half would overwrite a file the inventory lists: refused
  // (issue 19), with the ways on; adopt = true is one.
  testing::CommandResult refused = ws_->Run({"plan", "-no-color", "-input=false"});
  ASSERT_EXIT_CODE(refused, 1);
  EXPECT_THAT(refused.err, HasSubstr("Files of this cluster would be taken over"));
  EXPECT_THAT(refused.err, HasSubstr("clusters/dev/.wildside-inventory"));
  EXPECT_THAT(refused.err, HasSubstr(edited));
  EXPECT_THAT(refused.err, HasSubstr("tofu untaint"));
  ws_->WriteConfig("  adopt = true\n");
  testing::CommandResult plan = ws_->Run({"plan", "-no-color", "-input=false"});
  ASSERT_EXIT_CODE(plan, 0);
  EXPECT_THAT(plan.out, HasSubstr("is tainted, so it must be replaced"));
  testing::CommandResult apply = ws_->Apply();
  ASSERT_EXIT_CODE(apply, 0);
  for (const auto& [key, content] : SampleManifests())
    EXPECT_EQ(ReadFile(ws_->checkout() / key), content) << key;
  for (const auto& [key, pin] : pinned) {
    EXPECT_EQ(inode(ws_->checkout() / key), inode(pin)) << key << " was deleted or rewritten";
  }
  ASSERT_EXIT_CODE(ws_->Plan(), 0);
  // A plain destroy still removes every managed file.
  ASSERT_EXIT_CODE(ws_->Destroy(), 0);
  for (const auto& [key, unused] : SampleManifests())
    EXPECT_FALSE(fs::exists(ws_->checkout() / key)) << key;
}

TEST_P(EndToEndTest, DirectorySymlinkToOutsideFailsAndTouchesNothingOutside) {
  fs::path outside = ws_->root() / "outside";
  fs::create_directories(outside);
  WriteFile(outside / "sentinel.txt", "keep\n");
  fs::create_directories(ws_->checkout() / "platform");
  fs::create_directory_symlink(outside, ws_->checkout() / "platform/databases");
  ws_->WriteSources(SampleManifests());
  ws_->WriteConfig();
  ASSERT_NO_FATAL_FAILURE(ws_->Init());
  testing::CommandResult apply = ws_->Apply();
  ASSERT_EXIT_CODE(apply, 1);
  EXPECT_THAT(apply.err, HasSubstr("platform/databases"));
  std::vector<std::string> outside_files;
  for (const auto& e : fs::recursive_directory_iterator(outside))
    outside_files.push_back(e.path().filename());
  EXPECT_THAT(outside_files, ::testing::ElementsAre("sentinel.txt"));
  EXPECT_EQ(ReadFile(outside / "sentinel.txt"), "keep\n");
}

TEST_P(EndToEndTest, DestroyRemovesOnlyManagedFilesAndIsRepeatable) {
  ASSERT_NO_FATAL_FAILURE(ApplyAndCheckTree(SampleManifests()));
  WriteFile(ws_->checkout() / "README.md", "# keep me\n");
  WriteFile(ws_->checkout() / "clusters/prod/x.yaml", "keep\n");
  ASSERT_EXIT_CODE(ws_->Destroy(), 0);
  EXPECT_EQ(ReadFile(ws_->checkout() / "README.md"), "# keep me\n");
  EXPECT_EQ(ReadFile(ws_->checkout() / "clusters/prod/x.yaml"), "keep\n");
  for (const auto& [key, unused] : SampleManifests())
    EXPECT_FALSE(fs::exists(ws_->checkout() / key)) << key;
  ASSERT_EXIT_CODE(ws_->Destroy(), 0);
}

TEST_P(EndToEndTest, PerClusterLayoutWorks) {
  // Flux builds clusters/dev without a kustomization: every file below it
  // must be a Kubernetes object (the plan-time checks hold it to that).
  ASSERT_NO_FATAL_FAILURE(ApplyAndCheckTree(
      {{"clusters/dev/platform/traefik/helmrelease.yaml",
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\n\n"},
       {"clusters/dev/platform/vault/vault.yaml",
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nname: vault\n\n"},
       {"modules/common/namespace.yaml", "kind: Namespace\n\n"}}));
  ASSERT_EXIT_CODE(ws_->Plan(), 0);
}

// Plan-time checks through the real client: a broken manifest fails the
// plan on its key, with line and column, and nothing is written;
// checks = "warn" lets the same apply through with a warning.
TEST_P(EndToEndTest, BrokenManifestFailsThePlanOnItsKeyAndWarnLetsItThrough) {
  auto files = SampleManifests();
  files["platform/databases/cluster.yaml"] =
      "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nkind: Pooler\n";
  files["clusters/dev/kustomization.yaml"] =
      "resources:\n  - ../../platform/databases\n  - missing.yaml\n";
  ws_->WriteSources(files);
  ws_->WriteConfig();
  ASSERT_NO_FATAL_FAILURE(ws_->Init());
  testing::CommandResult plan = ws_->Plan();
  ASSERT_EXIT_CODE(plan, 1);
  const std::string all = plan.out + plan.err;
  EXPECT_THAT(all, HasSubstr("Duplicate YAML key"));
  EXPECT_THAT(all, HasSubstr("rendered_manifests[\"platform/databases/cluster.yaml\"]:3:1"));
  EXPECT_THAT(all, HasSubstr("Kustomization reference does not resolve"));
  EXPECT_THAT(all, HasSubstr("rendered_manifests[\"clusters/dev/kustomization.yaml\"]:3"));
  testing::CommandResult apply = ws_->Apply();
  ASSERT_EXIT_CODE(apply, 1);
  EXPECT_FALSE(fs::exists(ws_->checkout()));

  ws_->WriteConfig("  checks = \"warn\"\n");
  apply = ws_->Apply();
  ASSERT_EXIT_CODE(apply, 0);
  EXPECT_THAT(apply.out + apply.err, HasSubstr("Warning: Duplicate YAML key"));
  EXPECT_EQ(ReadFile(ws_->checkout() / "platform/databases/cluster.yaml"),
            files["platform/databases/cluster.yaml"]);
  ASSERT_EXIT_CODE(ws_->Plan(), 0);
}

// The main job's example (examples/tofu, what the README's first command
// applies) passes the checks, applies, and then plans empty.
TEST_P(EndToEndTest, TheExampleAppliesCleanlyAndThenPlansEmpty) {
  const fs::path example = fs::path(WILDSIDE_TESTDATA_DIR) / "../../../examples/tofu";
  for (const char* item : {"main.tf", "modules"}) {
    fs::copy(example / item, ws_->work() / item, fs::copy_options::recursive);
  }
  ASSERT_NO_FATAL_FAILURE(PinToThisBuild(ws_->work() / "main.tf"));
  ASSERT_NO_FATAL_FAILURE(ws_->Init());
  testing::CommandResult apply = ws_->Apply();
  ASSERT_EXIT_CODE(apply, 0);
  // The one warning: CloudNativePG's Cluster has no schema here.
  ExpectOnlyUncheckedKindWarnings(apply.out + apply.err, "postgresql.cnpg.io/v1 Cluster (1)");
  EXPECT_TRUE(fs::exists(ws_->work() / "out/gitops/clusters/dev/kustomization.yaml"));
  ASSERT_EXIT_CODE(ws_->Plan(), 0);
}

// The example's `tofu test` file, as a user would run it on a copy: it
// checks the map with check(), applies into its own checkout, asserts on
// files and tree_sha256, and destroys. The provider comes from the
// filesystem mirror (not a development override); nothing is written into
// the repository.
TEST_P(EndToEndTest, TheExampleTofuTestPasses) {
  const fs::path example = fs::path(WILDSIDE_TESTDATA_DIR) / "../../../examples/tofu";
  for (const char* item : {"main.tf", "modules", "tests"}) {
    fs::copy(example / item, ws_->work() / item, fs::copy_options::recursive);
  }
  ASSERT_NO_FATAL_FAILURE(PinToThisBuild(ws_->work() / "main.tf"));
  ASSERT_NO_FATAL_FAILURE(ws_->Init());
  testing::CommandResult test = ws_->Run({"test", "-no-color"});
  ASSERT_EXIT_CODE(test, 0);
  EXPECT_THAT(test.out, HasSubstr("3 passed, 0 failed"));
  // Destroyed at the end, as `tofu test` does.
  EXPECT_FALSE(fs::exists(ws_->work() / ".tofu-test/gitops/clusters/dev/kustomization.yaml"));
}

TEST_P(EndToEndTest, ProviderLogsReachOpenTofuAtTheirLevelsAndShutdownIsGraceful) {
  ASSERT_NO_FATAL_FAILURE(ApplyAndCheckTree(SampleManifests()));
  testing::CommandResult plan = ws_->Run({"plan", "-no-color", "-input=false"},
                                         {{"TF_LOG", "DEBUG"}, {"TF_LOG_PROVIDER", "DEBUG"}});
  ASSERT_EXIT_CODE(plan, 0);
  EXPECT_THAT(plan.err, HasSubstr("[DEBUG] provider.terraform-provider-wildside"));
  EXPECT_THAT(plan.err, HasSubstr("ReadResource: start"));
  EXPECT_THAT(plan.err, Not(HasSubstr("plugin failed to exit gracefully")));
}

// ---------------------------------------------------------------------------
// Crash points and orphans: the provider killed at exact points of an apply,
// and tofu killed while the provider is inside one. They use the provider's
// test seams (provider/server/test_hooks.h), present in dev/ci/asan builds.

// N from the last "test hooks: N mutating calls" line the provider logged
// (at INFO), or -1.
int MutatingCallsLogged(const std::string& log) {
  const std::string prefix = "test hooks: ";
  const std::string suffix = " mutating calls";
  int n = -1;
  for (size_t at = log.find(prefix); at != std::string::npos; at = log.find(prefix, at + 1)) {
    size_t start = at + prefix.size();
    size_t end = start;
    while (end < log.size() && std::isdigit(static_cast<unsigned char>(log[end]))) ++end;
    if (end > start && log.compare(end, suffix.size(), suffix) == 0)
      n = std::stoi(log.substr(start, end - start));
  }
  return n;
}

void ReplaceTree(const fs::path& from, const fs::path& to) {
  fs::remove_all(to);
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
}

// Every key of `before` and `after` holds, whole, its content in one of the
// two (a key missing from a map means "absent" there).
void ExpectEachFileOldOrNew(const fs::path& checkout,
                            const std::map<std::string, std::string>& before,
                            const std::map<std::string, std::string>& after) {
  std::set<std::string> keys;
  for (const auto& [k, unused] : before) keys.insert(k);
  for (const auto& [k, unused] : after) keys.insert(k);
  for (const std::string& key : keys) {
    fs::path p = checkout / key;
    std::optional<std::string> have;
    if (fs::is_regular_file(fs::symlink_status(p))) {
      have = ReadFile(p);
    } else {
      EXPECT_FALSE(fs::exists(fs::symlink_status(p))) << key << ": neither a file nor absent";
    }
    auto old_it = before.find(key);
    auto new_it = after.find(key);
    std::optional<std::string> old_content, new_content;
    if (old_it != before.end()) old_content = old_it->second;
    if (new_it != after.end()) new_content = new_it->second;
    EXPECT_TRUE(have == old_content || have == new_content)
        << key << " is neither its old nor its new content: "
        << (have ? "\"" + *have + "\"" : std::string("absent"));
  }
}

// Temp files the tree engine leaves only when interrupted.
std::vector<std::string> TempFilesUnder(const fs::path& dir) {
  std::vector<std::string> found;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.path().filename().string().rfind(".wildside-tmp-", 0) == 0)
      found.push_back(e.path().string());
  }
  return found;
}

// Makes this test process the reaper of orphans below it: a provider whose
// tofu dies becomes our child, so its exit can be waited for exactly.
// Our children whose command name starts like the provider's (comm is cut
// at 15 characters), zombies included.
std::vector<pid_t> ProviderChildren() {
  std::vector<pid_t> out;
  for (const auto& e : fs::directory_iterator("/proc")) {
    std::string name = e.path().filename();
    if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
    std::string stat = ReadFile(e.path() / "stat");
    size_t open = stat.find('('), close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close + 4 >= stat.size())
      continue;
    std::string comm = stat.substr(open + 1, close - open - 1);
    pid_t ppid = static_cast<pid_t>(std::atoi(stat.c_str() + close + 4));
    if (ppid == getpid() && comm.rfind("terraform-provi", 0) == 0) out.push_back(std::stoi(name));
  }
  return out;
}

// The test's side of WILDSIDE_TEST_PAUSE_DIR: both fifos are opened before
// tofu starts, so neither side ever blocks in open(2).
class PausePoint {
 public:
  explicit PausePoint(const fs::path& dir) : dir_(dir) {
    ok_ =
        mkfifo((dir / "paused").c_str(), 0600) == 0 && mkfifo((dir / "resume").c_str(), 0600) == 0;
    if (!ok_) return;
    paused_ = open((dir / "paused").c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    resume_ = open((dir / "resume").c_str(), O_RDWR | O_CLOEXEC);
    ok_ = paused_ >= 0 && resume_ >= 0;
  }
  ~PausePoint() {
    Resume();
    if (paused_ >= 0) close(paused_);
  }
  bool ok() const { return ok_; }
  const fs::path& dir() const { return dir_; }

  // The pid of the provider once it has paused, or nullopt if it has not
  // within `guard` (a hang guard) or wrote something else.
  std::optional<pid_t> AwaitPaused(std::chrono::seconds guard) {
    std::string text;
    auto deadline = std::chrono::steady_clock::now() + guard;
    while (text.find('\n') == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p = {paused_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[64];
      ssize_t n = read(paused_, buf, sizeof buf);
      if (n <= 0) return std::nullopt;
      text.append(buf, static_cast<size_t>(n));
    }
    int pid = 0;
    try {
      pid = std::stoi(text);
    } catch (...) {
      return std::nullopt;
    }
    return pid > 0 ? std::optional<pid_t>(pid) : std::nullopt;
  }

  // Lets the paused provider go on: its read of `resume` sees end of file.
  void Resume() {
    if (resume_ >= 0) close(resume_);
    resume_ = -1;
  }

 private:
  fs::path dir_;
  bool ok_ = false;
  int paused_ = -1;
  int resume_ = -1;
};

// The files of the crash-point scenario: an update that rewrites a file,
// creates files in a new directory, prunes a dropped key (emptying its
// directory) and fixes a mode changed on disk.
std::map<std::string, std::string> CrashBefore() {
  auto files = SampleManifests();
  files["platform/vault/vault.yaml"] = "kind: HelmRelease\nname: vault\n\n";
  return files;
}
std::map<std::string, std::string> CrashAfter() {
  auto files = SampleManifests();
  files["platform/databases/cluster.yaml"] =
      "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: pg\nspec:\n  "
      "instances: 3\n\n";
  files["platform/traefik/helmrelease.yaml"] = "kind: HelmRelease\nname: traefik\n\n";
  files["platform/traefik/values.yaml"] = "replicas: 2\n\n";
  return files;
}
constexpr char kChmodded[] = "platform/sources/cloudnative-pg.yaml";

class EndToEndCrashTest : public EndToEndTest {
 protected:
  // Kills the provider at each of its mutating filesystem calls during
  // `tofu apply`, from the first to the last (the scenario makes about 25,
  // each point costs three tofu runs); after each kill, every managed file
  // is old or new, a plain apply converges and the plan is empty.
  void RunCrashPoints(bool drop_unsynced) {
    ASSERT_TRUE(WILDSIDE_TEST_HOOKS) << "the provider was built without WILDSIDE_TEST_HOOKS";
    const auto before = CrashBefore();
    const auto after = CrashAfter();
    ASSERT_NO_FATAL_FAILURE(ApplyAndCheckTree(before));
    ASSERT_EQ(chmod((ws_->checkout() / kChmodded).c_str(), 0600), 0);
    ws_->WriteSources(after);
    const fs::path snapshot = ws_->root() / "snapshot";
    ReplaceTree(ws_->work(), snapshot);

    // An uninterrupted apply, counting its mutating calls.
    testing::CommandResult counted =
        ws_->Run({"apply", "-auto-approve", "-no-color", "-input=false"},
                 {{"WILDSIDE_TEST_CRASH_AT", "0"}, {"TF_LOG_PROVIDER", "INFO"}});
    ASSERT_EXIT_CODE(counted, 0);
    const int count = MutatingCallsLogged(counted.err);
    ASSERT_GT(count, 0) << counted.err;
    for (const auto& [key, content] : after)
      EXPECT_EQ(ReadFile(ws_->checkout() / key), content) << key;
    ASSERT_EXIT_CODE(ws_->Plan(), 0);

    for (int n = 1; n <= count; ++n) {
      SCOPED_TRACE("killed at mutating call " + std::to_string(n) + " of " + std::to_string(count) +
                   (drop_unsynced ? ", unsynced effects dropped" : ""));
      ReplaceTree(snapshot, ws_->work());
      std::map<std::string, std::string> env = {{"WILDSIDE_TEST_CRASH_AT", std::to_string(n)}};
      if (drop_unsynced) env["WILDSIDE_TEST_CRASH_DROP_UNSYNCED"] = "1";
      testing::CommandResult crashed =
          ws_->Run({"apply", "-auto-approve", "-no-color", "-input=false"}, env);
      // The plugin died inside ApplyResourceChange: tofu reports it, fails,
      // and keeps the prior (refreshed) state of the resource.
      ASSERT_EXIT_CODE(crashed, 1);
      EXPECT_THAT(crashed.err, HasSubstr("Plugin did not respond"));
      EXPECT_THAT(crashed.err, HasSubstr("ApplyResourceChange"));
      ExpectEachFileOldOrNew(ws_->checkout(), before, after);
      uint32_t mode = ModeOf(ws_->checkout() / kChmodded);
      EXPECT_TRUE(mode == 0600u || mode == 0644u) << std::oct << mode;
      std::string state = ReadFile(ws_->work() / "terraform.tfstate");
      EXPECT_THAT(state, HasSubstr("\"platform/vault/vault.yaml\": \"kind: HelmRelease"));
      EXPECT_THAT(state, Not(HasSubstr("platform/traefik/values.yaml")));

      testing::CommandResult healed = ws_->Apply();
      ASSERT_EXIT_CODE(healed, 0);
      for (const auto& [key, content] : after) {
        EXPECT_EQ(ReadFile(ws_->checkout() / key), content) << key;
        EXPECT_EQ(ModeOf(ws_->checkout() / key), 0644u) << key;
      }
      EXPECT_FALSE(fs::exists(ws_->checkout() / "platform/vault"));
      EXPECT_THAT(TempFilesUnder(ws_->checkout()), ::testing::IsEmpty());
      ASSERT_EXIT_CODE(ws_->Plan(), 0);
    }
    std::cout << "crash points covered: all " << count << " mutating calls of the apply"
              << (drop_unsynced ? " (unsynced effects dropped)" : "") << "\n";
  }
};

TEST_P(EndToEndCrashTest, ProviderKilledAtNthFilesystemCallThenApplyConverges) {
  RunCrashPoints(/*drop_unsynced=*/false);
}

TEST_P(EndToEndCrashTest, ProviderKilledAtNthFilesystemCallLosingUnsyncedDataThenApplyConverges) {
  RunCrashPoints(/*drop_unsynced=*/true);
}

// tofu killed while its provider is inside an apply: the provider, now an
// orphan, must not live on. It is paused at a mutating call in the middle of
// the tree apply (holding the checkout's lock), tofu is SIGKILLed, the
// provider is let go, and every provider process tofu left must exit.
TEST_P(EndToEndCrashTest, TofuKilledMidApplyLeavesNoProviderRunning) {
  ASSERT_TRUE(WILDSIDE_TEST_HOOKS) << "the provider was built without WILDSIDE_TEST_HOOKS";
  auto files = SampleManifests();
  for (int i = 0; i < 40; ++i) {
    std::string name = "db-" + std::to_string(100 + i);
    files["platform/databases/" + name + ".yaml"] = "kind: Database\nname: " + name + "\n\n";
  }
  ws_->WriteSources(files);
  ws_->WriteConfig();
  ASSERT_NO_FATAL_FAILURE(ws_->Init());
  PausePoint pause(ws_->root());
  ASSERT_TRUE(pause.ok());
  testing::SubreaperScope subreaper;
  ASSERT_TRUE(subreaper.ok());

  // 44 files take several calls each (open, write, fchmod, fsync, rename):
  // call 30 is well inside the apply, after the lock is taken.
  auto tofu = ws_->Start(
      {"apply", "-auto-approve", "-no-color", "-input=false"},
      {{"WILDSIDE_TEST_PAUSE_AT", "30"}, {"WILDSIDE_TEST_PAUSE_DIR", pause.dir().string()}});
  ASSERT_TRUE(tofu->started());
  std::optional<pid_t> provider = pause.AwaitPaused(240s);
  ASSERT_TRUE(provider.has_value()) << "the provider never paused\n" << tofu->stderr_text();
  ASSERT_EQ(kill(tofu->pid(), SIGKILL), 0);
  ASSERT_TRUE(tofu->Wait(60s).has_value());
  pause.Resume();

  // Every provider tofu started is now our child (or already gone).
  std::vector<pid_t> orphans = ProviderChildren();
  EXPECT_THAT(orphans, ::testing::Contains(*provider));
  for (pid_t pid : orphans) {
    std::optional<int> code = testing::WaitForChildExit(pid, 120s);
    if (!code.has_value()) kill(pid, SIGKILL);
    EXPECT_TRUE(code.has_value()) << "provider " << pid
                                  << " still running 120 s after tofu was killed";
    if (code.has_value()) {
      EXPECT_EQ(*code, 0) << "provider " << pid;
    }
  }
  EXPECT_THAT(ProviderChildren(), ::testing::IsEmpty());

  ExpectEachFileOldOrNew(ws_->checkout(), {}, files);
  testing::CommandResult healed = ws_->Apply();
  ASSERT_EXIT_CODE(healed, 0);
  for (const auto& [key, content] : files)
    EXPECT_EQ(ReadFile(ws_->checkout() / key), content) << key;
  EXPECT_THAT(TempFilesUnder(ws_->checkout()), ::testing::IsEmpty());
  ASSERT_EXIT_CODE(ws_->Plan(), 0);
}

// Several clusters, one checkout (issue 8, docs/adr/0009-ownership-inventory.md):
// two root modules with two separate states, each applying its own
// cluster's tree into the same checkout.
class EndToEndSharedCheckoutTest : public EndToEndTest {
 protected:
  using Files = std::map<std::string, std::string>;

  fs::path Root(const std::string& cluster) const { return ws_->work() / cluster; }
  fs::path Checkout() const { return ws_->work() / "checkout"; }

  // The root module of `cluster`: its sources under src/, its own state.
  void WriteRoot(const std::string& cluster, const Files& files, std::string_view extra = "") {
    WriteRootAs(cluster, cluster, files, extra);
  }
  // The root module in directory `dir` of a resource with `cluster`.
  void WriteRootAs(const std::string& dir, const std::string& cluster, const Files& files,
                   std::string_view extra = "") {
    std::error_code ec;
    fs::remove_all(Root(dir) / "src", ec);
    for (const auto& [key, content] : files) WriteFile(Root(dir) / "src" / key, content);
    WriteFile(Root(dir) / "main.tf", std::string(TerraformBlock() + R"(
resource "wildside_gitops_tree" "t" {
  path               = "../checkout"
  cluster            = ")") + cluster + R"("
  rendered_manifests = { for f in fileset("${path.module}/src", "**") : f => file("${path.module}/src/${f}") }
)" + std::string(extra) + "}\n");
  }

  testing::CommandResult Run(const std::string& cluster, std::vector<std::string> args) {
    args.insert(args.begin(), ClientBinary(GetParam()));
    return testing::RunCommand(args, ws_->Environment({}), Root(cluster).string(), 300s);
  }
  testing::CommandResult Apply(const std::string& cluster) {
    return Run(cluster, {"apply", "-auto-approve", "-no-color", "-input=false"});
  }
  testing::CommandResult Plan(const std::string& cluster) {
    return Run(cluster, {"plan", "-detailed-exitcode", "-no-color", "-input=false"});
  }
  void Init(const std::string& cluster) {
    ASSERT_EXIT_CODE(Run(cluster, {"init", "-no-color", "-input=false"}), 0);
  }

  // Every file of `files` is in the checkout, byte for byte.
  void ExpectOnDisk(const Files& files, const std::string& when) {
    for (const auto& [key, content] : files) {
      EXPECT_TRUE(fs::exists(Checkout() / key)) << key << " deleted " << when;
      if (fs::exists(Checkout() / key))
        EXPECT_EQ(ReadFile(Checkout() / key), content) << key << ", " << when;
    }
  }

  // Both apply once, in turn; after each step neither lost a file, and
  // then every re-plan of either is empty.
  void ApplyBothAndReplan(const Files& dev, const Files& prod) {
    WriteRoot("dev", dev);
    WriteRoot("prod", prod);
    ASSERT_NO_FATAL_FAILURE(Init("dev"));
    ASSERT_NO_FATAL_FAILURE(Init("prod"));
    ASSERT_EXIT_CODE(Apply("dev"), 0);
    ExpectOnDisk(dev, "by dev's apply");
    ASSERT_EXIT_CODE(Apply("prod"), 0);
    ExpectOnDisk(dev, "by prod's apply");
    ExpectOnDisk(prod, "by prod's apply");
    for (int round = 0; round < 2; ++round) {
      for (const char* cluster : {"dev", "prod"}) {
        testing::CommandResult plan = Plan(cluster);
        ASSERT_EXIT_CODE(plan, 0);
        ExpectOnDisk(dev, std::string("by ") + cluster + "'s plan");
        ExpectOnDisk(prod, std::string("by ") + cluster + "'s plan");
      }
      ASSERT_EXIT_CODE(Apply("dev"), 0);
      ExpectOnDisk(prod, "by dev's second apply");
    }
  }

  // The layout of the issue: dev uses the shared platform/ (and owns the
  // common modules/ mirror), prod nests its platform under clusters/prod/.
  static Files SharedDev() {
    Files f = SampleManifests();
    f["modules/common/namespace.yaml"] =
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: common\n\n";
    return f;
  }
  // Valid for the plan-time checks: a kustomization listing its files,
  // each a Kubernetes object.
  static Files Nested(const std::string& cluster) {
    const std::string c = "clusters/" + cluster + "/";
    return {{c + "kustomization.yaml",
             "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
             "  - platform/traefik/release.yaml\n  - platform/redis/valkey.yaml\n"},
            {c + "platform/traefik/release.yaml",
             "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: traefik-" + cluster + "\n"},
            {c + "platform/redis/valkey.yaml",
             "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: valkey\n"}};
  }
};

TEST_P(EndToEndSharedCheckoutTest, SharedDevAndNestedProdNeverUndoEachOther) {
  ASSERT_NO_FATAL_FAILURE(ApplyBothAndReplan(SharedDev(), Nested("prod")));
  EXPECT_TRUE(fs::exists(Checkout() / "clusters/dev/.wildside-inventory"));
  EXPECT_TRUE(fs::exists(Checkout() / "clusters/prod/.wildside-inventory"));
}

// prod's kustomization uses dev's shared modules/ mirror: the plan-time
// checks see those files, which prod's apply never prunes.
TEST_P(EndToEndSharedCheckoutTest, NestedProdReferencingDevsSharedModulesPassesTheChecks) {
  Files prod = Nested("prod");
  prod["clusters/prod/kustomization.yaml"] =
      "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
      "  - platform/traefik/release.yaml\n  - platform/redis/valkey.yaml\n"
      "  - ../../modules/common/namespace.yaml\n";
  ASSERT_NO_FATAL_FAILURE(ApplyBothAndReplan(SharedDev(), prod));
}

TEST_P(EndToEndSharedCheckoutTest, NestedAndNestedNeverUndoEachOther) {
  Files dev = Nested("dev");
  dev["modules/common/namespace.yaml"] =
      "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: common\n\n";
  ASSERT_NO_FATAL_FAILURE(ApplyBothAndReplan(dev, Nested("prod")));
}

TEST_P(EndToEndSharedCheckoutTest, AnotherClusterWritingAPathDevOwnsFailsAtPlanNamingDev) {
  ASSERT_NO_FATAL_FAILURE(ApplyBothAndReplan(SharedDev(), Nested("prod")));
  const std::string key = "platform/databases/cluster.yaml";
  for (const std::string& content :
       {SharedDev().at(key),
        std::string("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: prods\n")}) {
    Files prod = Nested("prod");
    prod[key] = content;
    WriteRoot("prod", prod);
    const std::string before = ReadFile(Checkout() / key);
    const std::string inventory = ReadFile(Checkout() / "clusters/prod/.wildside-inventory");
    testing::CommandResult plan = Plan("prod");
    ASSERT_EXIT_CODE(plan, 1);
    EXPECT_THAT(plan.err, HasSubstr(key));
    EXPECT_THAT(plan.err, HasSubstr("cluster \"dev\""));
    testing::CommandResult apply = Apply("prod");
    ASSERT_EXIT_CODE(apply, 1);
    EXPECT_EQ(ReadFile(Checkout() / key), before) << "nothing written";
    EXPECT_EQ(ReadFile(Checkout() / "clusters/prod/.wildside-inventory"), inventory)
        << "nothing claimed";
  }
  WriteRoot("prod", Nested("prod"));
  ASSERT_EXIT_CODE(Plan("prod"), 0);
  ASSERT_EXIT_CODE(Plan("dev"), 0);
}

TEST_P(EndToEndSharedCheckoutTest, LostStateCreatePlansNothingWritesNothingAndThenPlansEmpty) {
  ASSERT_NO_FATAL_FAILURE(ApplyBothAndReplan(SharedDev(), Nested("prod")));
  fs::remove(Root("dev") / "terraform.tfstate");
  fs::remove(Root("dev") / "terraform.tfstate.backup");
  std::map<std::string, struct timespec> mtimes;
  auto files = SharedDev();
  files["clusters/dev/.wildside-inventory"] = "";
  for (const auto& [key, unused] : files) {
    struct stat st;
    ASSERT_EQ(::stat((Checkout() / key).c_str(), &st), 0) << key;
    mtimes[key] = st.st_mtim;
  }
  testing::CommandResult plan = Plan("dev");
  ASSERT_EXIT_CODE(plan, 2);
  EXPECT_THAT(plan.out + plan.err, Not(HasSubstr("Existing files will be replaced")));
  EXPECT_THAT(plan.out, HasSubstr("1 to add, 0 to change, 0 to destroy"));
  ASSERT_EXIT_CODE(Apply("dev"), 0);
  for (const auto& [key, when] : mtimes) {
    struct stat st;
    ASSERT_EQ(::stat((Checkout() / key).c_str(), &st), 0) << key;
    EXPECT_EQ(st.st_mtim.tv_sec, when.tv_sec) << key << " was rewritten";
    EXPECT_EQ(st.st_mtim.tv_nsec, when.tv_nsec) << key << " was rewritten";
  }
  ASSERT_EXIT_CODE(Plan("dev"), 0);
  ASSERT_EXIT_CODE(Plan("prod"), 0);
}

// Issue 19: a second root module with cluster = "dev" on the same
// checkout. Its create would prune and overwrite files dev's inventory
// lists: refused at plan and apply until it adopts the checkout. Then a
// lost state with the same configuration is quiet, a tainted tree needs
// untaint or adopt, and -replace needs neither.
TEST_P(EndToEndSharedCheckoutTest, SecondResourceOfOneClusterIsRefusedUntilItAdopts) {
  const Files first = Nested("dev");
  Files second = first;
  second.erase("clusters/dev/platform/redis/valkey.yaml");
  second["clusters/dev/kustomization.yaml"] =
      "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
      "  - platform/traefik/release.yaml\n";
  const std::string pruned = "clusters/dev/platform/redis/valkey.yaml";
  WriteRoot("dev", first);
  ASSERT_NO_FATAL_FAILURE(Init("dev"));
  ASSERT_EXIT_CODE(Apply("dev"), 0);

  WriteRootAs("dev2", "dev", second);
  ASSERT_NO_FATAL_FAILURE(Init("dev2"));
  testing::CommandResult plan = Plan("dev2");
  ASSERT_EXIT_CODE(plan, 1);
  EXPECT_THAT(plan.err, HasSubstr("Files of this cluster would be taken over"));
  EXPECT_THAT(plan.err, HasSubstr("clusters/dev/.wildside-inventory"));
  EXPECT_THAT(plan.err, HasSubstr(pruned));
  EXPECT_THAT(plan.err, HasSubstr("adopt = true"));
  ASSERT_EXIT_CODE(Apply("dev2"), 1);
  ExpectOnDisk(first, "by a refused apply");

  // adopt = true: the takeover is planned with every file named.
  WriteRootAs("dev2", "dev", second, "  adopt = true\n");
  plan = Plan("dev2");
  ASSERT_EXIT_CODE(plan, 2);
  EXPECT_THAT(plan.out + plan.err, HasSubstr("Existing files will be replaced"));
  EXPECT_THAT(plan.out + plan.err, HasSubstr(pruned));
  EXPECT_THAT(plan.out + plan.err, HasSubstr("clusters/dev/kustomization.yaml"));
  ASSERT_EXIT_CODE(Apply("dev2"), 0);
  EXPECT_FALSE(fs::exists(Checkout() / pruned));
  ExpectOnDisk(second, "by the adopting apply");

  // Its state lost, the same configuration (adopt or not) plans quietly
  // and writes nothing.
  WriteRootAs("dev2", "dev", second);
  fs::remove(Root("dev2") / "terraform.tfstate");
  fs::remove(Root("dev2") / "terraform.tfstate.backup");
  std::map<std::string, struct timespec> mtimes;
  Files with_inventory = second;
  with_inventory["clusters/dev/.wildside-inventory"] = "";
  for (const auto& [key, unused] : with_inventory) {
    struct stat st;
    ASSERT_EQ(::stat((Checkout() / key).c_str(), &st), 0) << key;
    mtimes[key] = st.st_mtim;
  }
  plan = Plan("dev2");
  ASSERT_EXIT_CODE(plan, 2);
  EXPECT_THAT(plan.out + plan.err, Not(HasSubstr("Existing files will be replaced")));
  ASSERT_EXIT_CODE(Apply("dev2"), 0);
  for (const auto& [key, when] : mtimes) {
    struct stat st;
    ASSERT_EQ(::stat((Checkout() / key).c_str(), &st), 0) << key;
    EXPECT_EQ(st.st_mtim.tv_sec, when.tv_sec) << key << " was rewritten";
    EXPECT_EQ(st.st_mtim.tv_nsec, when.tv_nsec) << key << " was rewritten";
  }
  ASSERT_EXIT_CODE(Plan("dev2"), 0);

  // Tainted, with a file edited by hand: refused, naming untaint; untaint
  // heals it as drift, and adopt = true lets the replacement through.
  const std::string edited = "clusters/dev/platform/traefik/release.yaml";
  for (const std::string way : {"untaint", "adopt"}) {
    WriteFile(Checkout() / edited, "kind: Edited\n");
    ASSERT_EXIT_CODE(Run("dev2", {"taint", "-no-color", "wildside_gitops_tree.t"}), 0);
    plan = Plan("dev2");
    ASSERT_EXIT_CODE(plan, 1);
    EXPECT_THAT(plan.err, HasSubstr("tofu untaint"));
    EXPECT_THAT(plan.err, HasSubstr(edited));
    if (way == "untaint") {
      ASSERT_EXIT_CODE(Run("dev2", {"untaint", "-no-color", "wildside_gitops_tree.t"}), 0);
    } else {
      WriteRootAs("dev2", "dev", second, "  adopt = true\n");
    }
    ASSERT_EXIT_CODE(Apply("dev2"), 0);
    ExpectOnDisk(second, "after " + way);
    ASSERT_EXIT_CODE(Plan("dev2"), 0);
  }

  // -replace needs neither, also when it changes a listed file: its
  // destroy half hands the kept files over to its create.
  WriteRootAs("dev2", "dev", second);
  ASSERT_EXIT_CODE(Apply("dev2"), 0);
  for (const std::string& content :
       {std::string(),
        std::string("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: traefik-v2\n")}) {
    if (!content.empty()) second[edited] = content;
    WriteRootAs("dev2", "dev", second);
    ASSERT_EXIT_CODE(Run("dev2", {"apply", "-auto-approve", "-no-color", "-input=false",
                                  "-replace=wildside_gitops_tree.t"}),
                     0);
    ExpectOnDisk(second, "after -replace");
    ASSERT_EXIT_CODE(Plan("dev2"), 0);
  }
}

// Issue 19: two resources with cluster = "dev" in one configuration are
// both planned before either writes; the one applied second sees the
// first one's inventory under the lock and refuses, writing nothing.
TEST_P(EndToEndSharedCheckoutTest, TwoResourcesOfOneClusterInOneConfigurationAreRefusedAtApply) {
  const Files t = {
      {"clusters/dev/t.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: t\n"}};
  const Files u = {
      {"clusters/dev/u.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: u\n"}};
  WriteRoot("dev", t);
  std::string main = ReadFile(Root("dev") / "main.tf");
  main +=
      "\nresource \"wildside_gitops_tree\" \"u\" {\n  path    = \"../checkout\"\n"
      "  cluster = \"dev\"\n  rendered_manifests = {\n    \"clusters/dev/u.yaml\" = "
      "\"apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: u\\n\"\n  }\n}\n";
  WriteFile(Root("dev") / "main.tf", main);
  ASSERT_NO_FATAL_FAILURE(Init("dev"));
  testing::CommandResult apply = Apply("dev");
  ASSERT_EXIT_CODE(apply, 1);
  EXPECT_THAT(apply.err, HasSubstr("Files of this cluster would be taken over"));
  EXPECT_THAT(apply.err, HasSubstr("clusters/dev/.wildside-inventory"));
  // Exactly one tree was written, and the other did not prune it.
  const bool t_won = fs::exists(Checkout() / "clusters/dev/t.yaml");
  const bool u_won = fs::exists(Checkout() / "clusters/dev/u.yaml");
  EXPECT_NE(t_won, u_won);
  ExpectOnDisk(t_won ? t : u, "by the refused second create");
}

// Issue 19: under create_before_destroy the new object is created first,
// then the deposed one destroyed with only its own state's private. That
// destroy leaves every file the new object claims, byte for byte, after a
// -replace (same path and cluster) and after a cluster change.
TEST_P(EndToEndSharedCheckoutTest, CreateBeforeDestroyReplacementKeepsTheNewObjectsFiles) {
  const std::string cbd = "  lifecycle {\n    create_before_destroy = true\n  }\n";
  WriteRoot("dev", SharedDev(), cbd);
  WriteRoot("prod", Nested("prod"), cbd);
  ASSERT_NO_FATAL_FAILURE(Init("dev"));
  ASSERT_NO_FATAL_FAILURE(Init("prod"));
  ASSERT_EXIT_CODE(Apply("dev"), 0);
  ASSERT_EXIT_CODE(Apply("prod"), 0);

  testing::CommandResult replace = Run("dev", {"apply", "-auto-approve", "-no-color",
                                               "-input=false", "-replace=wildside_gitops_tree.t"});
  ASSERT_EXIT_CODE(replace, 0);
  EXPECT_THAT(replace.out, HasSubstr("1 added, 0 changed, 1 destroyed"));
  ExpectOnDisk(SharedDev(), "by dev's create_before_destroy -replace");
  ExpectOnDisk(Nested("prod"), "by dev's create_before_destroy -replace");
  EXPECT_TRUE(fs::exists(Checkout() / "clusters/dev/.wildside-inventory"));
  ASSERT_EXIT_CODE(Plan("dev"), 0);

  // prod becomes staging: its files move under clusters/staging/.
  WriteRootAs("prod", "staging", Nested("staging"), cbd);
  testing::CommandResult moved = Apply("prod");
  ASSERT_EXIT_CODE(moved, 0);
  EXPECT_THAT(moved.out, HasSubstr("1 added, 0 changed, 1 destroyed"));
  ExpectOnDisk(Nested("staging"), "by the cluster change");
  ExpectOnDisk(SharedDev(), "by the cluster change");
  EXPECT_FALSE(fs::exists(Checkout() / "clusters/prod"));
  ASSERT_EXIT_CODE(Plan("prod"), 0);
  ASSERT_EXIT_CODE(Plan("dev"), 0);
}

TEST_P(EndToEndSharedCheckoutTest, HandAddedFileInAnOwnedDirectoryIsStillShownAndPruned) {
  ASSERT_NO_FATAL_FAILURE(ApplyBothAndReplan(SharedDev(), Nested("prod")));
  WriteFile(Checkout() / "platform/redis/by-hand.yaml", "kind: ConfigMap\n");
  testing::CommandResult plan = Plan("dev");
  ASSERT_EXIT_CODE(plan, 2);
  EXPECT_THAT(plan.out, HasSubstr("platform/redis/by-hand.yaml"));
  ASSERT_EXIT_CODE(Apply("dev"), 0);
  EXPECT_FALSE(fs::exists(Checkout() / "platform/redis/by-hand.yaml"));
  ExpectOnDisk(Nested("prod"), "by dev's prune");
  ASSERT_EXIT_CODE(Plan("dev"), 0);
  ASSERT_EXIT_CODE(Plan("prod"), 0);
}

TEST_P(EndToEndSharedCheckoutTest, InventoryIsInvisibleToFlux) {
  ASSERT_NO_FATAL_FAILURE(ApplyBothAndReplan(SharedDev(), Nested("prod")));
  // Flux's generated kustomization takes .yaml/.yml files, Argo CD .json
  // too: the inventory is none of these, so a directory holding it and no
  // kustomization.yaml builds as before.
  for (const auto& e : fs::recursive_directory_iterator(Checkout())) {
    std::string ext = e.path().extension().string();
    if (e.path().filename() == ".wildside-inventory") {
      EXPECT_TRUE(ext != ".yaml" && ext != ".yml" && ext != ".json") << e.path();
    }
  }
  std::string inventory = ReadFile(Checkout() / "clusters/dev/.wildside-inventory");
  EXPECT_THAT(inventory, HasSubstr("\nplatform/databases/cluster.yaml\n"));
  EXPECT_THAT(inventory, Not(HasSubstr("apiVersion")));  // paths only, never content
}

// The shared layout on the newest client only: what it checks is the
// provider's own wording, the same whoever asks.
class EndToEndSharedCheckoutFullTest : public EndToEndSharedCheckoutTest {};

// A file moved from dev to prod while dev's state did not follow (a state
// restored from before the move): dev's refresh finds the file in prod's
// inventory, and the drift warning says so instead of calling it deleted;
// dev's apply leaves prod's file alone.
TEST_P(EndToEndSharedCheckoutFullTest, FileMovedToAnotherClusterIsNamedNowClaimedInTheDrift) {
  ASSERT_NO_FATAL_FAILURE(ApplyBothAndReplan(SharedDev(), Nested("prod")));
  const std::string key = "platform/redis/valkey.yaml";
  const fs::path state = Root("dev") / "terraform.tfstate";
  const std::string state_before_the_move = ReadFile(state);
  Files dev = SharedDev();
  dev.erase(key);
  Files prod = Nested("prod");
  prod[key] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: valkey-prod\n";
  WriteRoot("dev", dev);
  WriteRoot("prod", prod);
  ASSERT_EXIT_CODE(Apply("dev"), 0);
  ASSERT_EXIT_CODE(Apply("prod"), 0);
  WriteFile(state, state_before_the_move);

  testing::CommandResult plan = Plan("dev");
  // The refresh drops the file from dev's state: nothing left to change.
  ASSERT_EXIT_CODE(plan, 0);
  const std::string all = plan.out + plan.err;
  EXPECT_THAT(all, HasSubstr("Drift in the checkout"));
  EXPECT_THAT(all, HasSubstr(key + ": now claimed by cluster \"prod\""));
  EXPECT_THAT(all, Not(HasSubstr(key + ": deleted")));
  ASSERT_EXIT_CODE(Apply("dev"), 0);
  ExpectOnDisk(prod, "by dev's apply");
  ExpectOnDisk(dev, "by dev's apply");
  ASSERT_EXIT_CODE(Plan("dev"), 0);
  ASSERT_EXIT_CODE(Plan("prod"), 0);
}

TEST_P(EndToEndCoreTest, ExcludeChangeWarnsThatTheFilesStayOnDisk) {
  ASSERT_NO_FATAL_FAILURE(ApplyAndCheckTree(SampleManifests()));
  auto files = SampleManifests();
  const std::string key = "platform/redis/valkey.yaml";
  const std::string content = files.at(key);
  files.erase(key);
  ws_->WriteSources(files);
  ws_->WriteConfig("  exclude = [\"clusters/*/flux-system/**\", \"platform/redis/**\"]\n");
  testing::CommandResult plan = ws_->Plan();
  ASSERT_EXIT_CODE(plan, 2);
  EXPECT_THAT(plan.out + plan.err, HasSubstr("Excluded files stay on disk"));
  EXPECT_THAT(plan.out + plan.err, HasSubstr(key));
  ASSERT_EXIT_CODE(ws_->Apply(), 0);
  EXPECT_EQ(ReadFile(ws_->checkout() / key), content);
  ASSERT_EXIT_CODE(ws_->Plan(), 0);
}

// wildside marks its rendered_manifests output sensitive, so OpenTofu hides
// every line diff; the one drift warning still names each file and how.
TEST_P(EndToEndCoreTest, DriftSummaryNamesEachFileWhenTheManifestsAreSensitive) {
  ws_->WriteSources(SampleManifests());
  WriteFile(ws_->work() / "render/main.tf", R"(output "rendered_manifests" {
  sensitive = true
  value     = { for f in fileset("${path.module}/../src", "**") : f => file("${path.module}/../src/${f}") }
}
)");
  ws_->WriteRawConfig(TerraformBlock() + R"(
module "render" {
  source = "./render"
}

resource "wildside_gitops_tree" "t" {
  path               = "checkout"
  cluster            = "dev"
  rendered_manifests = module.render.rendered_manifests
}
)");
  ASSERT_NO_FATAL_FAILURE(ws_->Init());
  ASSERT_EXIT_CODE(ws_->Apply(), 0);
  ASSERT_EXIT_CODE(ws_->Plan(), 0);
  WriteFile(ws_->checkout() / "platform/databases/cluster.yaml",
            "kind: Cluster\nsecret: hunter2\n");
  fs::remove(ws_->checkout() / "clusters/dev/kustomization.yaml");
  WriteFile(ws_->checkout() / "platform/redis/by-hand.yaml", "password: hunter2\n");
  ASSERT_EQ(chmod((ws_->checkout() / "platform/sources/cloudnative-pg.yaml").c_str(), 0600), 0);
  testing::CommandResult plan = ws_->Plan();
  ASSERT_EXIT_CODE(plan, 2);
  const std::string all = plan.out + plan.err;
  EXPECT_THAT(all, HasSubstr("Drift in the checkout"));
  EXPECT_THAT(all, HasSubstr("clusters/dev/kustomization.yaml: deleted"));
  EXPECT_THAT(all, HasSubstr("platform/databases/cluster.yaml: edited (+1/-6 lines)"));
  EXPECT_THAT(all, HasSubstr("platform/redis/by-hand.yaml: stray ("));
  EXPECT_THAT(all, HasSubstr("platform/sources/cloudnative-pg.yaml: mode 0644 -> 0600"));
  // The warning never shows content (terraform 1.11 itself still prints
  // the module output's line diff; OpenTofu hides it).
  EXPECT_THAT(all.substr(all.find("Warning: Drift in the checkout")), Not(HasSubstr("hunter2")));
  size_t warnings = 0;
  for (size_t at = all.find("Drift in the checkout"); at != std::string::npos;
       at = all.find("Drift in the checkout", at + 1)) {
    ++warnings;
  }
  EXPECT_EQ(warnings, 1u) << all;
  ASSERT_EXIT_CODE(ws_->Apply(), 0);
  ASSERT_EXIT_CODE(ws_->Plan(), 0);
}

// A checkout written by the release before inventories: the state has the
// same shape (schema version 0, no new attribute), so such a state and
// checkout are this one without the inventory file. Its plan stays empty;
// the first apply that changes the tree writes the inventory (ADR 0009).
TEST_P(EndToEndCoreTest, CheckoutFromTheReleaseBeforeInventoriesPlansEmpty) {
  ASSERT_NO_FATAL_FAILURE(ApplyAndCheckTree(SampleManifests()));
  ASSERT_TRUE(fs::remove(ws_->checkout() / "clusters/dev/.wildside-inventory"));
  ASSERT_EXIT_CODE(ws_->Plan(), 0);
  ASSERT_EXIT_CODE(ws_->Apply(), 0);
  EXPECT_FALSE(fs::exists(ws_->checkout() / "clusters/dev/.wildside-inventory"))
      << "an empty plan applies nothing";
  auto files = SampleManifests();
  files["platform/redis/extra.yaml"] = "kind: ConfigMap\n\n";
  ws_->WriteSources(files);
  ASSERT_EXIT_CODE(ws_->Apply(), 0);
  EXPECT_THAT(ReadFile(ws_->checkout() / "clusters/dev/.wildside-inventory"),
              HasSubstr("\nplatform/redis/extra.yaml\n"));
  ASSERT_EXIT_CODE(ws_->Plan(), 0);
}

auto ParamNameOf = [](const ::testing::TestParamInfo<std::string>& info) { return info.param; };
// ctest names: Full/EndToEndTest.<test>/tofu_1_12_6 and
// Core/EndToEndCoreTest.<test>/<client>; scripts/test picks tiers by regex.
INSTANTIATE_TEST_SUITE_P(Full, EndToEndTest, ::testing::ValuesIn(NewestClient()), ParamNameOf);
INSTANTIATE_TEST_SUITE_P(Core, EndToEndCoreTest, ::testing::ValuesIn(EveryClient()), ParamNameOf);
INSTANTIATE_TEST_SUITE_P(Core, EndToEndSharedCheckoutTest, ::testing::ValuesIn(EveryClient()),
                         ParamNameOf);
INSTANTIATE_TEST_SUITE_P(Full, EndToEndSharedCheckoutFullTest, ::testing::ValuesIn(NewestClient()),
                         ParamNameOf);

// ---- rendered_manifests_wo (issue 12) ----

// "tofu_1_12_6" / "terraform_1_11_4" / "tofu_1_12_6_release" -> {1, 12}.
std::pair<int, int> MinorOf(const std::string& client) {
  size_t at = client.find('_');
  int major = 0, minor = 0;
  if (at != std::string::npos) std::sscanf(client.c_str() + at + 1, "%d_%d", &major, &minor);
  return {major, minor};
}

// OpenTofu and Terraform >= 1.11 honour write-only attributes.
bool SupportsWriteOnly(const std::string& client) {
  return MinorOf(client) >= std::make_pair(1, 11);
}

std::vector<std::string> WriteOnlyClients() {
  std::vector<std::string> out;
  for (const Client& c : AllClients()) {
    if (SupportsWriteOnly(c.name)) out.push_back(c.name);
  }
  return out;
}
std::vector<std::string> ClientsWithoutWriteOnly() {
  std::vector<std::string> out;
  for (const Client& c : AllClients()) {
    if (!SupportsWriteOnly(c.name)) out.push_back(c.name);
  }
  return out;
}

// Lines found in the contents and nowhere else (not in any key): if one
// shows up in a state or plan, content leaked.
const std::vector<std::string>& ContentMarkers() {
  static const std::vector<std::string> markers = {"wo-secret-token-4f9a", "kind: HelmRepository",
                                                   "instances: 2", "5 µs",
                                                   "../../platform/databases"};
  return markers;
}

std::map<std::string, std::string> WriteOnlyManifests() {
  auto files = SampleManifests();
  files["platform/vault/secret.yaml"] =
      "apiVersion: v1\nkind: Secret\nmetadata:\n  name: approle\nstringData:\n  token: "
      "wo-secret-token-4f9a\n";
  return files;
}

void ExpectNoContent(const std::string& text, const std::string& what) {
  for (const std::string& m : ContentMarkers()) EXPECT_THAT(text, Not(HasSubstr(m))) << what;
}

class EndToEndWriteOnlyTest : public EndToEndTest {
 protected:
  void WriteWoConfig(std::string_view resource_body_extra = "") {
    ws_->WriteConfig(resource_body_extra, "", "rendered_manifests_wo");
  }

  // The saved plan as OpenTofu shows it and as stored: every member of the
  // zip, decompressed (a grep over the zip itself would pass vacuously).
  void ExpectSavedPlanHoldsNoContent(const std::string& planfile) {
    testing::CommandResult shown = ws_->Run({"show", "-json", planfile});
    ASSERT_EXIT_CODE(shown, 0);
    EXPECT_THAT(shown.out,
                HasSubstr("platform/vault/secret.yaml"));  // not vacuous: the files are there
    ExpectNoContent(shown.out, "show -json " + planfile);
    testing::CommandResult members = testing::RunCommand(
        {"unzip", "-p", planfile}, ws_->Environment({}), ws_->work().string(), 120s);
    ASSERT_EXIT_CODE(members, 0);
    EXPECT_THAT(members.out, HasSubstr("platform/vault/secret.yaml"));
    ExpectNoContent(members.out, "members of " + planfile);
  }

  std::string State() { return ReadFile(ws_->work() / "terraform.tfstate"); }
};

TEST_P(EndToEndWriteOnlyTest, ContentNeverReachesPlanOrStateAndDriftIsHealed) {
  const auto files = WriteOnlyManifests();
  ws_->WriteSources(files);
  WriteWoConfig();
  ASSERT_NO_FATAL_FAILURE(ws_->Init());
  testing::CommandResult plan =
      ws_->Run({"plan", "-out=create.tfplan", "-no-color", "-input=false"});
  ASSERT_EXIT_CODE(plan, 0);
  ExpectNoContent(plan.out, "plan output");
  ASSERT_NO_FATAL_FAILURE(ExpectSavedPlanHoldsNoContent("create.tfplan"));
  ASSERT_EXIT_CODE(ws_->Run({"apply", "-no-color", "-input=false", "create.tfplan"}), 0);
  for (const auto& [key, content] : files)
    EXPECT_EQ(ReadFile(ws_->checkout() / key), content) << key;
  std::string state = State();
  EXPECT_THAT(state, HasSubstr("platform/vault/secret.yaml"));
  ExpectNoContent(state, "state after create");
  ASSERT_EXIT_CODE(ws_->Plan(), 0);

  // Edit (with a new secret), delete, stray, chmod: planned, never shown.
  WriteFile(ws_->checkout() / "platform/vault/secret.yaml", "token: hand-edited-wo-token\n");
  fs::remove(ws_->checkout() / "platform/redis/valkey.yaml");
  WriteFile(ws_->checkout() / "platform/databases/stray.yaml",
            "kind: Leftover\nstray: wo-stray-token\n");
  ASSERT_EQ(chmod((ws_->checkout() / "platform/sources/cloudnative-pg.yaml").c_str(), 0600), 0);
  testing::CommandResult drift =
      ws_->Run({"plan", "-out=heal.tfplan", "-detailed-exitcode", "-no-color", "-input=false"});
  ASSERT_EXIT_CODE(drift, 2);
  for (const char* key :
       {"platform/vault/secret.yaml", "platform/redis/valkey.yaml", "platform/databases/stray.yaml",
        "platform/sources/cloudnative-pg.yaml"}) {
    EXPECT_THAT(drift.out, HasSubstr(key));
  }
  EXPECT_THAT(drift.out, HasSubstr("0600"));
  for (const char* leak : {"hand-edited-wo-token", "wo-stray-token"}) {
    EXPECT_THAT(drift.out, Not(HasSubstr(leak)));
    EXPECT_THAT(State(), Not(HasSubstr(leak)));
  }
  ASSERT_NO_FATAL_FAILURE(ExpectSavedPlanHoldsNoContent("heal.tfplan"));
  ASSERT_EXIT_CODE(ws_->Run({"apply", "-no-color", "-input=false", "heal.tfplan"}), 0);
  for (const auto& [key, content] : files) {
    EXPECT_EQ(ReadFile(ws_->checkout() / key), content) << key;
    EXPECT_EQ(ModeOf(ws_->checkout() / key), 0644u) << key;
  }
  EXPECT_FALSE(fs::exists(ws_->checkout() / "platform/databases/stray.yaml"));
  ExpectNoContent(State(), "state after heal");
  for (const char* leak : {"hand-edited-wo-token", "wo-stray-token"})
    EXPECT_THAT(State(), Not(HasSubstr(leak)));
  ASSERT_EXIT_CODE(ws_->Plan(), 0);

  // One value changed in the configuration: that file only.
  auto changed = files;
  changed["platform/vault/secret.yaml"] = "token: rotated-wo-token\n";
  ws_->WriteSources(changed);
  testing::CommandResult update = ws_->Plan();
  ASSERT_EXIT_CODE(update, 2);
  EXPECT_THAT(update.out, HasSubstr("platform/vault/secret.yaml"));
  EXPECT_THAT(update.out, Not(HasSubstr("rotated-wo-token")));
  for (const auto& [key, unused] : files) {
    if (key != "platform/vault/secret.yaml") {
      EXPECT_THAT(update.out, Not(HasSubstr(key))) << key;
    }
  }
  ASSERT_EXIT_CODE(ws_->Apply(), 0);
  EXPECT_EQ(ReadFile(ws_->checkout() / "platform/vault/secret.yaml"), "token: rotated-wo-token\n");
  EXPECT_THAT(State(), Not(HasSubstr("rotated-wo-token")));
  ASSERT_EXIT_CODE(ws_->Plan(), 0);

  // Destroy removes the write-only files too.
  ASSERT_EXIT_CODE(ws_->Destroy(), 0);
  for (const auto& [key, unused] : files) EXPECT_FALSE(fs::exists(ws_->checkout() / key)) << key;
  EXPECT_FALSE(fs::exists(ws_->checkout() / "platform"));
}

TEST_P(EndToEndWriteOnlyTest, WriteOnlyImportHoldsHashesOnlyThenPlansEmpty) {
  const auto files = WriteOnlyManifests();
  ws_->WriteSources(files);
  WriteWoConfig();
  ASSERT_NO_FATAL_FAILURE(ws_->Init());
  ASSERT_EXIT_CODE(ws_->Apply(), 0);
  fs::remove(ws_->work() / "terraform.tfstate");
  fs::remove(ws_->work() / "terraform.tfstate.backup");
  testing::CommandResult imp = ws_->Run(
      {"import", "-no-color", "-input=false", "wildside_gitops_tree.t", "write-only/dev:checkout"});
  ASSERT_EXIT_CODE(imp, 0);
  std::string state = State();
  EXPECT_THAT(state, HasSubstr("platform/vault/secret.yaml"));
  ExpectNoContent(state, "imported state");
  testing::CommandResult plan = ws_->Plan();
  ASSERT_EXIT_CODE(plan, 0);
  ASSERT_EXIT_CODE(ws_->Destroy(), 0);
  EXPECT_FALSE(fs::exists(ws_->checkout() / "platform"));
}

// Keys spread over the plain and the write-only map: the plain file's edit
// shows as a line diff, a stray's content does not show at all (moving a
// key between maps: the unit test MixedMapsKeepOnlyThePlainContentsInState).
TEST_P(EndToEndWriteOnlyTest, MixedMapsShowPlainDiffsOnly) {
  auto files = WriteOnlyManifests();
  ws_->WriteSources(files);
  ws_->WriteRawConfig(TerraformBlock() + R"(
locals {
  manifests = { for f in fileset("${path.module}/src", "**") : f => file("${path.module}/src/${f}") }
  secret    = "platform/vault/secret.yaml"
}

resource "wildside_gitops_tree" "t" {
  path                  = "checkout"
  cluster               = "dev"
  rendered_manifests    = { for k, v in local.manifests : k => v if k != local.secret }
  rendered_manifests_wo = { (local.secret) = local.manifests[local.secret] }
}
)");
  ASSERT_NO_FATAL_FAILURE(ws_->Init());
  ASSERT_EXIT_CODE(ws_->Apply(), 0);
  EXPECT_EQ(ReadFile(ws_->checkout() / "platform/vault/secret.yaml"),
            files.at("platform/vault/secret.yaml"));
  EXPECT_THAT(State(), Not(HasSubstr("wo-secret-token-4f9a")));
  EXPECT_THAT(State(), HasSubstr("kind: HelmRepository"));  // the plain map is stored as before
  ASSERT_EXIT_CODE(ws_->Plan(), 0);

  WriteFile(ws_->checkout() / "platform/databases/cluster.yaml",
            "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: pg\nspec:\n  "
            "instances: 9\n\n");
  WriteFile(ws_->checkout() / "platform/vault/stray.yaml", "stray: wo-stray-token\n");
  testing::CommandResult plan = ws_->Plan();
  ASSERT_EXIT_CODE(plan, 2);
  EXPECT_THAT(plan.out, HasSubstr("instances: 9"));
  EXPECT_THAT(plan.out, HasSubstr("platform/vault/stray.yaml"));
  EXPECT_THAT(plan.out, Not(HasSubstr("wo-stray-token")));
  ASSERT_EXIT_CODE(ws_->Apply(), 0);
  EXPECT_FALSE(fs::exists(ws_->checkout() / "platform/vault/stray.yaml"));
  EXPECT_THAT(State(), Not(HasSubstr("wo-stray-token")));
  ASSERT_EXIT_CODE(ws_->Plan(), 0);
}

// A saved plan applied after a write-only input changed writes nothing.
// The clients catch it first: at apply they plan again, and the new
// files[...].sha256 differs from the saved plan's ("Provider produced
// inconsistent final plan"); the provider's own check in Apply (the unit
// test ApplyRefusesWriteOnlyContentThatChangedSincePlanAndWritesNothing)
// stands behind it.
TEST_P(EndToEndWriteOnlyTest, SavedPlanAppliedAfterTheContentChangedWritesNothing) {
  auto files = WriteOnlyManifests();
  ws_->WriteSources(files);
  WriteWoConfig();
  ASSERT_NO_FATAL_FAILURE(ws_->Init());
  ASSERT_EXIT_CODE(ws_->Apply(), 0);
  files["platform/vault/secret.yaml"] = "token: reviewed-wo-token\n";
  ws_->WriteSources(files);
  ASSERT_EXIT_CODE(ws_->Run({"plan", "-out=rotate.tfplan", "-no-color", "-input=false"}), 0);
  files["platform/vault/secret.yaml"] = "token: never-reviewed-wo-token\n";
  ws_->WriteSources(files);
  testing::CommandResult apply = ws_->Run({"apply", "-no-color", "-input=false", "rotate.tfplan"});
  ASSERT_EXIT_CODE(apply, 1);
  EXPECT_THAT(apply.err,
              ::testing::AnyOf(HasSubstr("Write-only content changed since the plan"),
                               HasSubstr("files[\"platform/vault/secret.yaml\"].sha256")));
  EXPECT_THAT(apply.err, Not(HasSubstr("never-reviewed-wo-token")));
  EXPECT_EQ(ReadFile(ws_->checkout() / "platform/vault/secret.yaml"),
            WriteOnlyManifests().at("platform/vault/secret.yaml"));
  ExpectNoContent(State(), "state after the refused apply");
}

// examples/write-only applies with its secret from an ephemeral variable,
// plans empty, and no state or plan holds the secret.
TEST_P(EndToEndWriteOnlyTest, TheWriteOnlyExampleKeepsItsSecretOutOfState) {
  const fs::path example = fs::path(WILDSIDE_TESTDATA_DIR) / "../../../examples/write-only";
  fs::copy(example / "main.tf", ws_->work() / "main.tf");
  ASSERT_NO_FATAL_FAILURE(PinToThisBuild(ws_->work() / "main.tf"));
  const std::map<std::string, std::string> env = {
      {"TF_VAR_approle_secret_id", "wo-example-secret-77"}};
  ASSERT_NO_FATAL_FAILURE(ws_->Init());
  testing::CommandResult apply =
      ws_->Run({"apply", "-auto-approve", "-no-color", "-input=false"}, env);
  ASSERT_EXIT_CODE(apply, 0);
  // And the Secret, written in clear to the checkout (issue 22).
  ExpectOnlyWarnings(apply.out + apply.err, "external-secrets.io/v1beta1 ClusterSecretStore (1)",
                     {"Secret committed in clear"});
  EXPECT_THAT(ReadFile(ws_->work() / "out/gitops/platform/vault/approle-secret.yaml"),
              HasSubstr("secret-id: \"wo-example-secret-77\""));
  EXPECT_THAT(State(), Not(HasSubstr("wo-example-secret-77")));
  testing::CommandResult plan =
      ws_->Run({"plan", "-detailed-exitcode", "-no-color", "-input=false"}, env);
  ASSERT_EXIT_CODE(plan, 0);
}

// Issue 22: with rendered_manifests_wo and SOPS, a Secret's value is in
// neither the state, nor a saved plan, nor the checkout; sops gives it
// back and the next plan is empty.
TEST_P(EndToEndWriteOnlyTest, EncryptedWriteOnlySecretIsInNeitherStateNorPlanNorCheckout) {
  const SopsTools sops;
  ASSERT_TRUE(fs::exists(sops.tool("sops"))) << "run scripts/install-sops (scripts/test does)";
  const std::string recipient = NewAgeIdentity(sops, ws_->root(), "flux.agekey");
  const std::string token = "wo-sops-known-token-5e1d";
  ws_->WriteSources(
      {{"platform/vault/approle.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: approle\n  namespace: vault\n"
        "stringData:\n  token: " +
            token + "\n"},
       {"clusters/dev/kustomization.yaml", "resources:\n  - ../../platform/vault/approle.yaml\n"}});
  WriteWoConfig("  sops_age_recipients = [\"" + recipient + "\"]\n");
  ASSERT_NO_FATAL_FAILURE(ws_->Init());
  ASSERT_EXIT_CODE(ws_->Apply(), 0);
  EXPECT_THAT(State(), Not(HasSubstr(token)));
  EXPECT_THAT(State(), HasSubstr("platform/vault/approle.yaml"));  // not vacuous
  EXPECT_FALSE(AnyFileHolds(ws_->checkout(), token));
  EXPECT_EQ(
      SopsToken(sops, ws_->checkout() / "platform/vault/approle.yaml", ws_->root() / "flux.agekey"),
      token);
  testing::CommandResult plan =
      ws_->Run({"plan", "-detailed-exitcode", "-no-color", "-input=false", "-out=saved.plan"});
  ASSERT_EXIT_CODE(plan, 0);
  testing::CommandResult shown = ws_->Run({"show", "-json", "saved.plan"});
  ASSERT_EXIT_CODE(shown, 0);
  EXPECT_THAT(shown.out, HasSubstr("platform/vault/approle.yaml"));
  EXPECT_THAT(shown.out, Not(HasSubstr(token)));
  testing::CommandResult members = testing::RunCommand(
      {"unzip", "-p", "saved.plan"}, ws_->Environment({}), ws_->work().string(), 120s);
  ASSERT_EXIT_CODE(members, 0);
  EXPECT_THAT(members.out, Not(HasSubstr(token)));
}

// A tainted tree whose path changed is replaced: the new object writes
// every file at the new path.
//
// TODO(issue 19): this pins a bug, not the intended behaviour. The destroy
// half of the replacement should remove the old path's files, as it does
// for an untainted path change and for a tainted tree of plain manifests;
// it leaves every write-only file and the inventory there instead, and
// nothing in the plan or apply says so. Why: the destroy half learns the
// write-only keys only from the change's planned private data, which the
// create plan carries over from the prior's; both clients plan a tainted
// object as a plain create without the prior's private data, so the
// destroy sees only the (here empty) plain maps of its prior state. When
// the destroy removes them, turn the "still there" expectations below
// into EXPECT_FALSE and drop this TODO.
TEST_P(EndToEndWriteOnlyTest, TaintedTreeReplacedAtAnotherPathLeavesTheOldWriteOnlyFiles) {
  const auto files = WriteOnlyManifests();
  ws_->WriteSources(files);
  WriteWoConfig();
  ASSERT_NO_FATAL_FAILURE(ws_->Init());
  ASSERT_EXIT_CODE(ws_->Apply(), 0);
  ASSERT_EXIT_CODE(ws_->Run({"taint", "-no-color", "wildside_gitops_tree.t"}), 0);
  std::string config = ReadFile(ws_->work() / "main.tf");
  const std::string old_path = "path               = \"checkout\"";
  ASSERT_NE(config.find(old_path), std::string::npos);
  config.replace(config.find(old_path), old_path.size(), "path = \"moved\"");
  ws_->WriteRawConfig(config);
  testing::CommandResult plan = ws_->Run({"plan", "-no-color", "-input=false"});
  ASSERT_EXIT_CODE(plan, 0);
  EXPECT_THAT(plan.out, HasSubstr("is tainted, so"));  // tofu adds "it"
  EXPECT_THAT(plan.out, HasSubstr("1 to add, 0 to change, 1 to destroy"));
  ExpectNoContent(plan.out, "plan output");
  ASSERT_EXIT_CODE(ws_->Apply(), 0);
  for (const auto& [key, content] : files) {
    EXPECT_EQ(ReadFile(ws_->work() / "moved" / key), content) << key;
    EXPECT_TRUE(fs::exists(ws_->checkout() / key)) << key << " (issue 19: now removed?)";
  }
  EXPECT_TRUE(fs::exists(ws_->checkout() / "clusters/dev/.wildside-inventory"));
  ExpectNoContent(State(), "state after the replacement");
  ASSERT_EXIT_CODE(ws_->Plan(), 0);
}

// Clients without write-only attributes would store the value in state:
// the provider refuses the configuration before any plan.
class EndToEndWriteOnlyRefusedTest : public EndToEndWriteOnlyTest {};

TEST_P(EndToEndWriteOnlyRefusedTest, OlderClientGetsAClearRefusalAndNothingIsStored) {
  ws_->WriteSources(WriteOnlyManifests());
  WriteWoConfig();
  ASSERT_NO_FATAL_FAILURE(ws_->Init());
  testing::CommandResult plan = ws_->Plan();
  ASSERT_EXIT_CODE(plan, 1);
  EXPECT_THAT(plan.err, HasSubstr("rendered_manifests_wo"));
  EXPECT_THAT(plan.err, HasSubstr("Write-only attributes not supported by this client"));
  EXPECT_THAT(plan.err, HasSubstr("OpenTofu >= 1.11"));  // the detail wraps: two checks
  EXPECT_THAT(plan.err, HasSubstr("Terraform >= 1.11"));
  testing::CommandResult apply = ws_->Apply();
  ASSERT_EXIT_CODE(apply, 1);
  EXPECT_FALSE(fs::exists(ws_->checkout() / "platform"));
  if (fs::exists(ws_->work() / "terraform.tfstate")) ExpectNoContent(State(), "state");
}

// Resource identity (OpenTofu >= 1.12, Terraform >= 1.12): every client
// that has it. Older clients import by ID (the core set's import test).
std::vector<std::string> IdentityClients() {
  std::vector<std::string> out;
  for (const Client& c : AllClients()) {
    if (MinorOf(c.name) >= std::make_pair(1, 12)) out.push_back(c.name);
  }
  return out;
}

class EndToEndIdentityTest : public EndToEndWriteOnlyTest {};

// The state carries the identity { cluster, path } as written in the
// configuration (no absolute path); an `import` block by that identity
// records hashes only, and a configuration with rendered_manifests_wo then
// plans empty and keeps content out of state.
TEST_P(EndToEndIdentityTest, ImportByIdentityRecordsHashesOnlyAndPlansEmpty) {
  const auto files = WriteOnlyManifests();
  ws_->WriteSources(files);
  WriteWoConfig();
  ASSERT_NO_FATAL_FAILURE(ws_->Init());
  ASSERT_EXIT_CODE(ws_->Apply(), 0);
  const nlohmann::json created = nlohmann::json::parse(State());
  const nlohmann::json& instance = created["resources"][0]["instances"][0];
  EXPECT_EQ(instance["identity"], (nlohmann::json{{"cluster", "dev"}, {"path", "checkout"}}))
      << instance.dump();
  EXPECT_EQ(instance["identity_schema_version"], 0);

  fs::remove(ws_->work() / "terraform.tfstate");
  fs::remove(ws_->work() / "terraform.tfstate.backup");
  ws_->WriteConfig("", R"(
import {
  to       = wildside_gitops_tree.t
  identity = { cluster = "dev", path = "checkout" }
}
)",
                   "rendered_manifests_wo");
  testing::CommandResult plan = ws_->Plan();
  ASSERT_EXIT_CODE(plan, 2);  // the import itself is the change
  EXPECT_THAT(plan.out, HasSubstr("1 to import, 0 to add, 0 to change, 0 to destroy"));
  ASSERT_EXIT_CODE(ws_->Apply(), 0);
  ExpectNoContent(State(), "state imported by identity");
  EXPECT_EQ(nlohmann::json::parse(State())["resources"][0]["instances"][0]["identity"],
            (nlohmann::json{{"cluster", "dev"}, {"path", "checkout"}}));
  ASSERT_EXIT_CODE(ws_->Plan(), 0);

  // A bad identity is refused naming what is expected, and imports nothing.
  fs::remove(ws_->work() / "terraform.tfstate");
  ws_->WriteConfig("", R"(
import {
  to       = wildside_gitops_tree.t
  identity = { cluster = "Dev_Cluster", path = "checkout" }
}
)",
                   "rendered_manifests_wo");
  testing::CommandResult bad = ws_->Plan();
  ASSERT_EXIT_CODE(bad, 1);
  EXPECT_THAT(FoldSpace(bad.out + bad.err), HasSubstr("Invalid import identity"));
}

INSTANTIATE_TEST_SUITE_P(Identity, EndToEndIdentityTest, ::testing::ValuesIn(IdentityClients()),
                         ParamNameOf);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(EndToEndIdentityTest);

INSTANTIATE_TEST_SUITE_P(WriteOnly, EndToEndWriteOnlyTest, ::testing::ValuesIn(WriteOnlyClients()),
                         ParamNameOf);
INSTANTIATE_TEST_SUITE_P(WriteOnly, EndToEndWriteOnlyRefusedTest,
                         ::testing::ValuesIn(ClientsWithoutWriteOnly()), ParamNameOf);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(EndToEndWriteOnlyRefusedTest);
// The provider's apply is one locked checkout session (ADR 0005). Paused by
// the test hook before its first mutating call (the lock itself), another
// program changes the checkout; the apply must still scan after that and so
// prune what it finds. Paused again just before its first write (after the
// lock and the scan), a second applier (the CLI) is refused: nobody can
// change the checkout between the provider's scan and its writes.
TEST_P(EndToEndCrashTest, ApplyScansUnderTheLockItWritesUnder) {
  ASSERT_TRUE(WILDSIDE_TEST_HOOKS) << "the provider was built without WILDSIDE_TEST_HOOKS";
  auto files = SampleManifests();
  ASSERT_NO_FATAL_FAILURE(ApplyAndCheckTree(files));
  for (int pause_at : {1, 2}) {
    SCOPED_TRACE("paused before mutating call " + std::to_string(pause_at));
    files["platform/redis/extra-" + std::to_string(pause_at) + ".yaml"] = "kind: ConfigMap\n\n";
    ws_->WriteSources(files);
    const fs::path pause_dir = ws_->root() / ("pause-" + std::to_string(pause_at));
    fs::create_directories(pause_dir);
    PausePoint pause(pause_dir);
    ASSERT_TRUE(pause.ok());
    auto tofu = ws_->Start({"apply", "-auto-approve", "-no-color", "-input=false"},
                           {{"WILDSIDE_TEST_PAUSE_AT", std::to_string(pause_at)},
                            {"WILDSIDE_TEST_PAUSE_DIR", pause.dir().string()}});
    ASSERT_TRUE(tofu->started());
    ASSERT_TRUE(pause.AwaitPaused(240s).has_value()) << tofu->stderr_text();
    if (pause_at == 1) {
      // Before the lock: a stray appears; the scan that follows must see it.
      WriteFile(ws_->checkout() / "platform/redis/intruder.yaml", "left by someone else\n");
    } else {
      // After the lock and the scan: another applier must be turned away.
      WriteFile(ws_->root() / "other.json", "{\"modules/other.yaml\": \"x\\n\"}");
      testing::CommandResult other = testing::RunCommand(
          {WILDSIDE_TREE_CLI, "apply", "--dir", ws_->checkout().string(), "--cluster", "dev",
           "--manifests", (ws_->root() / "other.json").string(), "--lock-timeout-ms", "0"},
          testing::EnvironmentWith({}), ws_->work().string(), 120s);
      EXPECT_NE(other.exit_code, 0) << other.out << other.err;
      EXPECT_THAT(other.err, HasSubstr("locked"));
      EXPECT_FALSE(fs::exists(ws_->checkout() / "modules/other.yaml"));
    }
    pause.Resume();
    std::optional<int> code = tofu->Wait(240s);
    ASSERT_TRUE(code.has_value());
    ASSERT_EQ(*code, 0) << tofu->stderr_text();
    EXPECT_FALSE(fs::exists(ws_->checkout() / "platform/redis/intruder.yaml"));
    for (const auto& [key, content] : files)
      EXPECT_EQ(ReadFile(ws_->checkout() / key), content) << key;
    // The apply acted on what was there: nothing left to do.
    ASSERT_EXIT_CODE(ws_->Plan(), 0);
  }
}

// Only where the provider has its test seams (dev/ci/asan presets): a
// release build has none, and then these tests do not exist rather than
// being skipped.
#if WILDSIDE_TEST_HOOKS
INSTANTIATE_TEST_SUITE_P(Full, EndToEndCrashTest, ::testing::ValuesIn(NewestClient()), ParamNameOf);
#else
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(EndToEndCrashTest);
#endif

}  // namespace
}  // namespace wildside
