// Golden-hex and round-trip tests for the cty msgpack and JSON codecs.
#include <string>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "provider/cty/json.h"
#include "provider/cty/lazy_value.h"
#include "provider/cty/msgpack.h"
#include "status_matchers.h"

namespace wildside::cty {
namespace {

using ::wildside::testing::IsOk;
using ::wildside::testing::StatusIs;

std::string Hex(absl::string_view hex) {
  std::string clean;
  for (char c : hex) {
    if (c != ' ') clean.push_back(c);
  }
  return absl::HexStringToBytes(clean);
}

std::string ToHex(absl::string_view bytes) { return absl::BytesToHexString(bytes); }

Type FilesType() {
  return Type::Map(Type::Object({{"mode", Type::String()}, {"sha256", Type::String()}}));
}

Type ResourceLikeType() {
  return Type::Object({{"id", Type::String()},
                       {"prune", Type::Bool()},
                       {"rendered_manifests", Type::Map(Type::String())},
                       {"exclude", Type::List(Type::String())},
                       {"files", FilesType()}});
}

struct GoldenCase {
  std::string name;
  Type type;
  Value value;
  std::string hex;
};

class GoldenTest : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(GoldenTest, EncodesToGoldenBytes) {
  const GoldenCase& c = GetParam();
  absl::StatusOr<std::string> bytes = EncodeMsgpack(c.value, c.type);
  ASSERT_THAT(bytes, IsOk());
  EXPECT_EQ(ToHex(*bytes), ToHex(Hex(c.hex)));
}

TEST_P(GoldenTest, DecodesFromGoldenBytes) {
  const GoldenCase& c = GetParam();
  absl::StatusOr<Value> v = DecodeMsgpack(Hex(c.hex), c.type);
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(*v, c.value) << v->DebugString() << " vs " << c.value.DebugString();
}

Value StringMap(std::initializer_list<std::pair<const std::string, std::string>> kv) {
  Value::Entries e;
  for (const auto& [k, v] : kv) e.emplace(k, Value::String(v));
  return Value::Map(Type::String(), std::move(e));
}

INSTANTIATE_TEST_SUITE_P(
    Cty, GoldenTest,
    ::testing::Values(
        GoldenCase{"null_string", Type::String(), Value::Null(Type::String()), "c0"},
        GoldenCase{"unknown_string", Type::String(), Value::Unknown(Type::String()), "d4 00 00"},
        GoldenCase{"unknown_map", Type::Map(Type::String()),
                   Value::Unknown(Type::Map(Type::String())), "d4 00 00"},
        GoldenCase{"empty_string", Type::String(), Value::String(""), "a0"},
        GoldenCase{"fixstr", Type::String(), Value::String("abc"), "a3 61 62 63"},
        GoldenCase{"true", Type::Bool(), Value::Bool(true), "c3"},
        GoldenCase{"false", Type::Bool(), Value::Bool(false), "c2"},
        GoldenCase{"int_small", Type::Number(), Value::Number(int64_t{5}), "05"},
        GoldenCase{"int_negative", Type::Number(), Value::Number(int64_t{-1}), "ff"},
        GoldenCase{"int_uint8", Type::Number(), Value::Number(int64_t{200}), "cc c8"},
        GoldenCase{"int_int16", Type::Number(), Value::Number(int64_t{-300}), "d1 fe d4"},
        GoldenCase{"float_half", Type::Number(), Value::Number("0.5"),
                   "cb 3f e0 00 00 00 00 00 00"},
        GoldenCase{"decimal_as_string", Type::Number(), Value::Number("0.1"), "a3 30 2e 31"},
        GoldenCase{"list", Type::List(Type::String()),
                   Value::List(Type::String(), {Value::String("a"), Value::Null(Type::String())}),
                   "92 a1 61 c0"},
        GoldenCase{"map_sorted", Type::Map(Type::String()), StringMap({{"b", "2"}, {"a", "1"}}),
                   "82 a1 61 a1 31 a1 62 a1 32"},
        GoldenCase{"nested_map_of_objects", FilesType(),
                   Value::Map(FilesType().element(),
                              {{"x", Value::Object(FilesType().element(),
                                                   {{"mode", Value::String("0644")},
                                                    {"sha256", Value::Unknown(Type::String())}})}}),
                   "81 a1 78 82 a4 6d 6f 64 65 a4 30 36 34 34 a6 73 68 61 32 35 36 d4 00 00"}),
    [](const ::testing::TestParamInfo<GoldenCase>& info) { return info.param.name; });

// The str8 case above needs its payload spelled out; check it separately.
TEST(MsgpackTest, Str8Header) {
  absl::StatusOr<std::string> bytes =
      EncodeMsgpack(Value::String(std::string(32, 'x')), Type::String());
  ASSERT_THAT(bytes, IsOk());
  EXPECT_EQ(ToHex(bytes->substr(0, 2)), "d920");
  EXPECT_EQ(bytes->size(), 34u);
}

TEST(MsgpackTest, SixteenItemsUseTheSixteenBitHeaders) {
  Value::Elements els(16, Value::Bool(true));
  absl::StatusOr<std::string> list =
      EncodeMsgpack(Value::List(Type::Bool(), els), Type::List(Type::Bool()));
  ASSERT_THAT(list, IsOk());
  EXPECT_EQ(
      ToHex(*list), "dc0010" + [] {
        std::string h;
        for (int i = 0; i < 16; ++i) h += "c3";
        return h;
      }());
  Value::Entries ents;
  for (int i = 0; i < 16; ++i)
    ents.emplace(std::string(1, static_cast<char>('a' + i)), Value::Bool(false));
  absl::StatusOr<std::string> map =
      EncodeMsgpack(Value::Map(Type::Bool(), ents), Type::Map(Type::Bool()));
  ASSERT_THAT(map, IsOk());
  EXPECT_EQ(ToHex(map->substr(0, 3)), "de0010");
  absl::StatusOr<Value> back = DecodeMsgpack(*map, Type::Map(Type::Bool()));
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(back->entries().size(), 16u);
}

TEST(MsgpackTest, ObjectEncodesEveryAttributeSortedWithNulls) {
  Type t = Type::Object({{"b", Type::String()}, {"a", Type::Bool()}});
  Value v = Value::Object(t, {{"b", Value::String("x")}});
  absl::StatusOr<std::string> bytes = EncodeMsgpack(v, t);
  ASSERT_THAT(bytes, IsOk());
  EXPECT_EQ(ToHex(*bytes), "82a161c0a162a178");
}

TEST(MsgpackTest, AnyExtensionDecodesAsUnknown) {
  // fixext1 of another type code, fixext4, ext8 with a refinement payload.
  for (std::string hex : {"d4 05 01", "d6 00 01 02 03 04", "c7 03 0c 81 01 c2"}) {
    absl::StatusOr<Value> v = DecodeMsgpack(Hex(hex), Type::String());
    ASSERT_THAT(v, IsOk()) << hex;
    EXPECT_TRUE(v->IsUnknown()) << hex;
  }
}

TEST(MsgpackTest, RefinedUnknownInsideAMap) {
  absl::StatusOr<Value> v =
      DecodeMsgpack(Hex("81 a1 6b c7 03 0c 81 01 c2"), Type::Map(Type::String()));
  ASSERT_THAT(v, IsOk());
  EXPECT_TRUE(v->entries().at("k").IsUnknown());
  EXPECT_FALSE(v->IsWhollyKnown());
}

TEST(MsgpackTest, DynamicValueWrapper) {
  // [bin "\"string\"", "hi"]
  std::string bytes = Hex("92 c4 08") + "\"string\"" + Hex("a2 68 69");
  absl::StatusOr<Value> v = DecodeMsgpack(bytes, Type::Dynamic());
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(*v, Value::String("hi"));
  absl::StatusOr<std::string> back = EncodeMsgpack(*v, Type::Dynamic());
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(ToHex(*back), ToHex(bytes));
}

// An HCL list literal passed to a function's dynamic parameter arrives as
// a tuple: read as the list it converts to.
TEST(MsgpackTest, DynamicTupleOfOneElementTypeReadsAsAList) {
  const std::string type =
      R"(["object",{"exclude":["tuple",["string","string"]],"none":["tuple",[]]}])";
  std::string bytes = Hex("92 c4") + std::string(1, static_cast<char>(type.size())) + type +
                      Hex("82 a7") + "exclude" + Hex("92 a1 61 a1 62") + Hex("a4") + "none" +
                      Hex("90");
  absl::StatusOr<Value> v = DecodeMsgpack(bytes, Type::Dynamic());
  ASSERT_THAT(v, IsOk());
  const Value& exclude = v->GetAttr("exclude");
  EXPECT_EQ(exclude.type(), Type::List(Type::String()));
  ASSERT_EQ(exclude.elements().size(), 2u);
  EXPECT_EQ(exclude.elements()[1], Value::String("b"));
  EXPECT_EQ(v->GetAttr("none").type(), Type::List(Type::Dynamic()));
  EXPECT_TRUE(v->GetAttr("none").elements().empty());
}

TEST(TypeTest, TupleOfMixedElementTypesIsRefusedNamingBoth) {
  EXPECT_THAT(Type::FromJsonString(R"(["tuple",["string","bool"]])"),
              StatusIs(absl::StatusCode::kInvalidArgument, "(string and bool)"));
  EXPECT_THAT(Type::FromJsonString(R"(["tuple","string"])"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(MsgpackTest, ErrorsNameTheAttributePath) {
  // {"rendered_manifests": {"a": [ ]}} where a string is required.
  Type t = Type::Object({{"rendered_manifests", Type::Map(Type::String())}});
  std::string bytes = Hex("81 b2") + "rendered_manifests" + Hex("81 a1 61 90");
  EXPECT_THAT(DecodeMsgpack(bytes, t), StatusIs(absl::StatusCode::kInvalidArgument,
                                                "rendered_manifests[\"a\"]: expected string"));
}

TEST(MsgpackTest, RejectsUnknownAttribute) {
  Type t = Type::Object({{"a", Type::String()}});
  EXPECT_THAT(DecodeMsgpack(Hex("81 a1 62 c0"), t),
              StatusIs(absl::StatusCode::kInvalidArgument, "unsupported attribute \"b\""));
}

struct HostileCase {
  std::string name;
  std::string hex;
};

class HostileTest : public ::testing::TestWithParam<HostileCase> {};

TEST_P(HostileTest, IsRefusedWithoutCrashing) {
  absl::StatusOr<Value> v = DecodeMsgpack(Hex(GetParam().hex), ResourceLikeType());
  EXPECT_THAT(v, StatusIs(absl::StatusCode::kInvalidArgument));
}

INSTANTIATE_TEST_SUITE_P(
    Cty, HostileTest,
    ::testing::Values(
        HostileCase{"empty", ""}, HostileCase{"truncated_map", "85"},
        HostileCase{"huge_map_claim", "df ff ff ff ff"},
        HostileCase{"huge_array_claim_in_list", "81 a7 65 78 63 6c 75 64 65 dd ff ff ff ff"},
        HostileCase{"huge_string_claim", "81 a2 69 64 db ff ff ff ff 61"},
        HostileCase{"truncated_ext32", "81 a2 69 64 c9 ff ff ff"},
        HostileCase{"trailing_bytes", "80 c0"}, HostileCase{"wrong_root", "a3 61 62 63"},
        HostileCase{"bool_where_map",
                    "81 b2 72 65 6e 64 65 72 65 64 5f 6d 61 6e 69 66 65 73 74 73 c3"}),
    [](const ::testing::TestParamInfo<HostileCase>& info) { return info.param.name; });

TEST(MsgpackTest, DeepNestingIsBounded) {
  // 1000 nested single-element arrays under a dynamic list-of-list type.
  Type t = Type::String();
  for (int i = 0; i < 100; ++i) t = Type::List(t);
  std::string bytes(100, static_cast<char>(0x91));
  bytes += Hex("a1 61");
  EXPECT_THAT(DecodeMsgpack(bytes, t),
              StatusIs(absl::StatusCode::kInvalidArgument, "nested too deeply"));
}

TEST(MsgpackTest, RoundTripsLargeContentWithoutLoss) {
  std::string content(3 * 1024 * 1024, 'y');
  content += "\xc2\xb5\n\n";  // µ and the trailing blank line
  Type t = Type::Map(Type::String());
  Value v = Value::Map(Type::String(), {{"platform/redis/big.yaml", Value::String(content)}});
  absl::StatusOr<std::string> bytes = EncodeMsgpack(v, t);
  ASSERT_THAT(bytes, IsOk());
  absl::StatusOr<Value> back = DecodeMsgpack(*bytes, t);
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(*back, v);
}

TEST(TypeTest, JsonSyntaxRoundTrips) {
  for (std::string text : {"\"string\"", "[\"map\",\"string\"]", "[\"list\",\"bool\"]",
                           "[\"map\",[\"object\",{\"mode\":\"string\",\"sha256\":\"string\"}]]"}) {
    absl::StatusOr<Type> t = Type::FromJsonString(text);
    ASSERT_THAT(t, IsOk()) << text;
    EXPECT_EQ(t->ToJsonString(), text);
  }
  EXPECT_THAT(Type::FromJsonString("[\"tuple\",[\"bool\",\"number\"]]"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Type::FromJsonString("\"strin\""), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(JsonTest, DecodesStoredStateLeniently) {
  absl::StatusOr<Value> v =
      DecodeJson(R"({"id":"dev:/x","prune":true,"rendered_manifests":{"a":"b"},"exclude":null})",
                 ResourceLikeType());
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->GetAttr("id"), Value::String("dev:/x"));
  EXPECT_TRUE(v->GetAttr("files").IsNull());  // missing attribute becomes null
  EXPECT_THAT(DecodeJson(R"({"nope":1})", ResourceLikeType()),
              StatusIs(absl::StatusCode::kInvalidArgument, "unsupported attribute \"nope\""));
  EXPECT_THAT(DecodeJson("{", ResourceLikeType()), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(JsonTest, EncodeDecodeRoundTrip) {
  Value v = Value::Object(
      ResourceLikeType(),
      {{"id", Value::String("x")}, {"rendered_manifests", StringMap({{"k", "v\n\n"}})}});
  absl::StatusOr<std::string> text = EncodeJson(v);
  ASSERT_THAT(text, IsOk());
  absl::StatusOr<Value> back = DecodeJson(*text, ResourceLikeType());
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(*back, v);
}

}  // namespace
}  // namespace wildside::cty

namespace wildside::cty {

TEST(LazyValueTest, KnowsNullWithoutDecodingAndDecodesOnce) {
  using wildside::cty::LazyValue;
  const Type t = Type::Map(Type::String());
  EXPECT_TRUE(LazyValue(LazyValue::Format::kMsgpack, std::string("\xc0", 1), t).IsNull());
  EXPECT_TRUE(LazyValue(LazyValue::Format::kMsgpack, "", t).IsNull());
  EXPECT_TRUE(LazyValue(LazyValue::Format::kJson, " null\n", t).IsNull());
  EXPECT_FALSE(LazyValue(LazyValue::Format::kJson, "{}", t).IsNull());
  EXPECT_TRUE(LazyValue(Value::Null(t)).IsNull());

  Value m = Value::Map(Type::String(), {{"a", Value::String("x")}});
  absl::StatusOr<std::string> bytes = wildside::cty::EncodeMsgpack(m, t);
  ASSERT_TRUE(bytes.ok());
  LazyValue lazy(LazyValue::Format::kMsgpack, *bytes, t);
  EXPECT_FALSE(lazy.IsNull());
  absl::StatusOr<Value> decoded = std::move(lazy).Decode();
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, m);
  absl::StatusOr<Value> from_json = LazyValue(LazyValue::Format::kJson, R"({"a":"x"})", t).Decode();
  ASSERT_TRUE(from_json.ok());
  EXPECT_EQ(*from_json, m);
  EXPECT_FALSE(LazyValue(LazyValue::Format::kMsgpack, "\xc1", t).Decode().ok());
}

TEST(LazyValueTest, DecodeWithoutSkipsTopLevelAttributesButChecksTheirShape) {
  using wildside::cty::LazyValue;
  const Type t = Type::Object({{"id", Type::String()},
                               {"big", Type::Map(Type::String())},
                               {"files", Type::Map(Type::Object({{"sha256", Type::String()}}))}});
  Value v = Value::Object(
      t, {{"id", Value::String("x")},
          {"big", Value::Map(Type::String(), {{"a", Value::String(std::string(1000, 'c'))},
                                              {"b", Value::Unknown(Type::String())}})},
          {"files", Value::Map(Type::Object({{"sha256", Type::String()}}),
                               {{"a", Value::Object(Type::Object({{"sha256", Type::String()}}),
                                                    {{"sha256", Value::String("h")}})}})}});
  absl::StatusOr<std::string> bytes = wildside::cty::EncodeMsgpack(v, t);
  ASSERT_TRUE(bytes.ok());
  LazyValue lazy(LazyValue::Format::kMsgpack, *bytes, t);
  absl::StatusOr<Value> slim = lazy.DecodeWithout({"big"});
  ASSERT_TRUE(slim.ok()) << slim.status();
  EXPECT_TRUE(slim->GetAttr("big").IsNull());
  EXPECT_EQ(slim->GetAttr("files"), v.GetAttr("files"));
  EXPECT_EQ(slim->GetAttr("id"), Value::String("x"));
  // The bytes are still there for the whole value.
  absl::StatusOr<Value> whole = std::move(lazy).Decode();
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(*whole, v);
  // A skipped attribute that is malformed is still an error.
  std::string broken = *bytes;
  broken.resize(broken.size() / 2);
  EXPECT_FALSE(LazyValue(LazyValue::Format::kMsgpack, broken, t).DecodeWithout({"big"}).ok());
  // An already decoded value gives the same answer.
  absl::StatusOr<Value> from_value = LazyValue(v).DecodeWithout({"big"});
  ASSERT_TRUE(from_value.ok());
  EXPECT_EQ(*from_value, *slim);
}

}  // namespace wildside::cty
