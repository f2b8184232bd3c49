#include "tree/checks/tree_view.h"

#include <string>
#include <string_view>
#include <vector>

#include "tree/checks/internal.h"
#include "tree/content.h"
#include "tree/layout.h"
#include "tree/strings.h"

namespace wildside::tree::checks {

namespace {

// The file names kustomize looks for, in its order.
constexpr std::string_view kKustomizationNames[] = {"kustomization.yaml", "kustomization.yml",
                                                    "Kustomization"};

}  // namespace

// Remote forms kustomize fetches instead of reading the checkout: any URL,
// git's scp-like `git@host:...`, go-getter's `git::`, and the bare
// `github.com/org/repo` form (a host name as the first segment). A
// host-like first segment is taken as remote only when the path does not
// resolve locally, which is the order kustomize tries them in.
bool IsUrlLike(std::string_view ref) {
  return ref.find("://") != std::string_view::npos || ref.substr(0, 4) == "git@" ||
         ref.substr(0, 5) == "git::";
}

bool HasHostLikeFirstSegment(std::string_view ref) {
  size_t slash = ref.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view host = ref.substr(0, slash);
  size_t dot = host.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return false;
  std::string_view tld = host.substr(dot + 1);
  if (tld.size() < 2) return false;
  for (char c : tld) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
  }
  for (char c : host) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '-')) {
      return false;
    }
  }
  return true;
}

// `base` joined with `ref`, normalised ("." dropped, ".." applied);
// nullopt when it climbs above the checkout root.
std::optional<std::string> Normalize(std::string_view base, std::string_view ref) {
  std::vector<std::string_view> out;
  for (std::string_view part : {base, ref}) {
    for (std::string_view seg : Split(part, '/')) {
      if (seg.empty() || seg == ".") continue;
      if (seg == "..") {
        if (out.empty()) return std::nullopt;
        out.pop_back();
      } else {
        out.push_back(seg);
      }
    }
  }
  std::string joined;
  for (std::string_view seg : out) {
    if (!joined.empty()) joined += '/';
    joined += seg;
  }
  return joined;
}

bool IsUnder(std::string_view path, std::string_view dir) {
  if (dir.empty()) return true;
  return path == dir ||
         (path.size() > dir.size() && path.substr(0, dir.size()) == dir && path[dir.size()] == '/');
}

TreeView::TreeView(const DesiredTree& desired, const FactsMap& facts, const CheckOptions& options)
    : desired_(desired), facts_(facts), options_(options) {
  for (const auto& [key, content] : desired_) {
    std::string_view dir = ParentPath(key);
    while (!dir.empty() && dirs_.insert(std::string(dir)).second) dir = ParentPath(dir);
  }
}

PathKind TreeView::KindOf(const std::string& path) {
  if (path.empty()) return PathKind::kDirectory;
  if (desired_.count(path) != 0) return PathKind::kFile;
  if (dirs_.count(path) != 0) return PathKind::kDirectory;
  auto it = lookups_.find(path);
  if (it != lookups_.end()) return it->second;
  PathKind k = options_.lookup ? options_.lookup(path) : PathKind::kMissing;
  lookups_.emplace(path, k);
  return k;
}

// The kustomization file kustomize would read in `dir`, if any.
std::optional<std::string> TreeView::KustomizationIn(const std::string& dir) {
  auto it = kustomization_of_.find(dir);
  if (it != kustomization_of_.end()) return it->second;
  std::optional<std::string> found;
  for (std::string_view name : kKustomizationNames) {
    std::string p = JoinPath(dir, name);
    if (KindOf(p) == PathKind::kFile) {
      found = p;
      break;
    }
  }
  kustomization_of_.emplace(dir, found);
  return found;
}

void TreeView::Add(const std::string& key, int line, int column, FindingKind kind,
                   std::string message) {
  findings_.push_back({key, line, column, kind, std::move(message)});
}

bool TreeView::Sensitive(std::string_view key) const {
  return options_.is_sensitive && options_.is_sensitive(key);
}

// `field "ref"` (or only `field` for a sensitive file).
std::string TreeView::Named(std::string_view key, const FileFacts::Reference& r) const {
  if (Sensitive(key)) return r.field;
  return r.field + " \"" + ShortForDisplay(r.path) + "\"";
}

// The first directory below `key`'s first `from` characters on the way
// to `key` that holds a kustomization file.
std::optional<std::string> TreeView::FirstKustomizationBelow(size_t from, const std::string& key) {
  for (size_t pos = from;;) {
    size_t slash = key.find('/', pos);
    if (slash == std::string::npos) return std::nullopt;
    std::string sub = key.substr(0, slash);
    if (KustomizationIn(sub)) return sub;
    pos = slash + 1;
  }
}

}  // namespace wildside::tree::checks
