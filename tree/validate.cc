#include "tree/validate.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <set>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "tree/content.h"
#include "tree/internal/unicode.h"
#include "tree/layout.h"
#include "tree/strings.h"

namespace wildside::tree {
namespace {

constexpr size_t kMaxPath = 4096;
constexpr size_t kMaxSegment = 255;

void AddOnce(std::vector<std::string>& out, std::string message) {
  if (std::find(out.begin(), out.end(), message) == out.end()) {
    out.push_back(std::move(message));
  }
}

std::string KnownComponents(const TreeOptions& options) {
  std::vector<std::string> all(kBuiltinComponents.begin(), kBuiltinComponents.end());
  all.insert(all.end(), options.extra_components.begin(), options.extra_components.end());
  return absl::StrJoin(all, ", ");
}

// Shape checks: problems that make a path unsafe or non-normal wherever it
// points. Returns true if the path is well-formed.
bool CheckShape(std::string_view key, std::vector<std::string>& out) {
  size_t before = out.size();
  if (key.empty()) {
    out.push_back("empty path: a key must name a file");
    return false;
  }
  if (key.size() > kMaxPath) {
    out.push_back(StrCat("path too long: ", key.size(), " bytes, at most ", kMaxPath, " allowed"));
  }
  if (key.front() == '/') {
    out.push_back("absolute path: keys are relative to the checkout root");
  }
  if (key.find('\\') != std::string_view::npos) {
    out.push_back("backslash in path: keys use '/' as the only separator");
  }
  // The first refused code point: one message says enough to fix the key.
  for (size_t i = 0; i < key.size();) {
    size_t at = i;
    char32_t cp;
    if (!internal::NextCodePoint(key, &i, &cp)) continue;
    std::string_view kind = internal::RefusedCodePointKind(cp);
    if (kind.empty()) continue;
    out.push_back(
        absl::StrFormat("%s in path: U+%04X at byte offset %d is not allowed in a file name: "
                        "it is invisible or reorders text, so the name could pass for "
                        "another",
                        std::string(kind), static_cast<unsigned>(cp), at));
    break;
  }
  if (!IsValidUtf8(key)) {
    out.push_back("invalid UTF-8 in path: file names must be valid UTF-8");
  }
  if (key.back() == '/') {
    out.push_back("trailing slash: a key must name a file, not a directory");
  }
  std::vector<std::string_view> segs = Split(key, '/');
  for (size_t i = 0; i < segs.size(); ++i) {
    std::string_view seg = segs[i];
    bool edge = (i == 0 && key.front() == '/') || (i + 1 == segs.size() && key.back() == '/');
    if (seg.empty()) {
      if (!edge) AddOnce(out, "empty path segment: '//' is not allowed");
    } else if (seg == ".") {
      AddOnce(out, "'.' segment: paths must be normalised");
    } else if (seg == "..") {
      AddOnce(out, "'..' segment: a key may not point outside its directory");
    } else if (EqualsIgnoreCaseAscii(seg, ".git")) {
      AddOnce(out, "'.git' segment: the engine never writes into git metadata");
    } else if (StartsWith(seg, kTempPrefix)) {
      AddOnce(out, StrCat("reserved name: the prefix \"", kTempPrefix,
                          "\" is used for the engine's temporary files"));
    }
    if (seg.size() > kMaxSegment) {
      AddOnce(out, StrCat("path segment too long: ", seg.size(), " bytes, at most ", kMaxSegment,
                          " allowed"));
    }
  }
  return out.size() == before;
}

void CheckOwnership(std::string_view key, std::string_view cluster, const TreeOptions& options,
                    std::vector<std::string>& out) {
  std::vector<std::string_view> segs = Split(key, '/');
  switch (PlaceKey(key, cluster, options)) {
    case KeyPlacement::kOwned:
      break;
    case KeyPlacement::kClusterRootOnly:
      out.push_back(
          StrCat("not under an owned root: a key under clusters/ must look like "
                 "clusters/",
                 cluster, "/<path>"));
      break;
    case KeyPlacement::kOtherCluster:
      // (Against an invalid cluster name this cannot be judged; the cluster
      // problem is reported instead.)
      if (!IsDns1123Label(cluster)) break;
      out.push_back(StrCat("under another cluster: clusters/", EscapeForDisplay(segs[1]),
                           "/ belongs to another tree instance; this one owns clusters/", cluster,
                           "/"));
      break;
    case KeyPlacement::kModulesRootOnly:
      out.push_back(
          "not under an owned root: modules is a directory; name a file "
          "under modules/");
      break;
    case KeyPlacement::kPlatformRootOnly:
      out.push_back(
          "not under an owned root: a key under platform/ must look like "
          "platform/<component>/<path>");
      break;
    case KeyPlacement::kUnknownComponent:
      out.push_back(StrCat("unknown platform component \"", EscapeForDisplay(segs[1]),
                           "\": known components are ", KnownComponents(options),
                           " (add more with extra_components)"));
      break;
    case KeyPlacement::kOutsideRoots:
      out.push_back(StrCat("not under an owned root: keys must start with clusters/", cluster,
                           "/, modules/ or platform/<component>/"));
      break;
  }
  if (BaseName(key) == kInventoryName) {
    out.push_back(
        StrCat("reserved name: \"", kInventoryName,
               "\" is the engine's ownership inventory (docs/adr/0009-ownership-inventory.md)"));
  }
  // The key or any of its parent directories inside an exclude glob.
  if (const std::string* pattern = ExcludingPattern(key, options)) {
    out.push_back(StrCat("inside an excluded path: matches exclude pattern \"", *pattern,
                         "\"; the engine never writes there"));
  }
}

}  // namespace

std::vector<std::string> ValidateKey(std::string_view key, std::string_view cluster,
                                     const TreeOptions& options) {
  std::vector<std::string> out;
  if (CheckShape(key, out)) CheckOwnership(key, cluster, options, out);
  return out;
}

std::vector<std::string> ValidatePathShape(std::string_view path) {
  std::vector<std::string> out;
  CheckShape(path, out);
  return out;
}

absl::Status ValidateCluster(std::string_view cluster) {
  if (IsDns1123Label(cluster)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      StrCat("invalid cluster name \"", EscapeForDisplay(cluster),
             "\": must be a DNS-1123 label (lowercase letters, digits and '-', "
             "starting and ending with a letter or digit, at most 63 characters)"));
}

std::vector<KeyProblem> ValidateDesiredTree(std::string_view cluster, const DesiredTree& desired,
                                            const TreeOptions& options) {
  std::vector<KeyProblem> problems;
  if (absl::Status s = ValidateCluster(cluster); !s.ok()) {
    problems.push_back({"", std::string(s.message()), /*about_cluster=*/true});
  }
  // Each key alone first. Only keys valid on their own take part in the
  // cross-key checks below, so a collision is never blamed on a valid key
  // because of an invalid one (whose own problem says what to fix).
  std::map<std::string_view, std::vector<std::string>> own;
  std::vector<std::string_view> valid;
  for (const auto& [key, unused] : desired) {
    std::vector<std::string> out;
    if (CheckShape(key, out)) CheckOwnership(key, cluster, options, out);
    if (out.empty()) valid.push_back(key);
    own.emplace(key, std::move(out));
  }
  // Lower-cased path (of a file or of a directory on the way to one) ->
  // every spelling of it among the valid keys, sorted.
  std::map<std::string, std::set<std::string_view>, std::less<>> folded;
  for (std::string_view key : valid) {
    for (std::string_view p = key; !p.empty(); p = ParentPath(p)) {
      folded[ToLowerAscii(p)].insert(p);
    }
  }
  for (std::string_view key : valid) {
    std::vector<std::string>& out = own[key];
    // A key that is a parent directory of another valid key. Keys that
    // extend `key + "/"` sort at or after lower_bound(key + "/").
    std::string as_dir = StrCat(key, "/");
    auto child = std::lower_bound(valid.begin(), valid.end(), std::string_view(as_dir));
    if (child != valid.end() && StartsWith(*child, as_dir)) {
      out.push_back(StrCat("is also a directory of \"", EscapeForDisplay(*child),
                           "\": a path cannot be both a file and a directory"));
    }
    // Case collisions of the file or of any directory on its way, reported
    // on every key involved, each naming another spelling.
    for (std::string_view p = key; !p.empty(); p = ParentPath(p)) {
      const std::set<std::string_view>& spellings = folded[ToLowerAscii(p)];
      if (spellings.size() < 2) continue;
      std::string_view other =
          *spellings.begin() != p ? *spellings.begin() : *std::next(spellings.begin());
      out.push_back(StrCat("differs from \"", EscapeForDisplay(other),
                           "\" only by letter case: such paths collide on case-insensitive "
                           "filesystems (macOS, Windows)"));
      break;
    }
  }
  for (auto& [key, messages] : own) {
    for (std::string& m : messages) problems.push_back({std::string(key), std::move(m)});
  }
  return problems;
}

absl::Status ProblemsToStatus(const std::vector<KeyProblem>& problems, std::string_view attribute) {
  if (problems.empty()) return absl::OkStatus();
  std::vector<std::string> lines;
  lines.reserve(problems.size());
  for (const KeyProblem& p : problems) {
    if (p.about_cluster) {
      lines.push_back(StrCat("cluster: ", p.message));
    } else {
      lines.push_back(StrCat(attribute, "[\"", EscapeForDisplay(p.key), "\"]: ", p.message));
    }
  }
  return absl::InvalidArgumentError(absl::StrJoin(lines, "\n"));
}

absl::Status CheckDesiredTree(std::string_view cluster, const DesiredTree& desired,
                              const TreeOptions& options) {
  return ProblemsToStatus(ValidateDesiredTree(cluster, desired, options));
}

}  // namespace wildside::tree
