// The provider functions called as the server calls them: cty values in,
// a value or a function error naming the argument out.
#include "provider/resources/functions.h"

#include <map>
#include <string>
#include <variant>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wildside::resources {
namespace {

using cty::Type;
using cty::Value;
using ::testing::HasSubstr;

Value Manifests(const std::map<std::string, std::string>& files) {
  Value::Entries entries;
  for (const auto& [k, v] : files) entries.emplace(k, Value::String(v));
  return Value::Map(Type::String(), std::move(entries));
}

Value Strings(const std::vector<std::string>& items) {
  Value::Elements els;
  for (const auto& s : items) els.push_back(Value::String(s));
  return Value::List(Type::String(), std::move(els));
}

// An object as HCL's `{ ... }` makes it: its type is that of its values.
Value Object(Value::Entries attrs) {
  std::map<std::string, Type> types;
  for (const auto& [k, v] : attrs) types.emplace(k, v.type());
  return Value::Object(Type::Object(std::move(types)), std::move(attrs));
}

core::FunctionResult Call(std::string_view name, std::vector<Value> args) {
  static const core::Provider::Functions functions = AllFunctions();
  return functions.at(std::string(name))->Call(std::move(args));
}

const core::FunctionError& ErrorOf(const core::FunctionResult& r) {
  static const core::FunctionError none{"(no error)", std::nullopt};
  const auto* e = std::get_if<core::FunctionError>(&r);
  return e != nullptr ? *e : none;
}

const std::map<std::string, std::string> kBroken = {
    {"platform/vault/kustomization.yaml", "resources:\n  - missing.yaml\n  - cm.yaml\n"},
    {"platform/vault/cm.yaml",
     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n"},
};

TEST(CheckFunctionTest, ReturnsTheFindingsInKeyOrderAndTheSameOnASecondCall) {
  core::FunctionResult r =
      Call("check", {Manifests(kBroken), Object({{"cluster", Value::String("dev")}})});
  ASSERT_TRUE(std::holds_alternative<Value>(r)) << ErrorOf(r).text;
  const Value& list = std::get<Value>(r);
  ASSERT_EQ(list.elements().size(), 2u) << list.DebugString();
  const Value& dup = list.elements()[0];
  EXPECT_EQ(dup.GetAttr("key"), Value::String("platform/vault/cm.yaml"));
  EXPECT_EQ(dup.GetAttr("kind"), Value::String("duplicate-key"));
  EXPECT_EQ(dup.GetAttr("severity"), Value::String("error"));
  EXPECT_EQ(dup.GetAttr("line"), Value::Number(int64_t{5}));
  EXPECT_EQ(dup.GetAttr("summary"), Value::String("Duplicate YAML key"));
  const Value& missing = list.elements()[1];
  EXPECT_EQ(missing.GetAttr("kind"), Value::String("missing-reference"));
  EXPECT_THAT(missing.GetAttr("message").AsString(), HasSubstr("missing.yaml"));
  // Pure: the same answer again.
  core::FunctionResult again =
      Call("check", {Manifests(kBroken), Object({{"cluster", Value::String("dev")}})});
  EXPECT_EQ(std::get<Value>(again), list);
}

TEST(CheckFunctionTest, SettingsChangeSeverityAndWhatIsJudged) {
  core::FunctionResult warn =
      Call("check", {Manifests(kBroken), Object({
                                             {"cluster", Value::String("dev")},
                                             {"checks", Value::String("warn")},
                                         })});
  ASSERT_TRUE(std::holds_alternative<Value>(warn)) << ErrorOf(warn).text;
  for (const Value& f : std::get<Value>(warn).elements()) {
    EXPECT_EQ(f.GetAttr("severity"), Value::String("warning"));
  }
  // Excluded from the checks, and not pruned: the reference into the owned
  // roots is not judged without a disk.
  core::FunctionResult excluded = Call(
      "check", {Manifests(kBroken), Object({{"cluster", Value::String("dev")},
                                            {"checks_exclude", Strings({"platform/vault/cm.yaml"})},
                                            {"prune", Value::Bool(false)}})});
  ASSERT_TRUE(std::holds_alternative<Value>(excluded)) << ErrorOf(excluded).text;
  EXPECT_TRUE(std::get<Value>(excluded).elements().empty())
      << std::get<Value>(excluded).DebugString();
}

TEST(CheckFunctionTest, AReferenceOutsideTheOwnedRootsIsNotJudged) {
  core::FunctionResult r = Call(
      "check", {Manifests({{"clusters/dev/kustomization.yaml", "resources:\n  - ../../apps/x\n"}}),
                Object({{"cluster", Value::String("dev")}})});
  ASSERT_TRUE(std::holds_alternative<Value>(r)) << ErrorOf(r).text;
  EXPECT_TRUE(std::get<Value>(r).elements().empty()) << std::get<Value>(r).DebugString();
}

TEST(CheckFunctionTest, BadArgumentsAreErrorsNamingTheArgument) {
  struct Case {
    std::vector<Value> args;
    int64_t argument;
    std::string text;
  } cases[] = {
      {{Manifests(kBroken), Object({})}, 1, "settings.cluster: is required"},
      {{Manifests(kBroken), Value::String("dev")}, 1, "settings: must be an object"},
      {{Manifests(kBroken),
        Object({{"cluster", Value::String("dev")}, {"clustr", Value::Bool(true)}})},
       1,
       "settings: has no attribute \"clustr\"; it takes cluster, exclude"},
      {{Manifests(kBroken),
        Object({{"cluster", Value::String("dev")}, {"prune", Value::String("yes")}})},
       1,
       "settings.prune: must be a bool, not string."},
      {{Manifests(kBroken),
        Object({{"cluster", Value::String("dev")}, {"exclude", Value::Bool(true)}})},
       1,
       "settings.exclude: must be a list of strings, not bool."},
      {{Manifests(kBroken), Object({{"cluster", Value::String("Dev_Cluster")}})},
       1,
       "settings.cluster: "},
      {{Manifests(kBroken),
        Object({{"cluster", Value::String("dev")}, {"checks", Value::String("loud")}})},
       1,
       "settings.checks: \"loud\" is not one of"},
      {{Manifests({{"../escape.yaml", "x"}}), Object({{"cluster", Value::String("dev")}})},
       0,
       "manifests[\"../escape.yaml\"]: "},
  };
  for (Case& c : cases) {
    core::FunctionResult r = Call("check", c.args);
    const core::FunctionError& e = ErrorOf(r);
    EXPECT_THAT(e.text, HasSubstr(c.text));
    EXPECT_EQ(e.argument, c.argument) << e.text;
  }
}

TEST(KustomizationFunctionTest, ListsYamlFilesAndKustomizedSubdirectoriesInByteOrder) {
  core::FunctionResult r =
      Call("kustomization", {Manifests({{"platform/vault/b.yaml", ""},
                                        {"platform/vault/a.yml", ""},
                                        {"platform/vault/README.md", ""},
                                        {"platform/vault/kustomization.yaml", ""},
                                        {"platform/vault/policies/kustomization.yaml", ""},
                                        {"platform/vault/raw/x.yaml", ""},
                                        {"platform/vault/1.yaml", ""},
                                        {"platform/vault/true", ""},
                                        {"platform/vault/on: x.yaml", ""},
                                        {"platform/vaultish/c.yaml", ""}}),
                             Value::String("platform/vault/")});
  ASSERT_TRUE(std::holds_alternative<Value>(r)) << ErrorOf(r).text;
  EXPECT_EQ(std::get<Value>(r).AsString(),
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
            "  - \"1.yaml\"\n  - a.yml\n  - b.yaml\n  - \"on: x.yaml\"\n  - policies\n");
}

TEST(KustomizationFunctionTest, BadDirectoriesAreErrorsOnTheSecondArgument) {
  for (std::string dir : {"", "/platform/vault", "platform//vault", "platform/../vault",
                          "./platform", "platform/nothing"}) {
    core::FunctionResult r =
        Call("kustomization", {Manifests({{"platform/vault/a.yaml", ""}}), Value::String(dir)});
    const core::FunctionError& e = ErrorOf(r);
    EXPECT_THAT(e.text, HasSubstr("directory: ")) << dir;
    EXPECT_EQ(e.argument, 1) << dir;
  }
}

}  // namespace
}  // namespace wildside::resources
