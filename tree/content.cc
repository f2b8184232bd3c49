// Public wrappers over the engine's own hashing, UTF-8 decoding and
// escaping.
#include "tree/content.h"

#include <cstdio>

#include "tree/internal/sha256.h"
#include "tree/internal/unicode.h"

namespace wildside::tree {
namespace {

// Appends `s` escaped as described for EscapeForDisplay; code points for
// which `extra(cp)` is true are escaped as well.
template <typename Extra>
void AppendEscaped(std::string& out, std::string_view s, Extra extra) {
  char buf[16];
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    char32_t cp;
    if (!internal::NextCodePoint(s, &i, &cp)) {
      std::snprintf(buf, sizeof buf, "\\x%02x",
                    static_cast<unsigned char>(s[start]));
      out.append(buf);
      continue;
    }
    switch (cp) {
      case '\\': out.append("\\\\"); continue;
      case '"': out.append("\\\""); continue;
      case '\n': out.append("\\n"); continue;
      case '\r': out.append("\\r"); continue;
      case '\t': out.append("\\t"); continue;
      default: break;
    }
    if (!internal::RefusedCodePointKind(cp).empty() || extra(cp)) {
      if (cp < 0x80) {
        std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(cp));
      } else if (cp <= 0xFFFF) {
        std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
      } else {
        std::snprintf(buf, sizeof buf, "\\U%08x", static_cast<unsigned>(cp));
      }
      out.append(buf);
      continue;
    }
    out.append(s.substr(start, i - start));
  }
}

}  // namespace

std::string Sha256Hex(std::string_view data) { return internal::Sha256Hex(data); }

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  char32_t cp;
  while (i < s.size()) {
    if (!internal::NextCodePoint(s, &i, &cp)) return false;
  }
  return true;
}

std::string EscapeForDisplay(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  AppendEscaped(out, s, [](char32_t) { return false; });
  return out;
}

std::string DisplayKeyForDiskPath(std::string_view path) {
  bool plain = true;
  size_t i = 0;
  while (plain && i < path.size()) {
    char32_t cp;
    plain = internal::NextCodePoint(path, &i, &cp) && cp != '\\' &&
            internal::RefusedCodePointKind(cp).empty() &&
            !internal::MayBreakNfc(cp);
  }
  if (plain) return std::string(path);
  std::string out;
  out.reserve(path.size() + 8);
  AppendEscaped(out, path, internal::MayBreakNfc);
  return out;
}

}  // namespace wildside::tree
