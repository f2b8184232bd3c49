// WellFormedUtf8: an oracle for the fuzz targets, written independently of
// the code under test.
#ifndef WILDSIDE_TESTS_FUZZ_UTF8_H_
#define WILDSIDE_TESTS_FUZZ_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace wildside::fuzz {

// Independent of tree/: well-formed UTF-8 per RFC 3629 (no overlongs, no
// surrogates, nothing past U+10FFFF).
inline bool WellFormedUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 1, cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2, cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF) return false;
    if (cp >= 0xD800 && cp <= 0xDFFF) return false;
    i += n + 1;
  }
  return true;
}

}  // namespace wildside::fuzz

#endif  // WILDSIDE_TESTS_FUZZ_UTF8_H_
