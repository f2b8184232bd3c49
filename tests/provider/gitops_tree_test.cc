// The resource in domain terms, without gRPC: plan determinism, diagnostics
// with attribute paths, read-as-drift against a real temp directory, apply,
// import and state upgrade.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "file_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "provider/core/provider.h"
#include "provider/cty/json.h"
#include "provider/cty/msgpack.h"
#include "provider/resources/gitops_tree.h"
#include "status_matchers.h"
#include "tree/checks/checks.h"
#include "tree/content.h"
#include "tree/testing/fault_env.h"

namespace wildside::resources {
namespace {

namespace fs = std::filesystem;
using cty::Type;
using cty::Value;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// The start of a private state the current rule set checked:
// `{"checked_rules":N` (tree/checks/checks.h, kRuleSet).
std::string Rules() { return "{\"checked_rules\":" + std::to_string(tree::checks::kRuleSet); }

std::string ReadFile(const fs::path& p) { return wildside::testing::ReadWholeFile(p); }
void WriteFile(const fs::path& p, std::string_view content) {
  wildside::testing::WriteWholeFile(p, content);
}

class GitopsTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/wildside-resource-XXXXXX";
    dir_ = mkdtemp(tmpl);
    resource_ = provider_.FindResource("wildside_gitops_tree");
    ASSERT_NE(resource_, nullptr);
    type_ = resource_->GetSchema().ImpliedType();
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  Value Manifests(const std::map<std::string, std::string>& m) {
    Value::Entries e;
    for (auto& [k, v] : m) e.emplace(k, Value::String(v));
    return Value::Map(Type::String(), std::move(e));
  }

  // A config as OpenTofu sends it: computed attributes null.
  Value Config(Value rendered, std::string cluster = "dev") {
    return Value::Object(type_, {{"path", Value::String((dir_ / "checkout").string())},
                                 {"cluster", Value::String(std::move(cluster))},
                                 {"rendered_manifests", std::move(rendered)}});
  }

  core::PlanResult PlanCreate(const Value& config) {
    return resource_->Plan(core::PlanRequest{Value::Null(type_), config, config, ""});
  }

  // Creates the tree as an earlier tofu command did: in another provider
  // process, so what follows runs in a fresh one (ProcessRecord).
  Value CreateTree(const Value& config) {
    core::PlanResult plan = PlanCreate(config);
    EXPECT_FALSE(core::HasError(plan.diagnostics));
    core::ApplyResult apply = resource_->Apply(
        core::ApplyRequest{Value::Null(type_), plan.planned_state, config, plan.planned_private});
    EXPECT_FALSE(core::HasError(apply.diagnostics)) << apply.diagnostics[0].detail;
    NewProcess();
    return apply.new_state;
  }

  // The resource of a new provider process, as each tofu command starts.
  void NewProcess() {
    process_ = NewGitopsTreeResource(ProcessEnv());
    resource_ = process_.get();
  }
  virtual tree::Env* ProcessEnv() { return nullptr; }

