// The release assets, installed the way users install them: from the files
// scripts/release wrote alone (no build tree), through the real `tofu`.
//
//  * the static binary serves a real gRPC client from an otherwise empty
//    root (chroot: the binary and /tmp, nothing else);
//  * dist/ is registry-shaped: SHA256SUMS covers every zip and the
//    manifest, its detached signature verifies, each zip holds one file;
//  * a packed filesystem mirror installs with `tofu init`, and the lock
//    file's h1: equals what `tofu providers lock -fs-mirror` computes;
//  * a provider registry over HTTPS (tests/release/registry, trusted via a
//    test CA in SSL_CERT_FILE) installs it with the signature verified,
//    and the tree applies; a tampered zip and a signature by another key
//    each make `tofu init` fail with OpenTofu's own error;
//  * the OCI image layout holds the zips as its layers, and pushed to a
//    real OCI registry (CNCF Distribution) it installs through
//    `oci_mirror` with the same zh: and h1: hashes;
//  * the SPDX SBOM names the zip with its SHA-256, the Debian packages
//    build-info lists and the schema sources, and SHA256SUMS covers it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "file_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "plugin_client.h"
#include "proto/tfplugin6.grpc.pb.h"
#include "provider/server/handshake.h"
#include "provider/server/tls.h"
#include "subprocess.h"

#ifndef WILDSIDE_RELEASE_DIST
#error "WILDSIDE_RELEASE_DIST must be defined by the build"
#endif

namespace wildside {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

const std::string kDist = WILDSIDE_RELEASE_DIST;
const std::string kVersion = WILDSIDE_RELEASE_VERSION;
const std::string kName = "terraform-provider-wildside";
const std::string kPrefix = kName + "_" + kVersion;
const std::string kZip = kPrefix + "_linux_amd64.zip";
const std::string kBinary = kName + "_v" + kVersion;

std::string Read(const fs::path& p) { return testing::ReadWholeFile(p); }
void Write(const fs::path& p, std::string_view s) { testing::WriteWholeFile(p, s); }

#define ASSERT_EXIT_CODE(result, code)                                 \
  ASSERT_EQ((result).exit_code, code) << "stdout:\n"                   \
                                      << (result).out << "\nstderr:\n" \
                                      << (result).err

testing::CommandResult RunCmd(const std::vector<std::string>& argv, const fs::path& cwd,
                              std::map<std::string, std::string> env = {}) {
  env.emplace("CHECKPOINT_DISABLE", "1");
  env.emplace("TF_IN_AUTOMATION", "1");
  env.emplace("TF_INPUT", "0");
  env.emplace("TF_LOG", "");
  env.emplace("TF_PLUGIN_CACHE_DIR", "");
  env.emplace("TF_DATA_DIR", "");
  return testing::RunCommand(argv, testing::EnvironmentWith(env), cwd.string(), 300s);
}

// A private directory, kept when the test failed.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/wildside-release-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() {
    if (::testing::Test::HasFailure()) {
      std::cerr << "kept for inspection: " << path_ << "\n";
      return;
    }
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// The long key ID of the key in `asc` (hex, upper case).
std::string KeyIdOf(const fs::path& asc, const fs::path& gnupghome) {
  fs::create_directories(gnupghome);
  fs::permissions(gnupghome, fs::perms::owner_all);
  testing::CommandResult r = RunCmd({"gpg", "--batch", "--with-colons", "--import-options",
                                     "show-only", "--import", asc.string()},
                                    ".", {{"GNUPGHOME", gnupghome.string()}});
  std::vector<std::string> lines = absl::StrSplit(r.out, '\n');
  for (const std::string& line : lines) {
    std::vector<std::string> f = absl::StrSplit(line, ':');
    if (f.size() > 4 && f[0] == "pub") return f[4];
  }
  return "";
}

std::string RootModule(const std::string& source) {
  return "terraform {\n  required_providers {\n    wildside = {\n      source  = \"" + source +
         "\"\n      version = \"" + kVersion +
         "\"\n    }\n  }\n}\n\n"
         "resource \"wildside_gitops_tree\" \"t\" {\n"
         "  path               = \"checkout\"\n"
         "  cluster            = \"dev\"\n"
         "  rendered_manifests = {\n"
         "    \"platform/redis/valkey.yaml\"  = \"apiVersion: v1\\nkind: ConfigMap\\n\"\n"
         "    \"clusters/dev/kustomization.yaml\" = \"resources: []\\n\"\n"
         "  }\n}\n";
}

// The h1:/zh: hashes of the lock file in `dir`.
std::set<std::string> LockHashes(const fs::path& dir, const std::string& kind) {
  std::set<std::string> out;
  std::string lock = Read(dir / ".terraform.lock.hcl");
  for (size_t pos = lock.find("\"" + kind); pos != std::string::npos;
       pos = lock.find("\"" + kind, pos + 1)) {
    size_t end = lock.find('"', pos + 1);
    out.insert(lock.substr(pos + 1, end - pos - 1));
  }
  return out;
}

std::vector<std::string> SumsFileNames() {
  std::vector<std::string> names;
  std::vector<std::string> lines =
      absl::StrSplit(Read(fs::path(kDist) / (kPrefix + "_SHA256SUMS")), '\n');
  for (const std::string& line : lines) {
    std::vector<std::string> f = absl::StrSplit(line, "  ");
    if (f.size() == 2) names.push_back(f[1]);
  }
  return names;
}

// The SHA-256 SHA256SUMS lists for `name`, or "".
std::string SumOf(const std::string& name) {
  std::vector<std::string> lines =
      absl::StrSplit(Read(fs::path(kDist) / (kPrefix + "_SHA256SUMS")), '\n');
  for (const std::string& line : lines) {
    std::vector<std::string> f = absl::StrSplit(line, "  ");
    if (f.size() == 2 && f[1] == name) return f[0];
  }
  return "";
}

// The words after `prefix` on the first line of build-info.txt starting
// with it ("source_date_epoch: ", "  libgrpc++-dev:amd64 ").
std::vector<std::string> BuildInfo(const std::string& prefix) {
  std::vector<std::string> lines =
      absl::StrSplit(Read(fs::path(kDist) / (kPrefix + "_build-info.txt")), '\n');
  for (const std::string& line : lines) {
    if (line.rfind(prefix, 0) == 0) {
      return absl::StrSplit(line.substr(prefix.size()), ' ', absl::SkipEmpty());
    }
  }
  return {};
}

// The SBOM's package named `name` whose purl contains `purl_part`, or null.
nlohmann::json SbomPackage(const nlohmann::json& doc, const std::string& name,
                           const std::string& purl_part) {
  for (const nlohmann::json& p : doc.value("packages", nlohmann::json::array())) {
    if (p.value("name", "") != name) continue;
    for (const nlohmann::json& ref : p.value("externalRefs", nlohmann::json::array())) {
      if (ref.value("referenceType", "") == "purl" &&
          ref.value("referenceLocator", "").find(purl_part) != std::string::npos) {
        return p;
      }
    }
  }
  return nullptr;
}

bool HasRelationship(const nlohmann::json& doc, const std::string& from, const std::string& type,
                     const std::string& to) {
  for (const nlohmann::json& r : doc.value("relationships", nlohmann::json::array())) {
    if (r.value("spdxElementId", "") == from && r.value("relationshipType", "") == type &&
        r.value("relatedSpdxElement", "") == to) {
      return true;
    }
  }
  return false;
}

class ReleaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(fs::path(kDist) / kZip))
        << "no release in " << kDist << ": scripts/test runs scripts/release before the tests";
    ASSERT_EQ(access(WILDSIDE_TOFU, X_OK), 0) << "tofu not executable: " << WILDSIDE_TOFU;
  }
};

