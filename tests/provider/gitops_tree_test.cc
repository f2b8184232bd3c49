// The resource in domain terms, without gRPC: plan determinism, diagnostics
// with attribute paths, read-as-drift against a real temp directory, apply,
// import and state upgrade.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "file_util.h"
#include "provider/core/provider.h"
#include "provider/cty/json.h"
#include "provider/cty/msgpack.h"
#include "status_matchers.h"

namespace wildside::resources {
namespace {

namespace fs = std::filesystem;
using cty::Type;
using cty::Value;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string ReadFile(const fs::path& p) { return wildside::testing::ReadWholeFile(p); }
void WriteFile(const fs::path& p, std::string_view content) { wildside::testing::WriteWholeFile(p, content); }

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

  Value Manifests(std::map<std::string, std::string> m) {
    Value::Entries e;
    for (auto& [k, v] : m) e.emplace(k, Value::String(v));
    return Value::Map(Type::String(), std::move(e));
  }

  // A config as OpenTofu sends it: computed attributes null.
  Value Config(Value rendered, std::string cluster = "dev") {
    return Value::Object(type_, {{"path", Value::String((dir_ / "checkout").string())},
                                 {"cluster", Value::String(cluster)},
                                 {"rendered_manifests", std::move(rendered)}});
  }

  core::PlanResult PlanCreate(const Value& config) {
    return resource_->Plan(core::PlanRequest{Value::Null(type_), config, config, ""});
  }

  Value CreateTree(const Value& config) {
    core::PlanResult plan = PlanCreate(config);
    EXPECT_FALSE(core::HasError(plan.diagnostics));
    core::ApplyResult apply =
        resource_->Apply(core::ApplyRequest{Value::Null(type_), plan.planned_state, config, plan.planned_private});
    EXPECT_FALSE(core::HasError(apply.diagnostics)) << apply.diagnostics[0].detail;
    return apply.new_state;
  }

