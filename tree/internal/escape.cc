#include "tree/internal/escape.h"

#include <cstdio>

#include "tree/internal/unicode.h"

namespace wildside::tree::internal {

std::string EscapeText(std::string_view s, bool also_nfc_breakers) {
  std::string out;
  out.reserve(s.size());
  char buf[16];
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    char32_t cp;
    if (!NextCodePoint(s, &i, &cp)) {
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(s[start]));
      out.append(buf);
      continue;
    }
    switch (cp) {
      case '\\':
        out.append("\\\\");
        continue;
      case '"':
        out.append("\\\"");
        continue;
      case '\n':
        out.append("\\n");
        continue;
      case '\r':
        out.append("\\r");
        continue;
      case '\t':
        out.append("\\t");
        continue;
      default:
        break;
    }
    if (!RefusedCodePointKind(cp).empty() || (also_nfc_breakers && MayBreakNfc(cp))) {
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
  return out;
}

}  // namespace wildside::tree::internal
