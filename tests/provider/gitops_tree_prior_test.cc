// The typed model of the prior: the private data's round trip, and the one
// answer to which keys a prior owns.
#include "provider/resources/gitops_tree_prior.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "provider/cty/value.h"
#include "provider/resources/gitops_tree_settings.h"
#include "provider/schema/schema.h"

namespace wildside::resources::gitops {
namespace {

using cty::Type;
using cty::Value;
using ::testing::ElementsAre;
using ::testing::Pair;

Type StateType() { return BuildSchema().ImpliedType(); }

Value StringMap(std::initializer_list<std::pair<const char*, const char*>> entries) {
  Value::Entries m;
  for (const auto& [k, v] : entries) m.emplace(k, Value::String(v));
  return Value::Map(Type::String(), std::move(m));
}

Value Files(std::initializer_list<const char*> keys) {
  Value::Entries m;
  for (const char* k : keys) m.emplace(k, FileInfo("00", "0644"));
  return Value::Map(FileInfoType(), std::move(m));
}

// A state with the given maps and files; every other attribute null.
Value State(Value rendered, Value sensitive, Value files) {
  const Type type = StateType();
  Value::Entries attrs;
  for (const auto& [name, attr_type] : type.attributes())
    attrs.emplace(name, Value::Null(attr_type));
  attrs[kRendered] = std::move(rendered);
  attrs[kSensitive] = std::move(sensitive);
  attrs["files"] = std::move(files);
  return Value::Object(type, std::move(attrs));
}

Value NullMap() { return Value::Null(Type::Map(Type::String())); }

TEST(PrivateStateTest, EmptyAndUnreadableBytesHaveNoMember) {
  for (std::string_view bytes : {"", "not json", "[1,2]", "{\"write_only_keys\": 7}"}) {
    PrivateState p = PrivateState::Parse(bytes);
    EXPECT_FALSE(p.replace_in_place.has_value()) << bytes;
    EXPECT_FALSE(p.hashes_only) << bytes;
    EXPECT_EQ(p.write_only_form, PrivateState::WriteOnlyForm::kNone) << bytes;
    EXPECT_EQ(p.Serialize(), "") << bytes;
  }
}

TEST(PrivateStateTest, EveryMemberRoundTrips) {
  PrivateState p;
  p.replace_in_place.emplace();
  p.replace_in_place->id = "dev:./gitops";
  p.replace_in_place->keys = {"a.yaml", "b.yaml"};
  p.hashes_only = true;
  p.write_only_form = PrivateState::WriteOnlyForm::kList;
  p.write_only_list = {"s.yaml"};
  const std::string bytes = p.Serialize();
  EXPECT_EQ(
      bytes,
      R"({"hashes_only":true,"replace_in_place":{"id":"dev:./gitops","keys":["a.yaml","b.yaml"]},)"
      R"("write_only_keys":["s.yaml"]})");
  PrivateState q = PrivateState::Parse(bytes);
  EXPECT_EQ(q.Serialize(), bytes);
  ASSERT_NE(q.KeptForReplacement("dev:./gitops"), nullptr);
  EXPECT_THAT(*q.KeptForReplacement("dev:./gitops"), ElementsAre("a.yaml", "b.yaml"));
  EXPECT_EQ(q.KeptForReplacement("prod:./gitops"), nullptr);
}

TEST(PrivateStateTest, EncryptedFileRecordsRoundTripAndMalformedOnesAreDropped) {
  PrivateState p;
  p.encrypted["platform/vault/a.yaml"] = {"w1", "p1", "s1"};
  const std::string bytes = p.Serialize();
  EXPECT_EQ(bytes, R"({"encrypted":{"platform/vault/a.yaml":["w1","p1","s1"]}})");
  PrivateState q = PrivateState::Parse(bytes);
  ASSERT_EQ(q.encrypted.size(), 1U);
  EXPECT_EQ(q.encrypted.at("platform/vault/a.yaml"),
            (PrivateState::EncryptedFile{"w1", "p1", "s1"}));
  PrivateState r =
      PrivateState::Parse(R"({"encrypted":{"a":["w"],"b":[1,2,3],"c":["w","p","s"]}})");
  ASSERT_EQ(r.encrypted.size(), 1U);
  EXPECT_EQ(r.encrypted.count("c"), 1U);
}

TEST(PrivateStateTest, SettledStatesDropTheReplacementAndTheImportMark) {
  EXPECT_EQ(PrivateState::WriteOnlyAsFiles(true, 0).Serialize(), R"({"write_only_keys":"files"})");
  EXPECT_EQ(PrivateState::WriteOnlyAsFiles(false, 0).Serialize(), "");
  EXPECT_EQ(PrivateState::WriteOnlyList({}, 0).Serialize(), "");
  EXPECT_EQ(PrivateState::WriteOnlyList({"x.yaml"}, 0).Serialize(),
            R"({"write_only_keys":["x.yaml"]})");
  EXPECT_EQ(PrivateState::HashesOnlyImport().Serialize(), R"({"hashes_only":true})");
}

// Issue 17: the rule set a tree was checked with survives settling and a
// round trip; 0 (never checked) is not written, as before it existed.
TEST(PrivateStateTest, CheckedRulesAreKeptAndZeroIsNotWritten) {
  EXPECT_EQ(PrivateState::WriteOnlyAsFiles(false, 2).Serialize(), R"({"checked_rules":2})");
  EXPECT_EQ(PrivateState::WriteOnlyList({"x.yaml"}, 2).Serialize(),
            R"({"checked_rules":2,"write_only_keys":["x.yaml"]})");
  EXPECT_EQ(PrivateState::Parse(R"({"checked_rules":2})").checked_rules, 2);
  EXPECT_EQ(PrivateState::Parse(R"({"checked_rules":"2"})").checked_rules, 0);
  EXPECT_EQ(PrivateState::Parse("").checked_rules, 0);
}

TEST(OwnedKeysTest, PlainMapsOwnTheirKeysButNotDisplayOnlyOnes) {
  Value prior =
      State(StringMap({{"clusters/dev/a.yaml", "a"}, {"clusters/dev/b\\u0301.yaml", "stray"}}),
            StringMap({{"clusters/dev/s.yaml", "s"}}), Files({}));
  EXPECT_THAT(OwnedKeys(prior, PrivateState()),
              ElementsAre(Pair("clusters/dev/a.yaml", Ownership::kRendered),
                          Pair("clusters/dev/s.yaml", Ownership::kSensitive)));
}

TEST(OwnedKeysTest, TheFilesFormIsEveryFileInNeitherMap) {
  Value prior = State(StringMap({{"clusters/dev/a.yaml", "a"}}), NullMap(),
                      Files({"clusters/dev/a.yaml", "clusters/dev/w.yaml"}));
  EXPECT_THAT(OwnedKeys(prior, PrivateState::WriteOnlyAsFiles(true, 0)),
              ElementsAre(Pair("clusters/dev/a.yaml", Ownership::kRendered),
                          Pair("clusters/dev/w.yaml", Ownership::kWriteOnly)));
  EXPECT_THAT(
      KeysOwnedAs(OwnedKeys(prior, PrivateState::WriteOnlyAsFiles(true, 0)), Ownership::kWriteOnly),
      ElementsAre("clusters/dev/w.yaml"));
}

TEST(OwnedKeysTest, TheListFormNeedsNoFiles) {
  Value prior = State(NullMap(), NullMap(), Files({}));
  EXPECT_THAT(OwnedKeys(prior, PrivateState::WriteOnlyList({"clusters/dev/w.yaml"}, 0)),
              ElementsAre(Pair("clusters/dev/w.yaml", Ownership::kWriteOnly)));
}

TEST(OwnedKeysTest, AWriteOnlyImportOwnsEveryFileItFound) {
  Value prior = State(NullMap(), NullMap(), Files({"clusters/dev/x.yaml", "modules/m.yaml"}));
  EXPECT_THAT(OwnedKeys(prior, PrivateState::HashesOnlyImport()),
              ElementsAre(Pair("clusters/dev/x.yaml", Ownership::kImported),
                          Pair("modules/m.yaml", Ownership::kImported)));
  EXPECT_TRUE(OwnedKeys(prior, PrivateState()).empty());
}

TEST(PriorTest, SlimLeavesTheBytesForALaterGetAndAfterGetReadsTheDecodedValue) {
  Value state =
      State(StringMap({{"clusters/dev/a.yaml", "a"}}), NullMap(), Files({"clusters/dev/a.yaml"}));
  Prior prior(cty::LazyValue(state), StateType());
  EXPECT_FALSE(prior.IsNull());
  absl::StatusOr<Value> slim = prior.Slim();
  ASSERT_TRUE(slim.ok());
  EXPECT_TRUE(slim->GetAttr(kRendered).IsNull());
  EXPECT_EQ(slim->GetAttr("files"), state.GetAttr("files"));
  absl::StatusOr<const Value*> whole = prior.Get();
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(**whole, state);
  // Read again after the whole decode: the same slim value, not a null one.
  absl::StatusOr<Value> again = prior.Slim();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *slim);
  core::Diagnostics diags;
  EXPECT_EQ(std::move(prior).Take(&diags), state);
  EXPECT_TRUE(diags.empty());
}

}  // namespace
}  // namespace wildside::resources::gitops
