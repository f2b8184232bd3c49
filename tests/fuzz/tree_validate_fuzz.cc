// Fuzz target for key/path validation (tree/validate.h): the gate between
// user-supplied map keys and paths the engine writes, renames and deletes.
//
// Input: byte 0 picks the cluster name and options; the rest is one key for
// ValidatePathShape/ValidateKey, and, split on '\n', the keys of a desired
// tree for ValidateDesiredTree.
//
// Properties, beyond "never crash" (the safety promises of validate.h, not
// every rule, so stricter rules added later still pass):
//   - an accepted shape is non-empty, relative, at most 4096 bytes, has no
//     NUL or other C0 control byte, no backslash, no empty, "." or ".."
//     segment, no ".git" segment, no temp-prefixed segment, no segment over
//     255 bytes, is valid UTF-8, and is its own lexical normal form;
//   - an accepted key also has an accepted shape, lies under an owned root
//     of the cluster (platform/<known component>/...), and neither it nor a
//     parent is excluded;
//   - a one-key tree is accepted exactly when the key is;
//   - in an accepted tree no key is a directory of another and no two
//     paths (files or their directories) differ only by ASCII case;
//   - every problem names a key of the tree (or the cluster), and
//     ProblemsToStatus is OK exactly when there are no problems.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "tree/inventory.h"
#include "tree/layout.h"
#include "tree/validate.h"
#include "utf8.h"

namespace {

using wildside::tree::DesiredTree;
using wildside::tree::TreeOptions;

std::vector<std::string_view> SplitOn(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t at = s.find(sep, start);
    if (at == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, at - start));
    start = at + 1;
  }
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

void CheckAcceptedShape(std::string_view key) {
  FUZZ_CHECK(!key.empty(), "empty key accepted");
  FUZZ_CHECK(key.size() <= 4096, "key of %zu bytes accepted", key.size());
  FUZZ_CHECK(key.front() != '/', "absolute key accepted");
  FUZZ_CHECK(key.find('\\') == std::string_view::npos, "backslash accepted");
  for (char ch : key) {
    unsigned char c = static_cast<unsigned char>(ch);
    FUZZ_CHECK(c >= 0x20 && c != 0x7F, "control byte 0x%02x accepted", c);
  }
  FUZZ_CHECK(wildside::fuzz::WellFormedUtf8(key), "invalid UTF-8 accepted");
  for (std::string_view seg : SplitOn(key, '/')) {
    FUZZ_CHECK(!seg.empty() && seg != "." && seg != "..", "segment \"%.*s\" accepted",
               static_cast<int>(seg.size()), seg.data());
    FUZZ_CHECK(Lower(seg) != ".git", ".git segment accepted");
    FUZZ_CHECK(seg.substr(0, wildside::tree::kTempPrefix.size()) != wildside::tree::kTempPrefix,
               "temp-prefixed segment accepted");
    FUZZ_CHECK(seg.size() <= 255, "segment of %zu bytes accepted", seg.size());
  }
  std::filesystem::path p{std::string(key)};
  FUZZ_CHECK(p.is_relative() && p.lexically_normal().string() == key, "key is not normal: %s",
             p.lexically_normal().string().c_str());
}

void CheckAcceptedKey(std::string_view key, std::string_view cluster, const TreeOptions& options) {
  CheckAcceptedShape(key);
  FUZZ_CHECK(wildside::tree::IsOwned(key, cluster), "key outside the owned roots accepted");
  std::vector<std::string_view> segs = SplitOn(key, '/');
  if (segs[0] == "clusters") {
    FUZZ_CHECK(segs.size() >= 3 && segs[1] == cluster, "key of another cluster accepted");
  } else if (segs[0] == "platform") {
    FUZZ_CHECK(segs.size() >= 3 && wildside::tree::IsKnownComponent(segs[1], options),
               "unknown platform component accepted");
  } else {
    FUZZ_CHECK(segs[0] == "modules" && segs.size() >= 2, "key outside the owned roots accepted");
  }
  for (std::string_view p = key; !p.empty(); p = wildside::tree::ParentPath(p)) {
    FUZZ_CHECK(!wildside::tree::IsExcluded(p, options), "excluded path accepted");
  }
  FUZZ_CHECK(wildside::tree::BaseName(key) != wildside::tree::kInventoryName,
             "the reserved inventory name accepted");
}