TEST_F(ReleaseTest, EachZipHoldsOnlyTheVersionedBinary) {
  testing::CommandResult list = RunCmd({"unzip", "-Z1", kDist + "/" + kZip}, ".");
  ASSERT_EXIT_CODE(list, 0);
  EXPECT_EQ(list.out, kBinary + "\n");
}

TEST_F(ReleaseTest, SumsCoverEveryZipAndTheManifestAndTheSignatureVerifies) {
  std::vector<std::string> names = SumsFileNames();
  EXPECT_THAT(names, ::testing::Contains(kZip));
  EXPECT_THAT(names, ::testing::Contains(kPrefix + "_manifest.json"));
  for (const auto& e : fs::directory_iterator(kDist)) {
    std::string n = e.path().filename().string();
    if (n.ends_with(".zip")) {
      EXPECT_THAT(names, ::testing::Contains(n));
    }
  }
  testing::CommandResult check =
      RunCmd({"sha256sum", "--check", "--strict", kPrefix + "_SHA256SUMS"}, kDist);
  ASSERT_EXIT_CODE(check, 0);
  EXPECT_EQ(Read(fs::path(kDist) / (kPrefix + "_manifest.json")),
            Read(fs::path(WILDSIDE_SOURCE_DIR) / "registry-manifest.json"));

  TempDir tmp;
  const fs::path home = tmp.path() / "gnupg";
  ASSERT_FALSE(KeyIdOf(fs::path(kDist) / (kPrefix + "_signing-key.asc"), home).empty());
  ASSERT_EXIT_CODE(
      RunCmd({"gpg", "--batch", "--import", kDist + "/" + kPrefix + "_signing-key.asc"}, ".",
             {{"GNUPGHOME", home.string()}}),
      0);
  testing::CommandResult verify =
      RunCmd({"gpg", "--batch", "--verify", kPrefix + "_SHA256SUMS.sig", kPrefix + "_SHA256SUMS"},
             kDist, {{"GNUPGHOME", home.string()}});
  ASSERT_EXIT_CODE(verify, 0);
  EXPECT_THAT(verify.err, HasSubstr("Good signature"));
  // A binary (not ASCII-armored) signature, as the registries require.
  EXPECT_NE(Read(fs::path(kDist) / (kPrefix + "_SHA256SUMS.sig")).rfind("-----BEGIN", 0), 0u);
}

