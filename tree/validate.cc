#include "tree/validate.h"

#include <algorithm>
#include <map>

#include "absl/strings/escaping.h"
#include "tree/internal/strings.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "tree/content.h"
#include "tree/layout.h"

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
  std::vector<std::string> all(kBuiltinComponents.begin(),
                               kBuiltinComponents.end());
  all.insert(all.end(), options.extra_components.begin(),
             options.extra_components.end());
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
    out.push_back(StrCat("path too long: ", key.size(),
                               " bytes, at most ", kMaxPath, " allowed"));
  }
  if (key.front() == '/') {
    out.push_back("absolute path: keys are relative to the checkout root");
  }
  if (key.find('\\') != std::string_view::npos) {
    out.push_back("backslash in path: keys use '/' as the only separator");
  }
  for (size_t i = 0; i < key.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(key[i]);
    if (c < 0x20 || c == 0x7F) {
      out.push_back(absl::StrFormat(
          "control character in path: byte 0x%02x at offset %d is not "
          "allowed in a file name",
          c, i));
      break;
    }
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
    bool edge = (i == 0 && key.front() == '/') ||
                (i + 1 == segs.size() && key.back() == '/');
    if (seg.empty()) {
      if (!edge) AddOnce(out, "empty path segment: '//' is not allowed");
    } else if (seg == ".") {
      AddOnce(out, "'.' segment: paths must be normalised");
    } else if (seg == "..") {
      AddOnce(out, "'..' segment: a key may not point outside its directory");
    } else if (EqualsIgnoreCaseAscii(seg, ".git")) {
      AddOnce(out,
              "'.git' segment: the engine never writes into git metadata");
    } else if (StartsWith(seg, kTempPrefix)) {
      AddOnce(out, StrCat("reserved name: the prefix \"", kTempPrefix,
                                "\" is used for the engine's temporary files"));
    }
    if (seg.size() > kMaxSegment) {
      AddOnce(out, StrCat("path segment too long: ", seg.size(),
                                " bytes, at most ", kMaxSegment, " allowed"));
    }
  }
  return out.size() == before;
}

void CheckOwnership(std::string_view key, std::string_view cluster,
                    const TreeOptions& options, std::vector<std::string>& out) {
  std::vector<std::string_view> segs = Split(key, '/');
  const std::string_view top = segs[0];
  if (top == "clusters") {
    if (segs.size() < 3) {
      out.push_back(StrCat(
          "not under an owned root: a key under clusters/ must look like "
          "clusters/",
          cluster, "/<path>"));
    } else if (segs[1] != cluster) {
      out.push_back(StrCat(
          "under another cluster: clusters/", segs[1],
          "/ belongs to another tree instance; this one owns clusters/",
          cluster, "/"));
    }
  } else if (top == "modules") {
    if (segs.size() < 2) {
      out.push_back(
          "not under an owned root: modules is a directory; name a file "
          "under modules/");
    }
  } else if (top == "platform") {
    if (segs.size() < 3) {
      out.push_back(
          "not under an owned root: a key under platform/ must look like "
          "platform/<component>/<path>");
    } else if (!IsKnownComponent(segs[1], options)) {
      out.push_back(StrCat(
          "unknown platform component \"", CEscape(segs[1]),
          "\": known components are ", KnownComponents(options),
          " (add more with extra_components)"));
    }
  } else {
    out.push_back(StrCat(
        "not under an owned root: keys must start with clusters/", cluster,
        "/, modules/ or platform/<component>/"));
  }
  // The key or any of its parent directories inside an exclude glob.
  std::string_view p = key;
  while (!p.empty()) {
    for (const std::string& pattern : options.exclude) {
      if (GlobMatch(pattern, p)) {
        out.push_back(StrCat(
            "inside an excluded path: matches exclude pattern \"", pattern,
            "\"; the engine never writes there"));
        return;
      }
    }
    p = ParentPath(p);
  }
}

}  // namespace

std::vector<std::string> ValidateKey(std::string_view key,
                                     std::string_view cluster,
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
  return absl::InvalidArgumentError(StrCat(
      "invalid cluster name \"", CEscape(cluster),
      "\": must be a DNS-1123 label (lowercase letters, digits and '-', "
      "starting and ending with a letter or digit, at most 63 characters)"));
}

std::vector<KeyProblem> ValidateDesiredTree(std::string_view cluster,
                                            const DesiredTree& desired,
                                            const TreeOptions& options) {
  std::vector<KeyProblem> problems;
  if (absl::Status s = ValidateCluster(cluster); !s.ok()) {
    problems.push_back({"", std::string(s.message()), /*cluster=*/true});
  }
  // Lower-cased file path or directory prefix -> first spelling seen.
  std::map<std::string, std::string, std::less<>> folded;
  for (auto it = desired.begin(); it != desired.end(); ++it) {
    const std::string& key = it->first;
    std::vector<std::string> out;
    bool shape_ok = CheckShape(key, out);
    if (shape_ok) {
      CheckOwnership(key, cluster, options, out);
      // A key that is a parent directory of another key. Keys that extend
      // `key + "/"` sort at or after lower_bound(key + "/").
      std::string as_dir = key + "/";
      auto child = desired.lower_bound(as_dir);
      if (child != desired.end() && StartsWith(child->first, as_dir)) {
        out.push_back(StrCat(
            "is also a directory of \"", CEscape(child->first),
            "\": a path cannot be both a file and a directory"));
      }
      // Case collisions, for the file and each of its directories.
      std::string_view p = key;
      while (!p.empty()) {
        std::string lower = ToLowerAscii(p);
        auto [f, inserted] = folded.emplace(lower, std::string(p));
        // Seen with this exact spelling: its parents were checked then.
        if (!inserted && f->second == p) break;
        if (!inserted) {
          out.push_back(StrCat(
              "differs from \"", CEscape(f->second),
              "\" only by letter case: such paths collide on "
              "case-insensitive filesystems (macOS, Windows)"));
          break;
        }
        p = ParentPath(p);
      }
    }
    for (std::string& m : out) problems.push_back({key, std::move(m)});
  }
  return problems;
}

absl::Status ProblemsToStatus(const std::vector<KeyProblem>& problems,
                              std::string_view attribute) {
  if (problems.empty()) return absl::OkStatus();
  std::vector<std::string> lines;
  lines.reserve(problems.size());
  for (const KeyProblem& p : problems) {
    if (p.cluster) {
      lines.push_back(StrCat("cluster: ", p.message));
    } else {
      lines.push_back(StrCat(attribute, "[\"", CEscape(p.key),
                                   "\"]: ", p.message));
    }
  }
  return absl::InvalidArgumentError(absl::StrJoin(lines, "\n"));
}

absl::Status CheckDesiredTree(std::string_view cluster,
                              const DesiredTree& desired,
                              const TreeOptions& options) {
  return ProblemsToStatus(ValidateDesiredTree(cluster, desired, options));
}

}  // namespace wildside::tree
