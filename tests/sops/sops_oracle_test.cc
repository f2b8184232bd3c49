// sops and age as tree/sops/'s oracles (issue 22, item 6): every file
// EncryptYaml writes must decrypt with `sops -d` (which recomputes and
// checks the MAC) to the values that were rendered, compared as parsed
// values: sops retypes some scalars on the way (0755 is 493, 1e3 is 1000,
// a date is an RFC 3339 time); and the data key in every age stanza must
// decrypt with `age -d` and the recipient's identity.
//
// The binaries come from scripts/install-sops (WILDSIDE_SOPS, a directory
// holding sops, age and age-keygen). Without them these tests fail,
// naming the script; they are never skipped.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "file_util.h"
#include "nlohmann/json.hpp"
#include "subprocess.h"
#include "tree/sops/sops_yaml.h"

namespace wildside::sops {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using wildside::testing::CommandResult;
using wildside::testing::EnvironmentWith;
using wildside::testing::RunCommand;
using wildside::testing::WriteWholeFile;

class SopsOracleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tools_ = WILDSIDE_SOPS;
    for (const char* tool : {"sops", "age", "age-keygen"}) {
      ASSERT_TRUE(fs::exists(tools_ / tool)) << (tools_ / tool)
                                             << " is missing: run scripts/install-sops and "
                                                "configure with -DWILDSIDE_SOPS=<its output>";
    }
    dir_ = fs::temp_directory_path() /
           ("wildside-sops-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  CommandResult Run(const std::vector<std::string>& argv,
                    const std::map<std::string, std::string>& env = {}) {
    std::map<std::string, std::string> e = env;
    e["HOME"] = dir_.string();  // no user configuration of sops
    return RunCommand(argv, EnvironmentWith(e), dir_.string(), std::chrono::seconds(60));
  }

  // A new identity file; returns its recipient.
  std::string NewIdentity(const std::string& name) {
    const fs::path key = dir_ / name;
    CommandResult made = Run({(tools_ / "age-keygen").string(), "-o", key.string()});
    EXPECT_EQ(made.exit_code, 0) << made.err;
    CommandResult pub = Run({(tools_ / "age-keygen").string(), "-y", key.string()});
    EXPECT_EQ(pub.exit_code, 0) << pub.err;
    std::string r = pub.out;
    while (!r.empty() && r.back() == '\n') r.pop_back();
    return r;
  }

  EncryptSettings SettingsFor(const std::vector<std::string>& recipients) {
    EncryptSettings s;
    for (const auto& r : recipients) {
      auto parsed = ParseAgeRecipient(r);
      EXPECT_TRUE(parsed.ok()) << parsed.status();
      if (parsed.ok()) s.recipients.push_back(*parsed);
    }
    s.lastmodified_unix = 1764900000;
    return s;
  }

  // sops -d of the text, with the identity; output type yaml or json.
  CommandResult Decrypt(const std::string& encrypted, const std::string& identity,
                        const std::string& type) {
    const fs::path file = dir_ / "secret.enc.yaml";
    WriteWholeFile(file, encrypted);
    return Run({(tools_ / "sops").string(), "--decrypt", "--input-type", "yaml", "--output-type",
                type, file.string()},
               {{"SOPS_AGE_KEY_FILE", (dir_ / identity).string()}});
  }

  fs::path tools_;
  fs::path dir_;
};

struct Case {
  std::string name;
  std::string yaml;
  std::string want_json;  // what sops -d --output-type json prints, parsed
};