  fs::path dir_;
  core::Provider provider_{resources::AllResources(/*env=*/nullptr)};
  std::unique_ptr<core::Resource> process_;
  const core::Resource* resource_ = nullptr;
  Type type_ = Type::String();
};

TEST_F(GitopsTreeTest, PlanFillsDefaultsAndComputesFilesAndDigest) {
  Value config = Config(Manifests({{"platform/traefik/a.yaml", "a: 1\n"}}));
  core::PlanResult plan = PlanCreate(config);
  ASSERT_THAT(plan.diagnostics, IsEmpty());
  const Value& p = plan.planned_state;
  EXPECT_EQ(p.GetAttr("prune"), Value::Bool(true));
  EXPECT_EQ(p.GetAttr("file_permission"), Value::String("0644"));
  EXPECT_EQ(p.GetAttr("directory_permission"), Value::String("0755"));
  EXPECT_EQ(p.GetAttr("exclude").elements().at(0), Value::String("clusters/*/flux-system/**"));
  EXPECT_EQ(p.GetAttr("id").AsString(), "dev:" + (dir_ / "checkout").string());
  const Value& info = p.GetAttr("files").entries().at("platform/traefik/a.yaml");
  // sha256("a: 1\n")
  EXPECT_EQ(info.GetAttr("sha256").AsString().size(), 64u);
  EXPECT_EQ(info.GetAttr("mode"), Value::String("0644"));
  EXPECT_TRUE(p.GetAttr("tree_sha256").IsKnown());
  EXPECT_FALSE(fs::exists(dir_ / "checkout")) << "plan must not write";
}

TEST_F(GitopsTreeTest, PlanIsDeterministic) {
  Value config =
      Config(Manifests({{"platform/traefik/a.yaml", "a\n"}, {"modules/m/b.yaml", "b\n"}}));
  core::PlanResult first = PlanCreate(config);
  core::PlanResult second = PlanCreate(config);
  EXPECT_EQ(first.planned_state, second.planned_state);
  EXPECT_EQ(*cty::EncodeMsgpack(first.planned_state, type_),
            *cty::EncodeMsgpack(second.planned_state, type_));
}

TEST_F(GitopsTreeTest, UnknownContentPlansFilesAndDigestUnknown) {
  Value::Entries e;
  e.emplace("platform/traefik/a.yaml", Value::Unknown(Type::String()));
  Value config = Config(Value::Map(Type::String(), std::move(e)));
  core::PlanResult plan = PlanCreate(config);
  ASSERT_THAT(plan.diagnostics, IsEmpty());
  EXPECT_TRUE(plan.planned_state.GetAttr("files").IsUnknown());
  EXPECT_TRUE(plan.planned_state.GetAttr("tree_sha256").IsUnknown());
  EXPECT_TRUE(plan.planned_state.GetAttr("id").IsKnown());
}

TEST_F(GitopsTreeTest, InvalidKeysBecomeDiagnosticsAtTheirAttributePath) {
  Value config =
      Config(Manifests({{"../x", "x"}, {"platform/unknown/x", "x"}, {"platform/traefik/ok", "x"}}));
  core::PlanResult plan = PlanCreate(config);
  ASSERT_EQ(plan.diagnostics.size(), 2u);
  std::vector<std::string> paths;
  for (const core::Diagnostic& d : plan.diagnostics) {
    EXPECT_EQ(d.severity, core::Diagnostic::Severity::kError);
    ASSERT_TRUE(d.attribute.has_value());
    paths.push_back(d.attribute->ToString());
  }
  EXPECT_THAT(paths, ::testing::UnorderedElementsAre("rendered_manifests[\"../x\"]",
                                                     "rendered_manifests[\"platform/unknown/x\"]"));
  // ValidateResourceConfig reports the same.
  EXPECT_EQ(resource_->ValidateConfig(config, {}).size(), 2u);
}

TEST_F(GitopsTreeTest, BadSettingsAreReportedPerAttribute) {
  Value config = Config(Manifests({{"platform/traefik/a", "x"}}), "Not_A_Label");
  config.SetAttr("file_permission", Value::String("0999"));
  config.SetAttr("directory_permission", Value::String("0644"));
  Value::Entries sensitive;
  sensitive.emplace("platform/traefik/a", Value::String("secret"));
  config.SetAttr("sensitive_manifests", Value::Map(Type::String(), std::move(sensitive)));
  core::Diagnostics diags = resource_->ValidateConfig(config, {});
  std::vector<std::string> paths;
  for (const core::Diagnostic& d : diags)
    paths.push_back(d.attribute ? d.attribute->ToString() : "");
  EXPECT_THAT(paths, ::testing::IsSupersetOf({"cluster", "file_permission", "directory_permission",
                                              "sensitive_manifests[\"platform/traefik/a\"]"}));
}

TEST_F(GitopsTreeTest, UnknownValuesAreNotErrorsAtValidate) {
  Value config = Config(Value::Unknown(Type::Map(Type::String())));
  config.SetAttr("cluster", Value::Unknown(Type::String()));
  EXPECT_THAT(resource_->ValidateConfig(config, {}), IsEmpty());
}

// Issue 17 item 3: `tofu validate` runs the checks where the values are
// known. A configured provider is planning, and leaves them to the plan.
TEST_F(GitopsTreeTest, ValidateRunsTheChecksUnlessThePlanWill) {
  Value config = Config(Manifests({{"platform/traefik/cm.yaml", "a: 1\na: 2\n"},
                                   {"platform/traefik/kustomization.yaml",
                                    "resources:\n- cm.yaml\n- missing.yaml\n"
                                    "- ../../clusters/dev/flux-system/gotk.yaml\n"}}));
  core::Diagnostics diags = resource_->ValidateConfig(config, {});
  std::vector<std::string> got;
  for (const core::Diagnostic& d : diags) {
    EXPECT_EQ(d.severity, core::Diagnostic::Severity::kError);
    got.push_back(d.summary + " " + (d.attribute ? d.attribute->ToString() : ""));
  }
  // No checkout on disk: the missing file in an owned root is a finding,
  // the path outside them (flux-system) cannot be told and is not judged.
  EXPECT_THAT(got, ::testing::UnorderedElementsAre(
                       "Duplicate YAML key rendered_manifests[\"platform/traefik/cm.yaml\"]",
                       "Kustomization reference does not resolve "
                       "rendered_manifests[\"platform/traefik/kustomization.yaml\"]"));

  core::ValidateContext planning;
  planning.provider_configured = true;
  EXPECT_THAT(resource_->ValidateConfig(config, planning), IsEmpty());
  // "warn": the plan says it, once.
  config.SetAttr("checks", Value::String("warn"));
  EXPECT_THAT(resource_->ValidateConfig(config, {}), IsEmpty());
  config.SetAttr("checks", Value::String("off"));
  EXPECT_THAT(resource_->ValidateConfig(config, {}), IsEmpty());

  // With a checkout, the disk answers for flux-system.
  fs::create_directories(dir_ / "checkout/clusters/dev/flux-system");
  config.SetAttr("checks", Value::String("error"));
  EXPECT_EQ(resource_->ValidateConfig(config, {}).size(), 3u);
  WriteFile(dir_ / "checkout/clusters/dev/flux-system/gotk.yaml", "kind: x\n");
  EXPECT_EQ(resource_->ValidateConfig(config, {}).size(), 2u);
}

TEST_F(GitopsTreeTest, ApplyWritesAndReadReportsDriftStraysAndModes) {
  Value config = Config(Manifests({{"platform/traefik/a.yaml", "a: 1\n\n"},
                                   {"clusters/dev/k.yaml", "kind: K\napiVersion: v1\n"}}));
  Value state = CreateTree(config);
  fs::path checkout = dir_ / "checkout";
  EXPECT_EQ(ReadFile(checkout / "platform/traefik/a.yaml"), "a: 1\n\n");

  // No drift: Read returns the state unchanged.
  core::ReadResult clean = resource_->Read(core::ReadRequest{state, "p"});
  ASSERT_THAT(clean.diagnostics, IsEmpty());
  EXPECT_EQ(clean.new_state, state);
  EXPECT_EQ(clean.private_data, "p");

  WriteFile(checkout / "platform/traefik/a.yaml", "a: 2\n");
  fs::remove(checkout / "clusters/dev/k.yaml");
  WriteFile(checkout / "platform/traefik/stray.yaml", "stray\n");
  WriteFile(checkout / "platform/traefik/binary.bin", std::string("\xff\xfe\x00", 3));
  WriteFile(checkout / "clusters/dev/flux-system/gotk.yaml", "excluded\n");
  chmod((checkout / "platform/traefik/a.yaml").c_str(), 0600);

  core::ReadResult drift = resource_->Read(core::ReadRequest{state, ""});
  // One summary warning: each drifted file by path and kind, never content
  // (it is all a reviewer sees when rendered_manifests is sensitive).
  ASSERT_EQ(drift.diagnostics.size(), 1u);
  EXPECT_EQ(drift.diagnostics[0].severity, core::Diagnostic::Severity::kWarning);
  EXPECT_EQ(drift.diagnostics[0].summary, "Drift in the checkout");
  EXPECT_THAT(
      drift.diagnostics[0].detail,
      HasSubstr(
          "4 files differ from what the last apply left (content never shown here); the apply "
          "restores the configuration:\n"
          "  - clusters/dev/k.yaml: deleted\n"
          "  - platform/traefik/a.yaml: edited (+1/-2 lines), mode 0644 -> 0600\n"
          "  - platform/traefik/binary.bin: stray (3 bytes)\n"
          "  - platform/traefik/stray.yaml: stray (6 bytes)"));
  EXPECT_THAT(drift.diagnostics[0].detail, ::testing::Not(HasSubstr("a: 2")));
  const auto& rendered = drift.new_state.GetAttr("rendered_manifests").entries();
  EXPECT_EQ(rendered.at("platform/traefik/a.yaml"), Value::String("a: 2\n"));
  EXPECT_EQ(rendered.count("clusters/dev/k.yaml"), 0u);
  EXPECT_EQ(rendered.at("platform/traefik/stray.yaml"), Value::String("stray\n"));
  EXPECT_THAT(rendered.at("platform/traefik/binary.bin").AsString(), HasSubstr("not UTF-8"));
  EXPECT_EQ(rendered.count("clusters/dev/flux-system/gotk.yaml"), 0u);
  EXPECT_EQ(
      drift.new_state.GetAttr("files").entries().at("platform/traefik/a.yaml").GetAttr("mode"),
      Value::String("0600"));
  EXPECT_NE(drift.new_state.GetAttr("tree_sha256"), state.GetAttr("tree_sha256"));

  // Plan from the drifted state back to the config, then apply: healed.
  Value proposed = config;
  proposed.SetAttr("id", drift.new_state.GetAttr("id"));
  core::PlanResult plan = resource_->Plan(core::PlanRequest{drift.new_state, proposed, config, ""});
  ASSERT_THAT(plan.diagnostics, IsEmpty());
  EXPECT_EQ(plan.planned_state, state);
  core::ApplyResult apply =
      resource_->Apply(core::ApplyRequest{drift.new_state, plan.planned_state, config, ""});
  ASSERT_THAT(apply.diagnostics, IsEmpty());
  EXPECT_EQ(apply.new_state, plan.planned_state);
  EXPECT_FALSE(fs::exists(checkout / "platform/traefik/stray.yaml"));
  EXPECT_FALSE(fs::exists(checkout / "platform/traefik/binary.bin"));
  EXPECT_EQ(ReadFile(checkout / "clusters/dev/flux-system/gotk.yaml"), "excluded\n");
  EXPECT_EQ(resource_->Read(core::ReadRequest{apply.new_state, ""}).new_state, state);
}

// Plan reads the prior state only for IsNull(), and the configuration only
// for its write-only map (skipping the others); apply reads the prior only
// when it must (docs/adr/0007-copy-policy.md). Bytes that would not decode
// prove it: the plan and the apply still succeed.
TEST_F(GitopsTreeTest, DriftOverManyFilesNamesTheFirstFiftyAndCountsTheRest) {
  std::map<std::string, std::string> files;
  for (int i = 0; i < 53; ++i)
    files["platform/redis/s" + std::to_string(100 + i) + ".yaml"] = "x\n";
  Value state = CreateTree(Config(Manifests(files)));
  for (const auto& [key, unused] : files) fs::remove(dir_ / "checkout" / key);
  core::ReadResult drift = resource_->Read(core::ReadRequest{state, ""});
  ASSERT_EQ(drift.diagnostics.size(), 1u);
  const std::string& detail = drift.diagnostics[0].detail;
  EXPECT_THAT(detail, ::testing::StartsWith("53 files differ from what the last apply left"));
  EXPECT_THAT(detail, HasSubstr("\n  - platform/redis/s100.yaml: deleted\n"));
  EXPECT_THAT(detail, HasSubstr("\n  - platform/redis/s149.yaml: deleted\n  ... and 3 more"));
  EXPECT_THAT(detail, Not(HasSubstr("s150")));
}

TEST_F(GitopsTreeTest, PlanAndApplyDecodeOnlyWhatTheyRead) {
  Value config = Config(Manifests({{"platform/traefik/a.yaml", "a: 1\n"}}));
  Value state = CreateTree(config);
  const std::string garbage = "\xc1 not msgpack";  // 0xc1 is never used by msgpack
  auto undecodable = [&] {
    return cty::LazyValue(cty::LazyValue::Format::kMsgpack, garbage, type_);
  };
  ASSERT_FALSE(undecodable().IsNull());
  ASSERT_FALSE(cty::LazyValue(undecodable()).Decode().ok());

  Value proposed = Config(Manifests({{"platform/traefik/a.yaml", "a: 2\n"}}));
  proposed.SetAttr("id", state.GetAttr("id"));
  core::PlanResult plan = resource_->Plan(core::PlanRequest{undecodable(), proposed, proposed, ""});
  ASSERT_THAT(plan.diagnostics, IsEmpty());
  EXPECT_THAT(plan.requires_replace, ::testing::SizeIs(2));  // an update: the prior is not null

  core::ApplyResult apply =
      resource_->Apply(core::ApplyRequest{undecodable(), plan.planned_state, proposed, ""});
  ASSERT_THAT(apply.diagnostics, IsEmpty());
  EXPECT_EQ(ReadFile(dir_ / "checkout/platform/traefik/a.yaml"), "a: 2\n");

  // When the prior is needed (keys dropped with prune = false) and cannot be
  // decoded, the apply says so instead of guessing.
  Value keep = Config(Manifests({}));
  keep.SetAttr("prune", Value::Bool(false));
  core::PlanResult plan2 = resource_->Plan(core::PlanRequest{apply.new_state, keep, keep, ""});
  ASSERT_THAT(plan2.diagnostics, IsEmpty());
  core::ApplyResult apply2 =
      resource_->Apply(core::ApplyRequest{undecodable(), plan2.planned_state, keep, ""});
  ASSERT_THAT(apply2.diagnostics, ::testing::Not(IsEmpty()));
  EXPECT_TRUE(core::HasError(apply2.diagnostics));
  EXPECT_TRUE(fs::exists(dir_ / "checkout/platform/traefik/a.yaml"));
}

TEST_F(GitopsTreeTest, LineEndingOnlyDriftIsNamedAsSuch) {
  Value state = CreateTree(Config(Manifests(
      {{"platform/traefik/a.yaml", "a: 1\nb: 2\n"}, {"platform/traefik/b.yaml", "c: 3\n"}})));
  WriteFile(dir_ / "checkout/platform/traefik/a.yaml", "a: 1\r\nb: 2\r\n");
  WriteFile(dir_ / "checkout/platform/traefik/b.yaml", "c: 4\r\n");
  core::ReadResult read = resource_->Read(core::ReadRequest{state, ""});
  ASSERT_EQ(read.diagnostics.size(), 1u);
  EXPECT_EQ(read.diagnostics[0].severity, core::Diagnostic::Severity::kWarning);
  EXPECT_EQ(read.diagnostics[0].summary, "Drift in the checkout");
  EXPECT_THAT(read.diagnostics[0].detail,
              HasSubstr("platform/traefik/a.yaml: line endings only (CRLF versus LF)\n"));
  EXPECT_THAT(read.diagnostics[0].detail,
              HasSubstr("platform/traefik/b.yaml: edited (+1/-1 lines)"));
  EXPECT_EQ(read.new_state.GetAttr("rendered_manifests").entries().at("platform/traefik/a.yaml"),
            Value::String("a: 1\r\nb: 2\r\n"));
}

TEST_F(GitopsTreeTest, MissingCheckoutMeansTheResourceIsGone) {
  Value state = CreateTree(Config(Manifests({{"platform/traefik/a.yaml", "a\n"}})));
  fs::remove_all(dir_ / "checkout");
  core::ReadResult read = resource_->Read(core::ReadRequest{state, ""});
  ASSERT_THAT(read.diagnostics, IsEmpty());
  EXPECT_TRUE(read.new_state.IsNull());
}

TEST_F(GitopsTreeTest, CreateOverExistingFilesWarns) {
  WriteFile(dir_ / "checkout/platform/traefik/a.yaml", "old\n");
  WriteFile(dir_ / "checkout/platform/traefik/old.yaml", "old\n");
  core::PlanResult plan = PlanCreate(Config(Manifests({{"platform/traefik/a.yaml", "new\n"}})));
  ASSERT_EQ(plan.diagnostics.size(), 1u);
  EXPECT_EQ(plan.diagnostics[0].severity, core::Diagnostic::Severity::kWarning);
  // Every file by name (docs/adr/0009-ownership-inventory.md).
  EXPECT_THAT(plan.diagnostics[0].detail, HasSubstr("Overwritten (1): platform/traefik/a.yaml."));
  EXPECT_THAT(plan.diagnostics[0].detail, HasSubstr("Pruned (1): platform/traefik/old.yaml."));
}

TEST_F(GitopsTreeTest, DestroyRemovesManagedFilesOnlyAndIsIdempotent) {
  Value state = CreateTree(Config(Manifests({{"platform/traefik/a.yaml", "a\n"}})));
  WriteFile(dir_ / "checkout/README.md", "keep\n");
  core::ApplyResult destroy =
      resource_->Apply(core::ApplyRequest{state, Value::Null(type_), Value::Null(type_), ""});
  ASSERT_THAT(destroy.diagnostics, IsEmpty());
  EXPECT_TRUE(destroy.new_state.IsNull());
  EXPECT_FALSE(fs::exists(dir_ / "checkout/platform"));
  EXPECT_EQ(ReadFile(dir_ / "checkout/README.md"), "keep\n");
  core::ApplyResult again =
      resource_->Apply(core::ApplyRequest{state, Value::Null(type_), Value::Null(type_), ""});
  EXPECT_THAT(again.diagnostics, IsEmpty());
}

TEST_F(GitopsTreeTest, ChangingPathOrClusterRequiresReplacement) {
  Value config = Config(Manifests({{"platform/traefik/a.yaml", "a\n"}}));
  Value state = CreateTree(config);
  core::PlanResult plan = resource_->Plan(core::PlanRequest{state, config, config, ""});
  std::vector<std::string> paths;
  for (const auto& p : plan.requires_replace) paths.push_back(p.ToString());
  EXPECT_THAT(paths, ::testing::UnorderedElementsAre("path", "cluster"));
}

TEST_F(GitopsTreeTest, ImportParsesClusterAndPath) {
  core::ImportResult ok = resource_->Import("dev:./gitops");
  ASSERT_THAT(ok.diagnostics, IsEmpty());
  EXPECT_EQ(ok.state.GetAttr("cluster"), Value::String("dev"));
  EXPECT_EQ(ok.state.GetAttr("path"), Value::String("./gitops"));
  for (std::string bad : {"", "dev", "dev:", "Dev:/x", ":/x"}) {
    core::ImportResult r = resource_->Import(bad);
    ASSERT_EQ(r.diagnostics.size(), 1u) << bad;
    EXPECT_THAT(r.diagnostics[0].detail, HasSubstr("<cluster>:<path>")) << bad;
  }
}

TEST_F(GitopsTreeTest, UpgradeStateDecodesStoredJsonAndRefusesNewerVersions) {
  Value state = CreateTree(Config(Manifests({{"platform/traefik/a.yaml", "a\n"}})));
  absl::StatusOr<std::string> json = cty::EncodeJson(state);
  ASSERT_TRUE(json.ok());
  core::UpgradeStateResult up = resource_->UpgradeState(0, *json);
  ASSERT_THAT(up.diagnostics, IsEmpty());
  EXPECT_EQ(up.state, state);
  EXPECT_EQ(resource_->UpgradeState(99, *json).diagnostics.size(), 1u);
  EXPECT_EQ(resource_->UpgradeState(0, "{not json").diagnostics.size(), 1u);

  // A version-0 state (0.1.0) has no checks attributes: the upgrade gives
  // them the default a plan would, so that plan is empty.
  nlohmann::json v0 = nlohmann::json::parse(*json);
  v0.erase("checks");
  v0.erase("checks_exclude");
  core::UpgradeStateResult from_v0 = resource_->UpgradeState(0, v0.dump());
  ASSERT_THAT(from_v0.diagnostics, IsEmpty());
  EXPECT_EQ(from_v0.state.GetAttr("checks"), Value::String("error"));
  EXPECT_EQ(from_v0.state, state);

  // A version-1 state has no rendered_manifests_wo: it reads as null, which
  // is what plan and state hold for it.
  nlohmann::json v1 = nlohmann::json::parse(*json);
  v1.erase("rendered_manifests_wo");
  core::UpgradeStateResult from_v1 = resource_->UpgradeState(1, v1.dump());
  ASSERT_THAT(from_v1.diagnostics, IsEmpty());
  EXPECT_EQ(from_v1.state, state);
}

// Plan-time checks (issue 11): each finding on its own key, with line and
// column; "warn" lets the plan through; "off" skips them.
TEST_F(GitopsTreeTest, ChecksReportFindingsOnTheirKeysPerSeverity) {
  auto manifests = [&] {
    return Manifests(
        {{"clusters/dev/kustomization.yaml", "resources:\n  - app.yaml\n  - missing.yaml\n"},
         {"clusters/dev/app.yaml",
          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n"}});
  };
  core::PlanResult plan = PlanCreate(Config(manifests()));
  ASSERT_TRUE(core::HasError(plan.diagnostics));
  std::set<std::string> where;
  for (const core::Diagnostic& d : plan.diagnostics) {
    EXPECT_EQ(d.severity, core::Diagnostic::Severity::kError);
    ASSERT_TRUE(d.attribute.has_value());
    where.insert(d.summary + " @ " +
                 d.detail.substr(0, d.detail.find(':', d.detail.find("]:") + 2)));
  }
  EXPECT_THAT(where, ::testing::Contains(HasSubstr(
                         "Duplicate YAML key @ rendered_manifests[\"clusters/dev/app.yaml\"]:5")));
  EXPECT_THAT(where, ::testing::Contains(
                         HasSubstr("Kustomization reference does not resolve @ "
                                   "rendered_manifests[\"clusters/dev/kustomization.yaml\"]:3")));

  Value warn = Config(manifests());
  warn.SetAttr("checks", Value::String("warn"));
  plan = PlanCreate(warn);
  ASSERT_FALSE(core::HasError(plan.diagnostics));
  EXPECT_EQ(plan.diagnostics.size(), 2u);

  Value off = Config(manifests());
  off.SetAttr("checks", Value::String("off"));
  EXPECT_THAT(PlanCreate(off).diagnostics, IsEmpty());

  Value bad = Config(manifests());
  bad.SetAttr("checks", Value::String("strict"));
  plan = PlanCreate(bad);
  ASSERT_EQ(plan.diagnostics.size(), 1u);
  EXPECT_THAT(plan.diagnostics[0].detail, HasSubstr("checks: \"strict\" is not one of"));

  // Sensitive content is checked too, and never quoted.
  Value secret = Config(Manifests({}));
  secret.SetAttr("sensitive_manifests",
                 Manifests({{"platform/vault/s.yaml", "password: hunter2\npassword: hunter3\n"}}));
  plan = PlanCreate(secret);
  ASSERT_EQ(plan.diagnostics.size(), 1u);
  EXPECT_THAT(plan.diagnostics[0].detail,
              HasSubstr("sensitive_manifests[\"platform/vault/s.yaml\"]:2"));
  EXPECT_THAT(plan.diagnostics[0].detail, Not(HasSubstr("hunter")));
  EXPECT_THAT(plan.diagnostics[0].detail, Not(HasSubstr("password")));
}

// Only what changed is checked again: in "warn" mode a finding in an
// unchanged file is not repeated by a no-op plan, a changed file's is.
TEST_F(GitopsTreeTest, ChecksSkipWhatThePriorStateAlreadyChecked) {
  Value config = Config(Manifests(
      {{"platform/traefik/values.yaml", "a: 1\na: 2\n"}, {"platform/traefik/ok.yaml", "b: 1\n"}}));
  config.SetAttr("checks", Value::String("warn"));
  core::PlanResult create = PlanCreate(config);
  ASSERT_EQ(create.diagnostics.size(), 1u);
  core::ApplyResult applied = resource_->Apply(
      core::ApplyRequest{Value::Null(type_), create.planned_state, config, create.planned_private});
  ASSERT_FALSE(core::HasError(applied.diagnostics));

  Value proposed = config;
  proposed.SetAttr("id", applied.new_state.GetAttr("id"));
  core::PlanResult noop =
      resource_->Plan(core::PlanRequest{applied.new_state, proposed, config, applied.private_data});
  EXPECT_THAT(noop.diagnostics, IsEmpty());
  EXPECT_EQ(noop.planned_state, applied.new_state);
  // A prior never checked with today's rules (no mark: an import, an
  // earlier release) is checked whole: the unchanged file's finding again.
  core::PlanResult unmarked =
      resource_->Plan(core::PlanRequest{applied.new_state, proposed, config, ""});
  ASSERT_EQ(unmarked.diagnostics.size(), 1u);
  EXPECT_THAT(unmarked.diagnostics[0].detail, HasSubstr("platform/traefik/values.yaml"));
  EXPECT_THAT(unmarked.planned_private, HasSubstr(Rules() + ","));

  Value edited = Config(Manifests({{"platform/traefik/values.yaml", "a: 1\na: 2\n"},
                                   {"platform/traefik/ok.yaml", "b: 1\nb: 2\n"}}));
  edited.SetAttr("checks", Value::String("warn"));
  edited.SetAttr("id", applied.new_state.GetAttr("id"));
  core::PlanResult update =
      resource_->Plan(core::PlanRequest{applied.new_state, edited, edited, applied.private_data});
  ASSERT_EQ(update.diagnostics.size(), 1u);
  EXPECT_THAT(update.diagnostics[0].detail, HasSubstr("platform/traefik/ok.yaml"));
}

// A setting the verdict depends on, changed with no file changed, checks
// the whole tree again: a Secret applied with plaintext_secrets = "off"
// fails the next plan once it is "error" (issue 22).
TEST_F(GitopsTreeTest, ChangedPlaintextSecretsSettingChecksTheWholeTreeAgain) {
  Value config = Config(
      Manifests({{"platform/vault/s.yaml",
                  "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {k: v}\n"}}));
  config.SetAttr("plaintext_secrets", Value::String("off"));
  core::PlanResult create = PlanCreate(config);
  ASSERT_THAT(create.diagnostics, IsEmpty());
  core::ApplyResult applied = resource_->Apply(
      core::ApplyRequest{Value::Null(type_), create.planned_state, config, create.planned_private});
  ASSERT_FALSE(core::HasError(applied.diagnostics));

  Value strict = config;
  strict.SetAttr("plaintext_secrets", Value::String("error"));
  strict.SetAttr("id", applied.new_state.GetAttr("id"));
  core::PlanResult plan =
      resource_->Plan(core::PlanRequest{applied.new_state, strict, strict, applied.private_data});
  ASSERT_EQ(plan.diagnostics.size(), 1u);
  EXPECT_TRUE(core::HasError(plan.diagnostics));
  EXPECT_EQ(plan.diagnostics[0].summary, "Secret committed in clear");
  EXPECT_THAT(plan.diagnostics[0].detail, HasSubstr("platform/vault/s.yaml"));
}

TEST_F(GitopsTreeTest, InvalidSeverityNamesItsAttribute) {
  Value config = Config(Manifests({{"platform/vault/a.yaml", "a: 1\n"}}));
  config.SetAttr("plaintext_secrets", Value::String("loud"));
  core::PlanResult plan = PlanCreate(config);
  ASSERT_TRUE(core::HasError(plan.diagnostics));
  EXPECT_EQ(plan.diagnostics[0].summary, "Invalid plaintext_secrets mode");
}

TEST_F(GitopsTreeTest, SymlinkedOwnedDirectoryFailsWithoutWritingOutside) {
  fs::path outside = dir_ / "outside";
  fs::create_directories(outside);
  fs::create_directories(dir_ / "checkout/platform");
  fs::create_directory_symlink(outside, dir_ / "checkout/platform/traefik");
  Value config = Config(Manifests({{"platform/traefik/a.yaml", "a\n"}}));
  core::PlanResult plan = PlanCreate(config);
  ASSERT_TRUE(core::HasError(plan.diagnostics));
  EXPECT_THAT(plan.diagnostics[0].detail, HasSubstr("platform/traefik"));
  // The resource has no symlinks_as_stray attribute: do not point users at it.
  EXPECT_THAT(plan.diagnostics[0].detail, ::testing::Not(HasSubstr("symlinks_as_stray")));
  EXPECT_THAT(plan.diagnostics[0].detail, HasSubstr("remove it"));
  EXPECT_TRUE(fs::is_empty(outside));
}

std::vector<std::string> ErrorPaths(const core::Diagnostics& diags) {
  std::vector<std::string> paths;
  for (const core::Diagnostic& d : diags) {
    if (d.severity == core::Diagnostic::Severity::kError)
      paths.push_back(d.attribute ? d.attribute->ToString() : "");
  }
  return paths;
}

TEST_F(GitopsTreeTest, EmptyKeyIsRefusedAtValidateAndPlanInEitherMap) {
  Value rendered = Config(Manifests({{"", "x"}, {"platform/traefik/a.yaml", "a\n"}}));
  EXPECT_THAT(ErrorPaths(resource_->ValidateConfig(rendered, {})),
              ::testing::ElementsAre("rendered_manifests[\"\"]"));
  core::PlanResult plan = PlanCreate(rendered);
  ASSERT_THAT(ErrorPaths(plan.diagnostics), ::testing::ElementsAre("rendered_manifests[\"\"]"));
  EXPECT_THAT(plan.diagnostics[0].detail, HasSubstr("empty path"));

  Value sensitive = Config(Manifests({{"platform/traefik/a.yaml", "a\n"}}));
  sensitive.SetAttr("sensitive_manifests", Manifests({{"", "secret"}}));
  EXPECT_THAT(ErrorPaths(resource_->ValidateConfig(sensitive, {})),
              ::testing::ElementsAre("sensitive_manifests[\"\"]"));
  EXPECT_THAT(ErrorPaths(PlanCreate(sensitive).diagnostics),
              ::testing::ElementsAre("sensitive_manifests[\"\"]"));
  EXPECT_FALSE(fs::exists(dir_ / "checkout"));
}

TEST_F(GitopsTreeTest, RefusedCodePointsInKeysAreDiagnosticsAtValidate) {
  Value config = Config(Manifests({{"platform/traefik/x\xe2\x80\xaelmy.yaml", "x"},  // U+202E
                                   {"platform/traefik/a\xe2\x80\x8b.yaml", "x"},     // U+200B
                                   {"platform/traefik/a\xc2\x85.yaml", "x"}}));      // U+0085
  core::Diagnostics diags = resource_->ValidateConfig(config, {});
  ASSERT_EQ(ErrorPaths(diags).size(), 3u);
  std::string details;
  for (const core::Diagnostic& d : diags) details += d.detail + "\n";
  EXPECT_THAT(details, HasSubstr("U+202E"));
  EXPECT_THAT(details, HasSubstr("U+200B"));
  EXPECT_THAT(details, HasSubstr("U+0085"));
  // Shown escaped, so the message itself cannot be reordered or hidden.
  EXPECT_THAT(details, HasSubstr("platform/traefik/x\\u202elmy.yaml"));
  EXPECT_THAT(details, ::testing::Not(HasSubstr("\xe2\x80\xae")));
}

TEST_F(GitopsTreeTest, EveryKeyProblemIsReportedEvenWithADuplicateKey) {
  Value config = Config(Manifests({{"platform/traefik/dup.yaml", "a"}, {"../x", "x"}}));
  config.SetAttr("sensitive_manifests",
                 Manifests({{"platform/traefik/dup.yaml", "s"}, {"/abs", "s"}}));
  EXPECT_THAT(ErrorPaths(resource_->ValidateConfig(config, {})),
              ::testing::UnorderedElementsAre("sensitive_manifests[\"platform/traefik/dup.yaml\"]",
                                              "rendered_manifests[\"../x\"]",
                                              "sensitive_manifests[\"/abs\"]"));
  EXPECT_THAT(ErrorPaths(PlanCreate(config).diagnostics),
              ::testing::UnorderedElementsAre("sensitive_manifests[\"platform/traefik/dup.yaml\"]",
                                              "rendered_manifests[\"../x\"]",
                                              "sensitive_manifests[\"/abs\"]"));
}

TEST_F(GitopsTreeTest, CaseCollisionIsReportedOnTheOffendingKeyOnly) {
  Value config =
      Config(Manifests({{"Platform/traefik/x.yaml", "x"}, {"platform/traefik/ok.yaml", "ok"}}));
  core::Diagnostics diags = resource_->ValidateConfig(config, {});
  EXPECT_THAT(ErrorPaths(diags),
              ::testing::ElementsAre("rendered_manifests[\"Platform/traefik/x.yaml\"]"));
}

TEST_F(GitopsTreeTest, DiagnosticsShowValidUtf8AsItself) {
  const std::string key = "platform/traefik\xef\xbc\x8e/x.yaml";  // U+FF0E FULLWIDTH FULL STOP
  core::Diagnostics diags = resource_->ValidateConfig(Config(Manifests({{key, "x"}})), {});
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_THAT(diags[0].detail, HasSubstr("rendered_manifests[\"" + key + "\"]"));
  EXPECT_THAT(diags[0].detail, HasSubstr("\"traefik\xef\xbc\x8e\""));
  EXPECT_THAT(diags[0].detail, ::testing::Not(HasSubstr("\\357")));
  EXPECT_THAT(diags[0].detail, ::testing::Not(HasSubstr("\\xef")));
}

// ---- rendered_manifests_wo (issue 12) ----

// A config with only write-only manifests, as OpenTofu >= 1.11 sends it.
Value WoConfig(const Value& base, Value wo) {
  Value c = base;
  c.SetAttr("rendered_manifests", Value::Null(Type::Map(Type::String())));
  c.SetAttr("rendered_manifests_wo", std::move(wo));
  return c;
}

// Every string a value holds, as JSON text: where a content would show.
std::string JsonOf(const Value& v) {
  absl::StatusOr<std::string> j = cty::EncodeJson(v);
  return j.ok() ? *j : std::string("unencodable");
}

core::ValidateContext WriteOnlyClient() {
  core::ValidateContext c;
  c.client.write_only_attributes_allowed = true;
  return c;
}

constexpr char kSecret[] = "password: hunter2-very-secret\n";

TEST_F(GitopsTreeTest, WriteOnlyManifestsAreRefusedWithoutTheClientCapability) {
  Value config = WoConfig(Config(Manifests({})), Manifests({{"platform/vault/s.yaml", kSecret}}));
  core::Diagnostics old_client = resource_->ValidateConfig(config, {});
  EXPECT_THAT(ErrorPaths(old_client), ::testing::ElementsAre("rendered_manifests_wo"));
  ASSERT_FALSE(old_client.empty());
  EXPECT_THAT(old_client[0].detail, HasSubstr("OpenTofu >= 1.11 or Terraform >= 1.11"));
  EXPECT_THAT(resource_->ValidateConfig(config, WriteOnlyClient()), IsEmpty());
  // An unknown map is refused too: it is still a value that would be stored.
  Value unknown = WoConfig(Config(Manifests({})), Value::Unknown(Type::Map(Type::String())));
  EXPECT_THAT(ErrorPaths(resource_->ValidateConfig(unknown, {})),
              ::testing::ElementsAre("rendered_manifests_wo"));
}

TEST_F(GitopsTreeTest, AtLeastOneManifestMapMustBeGivenAndAKeyLivesInOneMapOnly) {
  Value none = WoConfig(Config(Manifests({})), Value::Null(Type::Map(Type::String())));
  core::Diagnostics diags = resource_->ValidateConfig(none, WriteOnlyClient());
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].summary, "No manifests given");
  Value both = Config(Manifests({{"platform/vault/s.yaml", "a\n"}}));
  both.SetAttr("rendered_manifests_wo", Manifests({{"platform/vault/s.yaml", "b\n"}}));
  EXPECT_THAT(ErrorPaths(resource_->ValidateConfig(both, WriteOnlyClient())),
              ::testing::ElementsAre("rendered_manifests_wo[\"platform/vault/s.yaml\"]"));
}

TEST_F(GitopsTreeTest, WriteOnlyTreeKeepsContentOutOfPlanAndStateAndStillHealsDrift) {
  std::map<std::string, std::string> tree = {{"platform/vault/secret.yaml", kSecret},
                                             {"clusters/dev/k.yaml", "kind: K\napiVersion: v1\n"}};
  Value config = WoConfig(Config(Manifests({})), Manifests(tree));
  core::PlanResult plan = PlanCreate(config);
  ASSERT_THAT(plan.diagnostics, IsEmpty());
  EXPECT_TRUE(plan.planned_state.GetAttr("rendered_manifests_wo").IsNull());
  EXPECT_TRUE(plan.planned_state.GetAttr("rendered_manifests").IsNull());
  EXPECT_EQ(plan.planned_state.GetAttr("files")
                .entries()
                .at("platform/vault/secret.yaml")
                .GetAttr("sha256"),
            Value::String(tree::Sha256Hex(kSecret)));
  EXPECT_THAT(JsonOf(plan.planned_state), Not(HasSubstr("hunter2")));
  EXPECT_THAT(plan.planned_private, Not(HasSubstr("hunter2")));

  core::ApplyResult apply = resource_->Apply(
      core::ApplyRequest{Value::Null(type_), plan.planned_state, config, plan.planned_private});
  ASSERT_THAT(apply.diagnostics, IsEmpty());
  EXPECT_EQ(apply.new_state, plan.planned_state);
  // Compact: "every key of files in neither map", not a second copy of the
  // paths; and the rule set the plan checked the tree with.
  EXPECT_EQ(apply.private_data, Rules() + R"(,"write_only_keys":"files"})");
  fs::path checkout = dir_ / "checkout";
  EXPECT_EQ(ReadFile(checkout / "platform/vault/secret.yaml"), kSecret);
  const Value state = apply.new_state;
  const std::string priv = apply.private_data;

  // No drift: Read returns the state unchanged, the private kept.
  core::ReadResult clean = resource_->Read(core::ReadRequest{state, priv});
  ASSERT_THAT(clean.diagnostics, IsEmpty());
  EXPECT_EQ(clean.new_state, state);
  EXPECT_EQ(clean.private_data, priv);
  // The no-op plan: the planned state is the state (OpenTofu shows no change).
  core::PlanResult noop = resource_->Plan(core::PlanRequest{state, config, config, priv});
  ASSERT_THAT(noop.diagnostics, IsEmpty());
  EXPECT_EQ(noop.planned_state, state);
  // The private passes on, plus the prior's id for a create plan that
  // replaces it (stripped by every apply).
  EXPECT_EQ(noop.planned_private, Rules() + R"(,"replaces":"dev:)" + (dir_ / "checkout").string() +
                                      R"(","write_only_keys":"files"})");

