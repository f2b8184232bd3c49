// Strings across Debian 12's Abseil: the one home of the workaround.
//
// Debian 12's Abseil (20220623) is built with ABSL_OPTION_USE_STD_STRING_VIEW=0,
// so absl::string_view is its own type, not an alias of std::string_view:
// the two do not convert implicitly, and absl::StrCat & co. do not accept a
// std::string_view. The project's interfaces speak std::string_view, so
// every crossing goes through this header:
//   * AV / SV convert a view explicitly (no characters are copied), for
//     calls into Abseil (absl::StrCat, StrSplit, SimpleAtod) and for
//     absl::Status::message();
//   * StrCat, StartsWith, Split, ToLowerAscii and EqualsIgnoreCaseAscii do
//     the few jobs tree/ needs directly on std::string_view.
//
// Used by tree/ (the engine and tree/internal) and by provider/. It is its
// own header-only CMake target, wildside_tree_strings, that depends on
// nothing in the repository: linking it does not pull in the engine, and
// tree/internal/ may build on it without reaching up to the engine's
// modules. It lives in tree/ because the repository's layout has no shared
// folder, and tree/ is the one library the provider already builds on.
//
// Header-only; pure functions; thread-safe.
#ifndef WILDSIDE_TREE_STRINGS_H_
#define WILDSIDE_TREE_STRINGS_H_

#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "absl/strings/string_view.h"

namespace wildside::tree {

// std::string_view -> absl::string_view, same characters, nothing copied.
inline absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }
// absl::string_view -> std::string_view, same characters, nothing copied.
inline std::string_view SV(absl::string_view s) { return std::string_view(s.data(), s.size()); }

namespace strings_internal {
inline void Append(std::string& out, std::string_view s) { out.append(s); }
inline void Append(std::string& out, const char* s) { out.append(s); }
inline void Append(std::string& out, const std::string& s) { out.append(s); }
inline void Append(std::string& out, char c) { out.push_back(c); }
template <typename T,
          typename = std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, char> &&
                                      !std::is_same_v<T, bool>>>
void Append(std::string& out, T v) {
  out.append(std::to_string(v));
}
}  // namespace strings_internal

// Concatenates string-likes and integers.
template <typename... Args>
std::string StrCat(const Args&... args) {
  std::string out;
  (strings_internal::Append(out, args), ...);
  return out;
}

inline bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Splits on `sep`, keeping empty pieces ("a//b" -> {"a", "", "b"}).
inline std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

inline std::string ToLowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

inline bool EqualsIgnoreCaseAscii(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ToLowerAscii(a) == ToLowerAscii(b);
}

}  // namespace wildside::tree

#endif  // WILDSIDE_TREE_STRINGS_H_
