// Public wrappers over the engine's own hashing, UTF-8 decoding and
// escaping.
#include "tree/content.h"

#include "tree/internal/escape.h"
#include "tree/internal/sha256.h"
#include "tree/internal/unicode.h"

namespace wildside::tree {

std::string Sha256Hex(std::string_view data) { return internal::Sha256Hex(data); }

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  char32_t cp;
  while (i < s.size()) {
    if (!internal::NextCodePoint(s, &i, &cp)) return false;
  }
  return true;
}

std::string EscapeForDisplay(std::string_view s) { return internal::EscapeText(s); }

std::string DisplayKeyForDiskPath(std::string_view path) {
  bool plain = true;
  size_t i = 0;
  while (plain && i < path.size()) {
    char32_t cp;
    plain = internal::NextCodePoint(path, &i, &cp) && cp != '\\' &&
            internal::RefusedCodePointKind(cp).empty() && !internal::MayBreakNfc(cp);
  }
  if (plain) return std::string(path);
  return internal::EscapeText(path, /*also_nfc_breakers=*/true);
}

}  // namespace wildside::tree