  // Edit, delete, stray, chmod: seen as `files` changes, no content anywhere.
  WriteFile(checkout / "platform/vault/secret.yaml", "password: changed-by-hand\n");
  chmod((checkout / "platform/vault/secret.yaml").c_str(), 0600);
  fs::remove(checkout / "clusters/dev/k.yaml");
  WriteFile(checkout / "platform/vault/stray.yaml", "stray-content\n");
  core::ReadResult drift = resource_->Read(core::ReadRequest{state, priv});
  // The drift summary names each file and how, never its content.
  ASSERT_EQ(drift.diagnostics.size(), 1u);
  EXPECT_EQ(drift.diagnostics[0].summary, "Drift in the checkout");
  EXPECT_EQ(drift.diagnostics[0].attribute->ToString(), "rendered_manifests_wo");
  const std::string& summary = drift.diagnostics[0].detail;
  EXPECT_THAT(summary, HasSubstr("platform/vault/secret.yaml: edited"));
  EXPECT_THAT(summary, HasSubstr("mode 0644 -> 0600"));
  EXPECT_THAT(summary, HasSubstr("clusters/dev/k.yaml: deleted"));
  EXPECT_THAT(summary, HasSubstr("platform/vault/stray.yaml: stray"));
  EXPECT_THAT(summary, Not(HasSubstr("changed-by-hand")));
  EXPECT_THAT(summary, Not(HasSubstr("stray-content")));
  // The key set of files changed: the private now lists the keys it stood
  // for, or the stray would count as owned and the deleted file as not.
  EXPECT_THAT(drift.private_data, HasSubstr("clusters/dev/k.yaml"));
  EXPECT_THAT(drift.private_data, HasSubstr("platform/vault/secret.yaml"));
  EXPECT_THAT(drift.private_data, Not(HasSubstr("stray")));
  EXPECT_TRUE(drift.new_state.GetAttr("rendered_manifests").IsNull());
  EXPECT_TRUE(drift.new_state.GetAttr("rendered_manifests_wo").IsNull());
  std::string json = JsonOf(drift.new_state);
  EXPECT_THAT(json, Not(HasSubstr("changed-by-hand")));
  EXPECT_THAT(json, Not(HasSubstr("stray-content")));
  const auto& files = drift.new_state.GetAttr("files").entries();
  EXPECT_EQ(files.at("platform/vault/secret.yaml").GetAttr("sha256"),
            Value::String(tree::Sha256Hex("password: changed-by-hand\n")));
  EXPECT_EQ(files.at("platform/vault/secret.yaml").GetAttr("mode"), Value::String("0600"));
  EXPECT_EQ(files.count("clusters/dev/k.yaml"), 0u);
  EXPECT_EQ(files.at("platform/vault/stray.yaml").GetAttr("sha256"),
            Value::String(tree::Sha256Hex("stray-content\n")));

