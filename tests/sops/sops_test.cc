// tree/sops/ on its own (issue 22): age recipients, how a scalar is typed
// for sops, what the encrypted YAML holds and what it refuses. That the
// files decrypt is sops_oracle_test.cc's job.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "tree/sops/age.h"
#include "tree/sops/crypto.h"
#include "tree/sops/resolve.h"
#include "tree/sops/sops_yaml.h"

namespace wildside::sops {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Made by age-keygen v1.3.2 (the key was thrown away).
constexpr std::string_view kRecipient =
    "age1e55murcwgydtzlvr590c9yqqus6daaxestsny93wac6zvhm9zdvqvzcsl8";

EncryptSettings Settings() {
  EncryptSettings s;
  s.recipients.push_back(*ParseAgeRecipient(kRecipient));
  s.lastmodified_unix = 1764900000;  // 2025-12-05T02:00:00Z
  return s;
}

size_t Count(std::string_view hay, std::string_view needle) {
  size_t n = 0;
  for (size_t p = hay.find(needle); p != std::string_view::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

TEST(AgeRecipientTest, ParsesAnX25519RecipientInEitherCase) {
  auto r = ParseAgeRecipient(kRecipient);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->text, kRecipient);
  EXPECT_EQ(r->public_key.size(), 32U);
  std::string upper(kRecipient);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto u = ParseAgeRecipient(upper);
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->text, kRecipient);
  EXPECT_EQ(u->public_key, r->public_key);
}

TEST(AgeRecipientTest, RefusesWhatIsNotAnX25519RecipientSayingWhat) {
  std::string typo(kRecipient);
  typo[20] = typo[20] == 'q' ? 'p' : 'q';
  EXPECT_THAT(ParseAgeRecipient(typo).status().message(), HasSubstr("checksum"));
  EXPECT_THAT(ParseAgeRecipient("age1pq1qqqqqqqqqqqqqqqqqqqqqqqqq").status().message(),
              HasSubstr("post-quantum"));
  EXPECT_THAT(ParseAgeRecipient("ssh-ed25519 AAAAC3Nza").status().message(), HasSubstr("SSH"));
  std::string mixed(kRecipient);
  mixed[7] = static_cast<char>(std::toupper(static_cast<unsigned char>(mixed[7])));
  EXPECT_THAT(ParseAgeRecipient(mixed).status().message(), HasSubstr("lower or all upper"));
  EXPECT_THAT(ParseAgeRecipient("npub1xyz").status().message(),
              HasSubstr("not an age X25519 recipient"));
  EXPECT_FALSE(ParseAgeRecipient("").ok());
}

TEST(CryptoTest, MatchesPublishedVectors) {
  // RFC 7748 section 6.1: Alice's public key from her private key.
  auto hex = [](std::string_view h) {
    std::string out;
    for (size_t i = 0; i < h.size(); i += 2)
      out.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
    return out;
  };
  auto pub =
      X25519PublicKey(hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(*pub, hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"));
  auto shared =
      X25519Shared(hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"),
                   hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"));
  ASSERT_TRUE(shared.ok());
  EXPECT_EQ(*shared, hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"));
  // RFC 5869 test case 1.
  auto okm = HkdfSha256(hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"),
                        hex("000102030405060708090a0b0c"), hex("f0f1f2f3f4f5f6f7f8f9"), 42);
  ASSERT_TRUE(okm.ok());
  EXPECT_EQ(
      *okm,
      hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"));
  // A low-order point gives an all-zero secret: refused, as age does.
  EXPECT_FALSE(X25519Shared(std::string(32, '\x01'), std::string(32, '\0')).ok());
}

struct ResolveCase {
  std::string text;
  ScalarType type;
  std::string bytes;
};

TEST(ResolveTest, TypesPlainScalarsAsGoYamlV3Does) {
  const std::vector<ResolveCase> cases = {
      {"hello", ScalarType::kStr, "hello"},
      {"", ScalarType::kNull, ""},
      {"~", ScalarType::kNull, ""},
      {"NULL", ScalarType::kNull, ""},
      {"true", ScalarType::kBool, "True"},
      {"FALSE", ScalarType::kBool, "False"},
      {"yes", ScalarType::kStr, "yes"},  // YAML 1.2: a string
      {"42", ScalarType::kInt, "42"},
      {"-7", ScalarType::kInt, "-7"},
      {"0755", ScalarType::kInt, "493"},  // go-yaml v3 keeps 1.1 octal
      {"0o17", ScalarType::kInt, "15"},
      {"0x1F", ScalarType::kInt, "31"},
      {"0b101", ScalarType::kInt, "5"},
      {"1_000", ScalarType::kInt, "1000"},
      {"08", ScalarType::kFloat, "8"},  // not octal, but a float
      {"1e3", ScalarType::kFloat, "1000"},
      {"1.50", ScalarType::kFloat, "1.5"},
      {".5", ScalarType::kFloat, "0.5"},
      {"-.5", ScalarType::kFloat, "-0.5"},
      {"0.1", ScalarType::kFloat, "0.1"},
      {".inf", ScalarType::kFloat, "+Inf"},
      {"-.Inf", ScalarType::kFloat, "-Inf"},
      {".nan", ScalarType::kFloat, "NaN"},
      {"1e400", ScalarType::kStr, "1e400"},  // overflows: stays a string
      {"99999999999999999999", ScalarType::kFloat, "100000000000000000000"},
      {"2001-12-14", ScalarType::kTime, "2001-12-14T00:00:00Z"},
      {"2001-12-14t21:59:43.10-05:00", ScalarType::kTime, "2001-12-14T21:59:43.1-05:00"},
      {"2001-12-14T21:59:43+00:00", ScalarType::kTime, "2001-12-14T21:59:43Z"},
      {"2001-12-14 21:59:43.10", ScalarType::kTime, "2001-12-14T21:59:43.1Z"},
      {"2001-2-3", ScalarType::kTime, "2001-02-03T00:00:00Z"},
      {"2001-02-30", ScalarType::kStr, "2001-02-30"},  // no such day
      {"2001-12-14 21:59", ScalarType::kStr, "2001-12-14 21:59"},
      {"1.2.3", ScalarType::kStr, "1.2.3"},
      {"+", ScalarType::kStr, "+"},
  };
  for (const auto& c : cases) {
    auto r = ResolvePlainScalar(c.text);
    ASSERT_TRUE(r.ok()) << c.text << ": " << r.status();
    EXPECT_EQ(r->type, c.type) << c.text;
    EXPECT_EQ(r->bytes, c.bytes) << c.text;
  }
  EXPECT_THAT(ResolvePlainScalar("18446744073709551615").status().message(),
              HasSubstr("64 signed bits"));
}

TEST(EncryptYamlTest, EncryptsDataAndStringDataAndAddsTheSopsBlockToEveryDocument) {
  const std::string yaml =
      "apiVersion: v1\nkind: Secret\nmetadata:\n  name: approle\n  namespace: vault\n"
      "stringData:\n  role_id: known-token-1234 # a comment\n  empty: \"\"\n"
      "---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: "
      "visible-or-not\n";
  auto out = EncryptYaml(yaml, Settings());
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT(*out, Not(HasSubstr("known-token-1234")));
  EXPECT_THAT(*out, Not(HasSubstr("visible-or-not")));  // one rule for the whole file, as sops
  EXPECT_THAT(*out, Not(HasSubstr("a comment")));
  EXPECT_THAT(*out, HasSubstr("name: approle"));  // metadata stays readable
  EXPECT_THAT(*out, HasSubstr("empty: \"\""));    // sops leaves empty values
  EXPECT_EQ(Count(*out, "\nsops:\n"), 2U);        // the empty document is dropped
  EXPECT_EQ(Count(*out, "type:str]"), 2U + 2U);   // two values, two MACs
  EXPECT_THAT(*out, HasSubstr("lastmodified: \"2025-12-05T02:00:00Z\""));
  EXPECT_THAT(*out, HasSubstr("encrypted_regex: '^(data|stringData)$'"));
  EXPECT_THAT(*out, HasSubstr("recipient: " + std::string(kRecipient)));
  EXPECT_EQ(Count(*out, "-----BEGIN AGE ENCRYPTED FILE-----"), 2U);
  const YamlFacts after = InspectYaml(*out);
  EXPECT_TRUE(after.parsed && after.encrypted && after.secret);
  const YamlFacts before = InspectYaml(yaml);
  EXPECT_TRUE(before.parsed && before.secret);
  EXPECT_FALSE(before.encrypted);
}

TEST(EncryptYamlTest, EncryptsEachValueWithFreshRandomness) {
  const std::string yaml = "kind: Secret\ndata:\n  a: c2VjcmV0\n  b: c2VjcmV0\n";
  auto one = EncryptYaml(yaml, Settings());
  auto two = EncryptYaml(yaml, Settings());
  ASSERT_TRUE(one.ok() && two.ok());
  EXPECT_NE(*one, *two);
  const size_t a = one->find("a: ENC["), b = one->find("b: ENC[");
  ASSERT_NE(a, std::string::npos);
  ASSERT_NE(b, std::string::npos);
  EXPECT_NE(one->substr(a + 3, 60), one->substr(b + 3, 60));
}

TEST(EncryptYamlTest, RefusesWhatSopsCannotRepresentNamingTheLine) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"a: &x 1\nb: *x\n", "line 1: anchors"},
      {"a: !!binary aGk=\n", "line 1: explicit YAML tags"},
      {"a: 1\nb: 2\na: 3\n", "line 3: the key \"a\" appears twice"},
      {"- a\n- b\n", "line 1: a document to encrypt must be a mapping"},
      {"data:\n  1: x\n", "line 2: the key \"1\" is not a string"},
      {"kind: Secret\nsops:\n  version: 3\n",
       "line 2: the document already has a top-level `sops` key"},
      {"a: [1, 2\n", "not valid YAML"},
      {"", "no document"},
  };
  for (const auto& [yaml, want] : cases) {
    auto out = EncryptYaml(yaml, Settings());
    EXPECT_THAT(out.status().message(), HasSubstr(want)) << yaml;
  }
  EncryptSettings none = Settings();
  none.recipients.clear();
  EXPECT_FALSE(EncryptYaml("a: b\n", none).ok());
}

TEST(EncryptYamlTest, EncryptedRegexEscapesKeyNames) {
  EXPECT_EQ(EncryptedRegex({"data", "stringData"}), "^(data|stringData)$");
  EXPECT_EQ(EncryptedRegex({"a.b", "c+"}), R"(^(a\.b|c\+)$)");
}

TEST(InspectYamlTest, FindsSecretsAndSopsBlocksAtTheTopLevelOnly) {
  EXPECT_TRUE(InspectYaml("kind: ConfigMap\n---\napiVersion: v1\nkind: Secret\n").secret);
  EXPECT_FALSE(InspectYaml("apiVersion: v1\nkind: ConfigMap\nspec:\n  kind: Secret\n").secret);
  EXPECT_FALSE(InspectYaml("apiVersion: v2\nkind: Secret\n").secret);
  EXPECT_TRUE(InspectYaml("a: &x 1\nb: *x\napiVersion: v1\nkind: Secret\n").secret);
  EXPECT_FALSE(InspectYaml("data:\n  sops:\n    mac: x\n").encrypted);
  EXPECT_TRUE(InspectYaml("kind: Secret\nsops:\n  mac: x\n").encrypted);
  EXPECT_FALSE(InspectYaml("kind: Secret\nsops: plain\n").encrypted);
  EXPECT_FALSE(InspectYaml("a: [1\n").parsed);
}

}  // namespace
}  // namespace wildside::sops
