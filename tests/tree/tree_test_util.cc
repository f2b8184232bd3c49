#include "tree_test_util.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "gtest/gtest.h"
#include "tree/checkout.h"

namespace wildside::tree::testing {

namespace fs = std::filesystem;

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl =
      std::string(base != nullptr && *base ? base : "/tmp") + "/wildside-tree-test-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp failed";
  }
  path_ = tmpl;
}

TempDir::~TempDir() {
  // Tests may leave read-only directories behind; make them removable.
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(path_, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) {
      fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
    }
  }
  fs::remove_all(path_, ec);
}

void WriteFile(const std::string& path, const std::string& content, mode_t mode) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  ASSERT_TRUE(out) << "cannot write " << path;
  ASSERT_EQ(::chmod(path.c_str(), mode), 0) << path;
}

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void MakeDirs(const std::string& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  ASSERT_FALSE(ec) << path << ": " << ec.message();
}

void MakeSymlink(const std::string& target, const std::string& link) {
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0) << link;
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

mode_t ModeOf(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

struct timespec MtimeOf(const std::string& path) {
  struct stat st {};
  ::lstat(path.c_str(), &st);
  return st.st_mtim;
}

void SetOldMtime(const std::string& path) {
  struct timespec times[2] = {{1000000000, 0}, {1000000000, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW), 0);
}

std::map<std::string, std::string> Snapshot(const std::string& root) {
  std::map<std::string, std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::string rel = fs::relative(it->path(), root, ec).string();
    struct stat st;
    if (::lstat(it->path().c_str(), &st) != 0) continue;
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777);
    if (S_ISLNK(st.st_mode)) {
      out[rel] = "link -> " + fs::read_symlink(it->path(), ec).string();
    } else if (S_ISDIR(st.st_mode)) {
      out[rel] = std::string("dir ") + mode;
    } else {
      out[rel] = std::string("file ") + mode + " " +
                 ReadFile(it->path().string()).value_or("<unreadable>");
    }
  }
  return out;
}

std::map<std::string, std::string> ReadTree(const std::string& root) {
  std::map<std::string, std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_symlink(ec) || !it->is_regular_file(ec)) continue;
    if (it->path().filename() == ".wildside-inventory") continue;
    out[fs::relative(it->path(), root, ec).string()] =
        ReadFile(it->path().string()).value_or("<unreadable>");
  }
  return out;
}

std::map<std::string, std::string> RealisticFixture(const std::string& cluster) {
  std::map<std::string, std::string> m;
  auto yaml = [](const std::string& kind, const std::string& name, const std::string& ns) {
    return "apiVersion: v1\nkind: " + kind + "\nmetadata:\n  name: " + name +
           "\n  namespace: " + ns +
           "\n  labels:\n    app.kubernetes.io/managed-by: wildside\n"
           "spec:\n  interval: 10m\n  timeout: 5m\n\n";
  };
  const std::string c = "clusters/" + cluster + "/";
  m[c + "kustomization.yaml"] = yaml("Kustomization", cluster, "flux-system");
  m[c + "platform.yaml"] = yaml("Kustomization", "platform", "flux-system");
  m[c + "modules.yaml"] = yaml("Kustomization", "modules", "flux-system");
  m[c + "cluster-vars.yaml"] = yaml("ConfigMap", "cluster-vars", "flux-system");
  m[c + "platform/traefik/values-patch.yaml"] = yaml("ConfigMap", "traefik-patch", "traefik");
  const char* components[] = {"sources", "traefik",   "cert-manager", "external-dns",
                              "vault",   "databases", "redis"};
  for (const char* comp : components) {
    std::string p = std::string("platform/") + comp + "/";
    m[p + "kustomization.yaml"] = yaml("Kustomization", comp, comp);
    m[p + "namespace.yaml"] = yaml("Namespace", comp, comp);
    m[p + "helmrelease.yaml"] = yaml("HelmRelease", comp, comp);
    m[p + "values.yaml"] = yaml("ConfigMap", std::string(comp) + "-values", comp);
  }
  m["platform/sources/helmrepositories.yaml"] = yaml("HelmRepository", "charts", "flux-system");
  m["platform/databases/cluster.yaml"] = yaml("Cluster", "pg", "databases");
  m["platform/redis/valkey.yaml"] = yaml("HelmRelease", "valkey", "redis");
  m["platform/vault/policy.hcl"] = "path \"secret/*\" {\n  capabilities = [\"read\"]\n}\n\n";
  m["modules/app/kustomization.yaml"] = yaml("Kustomization", "app", "app");
  m["modules/app/deployment.yaml"] = yaml("Deployment", "app", "app");
  m["modules/app/service.yaml"] = yaml("Service", "app", "app");
  m["modules/app/ingress.yaml"] = yaml("Ingress", "app", "app");
  // One large multi-document YAML (~200 KB) with non-ASCII UTF-8.
  std::string big;
  for (int i = 0; big.size() < 200 * 1024; ++i) {
    big += "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: latency-" + std::to_string(i) +
           "\ndata:\n  budget: \"" + std::to_string(i * 7 % 1000) +
           " µs\"\n  note: \"Grüße, naïve café — 温度 ✓\"\n";
  }
  big += "\n";  // with the last line's "\n": ends in "\n\n"
  m["modules/app/crds.yaml"] = big;
  return m;
}

int RunCommand(const std::string& command, std::string* out) {
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return -1;
  std::string data;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) data.append(buf, n);
  int status = ::pclose(p);
  if (out != nullptr) *out = std::move(data);
  if (status == -1 || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

absl::StatusOr<TreeScan> ScanCheckout(const std::string& root, const std::string& cluster,
                                      const TreeOptions& options,
                                      const DesiredTree* hash_if_same_size) {
  absl::StatusOr<ReadSession> session = ReadSession::Open(root, options);
  if (!session.ok()) return session.status();
  return session->Scan(cluster, hash_if_same_size);
}

ApplyResult ApplyInSession(const std::string& root, const DesiredTree& desired,
                           const ChangeSet& changes, const TreeOptions& options) {
  ApplyResult result;
  absl::StatusOr<WriteSession> session =
      WriteSession::Open(root, options, &result.report.dirs_created);
  result.status =
      session.ok() ? session->Apply(desired, changes, &result.report) : session.status();
  return result;
}

ApplyResult RemoveInSession(const std::string& root, const std::string& cluster,
                            const std::vector<std::string>& paths, const TreeOptions& options) {
  ApplyResult result;
  absl::StatusOr<WriteSession> session = WriteSession::OpenExisting(root, options);
  result.status = session.ok() ? session->Remove(cluster, paths, &result.report) : session.status();
  return result;
}

}  // namespace wildside::tree::testing