// scripts/lib/sbom.sh: SPDX 2.3, dated SOURCE_DATE_EPOCH, the zip with its
// SHA-256, the Debian packages at build-info's versions, the schema
// sources; and signed, through SHA256SUMS.
TEST_F(ReleaseTest, SbomNamesTheZipTheDebianPackagesAndTheSchemaSources) {
  const std::string name = kPrefix + "_sbom.spdx.json";
  ASSERT_TRUE(fs::exists(fs::path(kDist) / name));
  nlohmann::json doc = nlohmann::json::parse(Read(fs::path(kDist) / name), nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << name << " is not JSON";
  EXPECT_EQ(doc.value("spdxVersion", ""), "SPDX-2.3");
  EXPECT_EQ(doc.value("SPDXID", ""), "SPDXRef-DOCUMENT");

  std::vector<std::string> epoch = BuildInfo("source_date_epoch: ");
  ASSERT_EQ(epoch.size(), 1u);
  std::time_t t = std::stoll(epoch[0]);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char created[32];
  ASSERT_GT(std::strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm), 0u);
  EXPECT_EQ(doc["creationInfo"].value("created", ""), created);

  // The provider: this zip, with the SHA-256 SHA256SUMS lists (and
  // sha256sum --check verifies, above), described by the document.
  nlohmann::json provider;
  for (const nlohmann::json& p : doc["packages"]) {
    if (p.value("packageFileName", "") == kZip) provider = p;
  }
  ASSERT_TRUE(provider.is_object()) << "no package for " << kZip;
  EXPECT_EQ(provider.value("name", ""), kName);
  EXPECT_EQ(provider.value("versionInfo", ""), kVersion);
  ASSERT_EQ(provider["checksums"].size(), 1u);
  EXPECT_EQ(provider["checksums"][0].value("algorithm", ""), "SHA256");
  EXPECT_EQ(provider["checksums"][0].value("checksumValue", ""), SumOf(kZip));
  EXPECT_FALSE(SumOf(kZip).empty());
  const std::string provider_id = provider.value("SPDXID", "");
  EXPECT_TRUE(HasRelationship(doc, "SPDXRef-DOCUMENT", "DESCRIBES", provider_id));

  // A linked Debian package, at the version build-info lists.
  std::vector<std::string> grpc = BuildInfo("  libgrpc++-dev:amd64 ");
  ASSERT_EQ(grpc.size(), 1u);
  nlohmann::json deb = SbomPackage(doc, "libgrpc++-dev", "arch=amd64");
  ASSERT_TRUE(deb.is_object()) << "no libgrpc++-dev (amd64) in " << name;
  EXPECT_EQ(deb.value("versionInfo", ""), grpc[0]);
  EXPECT_EQ(deb.value("supplier", ""), "Organization: Debian");
  EXPECT_TRUE(HasRelationship(doc, provider_id, "STATIC_LINK", deb.value("SPDXID", "")));

  // A schema source, at the version build-info lists.
  std::vector<std::string> k8s = BuildInfo("  k8s.io/kubernetes ");
  ASSERT_EQ(k8s.size(), 2u) << "build-info lists no schema source k8s.io/kubernetes";
  nlohmann::json mod = SbomPackage(doc, "k8s.io/kubernetes", "pkg:golang/k8s.io/kubernetes@");
  ASSERT_TRUE(mod.is_object()) << "no k8s.io/kubernetes in " << name;
  EXPECT_EQ(mod.value("versionInfo", ""), k8s[0]);
  EXPECT_THAT(mod.dump(), HasSubstr(k8s[1]));  // its h1: sum
  EXPECT_TRUE(HasRelationship(doc, provider_id, "CONTAINS", mod.value("SPDXID", "")));

  // Signed with the rest.
  EXPECT_THAT(SumsFileNames(), ::testing::Contains(name));
}

TEST_F(ReleaseTest, StaticBinaryServesFromAnEmptyRoot) {
  TempDir tmp;
  const fs::path root = tmp.path() / "root";
  fs::create_directories(root / "tmp");
  fs::permissions(root / "tmp", fs::perms::all | fs::perms::sticky_bit);
  ASSERT_EXIT_CODE(RunCmd({"unzip", "-q", kDist + "/" + kZip, "-d", root.string()}, "."), 0);
  // Nothing else in the root: no libraries, no loader, no /etc, no /dev.
  std::set<std::string> entries;
  for (const auto& e : fs::directory_iterator(root)) entries.insert(e.path().filename().string());
  ASSERT_EQ(entries, (std::set<std::string>{kBinary, "tmp"}));

  absl::StatusOr<server::ServerCertificate> client = server::GenerateServerCertificate();
  ASSERT_TRUE(client.ok());
  std::vector<std::string> argv = {"chroot", root.string(), "/" + kBinary};
  if (geteuid() != 0) argv.insert(argv.begin(), {"unshare", "--user", "--map-root-user"});
  testing::ChildProcess plugin(
      argv, testing::EnvironmentWith({
                {"TF_PLUGIN_MAGIC_COOKIE", std::string(server::kMagicCookieValue)},
                {"PLUGIN_PROTOCOL_VERSIONS", "6"},
                {"PLUGIN_CLIENT_CERT", client->cert_pem},
                {"TMPDIR", ""},
                {"TF_LOG_PROVIDER", "INFO"},
            }));
  std::optional<std::string> line = plugin.ReadStdoutLine(60s);
  ASSERT_TRUE(line.has_value()) << plugin.stderr_text();
  testing::Handshake hs = testing::ParseHandshake(*line);
  ASSERT_EQ(hs.fields.size(), 6u) << *line;
  EXPECT_EQ(hs.fields[0], "1");
  EXPECT_EQ(hs.fields[1], "6");
  EXPECT_EQ(hs.fields[2], "unix");
  EXPECT_EQ(hs.fields[4], "grpc");
  ASSERT_FALSE(hs.server_cert_pem.empty());

  auto channel = testing::ConnectToPlugin(hs, client->key_pem, client->cert_pem, root.string());
  auto provider = tfplugin6::Provider::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + 60s);
  tfplugin6::GetProviderSchema::Response resp;
  grpc::Status st = provider->GetProviderSchema(&ctx, {}, &resp);
  ASSERT_TRUE(st.ok()) << st.error_message() << "\n" << plugin.stderr_text();
  EXPECT_EQ(resp.resource_schemas().count("wildside_gitops_tree"), 1u);
  // It reports its release version, in its logs and with --version.
  EXPECT_THAT(plugin.stderr_text(), HasSubstr("\"version\":\"" + kVersion + "\""));
  EXPECT_EQ(RunCmd({root.string() + "/" + kBinary, "--version"}, ".").out,
            kName + " v" + kVersion + "\n");
}

