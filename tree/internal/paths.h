// Repo-relative path arithmetic over '/'. Internal to tree/; tree/layout.h
// offers the same functions to callers of the engine.
//
// Pure string functions; no I/O; thread-safe.
#ifndef WILDSIDE_TREE_INTERNAL_PATHS_H_
#define WILDSIDE_TREE_INTERNAL_PATHS_H_

#include <string>
#include <string_view>

namespace wildside::tree::internal {

// "a/b/c" -> "a/b"; "a" -> "".
inline std::string_view ParentPath(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

// "a/b/c" -> "c".
inline std::string_view BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// Joins with '/', treating an empty side as absent.
inline std::string JoinPath(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  std::string out;
  out.reserve(a.size() + 1 + b.size());
  out.append(a).append(1, '/').append(b);
  return out;
}

}  // namespace wildside::tree::internal

#endif  // WILDSIDE_TREE_INTERNAL_PATHS_H_
