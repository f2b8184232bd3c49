#include "tree/inventory.h"

#include <algorithm>

#include "tree/layout.h"
#include "tree/strings.h"
#include "tree/validate.h"

namespace wildside::tree {
namespace {

// Fixed, so the text depends on nothing but the cluster and the paths.
constexpr std::string_view kHeader1 =
    "# wildside_gitops_tree ownership inventory v1: the files cluster \"";
constexpr std::string_view kHeader2 =
    "# Written by the provider under the checkout lock; do not edit. See "
    "docs/adr/0009-ownership-inventory.md.\n";

}  // namespace

std::string InventoryPath(std::string_view cluster) {
  return StrCat("clusters/", cluster, "/", kInventoryName);
}

std::string FormatInventory(std::string_view cluster, std::vector<std::string> paths) {
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  std::string out = StrCat(kHeader1, cluster, "\" manages in this checkout.\n", kHeader2);
  for (const std::string& p : paths) {
    out.append(p);
    out.push_back('\n');
  }
  return out;
}

std::string FormatInventory(std::string_view cluster, const DesiredTree& keys) {
  std::vector<std::string> paths;
  paths.reserve(keys.size());
  for (const auto& [key, unused] : keys) paths.push_back(key);
  return FormatInventory(cluster, std::move(paths));
}

std::vector<std::string> ParseInventory(std::string_view text) {
  std::vector<std::string> out;
  for (std::string_view line : Split(text, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // autocrlf
    if (line.empty() || line.front() == '#') continue;
    if (!ValidatePathShape(line).empty()) continue;
    out.emplace_back(line);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

const std::string* ClaimOf(const ForeignClaims& claims, std::string_view path) {
  auto it = claims.find(path);
  return it == claims.end() ? nullptr : &it->second;
}

bool HasClaimBelow(const ForeignClaims& claims, std::string_view dir) {
  std::string prefix = StrCat(dir, "/");
  auto it = claims.lower_bound(std::string_view(prefix));
  return it != claims.end() && StartsWith(it->first, prefix);
}

}  // namespace wildside::tree