  core::PlanResult heal =
      resource_->Plan(core::PlanRequest{drift.new_state, config, config, drift.private_data});
  ASSERT_THAT(heal.diagnostics, IsEmpty());
  EXPECT_EQ(heal.planned_state, state);
  core::ApplyResult healed = resource_->Apply(
      core::ApplyRequest{drift.new_state, heal.planned_state, config, heal.planned_private});
  ASSERT_THAT(healed.diagnostics, IsEmpty());
  EXPECT_EQ(healed.private_data, priv);
  EXPECT_EQ(ReadFile(checkout / "platform/vault/secret.yaml"), kSecret);
  EXPECT_EQ(wildside::testing::PermissionBits(checkout / "platform/vault/secret.yaml"), 0644u);
  EXPECT_TRUE(fs::exists(checkout / "clusters/dev/k.yaml"));
  EXPECT_FALSE(fs::exists(checkout / "platform/vault/stray.yaml"));
  EXPECT_EQ(resource_->Read(core::ReadRequest{healed.new_state, priv}).new_state, state);

  // Without its private data (a hand-edited state), a state with neither
  // plain map still takes no content in.
  core::ReadResult lost = resource_->Read(core::ReadRequest{state, ""});
  ASSERT_THAT(lost.diagnostics, IsEmpty());
  EXPECT_THAT(JsonOf(lost.new_state), Not(HasSubstr("hunter2")));

  // Destroy (OpenTofu passes the state's private), in a later command,
  // removes the write-only files.
  NewProcess();
  core::ApplyResult destroy =
      resource_->Apply(core::ApplyRequest{state, Value::Null(type_), Value::Null(type_), priv});
  ASSERT_THAT(destroy.diagnostics, IsEmpty());
  EXPECT_FALSE(fs::exists(checkout / "platform"));
  EXPECT_FALSE(fs::exists(checkout / "clusters/dev/k.yaml"));
}

TEST_F(GitopsTreeTest, ChangingOneWriteOnlyValuePlansThatFileOnly) {
  Value config =
      WoConfig(Config(Manifests({})),
               Manifests({{"platform/vault/a.yaml", "a\n"}, {"platform/vault/b.yaml", "b\n"}}));
  core::PlanResult create = PlanCreate(config);
  core::ApplyResult applied = resource_->Apply(
      core::ApplyRequest{Value::Null(type_), create.planned_state, config, create.planned_private});
  ASSERT_THAT(applied.diagnostics, IsEmpty());
  Value edited =
      WoConfig(Config(Manifests({})),
               Manifests({{"platform/vault/a.yaml", "a2\n"}, {"platform/vault/b.yaml", "b\n"}}));
  core::PlanResult plan =
      resource_->Plan(core::PlanRequest{applied.new_state, edited, edited, applied.private_data});
  ASSERT_THAT(plan.diagnostics, IsEmpty());
  const auto& before = applied.new_state.GetAttr("files").entries();
  const auto& after = plan.planned_state.GetAttr("files").entries();
  EXPECT_NE(after.at("platform/vault/a.yaml"), before.at("platform/vault/a.yaml"));
  EXPECT_EQ(after.at("platform/vault/b.yaml"), before.at("platform/vault/b.yaml"));
}

TEST_F(GitopsTreeTest, ApplyRefusesWriteOnlyContentThatChangedSincePlanAndWritesNothing) {
  Value planned_config = WoConfig(
      Config(Manifests({})),
      Manifests({{"platform/vault/a.yaml", "reviewed\n"}, {"platform/vault/b.yaml", "b\n"}}));
  core::PlanResult plan = PlanCreate(planned_config);
  ASSERT_THAT(plan.diagnostics, IsEmpty());
  Value apply_config = WoConfig(
      Config(Manifests({})),
      Manifests({{"platform/vault/a.yaml", "never reviewed\n"}, {"platform/vault/b.yaml", "b\n"}}));
  core::ApplyResult apply = resource_->Apply(core::ApplyRequest{
      Value::Null(type_), plan.planned_state, apply_config, plan.planned_private});
  EXPECT_THAT(ErrorPaths(apply.diagnostics),
              ::testing::ElementsAre("rendered_manifests_wo[\"platform/vault/a.yaml\"]"));
  EXPECT_TRUE(apply.new_state.IsNull());
  EXPECT_FALSE(fs::exists(dir_ / "checkout/platform"));
}