// A socket group given by a name /etc/group does not list made glibc's NSS
// load a shared module into the static binary, which crashed before the
// handshake (exit 139). It must handshake and only warn.
TEST_F(ReleaseTest, StaticBinarySurvivesAnUnknownSocketGroupName) {
  TempDir tmp;
  ASSERT_EXIT_CODE(RunCmd({"unzip", "-q", kDist + "/" + kZip, "-d", tmp.path().string()}, "."), 0);
  testing::ChildProcess plugin(
      {(tmp.path() / kBinary).string()},
      testing::EnvironmentWith({
          {"TF_PLUGIN_MAGIC_COOKIE", std::string(server::kMagicCookieValue)},
          {"PLUGIN_PROTOCOL_VERSIONS", "6"},
          {"PLUGIN_CLIENT_CERT", ""},
          {"PLUGIN_UNIX_SOCKET_GROUP", "wildside-no-such-group"},
          {"TF_LOG_PROVIDER", "WARN"},
      }));
  std::optional<std::string> line = plugin.ReadStdoutLine(60s);
  ASSERT_TRUE(line.has_value()) << "no handshake; exit " << plugin.Wait(10s).value_or(-2) << "\n"
                                << plugin.stderr_text();
  EXPECT_THAT(plugin.stderr_text(), HasSubstr("names no group in /etc/group"));
}

TEST_F(ReleaseTest, PackedMirrorInstallsAndTheLockMatchesProvidersLock) {
  TempDir tmp;
  const fs::path mirror = tmp.path() / "mirror";
  const fs::path pkg_dir = mirror / "registry.opentofu.org" / "wildside" / "wildside";
  fs::create_directories(pkg_dir);
  fs::copy_file(fs::path(kDist) / kZip, pkg_dir / (kPrefix + "_linux_amd64.zip"));
  Write(tmp.path() / "cli.tfrc",
        "provider_installation {\n  filesystem_mirror {\n    path    = \"" + mirror.string() +
            "\"\n    include = [\"registry.opentofu.org/wildside/*\"]\n  }\n"
            "  direct {\n    exclude = [\"registry.opentofu.org/wildside/*\"]\n  }\n}\n");
  const fs::path work = tmp.path() / "work";
  Write(work / "main.tf", RootModule("registry.opentofu.org/wildside/wildside"));
  std::map<std::string, std::string> env = {
      {"TF_CLI_CONFIG_FILE", (tmp.path() / "cli.tfrc").string()}};
  testing::CommandResult init = RunCmd({WILDSIDE_TOFU, "init", "-no-color"}, work, env);
  ASSERT_EXIT_CODE(init, 0);
  std::set<std::string> h1 = LockHashes(work, "h1:");
  ASSERT_EQ(h1.size(), 1u) << Read(work / ".terraform.lock.hcl");

  const fs::path locked = tmp.path() / "locked";
  Write(locked / "main.tf", RootModule("registry.opentofu.org/wildside/wildside"));
  Write(tmp.path() / "empty.tfrc", "");
  testing::CommandResult lock =
      RunCmd({WILDSIDE_TOFU, "providers", "lock", "-no-color", "-fs-mirror=" + mirror.string(),
              "-platform=linux_amd64", "registry.opentofu.org/wildside/wildside"},
             locked, {{"TF_CLI_CONFIG_FILE", (tmp.path() / "empty.tfrc").string()}});
  ASSERT_EXIT_CODE(lock, 0);
  EXPECT_EQ(LockHashes(locked, "h1:"), h1);

  ASSERT_EXIT_CODE(RunCmd({WILDSIDE_TOFU, "apply", "-auto-approve", "-no-color"}, work, env), 0);
  EXPECT_EQ(Read(work / "checkout/platform/redis/valkey.yaml"),
            "apiVersion: v1\nkind: ConfigMap\n");
  ASSERT_EXIT_CODE(RunCmd({WILDSIDE_TOFU, "plan", "-detailed-exitcode", "-no-color"}, work, env),
                   0);
}

