#include "tree/layout.h"

#include <algorithm>

#include "tree/internal/strings.h"

namespace wildside::tree {

std::vector<std::string> OwnedRoots(std::string_view cluster) {
  return {StrCat("clusters/", cluster), "modules", "platform"};
}

static bool IsAtOrUnder(std::string_view path, std::string_view dir) {
  return path == dir ||
         (path.size() > dir.size() && StartsWith(path, dir) &&
          path[dir.size()] == '/');
}

bool IsOwned(std::string_view path, std::string_view cluster) {
  for (const std::string& root : OwnedRoots(cluster)) {
    if (IsAtOrUnder(path, root)) return true;
  }
  return false;
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

bool SegmentsMatch(const std::vector<std::string_view>& pat, size_t pi,
                   const std::vector<std::string_view>& segs, size_t si,
                   int budget) {
  // `budget` bounds the backtracking so a hostile pattern with many `**`
  // cannot take exponential time; patterns come from configuration.
  if (budget <= 0) return false;
  while (pi < pat.size()) {
    if (pat[pi] == "**") {
      // Collapse consecutive `**`.
      while (pi + 1 < pat.size() && pat[pi + 1] == "**") ++pi;
      if (pi + 1 == pat.size()) return true;
      for (size_t k = si; k <= segs.size(); ++k) {
        if (SegmentsMatch(pat, pi + 1, segs, k, budget - 1)) return true;
      }
      return false;
    }
    if (si >= segs.size() || !SegmentMatch(pat[pi], segs[si])) return false;
    ++pi;
    ++si;
  }
  return si == segs.size();
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view path) {
  std::vector<std::string_view> pat = Split(pattern, '/');
  std::vector<std::string_view> segs = Split(path, '/');
  return SegmentsMatch(pat, 0, segs, 0, 64);
}

bool IsExcluded(std::string_view path, const TreeOptions& options) {
  for (const std::string& pattern : options.exclude) {
    if (GlobMatch(pattern, path)) return true;
  }
  return false;
}

bool IsDns1123Label(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  };
  if (!alnum(name.front()) || !alnum(name.back())) return false;
  return std::all_of(name.begin(), name.end(),
                     [&](char c) { return alnum(c) || c == '-'; });
}

std::string_view ParentPath(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view()
                                         : path.substr(0, slash);
}

std::string_view BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string JoinPath(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  return StrCat(a, "/", b);
}

}  // namespace wildside::tree