TEST_F(SopsOracleTest, SopsDecryptsEveryFileToTheRenderedValues) {
  const std::string recipient = NewIdentity("key.txt");
  const std::vector<Case> cases = {
      {"secret",
       "apiVersion: v1\nkind: Secret\nmetadata:\n  name: approle\n  namespace: vault\ntype: "
       "Opaque\n"
       "stringData:\n  role_id: 6f1c2b1e-known\n  secret_id: \"s3cr3t: with colon\"\n"
       "data:\n  token: a25vd24tdG9rZW4=\n",
       R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"approle","namespace":"vault"},"type":"Opaque",
           "stringData":{"role_id":"6f1c2b1e-known","secret_id":"s3cr3t: with colon"},
           "data":{"token":"a25vd24tdG9rZW4="}})"},
      {"typed scalars, encrypted and in clear",
       "kind: Config\nreplicas: 3\nratio: 1.50\nhex: 0x1F\nwhen: 2001-12-14t21:59:43.10-05:00\n"
       "big: 99999999999999999999\nyes_word: yes\nquoted: '0755'\n"
       "data:\n  n: 0755\n  f: 1e3\n  b: true\n  t: 2001-12-14\n  s: \"0755\"\n  nul: null\n  "
       "empty: \"\"\n"
       "  l: [a, 1, {x: y}]\n  nested:\n    deep: v\n  lit: |\n    line one\n    line two\n"
       "  folded: >\n    folded\n    text\n  unicode: \"caf\\u00e9 \\U0001F600\"\n",
       R"({"kind":"Config","replicas":3,"ratio":1.5,"hex":31,"when":"2001-12-14T21:59:43.1-05:00",
           "big":100000000000000000000.0,"yes_word":"yes","quoted":"0755",
           "data":{"n":493,"f":1000,"b":true,"t":"2001-12-14T00:00:00Z","s":"0755","nul":null,"empty":"",
                   "l":["a",1,{"x":"y"}],"nested":{"deep":"v"},"lit":"line one\nline two\n",
                   "folded":"folded text\n","unicode":"café 😀"}})"},
      {"flow style and odd keys",
       "{kind: Secret, metadata: {name: x}, stringData: {\"key with space\": v1, 'a:b': v2, "
       "\"8080\": v3}}\n",
       R"({"kind":"Secret","metadata":{"name":"x"},"stringData":{"key with space":"v1","a:b":"v2","8080":"v3"}})"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto enc = EncryptYaml(c.yaml, SettingsFor({recipient}));
    ASSERT_TRUE(enc.ok()) << enc.status();
    CommandResult dec = Decrypt(*enc, "key.txt", "json");
    ASSERT_EQ(dec.exit_code, 0) << dec.err << "\n--- encrypted:\n" << *enc;
    EXPECT_EQ(nlohmann::json::parse(dec.out), nlohmann::json::parse(c.want_json)) << dec.out;
  }
}

TEST_F(SopsOracleTest, MultiDocumentFileHasOneKeyOneMacAndDecryptsWhole) {
  const std::string recipient = NewIdentity("key.txt");
  const std::string yaml =
      "apiVersion: v1\nkind: Secret\nmetadata:\n  name: one\nstringData:\n  token: "
      "first-known-token\n---\n"
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: two\ndata:\n  plain: second-value\n";
  auto enc = EncryptYaml(yaml, SettingsFor({recipient}));
  ASSERT_TRUE(enc.ok()) << enc.status();
  EXPECT_THAT(*enc, Not(HasSubstr("first-known-token")));
  CommandResult dec = Decrypt(*enc, "key.txt", "yaml");
  ASSERT_EQ(dec.exit_code, 0) << dec.err;
  EXPECT_THAT(dec.out, HasSubstr("token: first-known-token"));
  EXPECT_THAT(dec.out, HasSubstr("plain: second-value"));
  EXPECT_THAT(dec.out, HasSubstr("name: two"));
  EXPECT_THAT(dec.out, Not(HasSubstr("sops:")));
}

TEST_F(SopsOracleTest, AHandEditedValueFailsSopsMacCheck) {
  const std::string recipient = NewIdentity("key.txt");
  auto enc = EncryptYaml("kind: Secret\nmetadata:\n  name: x\nstringData:\n  a: b\n",
                         SettingsFor({recipient}));
  ASSERT_TRUE(enc.ok()) << enc.status();
  std::string edited = *enc;
  const size_t at = edited.find("name: x");
  ASSERT_NE(at, std::string::npos);
  edited.replace(at, 7, "name: y");  // a clear value: only the MAC notices
  CommandResult dec = Decrypt(edited, "key.txt", "yaml");
  EXPECT_NE(dec.exit_code, 0);
  EXPECT_THAT(dec.err, HasSubstr("MAC"));
}

TEST_F(SopsOracleTest, EveryRecipientDecryptsAndAgeOpensEachStanza) {
  const std::string one = NewIdentity("one.txt");
  const std::string two = NewIdentity("two.txt");
  auto enc = EncryptYaml("kind: Secret\nstringData:\n  token: shared-known-token\n",
                         SettingsFor({one, two}));
  ASSERT_TRUE(enc.ok()) << enc.status();
  for (const char* id : {"one.txt", "two.txt"}) {
    CommandResult dec = Decrypt(*enc, id, "json");
    ASSERT_EQ(dec.exit_code, 0) << id << ": " << dec.err;
    EXPECT_EQ(nlohmann::json::parse(dec.out)["stringData"]["token"], "shared-known-token");
  }
  // Each stanza's `enc` is a whole armored age file holding the 32-byte
  // data key: age itself opens it with the matching identity.
  size_t pos = 0;
  std::vector<std::string> armored;
  while ((pos = enc->find("-----BEGIN AGE ENCRYPTED FILE-----", pos)) != std::string::npos) {
    const size_t end = enc->find("-----END AGE ENCRYPTED FILE-----", pos);
    ASSERT_NE(end, std::string::npos);
    std::string text;
    size_t line = pos;
    while (line <= end) {
      size_t nl = enc->find('\n', line);
      std::string l = enc->substr(line, nl - line);
      l.erase(0, l.find_first_not_of(' '));
      text += l + "\n";
      line = nl + 1;
      while (line < enc->size() && (*enc)[line] == ' ') ++line;
    }
    armored.push_back(text);
    pos = end + 1;
  }
  ASSERT_EQ(armored.size(), 2U);
  const char* ids[] = {"one.txt", "two.txt"};
  for (size_t i = 0; i < 2; ++i) {
    WriteWholeFile(dir_ / "key.age", armored[i]);
    CommandResult opened = Run({(tools_ / "age").string(), "-d", "-i", (dir_ / ids[i]).string(),
                                (dir_ / "key.age").string()});
    ASSERT_EQ(opened.exit_code, 0) << opened.err << armored[i];
    EXPECT_EQ(opened.out.size(), 32U);
    CommandResult wrong = Run({(tools_ / "age").string(), "-d", "-i", (dir_ / ids[1 - i]).string(),
                               (dir_ / "key.age").string()});
    EXPECT_NE(wrong.exit_code, 0);
  }
}