// Starts tests/release/registry over `dist` and waits for its address.
class Registry {
 public:
  Registry(const fs::path& dist, const fs::path& dir) : dir_(dir) {
    fs::create_directories(dir);
    std::string key_id = KeyIdOf(dist / (kPrefix + "_signing-key.asc"), dir / "gnupg");
    server_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{WILDSIDE_REGISTRY_SERVER, "-dist", dist.string(), "-version",
                                 kVersion, "-key-id", key_id, "-ca-out", (dir / "ca.pem").string(),
                                 "-addr-out", (dir / "addr").string(), "-max-seconds", "600"},
        testing::EnvironmentWith({}));
    // The server writes its address once it listens; bounded only to
    // catch a server that never comes up.
    for (int i = 0; i < 6000 && !fs::exists(dir / "addr"); ++i) usleep(10000);
    std::string addr = fs::exists(dir / "addr") ? Read(dir / "addr") : "";
    address_ = addr.substr(0, addr.find('\n'));
  }
  const std::string& address() const { return address_; }
  fs::path ca() const { return dir_ / "ca.pem"; }
  std::string log() { return server_->stderr_text(); }

 private:
  fs::path dir_;
  std::string address_;
  std::unique_ptr<testing::ChildProcess> server_;
};

struct RegistryRun {
  testing::CommandResult init;
  fs::path work;
  std::map<std::string, std::string> env;
};

RegistryRun InitFromRegistry(const fs::path& dist, const fs::path& dir, Registry& registry) {
  RegistryRun run;
  run.work = dir / "work";
  Write(run.work / "main.tf", RootModule(registry.address() + "/wildside/wildside"));
  Write(dir / "empty.tfrc", "");
  run.env = {{"TF_CLI_CONFIG_FILE", (dir / "empty.tfrc").string()},
             {"SSL_CERT_FILE", registry.ca().string()},
             {"OPENTOFU_ENFORCE_GPG_VALIDATION", "true"}};
  run.init = RunCmd({WILDSIDE_TOFU, "init", "-no-color"}, run.work, run.env);
  return run;
}

TEST_F(ReleaseTest, RegistryOverHttpsInstallsWithTheSignatureVerifiedAndApplies) {
  TempDir tmp;
  Registry registry(kDist, tmp.path() / "registry");
  ASSERT_FALSE(registry.address().empty()) << registry.log();
  RegistryRun run = InitFromRegistry(kDist, tmp.path(), registry);
  ASSERT_EXIT_CODE(run.init, 0);
  std::string key_id =
      KeyIdOf(fs::path(kDist) / (kPrefix + "_signing-key.asc"), tmp.path() / "gnupg");
  EXPECT_THAT(run.init.out, HasSubstr("(signed, key ID " + key_id + ")"));
  // A zh: for every line of SHA256SUMS (tofu records them all, the
  // manifest's too), the zip's among them, and the h1: of the package.
  std::set<std::string> zh = LockHashes(run.work, "zh:");
  EXPECT_EQ(zh.size(), SumsFileNames().size());
  std::string sums = Read(fs::path(kDist) / (kPrefix + "_SHA256SUMS"));
  std::string zip_line = sums.substr(0, sums.find("  " + kZip));
  std::string zip_sum =
      zip_line.substr(zip_line.rfind('\n') == std::string::npos ? 0 : zip_line.rfind('\n') + 1);
  EXPECT_EQ(zh.count("zh:" + zip_sum), 1u) << sums;
  EXPECT_EQ(LockHashes(run.work, "h1:").size(), 1u);

  ASSERT_EXIT_CODE(
      RunCmd({WILDSIDE_TOFU, "apply", "-auto-approve", "-no-color"}, run.work, run.env), 0);
  EXPECT_EQ(Read(run.work / "checkout/clusters/dev/kustomization.yaml"), "resources: []\n");
  ASSERT_EXIT_CODE(
      RunCmd({WILDSIDE_TOFU, "plan", "-detailed-exitcode", "-no-color"}, run.work, run.env), 0);
}

TEST_F(ReleaseTest, RegistryRefusesATamperedZip) {
  TempDir tmp;
  const fs::path dist = tmp.path() / "dist";
  fs::copy(kDist, dist);
  {
    std::ofstream zip(dist / kZip, std::ios::app | std::ios::binary);
    zip << 'x';
  }
  Registry registry(dist, tmp.path() / "registry");
  ASSERT_FALSE(registry.address().empty()) << registry.log();
  RegistryRun run = InitFromRegistry(dist, tmp.path(), registry);
  EXPECT_NE(run.init.exit_code, 0);
  EXPECT_THAT(run.init.err, HasSubstr("incorrect checksum"));
  EXPECT_FALSE(fs::exists(run.work / ".terraform.lock.hcl"));
}