TEST_F(GitopsTreeTest, WriteOnlyKeyDroppedFromTheConfigIsDeletedEvenWithoutPrune) {
  Value config =
      WoConfig(Config(Manifests({})),
               Manifests({{"platform/vault/a.yaml", "a\n"}, {"platform/vault/b.yaml", "b\n"}}));
  config.SetAttr("prune", Value::Bool(false));
  core::PlanResult create = PlanCreate(config);
  core::ApplyResult applied = resource_->Apply(
      core::ApplyRequest{Value::Null(type_), create.planned_state, config, create.planned_private});
  ASSERT_THAT(applied.diagnostics, IsEmpty());
  Value fewer = WoConfig(Config(Manifests({})), Manifests({{"platform/vault/a.yaml", "a\n"}}));
  fewer.SetAttr("prune", Value::Bool(false));
  core::PlanResult plan =
      resource_->Plan(core::PlanRequest{applied.new_state, fewer, fewer, applied.private_data});
  ASSERT_THAT(plan.diagnostics, IsEmpty());
  core::ApplyResult apply = resource_->Apply(
      core::ApplyRequest{applied.new_state, plan.planned_state, fewer, plan.planned_private});
  ASSERT_THAT(apply.diagnostics, IsEmpty());
  EXPECT_FALSE(fs::exists(dir_ / "checkout/platform/vault/b.yaml"));
  EXPECT_TRUE(fs::exists(dir_ / "checkout/platform/vault/a.yaml"));
  EXPECT_THAT(apply.private_data, Not(HasSubstr("b.yaml")));
}

TEST_F(GitopsTreeTest, ReplacementCarriesTheOldWriteOnlyKeysToTheDestroyHalf) {
  Value config = WoConfig(Config(Manifests({})), Manifests({{"platform/vault/a.yaml", "a\n"}}));
  core::PlanResult create = PlanCreate(config);
  core::ApplyResult applied = resource_->Apply(
      core::ApplyRequest{Value::Null(type_), create.planned_state, config, create.planned_private});
  ASSERT_THAT(applied.diagnostics, IsEmpty());
  NewProcess();  // a later command
  // The path changes: OpenTofu plans the create half with the first plan's
  // private (the state's), and hands the create plan's private to destroy.
  Value moved = config;
  moved.SetAttr("path", Value::String((dir_ / "other").string()));
  core::PlanResult replace =
      resource_->Plan(core::PlanRequest{Value::Null(type_), moved, moved, applied.private_data});
  ASSERT_THAT(replace.diagnostics, IsEmpty());
  core::ApplyResult destroy = resource_->Apply(core::ApplyRequest{
      applied.new_state, Value::Null(type_), Value::Null(type_), replace.planned_private});
  ASSERT_THAT(destroy.diagnostics, IsEmpty());
  EXPECT_FALSE(fs::exists(dir_ / "checkout/platform/vault/a.yaml"));
}

TEST_F(GitopsTreeTest, WriteOnlyAttributeIsDeclaredWriteOnlyAndTheOtherMapsOptional) {
  const schema::Schema& s = resource_->GetSchema();
  EXPECT_EQ(s.version, 6);  // 6: the sops_* settings (issue 22)
  for (const schema::Attribute& a : s.block.attributes) {
    if (a.name == "rendered_manifests_wo") {
      EXPECT_TRUE(a.write_only);
      EXPECT_TRUE(a.optional);
      EXPECT_FALSE(a.computed);
    } else {
      EXPECT_FALSE(a.write_only) << a.name;
    }
    if (a.name == "rendered_manifests") {
      EXPECT_TRUE(a.optional && !a.required);
    }
  }
}

TEST_F(GitopsTreeTest, WriteOnlyImportHoldsHashesOnlyAndPlansEmptyWhenTheDiskMatches) {
  Value config = WoConfig(Config(Manifests({})),
                          Manifests({{"platform/vault/s.yaml", kSecret},
                                     {"clusters/dev/k.yaml", "kind: K\napiVersion: v1\n"}}));
  Value applied = CreateTree(config);
  const std::string id = applied.GetAttr("id").AsString();

  core::ImportResult imp = resource_->Import("write-only/" + id);
  ASSERT_THAT(imp.diagnostics, IsEmpty());
  EXPECT_EQ(imp.state.GetAttr("id"), Value::String(id));
  EXPECT_TRUE(imp.state.GetAttr("rendered_manifests").IsNull());
  core::ReadResult read = resource_->Read(core::ReadRequest{imp.state, imp.private_data});
  ASSERT_THAT(read.diagnostics, IsEmpty());
  EXPECT_THAT(JsonOf(read.new_state), Not(HasSubstr("hunter2")));
  EXPECT_TRUE(read.new_state.GetAttr("rendered_manifests").IsNull());
  EXPECT_EQ(read.new_state.GetAttr("files"), applied.GetAttr("files"));

  core::PlanResult plan =
      resource_->Plan(core::PlanRequest{read.new_state, config, config, read.private_data});
  ASSERT_THAT(plan.diagnostics, IsEmpty());
  EXPECT_EQ(plan.planned_state, read.new_state);  // OpenTofu shows no change

  // The imported state owns what it found: destroy removes it.
  core::ApplyResult destroy = resource_->Apply(core::ApplyRequest{
      read.new_state, Value::Null(type_), Value::Null(type_), read.private_data});
  ASSERT_THAT(destroy.diagnostics, IsEmpty());
  EXPECT_FALSE(fs::exists(dir_ / "checkout/platform"));
  EXPECT_FALSE(fs::exists(dir_ / "checkout/clusters/dev/k.yaml"));

  // The plain form still imports contents.
  core::ImportResult plain = resource_->Import(id);
  EXPECT_FALSE(plain.state.GetAttr("rendered_manifests").IsNull());
  EXPECT_EQ(plain.private_data, "");
}

TEST_F(GitopsTreeTest, MixedMapsKeepOnlyThePlainContentsInState) {
  Value config = Config(Manifests({{"platform/traefik/a.yaml", "a: 1\n"}}));
  config.SetAttr("sensitive_manifests", Manifests({{"platform/vault/s.yaml", "s: 1\n"}}));
  config.SetAttr("rendered_manifests_wo", Manifests({{"platform/vault/wo.yaml", kSecret}}));
  core::PlanResult plan = PlanCreate(config);
  ASSERT_THAT(plan.diagnostics, IsEmpty());
  EXPECT_EQ(plan.planned_state.GetAttr("files").entries().size(), 3u);
  core::ApplyResult apply = resource_->Apply(
      core::ApplyRequest{Value::Null(type_), plan.planned_state, config, plan.planned_private});
  ASSERT_THAT(apply.diagnostics, IsEmpty());
  EXPECT_EQ(ReadFile(dir_ / "checkout/platform/vault/wo.yaml"), kSecret);
  EXPECT_THAT(JsonOf(apply.new_state), Not(HasSubstr("hunter2")));
  EXPECT_EQ(resource_->Read(core::ReadRequest{apply.new_state, apply.private_data}).new_state,
            apply.new_state);

  WriteFile(dir_ / "checkout/platform/traefik/a.yaml", "a: 2\n");
  WriteFile(dir_ / "checkout/platform/traefik/stray.yaml", "stray-content\n");
  core::ReadResult drift = resource_->Read(core::ReadRequest{apply.new_state, apply.private_data});
  const auto& rendered = drift.new_state.GetAttr("rendered_manifests").entries();
  EXPECT_EQ(rendered.at("platform/traefik/a.yaml"),
            Value::String("a: 2\n"));                            // a plain key's diff still shows
  EXPECT_EQ(rendered.count("platform/traefik/stray.yaml"), 0u);  // a stray's content does not
  EXPECT_EQ(drift.new_state.GetAttr("files").entries().count("platform/traefik/stray.yaml"), 1u);

  // Moving a key between maps rewrites nothing and keeps it owned.
  Value moved = Config(
      Manifests({{"platform/traefik/a.yaml", "a: 1\n"}, {"platform/vault/wo.yaml", kSecret}}));
  moved.SetAttr("sensitive_manifests", Manifests({{"platform/vault/s.yaml", "s: 1\n"}}));
  moved.SetAttr("prune", Value::Bool(false));
  core::PlanResult move =
      resource_->Plan(core::PlanRequest{drift.new_state, moved, moved, drift.private_data});
  ASSERT_THAT(move.diagnostics, IsEmpty());
  core::ApplyResult after = resource_->Apply(
      core::ApplyRequest{drift.new_state, move.planned_state, moved, move.planned_private});
  ASSERT_THAT(after.diagnostics, IsEmpty());
  EXPECT_EQ(ReadFile(dir_ / "checkout/platform/vault/wo.yaml"), kSecret);
  EXPECT_EQ(after.private_data, Rules() + "}");
}

TEST_F(GitopsTreeTest, WriteOnlyFileNowExcludedIsNamedAsStayingOnDisk) {
  Value config = WoConfig(
      Config(Manifests({})),
      Manifests({{"platform/vault/a.yaml", "a: 1\n"}, {"platform/traefik/b.yaml", "b: 1\n"}}));
  core::PlanResult create = PlanCreate(config);
  core::ApplyResult applied = resource_->Apply(
      core::ApplyRequest{Value::Null(type_), create.planned_state, config, create.planned_private});
  ASSERT_THAT(applied.diagnostics, IsEmpty());
  Value excluding =
      WoConfig(Config(Manifests({})), Manifests({{"platform/traefik/b.yaml", "b: 1\n"}}));
  excluding.SetAttr("exclude", Value::List(Type::String(), {Value::String("platform/vault/**")}));
  core::PlanResult plan = resource_->Plan(
      core::PlanRequest{applied.new_state, excluding, excluding, applied.private_data});
  ASSERT_EQ(plan.diagnostics.size(), 1u);
  EXPECT_EQ(plan.diagnostics[0].summary, "Excluded files stay on disk");
  EXPECT_THAT(plan.diagnostics[0].detail, HasSubstr("platform/vault/a.yaml"));
}

TEST_F(GitopsTreeTest, ClustersSymlinkFailsTheUpdatePlanNotOnlyTheApply) {
  Value config = Config(Manifests(
      {{"clusters/dev/k.yaml", "kind: K\napiVersion: v1\n"}, {"platform/traefik/a.yaml", "a\n"}}));
  Value state = CreateTree(config);
  fs::rename(dir_ / "checkout/clusters", dir_ / "elsewhere");
  fs::create_directory_symlink(dir_ / "elsewhere", dir_ / "checkout/clusters");
  core::ReadResult read = resource_->Read(core::ReadRequest{state, ""});
  // Not followed: what lies behind the link reads as gone.
  ASSERT_EQ(read.diagnostics.size(), 1u);
  EXPECT_THAT(read.diagnostics[0].detail, HasSubstr("clusters/dev/k.yaml: deleted"));
  Value proposed = config;
  proposed.SetAttr("id", state.GetAttr("id"));
  core::PlanResult plan = resource_->Plan(core::PlanRequest{read.new_state, proposed, config, ""});
  ASSERT_THAT(ErrorPaths(plan.diagnostics), ::testing::ElementsAre("path"));
  EXPECT_THAT(plan.diagnostics[0].detail,
              HasSubstr("clusters: a symlink is where the directory clusters/ must be"));
  // And apply does refuse it, touching nothing behind the link.
  core::ApplyResult apply =
      resource_->Apply(core::ApplyRequest{read.new_state, proposed, config, ""});
  EXPECT_TRUE(core::HasError(apply.diagnostics));
  EXPECT_EQ(ReadFile(dir_ / "elsewhere/dev/k.yaml"), "kind: K\napiVersion: v1\n");
}