// kustomize builds encrypted files as they are (Flux decrypts after the
// build): the sops block rides along in the built Secret, values still
// encrypted, and a namespace transformer still applies.
TEST_F(SopsOracleTest, KustomizeBuildsTheEncryptedFiles) {
  const fs::path kustomize = WILDSIDE_KUSTOMIZE;
  ASSERT_TRUE(fs::exists(kustomize)) << kustomize << " is missing: run scripts/install-kustomize";
  const std::string recipient = NewIdentity("key.txt");
  auto enc = EncryptYaml(
      "apiVersion: v1\nkind: Secret\nmetadata:\n  name: approle\nstringData:\n  token: "
      "kustomize-known\n"
      "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: second\ndata:\n  k: dg==\n",
      SettingsFor({recipient}));
  ASSERT_TRUE(enc.ok()) << enc.status();
  WriteWholeFile(dir_ / "app/secret.yaml", *enc);
  WriteWholeFile(dir_ / "app/kustomization.yaml",
                 "namespace: vault\nresources:\n  - secret.yaml\n");
  CommandResult built = Run({kustomize.string(), "build", (dir_ / "app").string()});
  ASSERT_EQ(built.exit_code, 0) << built.err;
  EXPECT_THAT(built.out, HasSubstr("name: approle"));
  EXPECT_THAT(built.out, HasSubstr("name: second"));
  EXPECT_THAT(built.out, HasSubstr("namespace: vault"));
  EXPECT_THAT(built.out, HasSubstr("sops:"));
  EXPECT_THAT(built.out, Not(HasSubstr("kustomize-known")));
  // The namespace kustomize added is a clear value the MAC did not cover:
  // `sops -d` refuses the built document, which is why kustomize-controller
  // decrypts without checking the MAC (gitops-facts.md).
  const size_t second = built.out.find("\n---\n");
  ASSERT_NE(second, std::string::npos);
  CommandResult dec = Decrypt(built.out.substr(0, second + 1), "key.txt", "json");
  EXPECT_NE(dec.exit_code, 0);
  EXPECT_THAT(dec.err, HasSubstr("MAC")) << built.out;

  // kustomize-controller's own decryption (its internal/decryptor, as
  // Flux runs it in the cluster) opens the built Secrets with the identity
  // in a Secret named by spec.decryption.
  const fs::path flux_decrypt = WILDSIDE_FLUX_DECRYPT;
  ASSERT_TRUE(fs::exists(flux_decrypt))
      << flux_decrypt << " is missing: run scripts/install-flux-decrypt";
  WriteWholeFile(dir_ / "built.yaml", built.out);
  CommandResult flux = Run({"sh", "-c", "\"$0\" \"$1\" < \"$2\"", flux_decrypt.string(),
                            (dir_ / "key.txt").string(), (dir_ / "built.yaml").string()});
  ASSERT_EQ(flux.exit_code, 0) << flux.err;
  EXPECT_THAT(flux.out, HasSubstr("token: kustomize-known"));
  EXPECT_THAT(flux.out, HasSubstr("k: dg=="));
  EXPECT_THAT(flux.out, HasSubstr("namespace: vault"));
  EXPECT_THAT(flux.out, Not(HasSubstr("sops:")));
  // Not vacuous: another identity opens nothing.
  NewIdentity("other.txt");
  CommandResult wrong = Run({"sh", "-c", "\"$0\" \"$1\" < \"$2\"", flux_decrypt.string(),
                             (dir_ / "other.txt").string(), (dir_ / "built.yaml").string()});
  EXPECT_NE(wrong.exit_code, 0);
}

}  // namespace
}  // namespace wildside::sops
