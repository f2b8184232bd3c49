#include "tree/layout.h"

#include <algorithm>
#include <utility>

#include "tree/strings.h"

namespace wildside::tree {

namespace {

// The layout's directory names; nothing outside this file spells them.
constexpr std::string_view kClustersDir = "clusters";
constexpr std::string_view kModulesDir = "modules";
constexpr std::string_view kPlatformDir = "platform";

// The first segment of `path`, and the second ("" if there is none).
std::pair<std::string_view, std::string_view> FirstTwoSegments(std::string_view path) {
  size_t first = path.find('/');
  if (first == std::string_view::npos) return {path, std::string_view()};
  std::string_view rest = path.substr(first + 1);
  return {path.substr(0, first), rest.substr(0, rest.find('/'))};
}

}  // namespace

std::vector<std::string> OwnedRoots(std::string_view cluster) {
  return {StrCat(kClustersDir, "/", cluster), std::string(kModulesDir), std::string(kPlatformDir)};
}

std::string_view OwnedRootOf(std::string_view path) {
  auto [top, second] = FirstTwoSegments(path);
  if (top == kModulesDir || top == kPlatformDir) return top;
  if (top == kClustersDir && path.size() > top.size()) {
    return path.substr(0, top.size() + 1 + second.size());
  }
  return std::string_view();
}

bool IsOwned(std::string_view path, std::string_view cluster) {
  for (const std::string& root : OwnedRoots(cluster)) {
    if (path == root ||
        (path.size() > root.size() && StartsWith(path, root) && path[root.size()] == '/')) {
      return true;
    }
  }
  return false;
}

KeyPlacement PlaceKey(std::string_view key, std::string_view cluster, const TreeOptions& options) {
  std::vector<std::string_view> segs = Split(key, '/');
  const std::string_view top = segs[0];
  if (top == kClustersDir) {
    if (segs.size() < 3) return KeyPlacement::kClusterRootOnly;
    if (segs[1] != cluster) return KeyPlacement::kOtherCluster;
    return KeyPlacement::kOwned;
  }
  if (top == kModulesDir) {
    return segs.size() < 2 ? KeyPlacement::kModulesRootOnly : KeyPlacement::kOwned;
  }
  if (top == kPlatformDir) {
    if (segs.size() < 3) return KeyPlacement::kPlatformRootOnly;
    if (!IsKnownComponent(segs[1], options)) return KeyPlacement::kUnknownComponent;
    return KeyPlacement::kOwned;
  }
  return KeyPlacement::kOutsideRoots;
}

bool IsKnownComponent(std::string_view component, const TreeOptions& options) {
  for (std::string_view c : kBuiltinComponents) {
    if (c == component) return true;
  }
  for (const std::string& c : options.extra_components) {
    if (c == component) return true;
  }
  return false;
}

namespace {

// Matches one segment against a pattern segment with `*` and `?`.
// Iterative with single backtrack point: linear-ish, no recursion.
bool SegmentMatch(std::string_view pat, std::string_view s) {
  size_t p = 0, i = 0, star = std::string_view::npos, mark = 0;
  while (i < s.size()) {
    // `*` first: a `*` in the pattern is a wildcard even where the name
    // itself has a literal '*' (file names may).
    if (p < pat.size() && pat[p] == '*') {
      star = p++;
      mark = i;
    } else if (p < pat.size() && (pat[p] == '?' || pat[p] == s[i])) {
      ++p;
      ++i;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      i = ++mark;
    } else {
      return false;
    }
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view path) {
  std::vector<std::string_view> pat = Split(pattern, '/');
  std::vector<std::string_view> segs = Split(path, '/');
  // reach[j]: the pattern segments seen so far match segs[0..j). One pass
  // per pattern segment, so the work is (pattern segments) x (path
  // segments) segment matches however many `**` there are; backtracking
  // over `**` instead is exponential in their number: tree_glob_fuzz found
  // patterns of a few dozen `**` (patterns come from configuration) that
  // ran for more than 10 s.
  std::vector<char> reach(segs.size() + 1, 0), next(segs.size() + 1, 0);
  reach[0] = 1;
  for (std::string_view p : pat) {
    if (p == "**") {
      // Zero or more whole segments: reachable at j if reachable at any k <= j.
      char any = 0;
      for (size_t j = 0; j <= segs.size(); ++j) {
        any = static_cast<char>(any | reach[j]);
        next[j] = any;
      }
    } else {
      next[0] = 0;
      for (size_t j = 1; j <= segs.size(); ++j) {
        next[j] = static_cast<char>(reach[j - 1] && SegmentMatch(p, segs[j - 1]));
      }
    }
    reach.swap(next);
  }
  return reach[segs.size()] != 0;
}

bool IsExcluded(std::string_view path, const TreeOptions& options) {
  for (const std::string& pattern : options.exclude) {
    if (GlobMatch(pattern, path)) return true;
  }
  return false;
}

const std::string* ExcludingPattern(std::string_view path, const TreeOptions& options) {
  for (std::string_view p = path; !p.empty(); p = ParentPath(p)) {
    for (const std::string& pattern : options.exclude) {
      if (GlobMatch(pattern, p)) return &pattern;
    }
  }
  return nullptr;
}

bool IsDns1123Label(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(name.front()) || !alnum(name.back())) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) { return alnum(c) || c == '-'; });
}

}  // namespace wildside::tree