TEST_F(ReleaseTest, RegistryRefusesASignatureByAnotherKey) {
  TempDir tmp;
  const fs::path dist = tmp.path() / "dist";
  fs::copy(kDist, dist);
  const fs::path other = tmp.path() / "other-gnupg";
  fs::create_directories(other);
  fs::permissions(other, fs::perms::owner_all);
  std::map<std::string, std::string> gpg_env = {{"GNUPGHOME", other.string()}};
  ASSERT_EXIT_CODE(RunCmd({"gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "",
                           "--quick-generate-key", "not the maintainers <other@localhost>",
                           "rsa2048", "sign", "1d"},
                          ".", gpg_env),
                   0);
  ASSERT_EXIT_CODE(RunCmd({"gpg", "--batch", "--yes", "--detach-sign", "--output",
                           (dist / (kPrefix + "_SHA256SUMS.sig")).string(),
                           (dist / (kPrefix + "_SHA256SUMS")).string()},
                          ".", gpg_env),
                   0);
  Registry registry(dist, tmp.path() / "registry");
  ASSERT_FALSE(registry.address().empty()) << registry.log();
  RegistryRun run = InitFromRegistry(dist, tmp.path(), registry);
  EXPECT_NE(run.init.exit_code, 0);
  EXPECT_THAT(run.init.err, HasSubstr("not signed with a valid signing key"));
  EXPECT_FALSE(fs::exists(run.work / ".terraform.lock.hcl"));
}

// A TCP port on 127.0.0.1 free a moment ago, for a server that cannot
// report the port it chose (the OCI registry takes one from its config).
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

// The CNCF Distribution registry (scripts/install-registry) over HTTPS on
// localhost, with a throwaway CA from tests/release/registry -tls-out;
// with a `user`, only that user (htpasswd, Basic) may pull or push.
class OciRegistry {
 public:
  explicit OciRegistry(const fs::path& dir, const std::string& user = "",
                       const std::string& password = "")
      : dir_(dir) {
    fs::create_directories(dir / "store");
    testing::CommandResult tls = RunCmd({WILDSIDE_REGISTRY_SERVER, "-tls-out", dir.string()}, dir);
    if (tls.exit_code != 0) return;
    std::string auth;
    if (!user.empty()) {
      testing::CommandResult line =
          RunCmd({WILDSIDE_OCI_REGISTRY, "htpasswd", user, password}, dir);
      if (line.exit_code != 0) return;
      Write(dir / "htpasswd", line.out);
      auth =
          "auth:\n  htpasswd:\n    realm: wildside-test\n    path: " + (dir / "htpasswd").string() +
          "\n";
    }
    port_ = FreePort();
    Write(dir / "config.yml",
          "version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\n"
          "storage:\n  filesystem:\n    rootdirectory: " +
              (dir / "store").string() + "\n" + auth + "http:\n  addr: 127.0.0.1:" +
              std::to_string(port_) + "\n  tls:\n    certificate: " + (dir / "cert.pem").string() +
              "\n    key: " + (dir / "key.pem").string() + "\n");
    server_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{WILDSIDE_OCI_REGISTRY, "serve", (dir / "config.yml").string()},
        testing::EnvironmentWith({{"OTEL_TRACES_EXPORTER", "none"}}));
    // Up once /v2/ answers over TLS (200, or 401 asking for the user);
    // bounded only to catch a registry that never comes up.
    for (int i = 0; i < 300; ++i) {
      testing::CommandResult probe = RunCmd({"curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                                             "--cacert", ca().string(), Url() + "/v2/"},
                                            dir);
      if (probe.exit_code == 0 && (probe.out == "200" || probe.out == "401")) {
        up_ = true;
        return;
      }
      usleep(100000);
    }
  }
  bool up() const { return up_; }
  std::string host() const { return "localhost:" + std::to_string(port_); }
  std::string Url() const { return "https://" + host(); }
  fs::path ca() const { return dir_ / "ca.pem"; }
  std::string log() { return server_ ? server_->stderr_text() : "registry not started"; }

 private:
  fs::path dir_;
  int port_ = 0;
  bool up_ = false;
  std::unique_ptr<testing::ChildProcess> server_;
};

// The h1: a packed filesystem mirror of the release zip gives, as
// `tofu providers lock -fs-mirror` computes it.
std::set<std::string> PackedMirrorH1(const fs::path& dir) {
  const fs::path mirror = dir / "mirror";
  const fs::path pkg_dir = mirror / "registry.opentofu.org" / "wildside" / "wildside";
  fs::create_directories(pkg_dir);
  fs::copy_file(fs::path(kDist) / kZip, pkg_dir / kZip);
  Write(dir / "locked" / "main.tf", RootModule("registry.opentofu.org/wildside/wildside"));
  Write(dir / "empty.tfrc", "");
  testing::CommandResult lock =
      RunCmd({WILDSIDE_TOFU, "providers", "lock", "-no-color", "-fs-mirror=" + mirror.string(),
              "-platform=linux_amd64", "registry.opentofu.org/wildside/wildside"},
             dir / "locked", {{"TF_CLI_CONFIG_FILE", (dir / "empty.tfrc").string()}});
  EXPECT_EQ(lock.exit_code, 0) << lock.err;
  return LockHashes(dir / "locked", "h1:");
}