TEST_F(GitopsTreeTest, NfdStrayIsAStrayUnderItsOwnNameAndTheManagedFileIsUnaffected) {
  const std::string nfc = "platform/traefik/caf\xc3\xa9.yaml";
  const std::string nfd = "platform/traefik/cafe\xcc\x81.yaml";
  Value config = Config(Manifests({{nfc, "managed\n"}}));
  Value state = CreateTree(config);
  WriteFile(dir_ / "checkout" / nfd, "stray\n");
  core::ReadResult read = resource_->Read(core::ReadRequest{state, ""});
  ASSERT_EQ(read.diagnostics.size(), 1u);
  EXPECT_THAT(read.diagnostics[0].detail,
              HasSubstr("platform/traefik/cafe\\u0301.yaml: stray (6 bytes)"));
  const auto& rendered = read.new_state.GetAttr("rendered_manifests").entries();
  const auto& files = read.new_state.GetAttr("files").entries();
  // OpenTofu folds map keys to NFC: a raw NFD key would merge with the
  // managed one. The stray keeps its own (escaped) on-disk name instead.
  EXPECT_EQ(rendered.count(nfd), 0u);
  EXPECT_EQ(files.count(nfd), 0u);
  EXPECT_EQ(rendered.at(nfc), Value::String("managed\n"));
  EXPECT_EQ(files.at(nfc), state.GetAttr("files").entries().at(nfc));
  const std::string shown = "platform/traefik/cafe\\u0301.yaml";
  EXPECT_EQ(rendered.at(shown), Value::String("stray\n"));
  EXPECT_EQ(files.at(shown).GetAttr("sha256").AsString(), tree::Sha256Hex("stray\n"));

  // Apply prunes the stray by its real name and leaves the managed file.
  Value proposed = config;
  proposed.SetAttr("id", state.GetAttr("id"));
  core::PlanResult plan = resource_->Plan(core::PlanRequest{read.new_state, proposed, config, ""});
  ASSERT_THAT(plan.diagnostics, IsEmpty());
  core::ApplyResult apply =
      resource_->Apply(core::ApplyRequest{read.new_state, plan.planned_state, config, ""});
  ASSERT_THAT(apply.diagnostics, IsEmpty());
  EXPECT_FALSE(fs::exists(dir_ / "checkout" / nfd));
  EXPECT_EQ(ReadFile(dir_ / "checkout" / nfc), "managed\n");
  EXPECT_EQ(resource_->Read(core::ReadRequest{apply.new_state, ""}).new_state, state);
}

TEST_F(GitopsTreeTest, StraysAndFilesTooLargeToShowStillCarryTheirHash) {
  Value state = CreateTree(Config(Manifests({{"platform/traefik/a.yaml", "a\n"}})));
  std::string big((1u << 20) + 1, 'x');
  WriteFile(dir_ / "checkout/platform/traefik/big.yaml", big);
  core::ReadResult read = resource_->Read(core::ReadRequest{state, ""});
  ASSERT_EQ(read.diagnostics.size(), 1u);
  EXPECT_THAT(read.diagnostics[0].detail,
              HasSubstr("platform/traefik/big.yaml: stray (1048577 bytes)"));
  const std::string sha = tree::Sha256Hex(big);
  EXPECT_EQ(read.new_state.GetAttr("files")
                .entries()
                .at("platform/traefik/big.yaml")
                .GetAttr("sha256")
                .AsString(),
            sha);
  EXPECT_THAT(
      read.new_state.GetAttr("rendered_manifests")
          .entries()
          .at("platform/traefik/big.yaml")
          .AsString(),
      HasSubstr("too large to show, " + std::to_string(big.size()) + " bytes, sha256 " + sha));
}