void CheckAcceptedTree(const DesiredTree& desired) {
  // Every file and every directory above one, folded to ASCII lower case,
  // mapped to its spelling and whether it is a file.
  std::map<std::string, std::pair<std::string, bool>> folded;
  for (const auto& [key, content] : desired) {
    bool is_file = true;
    for (std::string_view p = key; !p.empty(); p = wildside::tree::ParentPath(p), is_file = false) {
      auto [it, inserted] = folded.emplace(Lower(p), std::make_pair(std::string(p), is_file));
      if (inserted) continue;
      FUZZ_CHECK(it->second.first == p, "\"%s\" and \"%s\" differ only by case, yet accepted",
                 it->second.first.c_str(), std::string(p).c_str());
      FUZZ_CHECK(!it->second.second && !is_file,
                 "\"%s\" is both a file and a directory, yet accepted", std::string(p).c_str());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const char* const kClusters[] = {"dev", "prod-eu-1", "Dev", "", "a.b", "x"};
  uint8_t selector = size > 0 ? data[0] : 0;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  if (size > 0) rest.remove_prefix(1);
  std::string_view cluster = kClusters[selector % 6];
  TreeOptions options;
  if (selector & 0x08) options.extra_components.push_back("my-app");
  if (selector & 0x10) options.exclude.push_back("modules/**/*.secret");
  if (selector & 0x20) options.exclude.clear();
  const bool cluster_ok = wildside::tree::ValidateCluster(cluster).ok();

  // One key: the whole rest, any bytes.
  std::vector<std::string> shape = wildside::tree::ValidatePathShape(rest);
  if (shape.empty()) CheckAcceptedShape(rest);
  std::vector<std::string> key_problems = wildside::tree::ValidateKey(rest, cluster, options);
  if (key_problems.empty()) {
    FUZZ_CHECK(shape.empty(), "ValidateKey accepts a path whose shape is refused");
    CheckAcceptedKey(rest, cluster, options);
  }
  if (cluster_ok) {
    DesiredTree one{{std::string(rest), "x"}};
    bool tree_ok = wildside::tree::ValidateDesiredTree(cluster, one, options).empty();
    FUZZ_CHECK(tree_ok == key_problems.empty(),
               "a one-key tree and the key alone disagree (tree %s)",
               tree_ok ? "accepted" : "refused");
  }

  // Many keys: the rest split on '\n'.
  DesiredTree desired;
  for (std::string_view k : SplitOn(rest, '\n')) desired.emplace(std::string(k), k);
  std::vector<wildside::tree::KeyProblem> problems =
      wildside::tree::ValidateDesiredTree(cluster, desired, options);
  for (const auto& p : problems) {
    FUZZ_CHECK(p.about_cluster ? p.key.empty() && !cluster_ok : desired.count(p.key) == 1,
               "a problem names no key of the tree (key \"%s\", cluster %d)", p.key.c_str(),
               p.about_cluster);
    FUZZ_CHECK(!p.message.empty(), "a problem without a message");
  }
  FUZZ_CHECK(wildside::tree::ProblemsToStatus(problems).ok() == problems.empty(),
             "ProblemsToStatus disagrees with the problem list");
  if (problems.empty()) {
    FUZZ_CHECK(cluster_ok, "an invalid cluster name accepted");
    for (const auto& [key, content] : desired) CheckAcceptedKey(key, cluster, options);
    CheckAcceptedTree(desired);
  }
  return 0;
}