nlohmann::json LayoutJson(const fs::path& file) {
  return nlohmann::json::parse(Read(file), nullptr, /*allow_exceptions=*/false);
}

fs::path LayoutBlob(const fs::path& layout, const std::string& digest) {
  return layout / "blobs" / "sha256" / digest.substr(std::string("sha256:").size());
}

// scripts/oci-layout, as scripts/release ran it: the layout's tag names an
// image index of the provider's artifact type, each platform's manifest
// has the empty config and one layer, the zip of SHA256SUMS byte for byte.
TEST_F(ReleaseTest, OciLayoutHoldsTheZipsAsLayersWithTheArtifactTypes) {
  const fs::path layout = fs::path(kDist) / "oci-layout";
  ASSERT_TRUE(fs::exists(layout / "index.json")) << "scripts/release wrote no " << layout;
  EXPECT_EQ(Read(layout / "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
  nlohmann::json top = LayoutJson(layout / "index.json");
  ASSERT_EQ(top["manifests"].size(), 1u) << top.dump();
  const nlohmann::json& ref = top["manifests"][0];
  EXPECT_EQ(ref["annotations"]["org.opencontainers.image.ref.name"], kVersion);
  EXPECT_EQ(ref["artifactType"], "application/vnd.opentofu.provider");
  nlohmann::json index = LayoutJson(LayoutBlob(layout, ref["digest"]));
  EXPECT_EQ(index["mediaType"], "application/vnd.oci.image.index.v1+json");
  EXPECT_EQ(index["artifactType"], "application/vnd.opentofu.provider");
  int zips_seen = 0;
  for (const nlohmann::json& entry : index["manifests"]) {
    EXPECT_EQ(entry["artifactType"], "application/vnd.opentofu.provider-target");
    EXPECT_EQ(entry["platform"]["os"], "linux");
    nlohmann::json manifest = LayoutJson(LayoutBlob(layout, entry["digest"]));
    EXPECT_EQ(manifest["mediaType"], "application/vnd.oci.image.manifest.v1+json");
    EXPECT_EQ(manifest["artifactType"], "application/vnd.opentofu.provider-target");
    EXPECT_EQ(manifest["config"]["mediaType"], "application/vnd.oci.empty.v1+json");
    EXPECT_EQ(Read(LayoutBlob(layout, manifest["config"]["digest"])), "{}");
    ASSERT_EQ(manifest["layers"].size(), 1u) << manifest.dump();
    const nlohmann::json& layer = manifest["layers"][0];
    EXPECT_EQ(layer["mediaType"], "archive/zip");
    const std::string zip =
        kPrefix + "_linux_" + entry["platform"]["architecture"].get<std::string>() + ".zip";
    EXPECT_EQ(layer["digest"], "sha256:" + SumOf(zip)) << zip;
    EXPECT_TRUE(Read(LayoutBlob(layout, layer["digest"])) == Read(fs::path(kDist) / zip)) << zip;
    if (zip == kZip) ++zips_seen;
  }
  EXPECT_EQ(zips_seen, 1);
  // No creation time anywhere: the digests are a function of the zips.
  for (const auto& e : fs::directory_iterator(layout / "blobs" / "sha256")) {
    if (fs::file_size(e.path()) < 4096) {
      EXPECT_THAT(Read(e.path()), ::testing::Not(HasSubstr("created"))) << e.path();
    }
  }
}

std::string OciRepository(const OciRegistry& registry) {
  return registry.host() + "/wildside/terraform-provider-wildside";
}

// scripts/oci-push of the release's layout, with `env` besides the CA.
testing::CommandResult OciPush(const OciRegistry& registry, const fs::path& cwd,
                               std::map<std::string, std::string> env = {}) {
  env.emplace("CURL_CA_BUNDLE", registry.ca().string());
  return RunCmd({std::string(WILDSIDE_SOURCE_DIR) + "/scripts/oci-push", kDist + "/oci-layout",
                 OciRepository(registry)},
                cwd, env);
}

// A working directory `dir`/work whose CLI configuration installs the
// provider from `registry` through `oci_mirror`, and the environment for
// tofu there. It has a home of its own: OpenTofu reads OCI credentials
// from the Docker and Podman configurations under it (`docker_auth`, when
// given, goes to ~/.docker/config.json as `docker login` writes it).
std::map<std::string, std::string> OciMirrorWorkspace(const OciRegistry& registry,
                                                      const fs::path& dir,
                                                      const std::string& docker_auth = "") {
  Write(dir / "cli.tfrc",
        "provider_installation {\n  oci_mirror {\n    repository_template = \"" + registry.host() +
            "/wildside/terraform-provider-${type}\"\n"
            "    include = [\"registry.opentofu.org/wildside/*\"]\n  }\n"
            "  direct {\n    exclude = [\"registry.opentofu.org/wildside/*\"]\n  }\n}\n");
  fs::create_directories(dir / "home");
  if (!docker_auth.empty()) {
    Write(dir / "home" / ".docker" / "config.json",
          "{\"auths\":{\"" + registry.host() + "\":{\"auth\":\"" + docker_auth + "\"}}}\n");
  }
  Write(dir / "work" / "main.tf", RootModule("registry.opentofu.org/wildside/wildside"));
  return {{"TF_CLI_CONFIG_FILE", (dir / "cli.tfrc").string()},
          {"SSL_CERT_FILE", registry.ca().string()},
          {"HOME", (dir / "home").string()},
          {"XDG_CONFIG_HOME", (dir / "home" / ".config").string()},
          {"XDG_RUNTIME_DIR", (dir / "home").string()}};
}

// The layout pushed with scripts/oci-push to a real registry, and
// installed by the real tofu through `oci_mirror`: the lock records the
// zip's SHA-256 from SHA256SUMS as zh: and the packed mirror's h1:.
TEST_F(ReleaseTest, OciMirrorInstallsThePushedLayoutWithTheReleaseHashes) {
  TempDir tmp;
  OciRegistry registry(tmp.path() / "oci");
  ASSERT_TRUE(registry.up()) << registry.log();
  testing::CommandResult push = OciPush(registry, tmp.path());
  ASSERT_EXIT_CODE(push, 0);
  nlohmann::json top = LayoutJson(fs::path(kDist) / "oci-layout" / "index.json");
  EXPECT_EQ(push.out, OciRepository(registry) + ":" + kVersion + "@" +
                          top["manifests"][0]["digest"].get<std::string>() + "\n");
  // Again: every blob is there already, the manifests keep their digests.
  testing::CommandResult again = OciPush(registry, tmp.path());
  ASSERT_EXIT_CODE(again, 0);
  EXPECT_EQ(again.out, push.out);
  EXPECT_THAT(again.err, ::testing::Not(HasSubstr("uploaded")));

  std::map<std::string, std::string> env = OciMirrorWorkspace(registry, tmp.path());
  const fs::path work = tmp.path() / "work";
  testing::CommandResult init = RunCmd({WILDSIDE_TOFU, "init", "-no-color"}, work, env);
  ASSERT_EXIT_CODE(init, 0);
  EXPECT_EQ(LockHashes(work, "zh:"), std::set<std::string>{"zh:" + SumOf(kZip)})
      << Read(work / ".terraform.lock.hcl");
  std::set<std::string> h1 = LockHashes(work, "h1:");
  EXPECT_EQ(h1.size(), 1u);
  EXPECT_EQ(h1, PackedMirrorH1(tmp.path() / "packed"));

  ASSERT_EXIT_CODE(RunCmd({WILDSIDE_TOFU, "apply", "-auto-approve", "-no-color"}, work, env), 0);
  EXPECT_EQ(Read(work / "checkout/clusters/dev/kustomization.yaml"), "resources: []\n");
  ASSERT_EXIT_CODE(RunCmd({WILDSIDE_TOFU, "plan", "-detailed-exitcode", "-no-color"}, work, env),
                   0);
}

// A registry that wants a user: scripts/oci-push says which variables to
// set, refuses a wrong password with the registry's answer, and pushes
// with the right one (the Basic challenge answered); tofu installs with
// the user's Docker configuration, and fails without it.
TEST_F(ReleaseTest, OciPushAndInstallWithCredentials) {
  TempDir tmp;
  OciRegistry registry(tmp.path() / "oci", "mirror-bot", "s3cret-token");
  ASSERT_TRUE(registry.up()) << registry.log();
  testing::CommandResult anonymous = OciPush(registry, tmp.path());
  EXPECT_EQ(anonymous.exit_code, 1);
  EXPECT_THAT(anonymous.err, HasSubstr("WILDSIDE_OCI_USERNAME"));
  testing::CommandResult wrong = OciPush(
      registry, tmp.path(),
      {{"WILDSIDE_OCI_USERNAME", "mirror-bot"}, {"WILDSIDE_OCI_PASSWORD", "not-the-token"}});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_THAT(wrong.err, HasSubstr("HTTP 401"));
  testing::CommandResult push =
      OciPush(registry, tmp.path(),
              {{"WILDSIDE_OCI_USERNAME", "mirror-bot"}, {"WILDSIDE_OCI_PASSWORD", "s3cret-token"}});
  ASSERT_EXIT_CODE(push, 0);

  std::map<std::string, std::string> env = OciMirrorWorkspace(registry, tmp.path() / "without");
  testing::CommandResult refused =
      RunCmd({WILDSIDE_TOFU, "init", "-no-color"}, tmp.path() / "without" / "work", env);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_THAT(refused.err, HasSubstr("basic credential not found"));
  EXPECT_FALSE(fs::exists(tmp.path() / "without" / "work" / ".terraform.lock.hcl"));

  // base64("mirror-bot:s3cret-token"), as `docker login` writes it.
  env = OciMirrorWorkspace(registry, tmp.path() / "with", "bWlycm9yLWJvdDpzM2NyZXQtdG9rZW4=");
  testing::CommandResult init =
      RunCmd({WILDSIDE_TOFU, "init", "-no-color"}, tmp.path() / "with" / "work", env);
  ASSERT_EXIT_CODE(init, 0);
  EXPECT_EQ(LockHashes(tmp.path() / "with" / "work", "zh:"),
            std::set<std::string>{"zh:" + SumOf(kZip)});
}

}  // namespace
}  // namespace wildside
