// Fuzz target for the exclude glob matcher (tree/layout.h GlobMatch), which
// decides what the engine never reads, writes or prunes.
//
// Input: "<pattern>\n<path>" (without a '\n', the input is both).
//
// Properties, beyond "never crash" and "never hang" (libFuzzer's -timeout):
//   - GlobMatch agrees with a slow, obviously correct reference matcher
//     (dynamic programming over segments and bytes, written separately);
//   - a pattern without `*` or `?` matches exactly the identical path;
//   - "**" matches every path, and "**/" + p matches whatever p matches.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "tree/layout.h"

namespace {

std::vector<std::string_view> SplitSlash(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t at = s.find('/', start);
    if (at == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, at - start));
    start = at + 1;
  }
}

// `*` any run of bytes, `?` one byte, anything else itself.
bool RefSegment(std::string_view pat, std::string_view s) {
  // m[j]: pat[0..i) matches s[0..j).
  std::vector<char> m(s.size() + 1, 0), next(s.size() + 1, 0);
  m[0] = 1;
  for (size_t i = 0; i < pat.size(); ++i) {
    std::fill(next.begin(), next.end(), 0);
    for (size_t j = 0; j <= s.size(); ++j) {
      if (pat[i] == '*') {
        next[j] = m[j] || (j > 0 && next[j - 1]);
      } else if (j > 0 && (pat[i] == '?' || pat[i] == s[j - 1])) {
        next[j] = m[j - 1];
      }
    }
    m.swap(next);
  }
  return m[s.size()];
}

// A `**` segment matches zero or more whole segments.
bool RefGlob(std::string_view pattern, std::string_view path) {
  std::vector<std::string_view> pat = SplitSlash(pattern), segs = SplitSlash(path);
  const size_t np = pat.size(), ns = segs.size();
  // m[i][j]: pat[i..) matches segs[j..).
  std::vector<std::vector<char>> m(np + 1, std::vector<char>(ns + 1, 0));
  m[np][ns] = 1;
  for (size_t i = np; i-- > 0;) {
    for (size_t j = ns + 1; j-- > 0;) {
      if (pat[i] == "**") {
        m[i][j] = m[i + 1][j] || (j < ns && m[i][j + 1]);
      } else {
        m[i][j] = j < ns && m[i + 1][j + 1] && RefSegment(pat[i], segs[j]);
      }
    }
  }
  return m[0][0];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using wildside::tree::GlobMatch;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nl = in.find('\n');
  std::string_view pattern = in.substr(0, nl);
  std::string_view path = nl == std::string_view::npos ? in : in.substr(nl + 1);

  const bool got = GlobMatch(pattern, path);
  const bool want = RefGlob(pattern, path);
  FUZZ_CHECK(got == want, "GlobMatch(\"%.*s\", \"%.*s\") = %d, reference says %d",
             static_cast<int>(pattern.size()), pattern.data(), static_cast<int>(path.size()),
             path.data(), got, want);
  if (pattern.find_first_of("*?") == std::string_view::npos) {
    FUZZ_CHECK(got == (pattern == path), "literal pattern: GlobMatch = %d", got);
  }
  FUZZ_CHECK(GlobMatch("**", path), "\"**\" does not match \"%.*s\"", static_cast<int>(path.size()),
             path.data());
  std::string anywhere = "**/" + std::string(pattern);
  FUZZ_CHECK(!got || GlobMatch(anywhere, path), "\"**/\" + pattern matches less than the pattern");
  return 0;
}
