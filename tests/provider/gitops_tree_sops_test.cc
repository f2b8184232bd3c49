// Which files wildside_gitops_tree writes SOPS-encrypted, what changes the
// settings digest, and the plan's errors for what sops cannot represent
// (provider/resources/gitops_tree_sops.h, issue 22).
#include "provider/resources/gitops_tree_sops.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tree/checkout.h"

namespace wildside::resources::gitops {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kOne[] = "age1e55murcwgydtzlvr590c9yqqus6daaxestsny93wac6zvhm9zdvqvzcsl8";

Desired DesiredOf(const std::map<std::string, std::string>& owned, const char* attr = kRendered) {
  Desired d;
  for (const auto& [k, v] : owned) {
    d.tree.emplace(k, v);
    d.source.emplace(k, attr);
  }
  return d;
}

TEST(KeysToEncryptTest, SecretsAndGlobbedYamlButNotEncryptedOrOtherFiles) {
  const std::map<std::string, std::string> files = {
      {"platform/vault/secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"},
      {"platform/vault/mixed.yml", "kind: ConfigMap\n---\napiVersion: v1\nkind: Secret\n"},
      {"platform/vault/done.yaml", "apiVersion: v1\nkind: Secret\nsops:\n  version: 3.13.3\n"},
      {"platform/vault/values-secret.yaml", "password: x\n"},
      {"platform/vault/config.yaml", "apiVersion: v1\nkind: ConfigMap\n"},
      {"platform/vault/notes.txt", "apiVersion: v1\nkind: Secret\n"},
  };
  const Desired d = DesiredOf(files);
  Settings s;
  EXPECT_THAT(KeysToEncrypt(s, d), IsEmpty());  // no recipients: nothing
  s.sops_recipients = {kOne};
  EXPECT_THAT(KeysToEncrypt(s, d),
              ElementsAre("platform/vault/mixed.yml", "platform/vault/secret.yaml"));
  s.sops_files = {"platform/*/values-*.yaml", "**/*.txt"};
  EXPECT_THAT(KeysToEncrypt(s, d),
              ElementsAre("platform/vault/mixed.yml", "platform/vault/secret.yaml",
                          "platform/vault/values-secret.yaml"));
}

TEST(EncryptionDigestTest, RecipientsCountAsASetAndKeysAndRecipientsChangeIt) {
  Settings a;
  a.sops_recipients = {"age1a", "age1b"};
  Settings b = a;
  b.sops_recipients = {"age1b", "age1a", "age1a"};
  EXPECT_EQ(EncryptionDigest(a), EncryptionDigest(b));
  Settings c = a;
  c.sops_recipients.push_back("age1c");
  EXPECT_NE(EncryptionDigest(a), EncryptionDigest(c));
  Settings d = a;
  d.sops_keys = {"data"};
  EXPECT_NE(EncryptionDigest(a), EncryptionDigest(d));
}

TEST(CheckEncryptableTest, WhatSopsCannotRepresentIsAnErrorOnTheKeyAndSensitiveOnesQuoteNothing) {
  const std::map<std::string, std::string> files = {
      {"platform/vault/a.yaml",
       "apiVersion: v1\nkind: Secret\nstringData: &x {k: v}\nother: *x\n"}};
  Settings s;
  s.sops_recipients = {kOne};
  core::Diagnostics diags;
  Desired plain = DesiredOf(files);
  CheckEncryptable(s, plain, KeysToEncrypt(s, plain), &diags);
  ASSERT_EQ(diags.size(), 1U);
  EXPECT_EQ(diags[0].summary, "File cannot be written SOPS-encrypted");
  EXPECT_THAT(diags[0].detail,
              HasSubstr("rendered_manifests[\"platform/vault/a.yaml\"]: line 3: anchors"));
  EXPECT_THAT(diags[0].detail, HasSubstr("it holds a Secret"));

  const std::map<std::string, std::string> secret = {
      {"platform/vault/a.yaml",
       "apiVersion: v1\nkind: Secret\nstringData:\n  \"k\": 1\n  \"k\": 2\n"}};
  Desired hidden = DesiredOf(secret, kSensitive);
  diags.clear();
  CheckEncryptable(s, hidden, KeysToEncrypt(s, hidden), &diags);
  ASSERT_EQ(diags.size(), 1U);
  EXPECT_THAT(diags[0].detail, HasSubstr("line 5: (sensitive, not shown)"));
  EXPECT_THAT(diags[0].detail, Not(HasSubstr("\"k\"")));
}

// At apply (reached when the plan could not check the content, unknown
// then): the same redaction for sensitive content.
TEST(EncryptForWriteTest, RefusalOfSensitiveContentNamesTheLineOnly) {
  const std::map<std::string, std::string> secret = {
      {"platform/vault/a.yaml",
       "apiVersion: v1\nkind: Secret\nstringData:\n  \"k\": 1\n  \"k\": 2\n"}};
  Settings s;
  s.sops_recipients = {kOne};
  Desired hidden = DesiredOf(secret, kSensitive);
  absl::StatusOr<tree::ReadSession> none =
      tree::ReadSession::Open("/nonexistent/wildside-sops-test", tree::TreeOptions());
  ASSERT_TRUE(none.ok()) << none.status();
  EncryptedTree out;
  absl::Status status = EncryptForWrite(*none, s, hidden, KeysToEncrypt(s, hidden), {}, &out);
  EXPECT_THAT(std::string(status.message()), HasSubstr("line 5: (sensitive, not shown)"));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("\"k\"")));

  // And a Secret it can encrypt is replaced in the tree to write, with its record.
  const std::map<std::string, std::string> fine = {
      {"platform/vault/a.yaml", "apiVersion: v1\nkind: Secret\nstringData:\n  k: known-value\n"}};
  Desired plain = DesiredOf(fine);
  EncryptedTree written;
  ASSERT_TRUE(EncryptForWrite(*none, s, plain, KeysToEncrypt(s, plain), {}, &written).ok());
  EXPECT_THAT(std::string(written.tree.at("platform/vault/a.yaml")), Not(HasSubstr("known-value")));
  EXPECT_THAT(written.fresh, ElementsAre("platform/vault/a.yaml"));
  EXPECT_EQ(written.records.at("platform/vault/a.yaml").settings, EncryptionDigest(s));
}

}  // namespace
}  // namespace wildside::resources::gitops