  fs::path dir_;
  core::Provider provider_;
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
  Value config = Config(Manifests({{"platform/traefik/a.yaml", "a\n"}, {"modules/m/b.yaml", "b\n"}}));
  core::PlanResult first = PlanCreate(config);
  core::PlanResult second = PlanCreate(config);
  EXPECT_EQ(first.planned_state, second.planned_state);
  EXPECT_EQ(*cty::EncodeMsgpack(first.planned_state, type_), *cty::EncodeMsgpack(second.planned_state, type_));
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
  Value config = Config(Manifests({{"../x", "x"}, {"platform/unknown/x", "x"}, {"platform/traefik/ok", "x"}}));
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
  EXPECT_EQ(resource_->ValidateConfig(config).size(), 2u);
}

TEST_F(GitopsTreeTest, BadSettingsAreReportedPerAttribute) {
  Value config = Config(Manifests({{"platform/traefik/a", "x"}}), "Not_A_Label");
  config.SetAttr("file_permission", Value::String("0999"));
  config.SetAttr("directory_permission", Value::String("0644"));
  Value::Entries sensitive;
  sensitive.emplace("platform/traefik/a", Value::String("secret"));
  config.SetAttr("sensitive_manifests", Value::Map(Type::String(), std::move(sensitive)));
  core::Diagnostics diags = resource_->ValidateConfig(config);
  std::vector<std::string> paths;
  for (const core::Diagnostic& d : diags) paths.push_back(d.attribute ? d.attribute->ToString() : "");
  EXPECT_THAT(paths, ::testing::IsSupersetOf({"cluster", "file_permission", "directory_permission",
                                              "sensitive_manifests[\"platform/traefik/a\"]"}));
}

TEST_F(GitopsTreeTest, UnknownValuesAreNotErrorsAtValidate) {
  Value config = Config(Value::Unknown(Type::Map(Type::String())));
  config.SetAttr("cluster", Value::Unknown(Type::String()));
  EXPECT_THAT(resource_->ValidateConfig(config), IsEmpty());
}

TEST_F(GitopsTreeTest, ApplyWritesAndReadReportsDriftStraysAndModes) {
  Value config = Config(Manifests({{"platform/traefik/a.yaml", "a: 1\n\n"}, {"clusters/dev/k.yaml", "k\n"}}));
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
  ASSERT_THAT(drift.diagnostics, IsEmpty());
  const auto& rendered = drift.new_state.GetAttr("rendered_manifests").entries();
  EXPECT_EQ(rendered.at("platform/traefik/a.yaml"), Value::String("a: 2\n"));
  EXPECT_EQ(rendered.count("clusters/dev/k.yaml"), 0u);
  EXPECT_EQ(rendered.at("platform/traefik/stray.yaml"), Value::String("stray\n"));
  EXPECT_THAT(rendered.at("platform/traefik/binary.bin").AsString(), HasSubstr("not UTF-8"));
  EXPECT_EQ(rendered.count("clusters/dev/flux-system/gotk.yaml"), 0u);
  EXPECT_EQ(drift.new_state.GetAttr("files").entries().at("platform/traefik/a.yaml").GetAttr("mode"),
            Value::String("0600"));
  EXPECT_NE(drift.new_state.GetAttr("tree_sha256"), state.GetAttr("tree_sha256"));

  // Plan from the drifted state back to the config, then apply: healed.
  Value proposed = config;
  proposed.SetAttr("id", drift.new_state.GetAttr("id"));
  core::PlanResult plan = resource_->Plan(core::PlanRequest{drift.new_state, proposed, config, ""});
  ASSERT_THAT(plan.diagnostics, IsEmpty());
  EXPECT_EQ(plan.planned_state, state);
  core::ApplyResult apply = resource_->Apply(core::ApplyRequest{drift.new_state, plan.planned_state, config, ""});
  ASSERT_THAT(apply.diagnostics, IsEmpty());
  EXPECT_EQ(apply.new_state, plan.planned_state);
  EXPECT_FALSE(fs::exists(checkout / "platform/traefik/stray.yaml"));
  EXPECT_FALSE(fs::exists(checkout / "platform/traefik/binary.bin"));
  EXPECT_EQ(ReadFile(checkout / "clusters/dev/flux-system/gotk.yaml"), "excluded\n");
  EXPECT_EQ(resource_->Read(core::ReadRequest{apply.new_state, ""}).new_state, state);
}

TEST_F(GitopsTreeTest, LineEndingOnlyDriftIsNamedAsSuch) {
  Value state = CreateTree(Config(Manifests({{"platform/traefik/a.yaml", "a: 1\nb: 2\n"},
                                             {"platform/traefik/b.yaml", "c: 3\n"}})));
  WriteFile(dir_ / "checkout/platform/traefik/a.yaml", "a: 1\r\nb: 2\r\n");
  WriteFile(dir_ / "checkout/platform/traefik/b.yaml", "c: 4\r\n");
  core::ReadResult read = resource_->Read(core::ReadRequest{state, ""});
  ASSERT_EQ(read.diagnostics.size(), 1u);
  EXPECT_EQ(read.diagnostics[0].severity, core::Diagnostic::Severity::kWarning);
  EXPECT_EQ(read.diagnostics[0].summary, "Line-ending-only drift");
  EXPECT_THAT(read.diagnostics[0].detail, HasSubstr("platform/traefik/a.yaml"));
  EXPECT_THAT(read.diagnostics[0].detail, ::testing::Not(HasSubstr("b.yaml")));
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
  EXPECT_THAT(plan.diagnostics[0].detail, HasSubstr("1 will be overwritten and 1 will be pruned"));
}

TEST_F(GitopsTreeTest, DestroyRemovesManagedFilesOnlyAndIsIdempotent) {
  Value state = CreateTree(Config(Manifests({{"platform/traefik/a.yaml", "a\n"}})));
  WriteFile(dir_ / "checkout/README.md", "keep\n");
  core::ApplyResult destroy = resource_->Apply(core::ApplyRequest{state, Value::Null(type_), Value::Null(type_), ""});
  ASSERT_THAT(destroy.diagnostics, IsEmpty());
  EXPECT_TRUE(destroy.new_state.IsNull());
  EXPECT_FALSE(fs::exists(dir_ / "checkout/platform"));
  EXPECT_EQ(ReadFile(dir_ / "checkout/README.md"), "keep\n");
  core::ApplyResult again = resource_->Apply(core::ApplyRequest{state, Value::Null(type_), Value::Null(type_), ""});
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
  EXPECT_TRUE(fs::is_empty(outside));
}

}  // namespace
}  // namespace wildside::resources