// Several clusters on one checkout (docs/adr/0009-ownership-inventory.md).
TEST_F(GitopsTreeTest, KeyAnotherClusterClaimsIsAnErrorOnThatKeyAtPlanAndAgainUnderTheLockAtApply) {
  const std::string key = "platform/traefik/a.yaml";
  Value dev = Config(Manifests({{key, "a\n"}}), "dev");
  Value prod = Config(Manifests({{key, "a\n"},
                                 {"clusters/prod/k.yaml",
                                  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: k\n"}}),
                      "prod");
  // Two instances in one state: both planned before either writes.
  core::PlanResult dev_plan = PlanCreate(dev);
  core::PlanResult prod_plan = PlanCreate(prod);
  ASSERT_THAT(dev_plan.diagnostics, IsEmpty());
  ASSERT_THAT(prod_plan.diagnostics, IsEmpty());
  ASSERT_THAT(
      resource_->Apply(core::ApplyRequest{Value::Null(type_), dev_plan.planned_state, dev, ""})
          .diagnostics,
      IsEmpty());
  core::ApplyResult apply =
      resource_->Apply(core::ApplyRequest{Value::Null(type_), prod_plan.planned_state, prod, ""});
  ASSERT_EQ(apply.diagnostics.size(), 1u);
  EXPECT_EQ(apply.diagnostics[0].attribute->ToString(), "rendered_manifests[\"" + key + "\"]");
  EXPECT_THAT(apply.diagnostics[0].detail, HasSubstr("cluster \"dev\""));
  EXPECT_THAT(apply.diagnostics[0].detail, HasSubstr("Nothing was written."));
  EXPECT_TRUE(apply.new_state.IsNull());
  EXPECT_FALSE(fs::exists(dir_ / "checkout/clusters/prod"))
      << "nothing written, not even prod's inventory";
  // The next plan says so, on the key.
  core::PlanResult again = PlanCreate(prod);
  ASSERT_EQ(again.diagnostics.size(), 1u);
  EXPECT_EQ(again.diagnostics[0].severity, core::Diagnostic::Severity::kError);
  EXPECT_EQ(again.diagnostics[0].attribute->ToString(), "rendered_manifests[\"" + key + "\"]");
  EXPECT_THAT(again.diagnostics[0].detail, HasSubstr("managed by cluster \"dev\""));
}

TEST_F(GitopsTreeTest, ForeignFilesAreNeitherStraysNorCountedWhenCreating) {
  Value dev_state = CreateTree(Config(Manifests({{"platform/traefik/dev.yaml", "dev\n"}}), "dev"));
  Value prod = Config(Manifests({{"platform/traefik/prod.yaml", "prod\n"}}), "prod");
  core::PlanResult plan = PlanCreate(prod);
  EXPECT_THAT(plan.diagnostics, IsEmpty()) << "dev's file is neither overwritten nor pruned";
  Value prod_state = CreateTree(prod);
  core::ReadResult read = resource_->Read(core::ReadRequest{prod_state, ""});
  ASSERT_THAT(read.diagnostics, IsEmpty());
  EXPECT_EQ(read.new_state, prod_state) << "dev's file is not shown as a stray";
  EXPECT_EQ(ReadFile(dir_ / "checkout/platform/traefik/dev.yaml"), "dev\n");
  EXPECT_EQ(resource_->Read(core::ReadRequest{dev_state, ""}).new_state, dev_state);
}

TEST_F(GitopsTreeTest, CreateThatWouldPruneFilesOfItsOwnClustersInventorySaysSo) {
  CreateTree(
      Config(Manifests({{"platform/traefik/a.yaml", "a\n"}, {"platform/traefik/b.yaml", "b\n"}})));
  // A second resource for the same cluster (or a configuration changed
  // since the state was lost), adopting: the warning names what it prunes.
  Value adopting = Config(Manifests({{"platform/traefik/a.yaml", "a\n"}}));
  adopting.SetAttr("adopt", Value::Bool(true));
  core::PlanResult plan = PlanCreate(adopting);
  ASSERT_EQ(plan.diagnostics.size(), 2u);
  EXPECT_EQ(plan.diagnostics[0].summary, "Existing files will be replaced");
  EXPECT_THAT(plan.diagnostics[0].detail, HasSubstr("Pruned (1): platform/traefik/b.yaml."));
  EXPECT_THAT(plan.diagnostics[0].detail,
              HasSubstr("1 of these files is listed in the ownership inventory of cluster \"dev\" "
                        "(clusters/dev/.wildside-inventory): platform/traefik/b.yaml."));
  EXPECT_THAT(plan.diagnostics[0].detail, HasSubstr("one resource per cluster per checkout"));
  EXPECT_EQ(plan.diagnostics[1].summary, "Files already in place");
  EXPECT_THAT(plan.diagnostics[1].detail,
              HasSubstr("1 file in \"" + (dir_ / "checkout").string() +
                        "\" already holds this content and will not be written (the plan shows "
                        "every file as added): platform/traefik/a.yaml."));
}

// A lost state with the same configuration: the plan shows every file as
// added, and says that none of them will be written.
TEST_F(GitopsTreeTest, CreateOverFilesThatAlreadyMatchSaysTheyWillNotBeWritten) {
  Value config = Config(Manifests({{"platform/traefik/a.yaml", "a\n"},
                                   {"platform/traefik/b.yaml", "b\n"},
                                   {"clusters/dev/k.yaml", "apiVersion: v1\nkind: K\n"}}));
  CreateTree(config);
  // Directories made under umask 002: their mode is set, but no file is
  // overwritten.
  chmod((dir_ / "checkout/platform/traefik").c_str(), 0775);
  core::PlanResult plan = PlanCreate(config);
  ASSERT_EQ(plan.diagnostics.size(), 1u);
  EXPECT_EQ(plan.diagnostics[0].severity, core::Diagnostic::Severity::kWarning);
  EXPECT_EQ(plan.diagnostics[0].attribute->ToString(), "path");
  EXPECT_EQ(plan.diagnostics[0].summary, "Files already in place");
  EXPECT_EQ(plan.diagnostics[0].detail,
            "3 files in \"" + (dir_ / "checkout").string() +
                "\" already hold this content and will not be written (the plan shows every "
                "file as added): clusters/dev/k.yaml, platform/traefik/a.yaml, "
                "platform/traefik/b.yaml.");
}

TEST_F(GitopsTreeTest, CreateOverManyMatchingFilesNamesTheFirstAndCountsTheRest) {
  std::map<std::string, std::string> files;
  for (int i = 0; i < 23; ++i) files["platform/redis/s" + std::to_string(100 + i) + ".yaml"] = "x";
  for (const auto& [key, content] : files) WriteFile(dir_ / "checkout" / key, content);
  files["platform/traefik/new.yaml"] = "n";
  core::PlanResult plan = PlanCreate(Config(Manifests(files)));
  ASSERT_EQ(plan.diagnostics.size(), 1u);
  EXPECT_THAT(plan.diagnostics[0].detail, HasSubstr("23 files in \""));
  EXPECT_THAT(plan.diagnostics[0].detail, HasSubstr(": platform/redis/s100.yaml, "));
  EXPECT_THAT(plan.diagnostics[0].detail, HasSubstr("platform/redis/s119.yaml and 3 more."));
  EXPECT_THAT(plan.diagnostics[0].detail, Not(HasSubstr("new.yaml")));
}

// A configuration changed since the state was lost: the files its own
// inventory lists are counted and named whether they are overwritten or
// pruned; a stray no inventory lists is not among them.
TEST_F(GitopsTreeTest, CreateCountsAndNamesEveryListedFileItsInventoryClaims) {
  CreateTree(Config(Manifests({{"platform/traefik/a.yaml", "a\n"},
                               {"platform/traefik/b.yaml", "b\n"},
                               {"platform/traefik/c.yaml", "c\n"}})));
  WriteFile(dir_ / "checkout/platform/traefik/stray.yaml", "s\n");
  Value adopting =
      Config(Manifests({{"platform/traefik/a.yaml", "a2\n"}, {"platform/traefik/b.yaml", "b2\n"}}));
  adopting.SetAttr("adopt", Value::Bool(true));  // else the takeover is refused
  core::PlanResult plan = PlanCreate(adopting);
  ASSERT_EQ(plan.diagnostics.size(), 1u);
  const std::string& detail = plan.diagnostics[0].detail;
  EXPECT_THAT(detail,
              HasSubstr("Overwritten (2): platform/traefik/a.yaml, platform/traefik/b.yaml."));
  EXPECT_THAT(detail,
              HasSubstr("Pruned (2): platform/traefik/c.yaml, platform/traefik/stray.yaml."));
  EXPECT_THAT(detail, HasSubstr("3 of these files are listed in the ownership inventory of cluster "
                                "\"dev\" (clusters/dev/.wildside-inventory): "
                                "platform/traefik/a.yaml, platform/traefik/b.yaml, "
                                "platform/traefik/c.yaml."));
}

// Issue 19: a create (no state) that would prune or overwrite a file its
// own cluster's inventory lists fails the plan, unless it adopts the
// checkout or is the create half of a -replace; the same configuration
// with its state lost is quiet.
TEST_F(GitopsTreeTest, CreateTakingOverFilesOfItsOwnClustersInventoryFailsThePlan) {
  Value first =
      Config(Manifests({{"platform/traefik/a.yaml", "a\n"}, {"platform/traefik/b.yaml", "b\n"}}));
  Value state = CreateTree(first);
  Value second = Config(Manifests({{"platform/traefik/a.yaml", "changed\n"}}));
  core::PlanResult plan = PlanCreate(second);
  ASSERT_TRUE(core::HasError(plan.diagnostics));
  const core::Diagnostic& refusal = plan.diagnostics[0];
  EXPECT_EQ(refusal.summary, "Files of this cluster would be taken over");
  EXPECT_THAT(refusal.detail, HasSubstr("clusters/dev/.wildside-inventory"));
  EXPECT_THAT(refusal.detail,
              HasSubstr("2 files that the ownership inventory of cluster \"dev\" ("));
  EXPECT_THAT(refusal.detail,
              HasSubstr("lists: platform/traefik/a.yaml, platform/traefik/b.yaml."));
  for (const char* way :
       {"moved {}", "tofu import", "write-only/dev:", "tofu untaint", "adopt = true"})
    EXPECT_THAT(refusal.detail, HasSubstr(way));
  // adopt = true takes it over.
  Value adopting = second;
  adopting.SetAttr("adopt", Value::Bool(true));
  EXPECT_FALSE(core::HasError(PlanCreate(adopting).diagnostics));
  // The create half of a -replace carries the update plan's "replaces".
  Value proposed = first;
  proposed.SetAttr("id", state.GetAttr("id"));
  core::PlanResult update = resource_->Plan(core::PlanRequest{state, proposed, first, ""});
  ASSERT_THAT(update.diagnostics, IsEmpty());
  core::PlanResult replace = resource_->Plan(
      core::PlanRequest{Value::Null(type_), second, second, update.planned_private});
  EXPECT_FALSE(core::HasError(replace.diagnostics));
  // ... only for the same checkout: another cluster's update plan does not.
  core::PlanResult other = resource_->Plan(
      core::PlanRequest{Value::Null(type_), second, second, R"({"replaces":"prod:/elsewhere"})"});
  EXPECT_TRUE(core::HasError(other.diagnostics));
  // The apply of an update strips the marker.
  core::ApplyResult applied = resource_->Apply(
      core::ApplyRequest{state, update.planned_state, first, update.planned_private});
  ASSERT_THAT(applied.diagnostics, IsEmpty());
  EXPECT_EQ(applied.private_data, Rules() + "}");
  // The same configuration with its state lost: no refusal, only the note
  // that every file is already in place and will not be written.
  core::PlanResult lost = PlanCreate(first);
  ASSERT_EQ(lost.diagnostics.size(), 1u);
  EXPECT_EQ(lost.diagnostics[0].severity, core::Diagnostic::Severity::kWarning);
  EXPECT_EQ(lost.diagnostics[0].summary, "Files already in place");
}

// Two resources with one cluster in one configuration are both planned
// before either writes; the second apply sees the first one's inventory
// under the lock and refuses, writing nothing.
TEST_F(GitopsTreeTest, SecondCreateOfTheSameClusterIsRefusedAtApply) {
  Value t = Config(Manifests({{"platform/traefik/a.yaml", "a\n"}}));
  Value u = Config(Manifests({{"platform/traefik/b.yaml", "b\n"}}));
  core::PlanResult plan_t = PlanCreate(t);
  core::PlanResult plan_u = PlanCreate(u);
  ASSERT_THAT(plan_t.diagnostics, IsEmpty());
  ASSERT_THAT(plan_u.diagnostics, IsEmpty());
  ASSERT_THAT(resource_
                  ->Apply(core::ApplyRequest{Value::Null(type_), plan_t.planned_state, t,
                                             plan_t.planned_private})
                  .diagnostics,
              IsEmpty());
  const std::string inventory = ReadFile(dir_ / "checkout/clusters/dev/.wildside-inventory");
  core::ApplyResult second = resource_->Apply(
      core::ApplyRequest{Value::Null(type_), plan_u.planned_state, u, plan_u.planned_private});
  ASSERT_TRUE(core::HasError(second.diagnostics));
  EXPECT_EQ(second.diagnostics[0].summary, "Files of this cluster would be taken over");
  EXPECT_THAT(second.diagnostics[0].detail, HasSubstr("platform/traefik/a.yaml"));
  EXPECT_THAT(second.diagnostics[0].detail, HasSubstr("Nothing was written."));
  EXPECT_TRUE(second.new_state.IsNull());
  EXPECT_EQ(ReadFile(dir_ / "checkout/platform/traefik/a.yaml"), "a\n");
  EXPECT_FALSE(fs::exists(dir_ / "checkout/platform/traefik/b.yaml"));
  EXPECT_EQ(ReadFile(dir_ / "checkout/clusters/dev/.wildside-inventory"), inventory);
}

TEST_F(GitopsTreeTest, CreateOverALongListOfFilesNamesTheFirstAndCountsTheRest) {
  for (int i = 0; i < 25; ++i)
    WriteFile(dir_ / ("checkout/platform/redis/s" + std::to_string(100 + i) + ".yaml"), "x");
  core::PlanResult plan = PlanCreate(Config(Manifests({{"platform/traefik/a.yaml", "a\n"}})));
  ASSERT_EQ(plan.diagnostics.size(), 1u);
  EXPECT_THAT(plan.diagnostics[0].detail, HasSubstr("Pruned (25): platform/redis/s100.yaml, "));
  EXPECT_THAT(plan.diagnostics[0].detail, HasSubstr("platform/redis/s119.yaml and 5 more."));
  EXPECT_THAT(plan.diagnostics[0].detail, ::testing::Not(HasSubstr("s120")));
}

TEST_F(GitopsTreeTest, ExcludeChangeWarnsNamingTheFilesThatStay) {
  Value config = Config(Manifests({{"platform/traefik/a.yaml", "a\n"},
                                   {"platform/redis/v.yaml", "v\n"},
                                   {"platform/redis/w.yaml", "w\n"}}));
  Value state = CreateTree(config);
  Value next = Config(Manifests({{"platform/traefik/a.yaml", "a\n"}}));
  next.SetAttr("exclude", Value::List(Type::String(), {Value::String("platform/redis/**")}));
  next.SetAttr("id", state.GetAttr("id"));
  core::PlanResult plan = resource_->Plan(core::PlanRequest{state, next, next, ""});
  ASSERT_EQ(plan.diagnostics.size(), 1u);
  EXPECT_EQ(plan.diagnostics[0].severity, core::Diagnostic::Severity::kWarning);
  EXPECT_EQ(plan.diagnostics[0].attribute->ToString(), "exclude");
  EXPECT_EQ(plan.diagnostics[0].detail,
            "These 2 files now match `exclude`: the plan shows them leaving rendered_manifests "
            "(-), but the apply does not delete them; they stay on disk, no longer managed: "
            "platform/redis/v.yaml, platform/redis/w.yaml.");
  ASSERT_THAT(resource_->Apply(core::ApplyRequest{state, plan.planned_state, next, ""}).diagnostics,
              IsEmpty());
  EXPECT_EQ(ReadFile(dir_ / "checkout/platform/redis/v.yaml"), "v\n");
  EXPECT_EQ(ReadFile(dir_ / "checkout/platform/redis/w.yaml"), "w\n");
}

TEST_F(GitopsTreeTest, ExcludeChangeOverManyFilesNamesTheFirstAndCountsTheRest) {
  std::map<std::string, std::string> files;
  for (int i = 0; i < 22; ++i) files["platform/redis/s" + std::to_string(100 + i) + ".yaml"] = "x";
  Value state = CreateTree(Config(Manifests(files)));
  Value next = Config(Manifests({{"platform/traefik/a.yaml", "a\n"}}));
  next.SetAttr("exclude", Value::List(Type::String(), {Value::String("platform/redis/**")}));
  next.SetAttr("id", state.GetAttr("id"));
  core::PlanResult plan = resource_->Plan(core::PlanRequest{state, next, next, ""});
  ASSERT_EQ(plan.diagnostics.size(), 1u);
  EXPECT_THAT(plan.diagnostics[0].detail, HasSubstr("These 22 files now match `exclude`"));
  EXPECT_THAT(plan.diagnostics[0].detail,
              HasSubstr("no longer managed: platform/redis/s100.yaml, platform/redis/s101.yaml, "));
  EXPECT_THAT(plan.diagnostics[0].detail, HasSubstr("platform/redis/s119.yaml and 2 more."));
  EXPECT_THAT(plan.diagnostics[0].detail, Not(HasSubstr("s120")));
}

TEST_F(GitopsTreeTest, InventoryLeftOutOfDateIsShownAsAnUpdate) {
  Value config = Config(Manifests({{"platform/traefik/a.yaml", "a\n"}}));
  Value state = CreateTree(config);
  ASSERT_EQ(resource_->Read(core::ReadRequest{state, ""}).new_state, state);
  // As an apply killed between its claim and its release leaves it.
  WriteFile(dir_ / "checkout/clusters/dev/.wildside-inventory",
            "# x\nplatform/traefik/a.yaml\nplatform/traefik/gone.yaml\n");
  core::ReadResult read = resource_->Read(core::ReadRequest{state, ""});
  EXPECT_NE(read.new_state.GetAttr("tree_sha256"), state.GetAttr("tree_sha256"));
  EXPECT_EQ(read.new_state.GetAttr("files"), state.GetAttr("files"));
  Value proposed = config;
  proposed.SetAttr("id", state.GetAttr("id"));
  core::PlanResult plan = resource_->Plan(core::PlanRequest{read.new_state, proposed, config, ""});
  ASSERT_THAT(plan.diagnostics, IsEmpty());
  core::ApplyResult apply =
      resource_->Apply(core::ApplyRequest{read.new_state, plan.planned_state, config, ""});
  ASSERT_THAT(apply.diagnostics, IsEmpty());
  EXPECT_EQ(resource_->Read(core::ReadRequest{apply.new_state, ""}).new_state, state);
  // No inventory at all (a checkout from the release before): no update.
  fs::remove(dir_ / "checkout/clusters/dev/.wildside-inventory");
  EXPECT_EQ(resource_->Read(core::ReadRequest{state, ""}).new_state, state);
}

// Item: an apply that fails part-way returns the truth. The resource runs
// over a FaultEnv that fails one chosen call with ENOSPC.
class GitopsTreeFaultTest : public GitopsTreeTest {
 protected:
  void SetUp() override {
    GitopsTreeTest::SetUp();
    faulty_ = NewGitopsTreeResource(&env_);
    resource_ = faulty_.get();
  }
  tree::Env* ProcessEnv() override { return &env_; }

  static std::map<std::string, std::string> Files(const std::string& content) {
    return {{"platform/traefik/a.yaml", "a " + content},
            {"platform/traefik/b.yaml", "b " + content},
            {"platform/traefik/c.yaml", "c " + content},
            {"platform/traefik/d.yaml", "d " + content}};
  }

  // Keys whose content differs between two states' rendered_manifests
  // (present in only one counts).
  static std::set<std::string> Differing(const Value& a, const Value& b) {
    std::set<std::string> out;
    const auto& x = a.GetAttr("rendered_manifests").entries();
    const auto& y = b.GetAttr("rendered_manifests").entries();
    for (const auto& [k, v] : x) {
      if (y.count(k) == 0 || y.at(k) != v) out.insert(k);
    }
    for (const auto& [k, v] : y) {
      if (x.count(k) == 0) out.insert(k);
    }
    return out;
  }

  // The state equals the disk: every entry's content and mode, no more.
  void ExpectStateIsTheDisk(const Value& state) {
    std::map<std::string, std::string> on_disk;
    for (const auto& e : fs::recursive_directory_iterator(dir_ / "checkout")) {
      if (!e.is_regular_file() || e.path().filename() == ".wildside-inventory") continue;
      on_disk[fs::relative(e.path(), dir_ / "checkout").string()] = ReadFile(e.path());
    }
    std::map<std::string, std::string> in_state;
    for (const auto& [k, v] : state.GetAttr("rendered_manifests").entries())
      in_state[k] = v.AsString();
    EXPECT_EQ(in_state, on_disk);
    for (const auto& [k, v] : state.GetAttr("files").entries()) {
      EXPECT_EQ(v.GetAttr("sha256").AsString(), tree::Sha256Hex(on_disk[k])) << k;
    }
  }

  ino_t InodeOf(const std::string& key) {
    struct stat st;
    EXPECT_EQ(::stat((dir_ / "checkout" / key).c_str(), &st), 0) << key;
    return st.st_ino;
  }

  tree::FaultEnv env_;
  std::unique_ptr<core::Resource> faulty_;
};

struct UpdateFault {
  std::string name;
  tree::FaultOp op;
  int n;
  std::string failing_file;  // named by the error
  std::string failing_what;
  std::set<std::string> left_to_write;  // what the next plan must show
};

class GitopsTreeUpdateFaultTest : public GitopsTreeFaultTest,
                                  public ::testing::WithParamInterface<UpdateFault> {};

TEST_P(GitopsTreeUpdateFaultTest, StateIsTheDiskAndTheNextPlanShowsExactlyTheRest) {
  const UpdateFault& f = GetParam();
  std::map<std::string, std::string> old_files = Files("old\n");
  old_files["platform/traefik/dropped.yaml"] = "dropped\n";
  Value state = CreateTree(Config(Manifests(old_files)));
  Value config = Config(Manifests(Files("new\n")));
  config.SetAttr("id", state.GetAttr("id"));
  core::PlanResult plan = resource_->Plan(core::PlanRequest{state, config, config, ""});
  ASSERT_THAT(plan.diagnostics, IsEmpty());

  env_.FailNth(f.op, f.n, ENOSPC);
  core::ApplyResult apply =
      resource_->Apply(core::ApplyRequest{state, plan.planned_state, config, ""});
  ASSERT_TRUE(env_.Fired());
  ASSERT_TRUE(core::HasError(apply.diagnostics));
  // On the failing file's own key: where, what, why.
  const std::string at = "rendered_manifests[\"" + f.failing_file + "\"]";
  ASSERT_TRUE(apply.diagnostics[0].attribute.has_value());
  EXPECT_EQ(apply.diagnostics[0].attribute->ToString(), at);
  EXPECT_THAT(apply.diagnostics[0].detail,
              HasSubstr(at + ": " + f.failing_what + ": No space left on device"));
  // The pruned file is gone from disk and from the state alike.
  EXPECT_FALSE(fs::exists(dir_ / "checkout/platform/traefik/dropped.yaml"));
  ASSERT_FALSE(apply.new_state.IsNull());
  ExpectStateIsTheDisk(apply.new_state);
  env_.Reset();
  EXPECT_EQ(resource_->Read(core::ReadRequest{apply.new_state, ""}).new_state, apply.new_state);

  // The next plan: exactly the files not yet written.
  core::PlanResult next = resource_->Plan(core::PlanRequest{apply.new_state, config, config, ""});
  ASSERT_THAT(next.diagnostics, IsEmpty());
  EXPECT_EQ(Differing(apply.new_state, next.planned_state), f.left_to_write);
  core::ApplyResult again =
      resource_->Apply(core::ApplyRequest{apply.new_state, next.planned_state, config, ""});
  ASSERT_THAT(again.diagnostics, IsEmpty());
  // The files left, and the inventory, released to the new keys once the
  // apply completes (the failed one stopped before the release).
  EXPECT_EQ(env_.Count(tree::FaultOp::kRename), static_cast<int>(f.left_to_write.size()) + 1);
  EXPECT_EQ(resource_->Read(core::ReadRequest{again.new_state, ""}).new_state, next.planned_state);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, GitopsTreeUpdateFaultTest,
    ::testing::Values(
        // The 2nd temp file cannot be written: no file of the batch is renamed.
        UpdateFault{"SecondWrite",
                    tree::FaultOp::kWrite,
                    2,
                    "platform/traefik/b.yaml",
                    "write failed",
                    {"platform/traefik/a.yaml", "platform/traefik/b.yaml",
                     "platform/traefik/c.yaml", "platform/traefik/d.yaml"}},
        // The 3rd rename fails: a and b are in place, c and d are not.
        UpdateFault{"ThirdRename",
                    tree::FaultOp::kRename,
                    3,
                    "platform/traefik/c.yaml",
                    "cannot rename temporary file into place",
                    {"platform/traefik/c.yaml", "platform/traefik/d.yaml"}}),
    [](const ::testing::TestParamInfo<UpdateFault>& info) { return info.param.name; });

TEST_F(GitopsTreeFaultTest, FailedCreateIsReplacedWithoutDeletingOrRewritingCorrectFiles) {
  Value config = Config(Manifests(Files("v1\n")));
  core::PlanResult plan = PlanCreate(config);
  ASSERT_THAT(plan.diagnostics, IsEmpty());
  // The first rename is the inventory's claim, then a, b, and c fails.
  env_.FailNth(tree::FaultOp::kRename, 4, ENOSPC);
  core::ApplyResult create = resource_->Apply(
      core::ApplyRequest{Value::Null(type_), plan.planned_state, config, plan.planned_private});
  ASSERT_TRUE(core::HasError(create.diagnostics));
  EXPECT_THAT(create.diagnostics[0].detail,
              HasSubstr("rendered_manifests[\"platform/traefik/c.yaml\"]: cannot rename temporary "
                        "file into place"));
  // OpenTofu keeps (and taints) a state returned with an error: it must be the disk.
  ASSERT_FALSE(create.new_state.IsNull());
  ExpectStateIsTheDisk(create.new_state);
  EXPECT_EQ(create.private_data, "");
  const ino_t a = InodeOf("platform/traefik/a.yaml");
  const ino_t b = InodeOf("platform/traefik/b.yaml");

  // The replacement of a tainted resource, as OpenTofu runs it: a create
  // plan (no prior state), then the destroy half with that plan's private
  // data, then the create.
  env_.Reset();
  core::PlanResult replace = PlanCreate(config);
  ASSERT_EQ(replace.diagnostics.size(), 1u);
  EXPECT_EQ(replace.diagnostics[0].summary, "Files already in place");
  EXPECT_THAT(replace.diagnostics[0].detail,
              HasSubstr("2 files in \"" + (dir_ / "checkout").string() +
                        "\" already hold this content and will not be written (the plan shows "
                        "every file as added): platform/traefik/a.yaml, platform/traefik/b.yaml."));
  core::ApplyResult destroy = resource_->Apply(core::ApplyRequest{
      create.new_state, Value::Null(type_), Value::Null(type_), replace.planned_private});
  ASSERT_THAT(destroy.diagnostics, IsEmpty());
  EXPECT_TRUE(destroy.new_state.IsNull());
  EXPECT_EQ(env_.Count(tree::FaultOp::kUnlink), 0) << "destroy deleted files the create owns";
  env_.Reset();
  core::ApplyResult recreate = resource_->Apply(core::ApplyRequest{
      Value::Null(type_), replace.planned_state, config, replace.planned_private});
  ASSERT_THAT(recreate.diagnostics, IsEmpty());
  // The destroy half released c and d (not on disk); the create claims
  // them again, then writes only them.
  EXPECT_EQ(env_.Count(tree::FaultOp::kRename), 3)
      << "only c and d (and the inventory) were left to write";
  EXPECT_EQ(InodeOf("platform/traefik/a.yaml"), a);
  EXPECT_EQ(InodeOf("platform/traefik/b.yaml"), b);
  for (const auto& [key, content] : Files("v1\n"))
    EXPECT_EQ(ReadFile(dir_ / "checkout" / key), content) << key;
  EXPECT_EQ(recreate.private_data, Rules() + "}");
  EXPECT_EQ(resource_->Read(core::ReadRequest{recreate.new_state, ""}).new_state,
            replace.planned_state);
}

TEST_F(GitopsTreeFaultTest, PlainDestroyStillRemovesEverything) {
  Value config = Config(Manifests(Files("v1\n")));
  Value state = CreateTree(config);
  // A destroy plan (no proposed state) carries no replacement hint, even if
  // the state's private data did.
  core::PlanResult plan = resource_->Plan(core::PlanRequest{
      state, Value::Null(type_), Value::Null(type_), PlanCreate(config).planned_private});
  EXPECT_EQ(plan.planned_private, "");
  core::ApplyResult destroy = resource_->Apply(
      core::ApplyRequest{state, Value::Null(type_), Value::Null(type_), plan.planned_private});
  ASSERT_THAT(destroy.diagnostics, IsEmpty());
  EXPECT_FALSE(fs::exists(dir_ / "checkout/platform"));
}

// create_before_destroy, as both clients run a -replace of it: in the
// apply walk (one provider process) the create is re-planned without the
// update plan's private and applied, then the deposed object is destroyed
// with its own state's private. The destroy must leave what the new object
// claims (issue 19); in a later process, a plain destroy removes it all.
TEST_F(GitopsTreeFaultTest, CreateBeforeDestroyReplacementKeepsTheNewObjectsFiles) {
  Value old_config = Config(Manifests(Files("v1\n")));
  Value state = CreateTree(old_config);
  std::map<std::string, std::string> next = Files("v2\n");
  next.erase("platform/traefik/d.yaml");
  Value config = Config(Manifests(next));
  // The plan walk.
  Value proposed = config;
  proposed.SetAttr("id", state.GetAttr("id"));
  core::PlanResult update = resource_->Plan(core::PlanRequest{state, proposed, config, ""});
  ASSERT_THAT(update.diagnostics, IsEmpty());
  core::PlanResult create = resource_->Plan(
      core::PlanRequest{Value::Null(type_), config, config, update.planned_private});
  ASSERT_FALSE(core::HasError(create.diagnostics));
  // The apply walk: a new process; the re-plan has no private.
  NewProcess();
  core::PlanResult replan = PlanCreate(config);
  EXPECT_TRUE(core::HasError(replan.diagnostics));
  // The re-plan refuses to overwrite a, b, c: the create half of a
  // create_before_destroy -replace that changes listed files needs adopt.
  Value adopting = config;
  adopting.SetAttr("adopt", Value::Bool(true));
  replan = PlanCreate(adopting);
  ASSERT_FALSE(core::HasError(replan.diagnostics));
  core::ApplyResult created = resource_->Apply(core::ApplyRequest{
      Value::Null(type_), replan.planned_state, adopting, replan.planned_private});
  ASSERT_THAT(created.diagnostics, IsEmpty());
  env_.Reset();
  core::ApplyResult destroy =
      resource_->Apply(core::ApplyRequest{state, Value::Null(type_), Value::Null(type_), ""});
  ASSERT_THAT(destroy.diagnostics, IsEmpty());
  for (const auto& [key, content] : next)
    EXPECT_EQ(ReadFile(dir_ / "checkout" / key), content) << key;
  EXPECT_FALSE(fs::exists(dir_ / "checkout/platform/traefik/d.yaml"));
  EXPECT_EQ(env_.Count(tree::FaultOp::kRename), 0)
      << "the inventory is left as the create wrote it";
  EXPECT_EQ(resource_->Read(core::ReadRequest{created.new_state, ""}).new_state, created.new_state);
  // A plain destroy, in a later process, removes everything.
  NewProcess();
  ASSERT_THAT(
      resource_
          ->Apply(core::ApplyRequest{created.new_state, Value::Null(type_), Value::Null(type_), ""})
          .diagnostics,
      IsEmpty());
  EXPECT_FALSE(fs::exists(dir_ / "checkout/platform"));
}

// The same -replace without create_before_destroy: the destroy half runs
// first, and the re-planned create takes back what it kept, even files
// whose content changes, without adopt.
TEST_F(GitopsTreeFaultTest, ReplaceTakesBackWhatItsDestroyHalfKept) {
  Value state = CreateTree(Config(Manifests(Files("v1\n"))));
  Value config = Config(Manifests(Files("v2\n")));
  Value proposed = config;
  proposed.SetAttr("id", state.GetAttr("id"));
  core::PlanResult update = resource_->Plan(core::PlanRequest{state, proposed, config, ""});
  core::PlanResult create = resource_->Plan(
      core::PlanRequest{Value::Null(type_), config, config, update.planned_private});
  ASSERT_FALSE(core::HasError(create.diagnostics));
  NewProcess();
  ASSERT_THAT(resource_
                  ->Apply(core::ApplyRequest{state, Value::Null(type_), Value::Null(type_),
                                             create.planned_private})
                  .diagnostics,
              IsEmpty());
  core::PlanResult replan = PlanCreate(config);
  ASSERT_FALSE(core::HasError(replan.diagnostics));
  core::ApplyResult created = resource_->Apply(
      core::ApplyRequest{Value::Null(type_), replan.planned_state, config, replan.planned_private});
  ASSERT_THAT(created.diagnostics, IsEmpty());
  for (const auto& [key, content] : Files("v2\n"))
    EXPECT_EQ(ReadFile(dir_ / "checkout" / key), content) << key;
  // A tainted create (no update plan, so no "replaces") is not handed over.
  NewProcess();
  ASSERT_THAT(
      resource_
          ->Apply(core::ApplyRequest{created.new_state, Value::Null(type_), Value::Null(type_),
                                     PlanCreate(config).planned_private})
          .diagnostics,
      IsEmpty());
  EXPECT_TRUE(core::HasError(PlanCreate(Config(Manifests(Files("v3\n")))).diagnostics));
}

TEST_F(GitopsTreeFaultTest, ReplacementToAnotherCheckoutRemovesTheOldFiles) {
  Value state = CreateTree(Config(Manifests(Files("v1\n"))));
  Value moved = Config(Manifests(Files("v1\n")));
  moved.SetAttr("path", Value::String((dir_ / "other").string()));
  core::PlanResult replace = PlanCreate(moved);
  ASSERT_THAT(replace.diagnostics, IsEmpty());
  core::ApplyResult destroy = resource_->Apply(
      core::ApplyRequest{state, Value::Null(type_), Value::Null(type_), replace.planned_private});
  ASSERT_THAT(destroy.diagnostics, IsEmpty());
  EXPECT_FALSE(fs::exists(dir_ / "checkout/platform"));
}

}  // namespace
}  // namespace wildside::resources
