#include "tree/sops/resolve.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <regex>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tree/strings.h"

namespace wildside::sops {
namespace {

using tree::StrCat;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

enum class IntParse { kOk, kRange, kSyntax };

// strconv.ParseUint(s, 0, 64): a 0b/0o/0x prefix or a leading 0 (octal)
// picks the base; no sign.
IntParse ParseGoUint(std::string_view s, uint64_t& out) {
  if (s.empty()) return IntParse::kSyntax;
  unsigned base = 10;
  if (s[0] == '0') {
    const char p = s.size() >= 3 ? static_cast<char>(s[1] | 0x20) : '\0';
    if (p == 'b' || p == 'o' || p == 'x') {
      base = p == 'b' ? 2 : p == 'o' ? 8 : 16;
      s.remove_prefix(2);
    } else {
      base = 8;
      s.remove_prefix(1);
    }
  }
  uint64_t n = 0;
  bool range = false;
  for (char c : s) {
    unsigned d = 0;
    if (IsDigit(c)) {
      d = static_cast<unsigned>(c - '0');
    } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
      d = static_cast<unsigned>((c | 0x20) - 'a' + 10);
    } else {
      return IntParse::kSyntax;
    }
    if (d >= base) return IntParse::kSyntax;
    if (n > (UINT64_MAX - d) / base) range = true;
    n = n * base + d;
  }
  if (range) return IntParse::kRange;
  out = n;
  return IntParse::kOk;
}

// strconv.ParseInt(s, 0, 64).
IntParse ParseGoInt(std::string_view s, int64_t& out) {
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  uint64_t u = 0;
  const IntParse r = ParseGoUint(s, u);
  if (r != IntParse::kOk) return r;
  const uint64_t limit = neg ? (uint64_t{1} << 63U) : (uint64_t{1} << 63U) - 1;
  if (u > limit) return IntParse::kRange;
  out = neg ? static_cast<int64_t>(0 - u) : static_cast<int64_t>(u);
  return IntParse::kOk;
}

// strconv.FormatFloat(v, 'f', -1, 64).
std::string FormatGoFloat(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[400];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return std::string(buf, ec == std::errc() ? end : buf);
}

// strconv.ParseFloat(s, 64) on text already known to be decimal; false
// when it overflows (Go's ErrRange), as go-yaml then keeps a string.
bool ParseDecimalFloat(const std::string& s, double& out) {
  errno = 0;
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && !(errno == ERANGE && std::isinf(out));
}

bool ReadNumber(std::string_view s, size_t& i, size_t min_digits, size_t max_digits, int& out) {
  size_t n = 0;
  out = 0;
  while (i < s.size() && IsDigit(s[i]) && n < max_digits) {
    out = out * 10 + (s[i++] - '0');
    ++n;
  }
  return n >= min_digits;
}

int DaysIn(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// The time part after the date: h:m:s, an optional fraction, and (after
// 'T'/'t') a zone "Z" or ±hh:mm. Appends RFC 3339 text from "T".
bool ParseClock(std::string_view s, size_t i, bool zone_required, std::string& out) {
  int h = 0, m = 0, sec = 0;
  if (!ReadNumber(s, i, 1, 2, h) || i >= s.size() || s[i++] != ':' || !ReadNumber(s, i, 1, 2, m) ||
      i >= s.size() || s[i++] != ':' || !ReadNumber(s, i, 1, 2, sec) || h > 23 || m > 59 ||
      sec > 59) {
    return false;
  }
  std::string frac;
  if (i + 1 < s.size() && (s[i] == '.' || s[i] == ',') && IsDigit(s[i + 1])) {
    ++i;
    while (i < s.size() && IsDigit(s[i])) frac.push_back(s[i++]);
    if (frac.size() > 9) frac.resize(9);
    while (!frac.empty() && frac.back() == '0') frac.pop_back();
  }
  absl::StrAppendFormat(&out, "T%02d:%02d:%02d", h, m, sec);
  if (!frac.empty()) out += StrCat(".", frac);
  if (!zone_required) {
    out += "Z";
    return i == s.size();
  }
  if (i < s.size() && s[i] == 'Z') {
    out += "Z";
    return i + 1 == s.size();
  }
  int zh = 0, zm = 0;
  if (i >= s.size() || (s[i] != '+' && s[i] != '-')) return false;
  const char sign = s[i++];
  if (!ReadNumber(s, i, 2, 2, zh) || i >= s.size() || s[i++] != ':' ||
      !ReadNumber(s, i, 2, 2, zm) || i != s.size() || zh > 23 || zm > 59) {
    return false;
  }
  if (zh == 0 && zm == 0) {
    out += "Z";
  } else {
    absl::StrAppendFormat(&out, "%c%02d:%02d", sign, zh, zm);
  }
  return true;
}

// go-yaml v3's timestamps (YYYY-M-D, then optionally [Tt]h:m:s[.f]zone or
// " h:m:s[.f]" in UTC), as Go's time.MarshalText writes them.
bool ParseTimestamp(std::string_view s, std::string& out) {
  size_t i = 0;
  int y = 0, mo = 0, d = 0;
  if (!ReadNumber(s, i, 4, 4, y) || i >= s.size() || s[i++] != '-' || !ReadNumber(s, i, 1, 2, mo) ||
      i >= s.size() || s[i++] != '-' || !ReadNumber(s, i, 1, 2, d)) {
    return false;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > DaysIn(y, mo)) return false;
  out = absl::StrFormat("%04d-%02d-%02d", y, mo, d);
  if (i == s.size()) {
    out += "T00:00:00Z";
    return true;
  }
  const char sep = s[i++];
  if (sep == 'T' || sep == 't') return ParseClock(s, i, true, out);
  if (sep == ' ') return ParseClock(s, i, false, out);
  return false;
}

const std::regex& YamlStyleFloat() {
  static const std::regex re(R"(^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$)");
  return re;
}

ResolvedScalar Str(std::string_view text) { return {ScalarType::kStr, std::string(text)}; }

// Text that starts with a digit or a sign: a time, an int or a float.
absl::StatusOr<ResolvedScalar> ResolveNumeric(std::string_view text) {
  std::string time;
  if (ParseTimestamp(text, time)) return ResolvedScalar{ScalarType::kTime, time};
  std::string plain;
  for (char c : text) {
    if (c != '_') plain.push_back(c);
  }
  int64_t i = 0;
  if (ParseGoInt(plain, i) == IntParse::kOk) return ResolvedScalar{ScalarType::kInt, StrCat(i)};
  uint64_t u = 0;
  if (ParseGoUint(plain, u) == IntParse::kOk) {
    return absl::InvalidArgumentError(
        StrCat("the integer ", std::string(text),
               " does not fit in 64 signed bits, which sops cannot encrypt; quote it"));
  }
  double f = 0;
  if (std::regex_match(plain, YamlStyleFloat()) && ParseDecimalFloat(plain, f)) {
    return ResolvedScalar{ScalarType::kFloat, FormatGoFloat(f)};
  }
  return Str(text);
}

}  // namespace

std::string_view SopsTypeName(ScalarType type) {
  switch (type) {
    case ScalarType::kInt:
      return "int";
    case ScalarType::kFloat:
      return "float";
    case ScalarType::kBool:
      return "bool";
    case ScalarType::kTime:
      return "time";
    case ScalarType::kNull:
    case ScalarType::kStr:
      break;
  }
  return "str";
}

absl::StatusOr<ResolvedScalar> ResolvePlainScalar(std::string_view text) {
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return ResolvedScalar{ScalarType::kNull, ""};
  }
  if (text == "true" || text == "True" || text == "TRUE")
    return ResolvedScalar{ScalarType::kBool, "True"};
  if (text == "false" || text == "False" || text == "FALSE")
    return ResolvedScalar{ScalarType::kBool, "False"};
  if (text == ".nan" || text == ".NaN" || text == ".NAN")
    return ResolvedScalar{ScalarType::kFloat, "NaN"};
  for (std::string_view inf : {".inf", ".Inf", ".INF"}) {
    if (text == inf || text == StrCat("+", inf)) return ResolvedScalar{ScalarType::kFloat, "+Inf"};
    if (text == StrCat("-", inf)) return ResolvedScalar{ScalarType::kFloat, "-Inf"};
  }
  const char c = text[0];
  if (c == '.') {
    static const std::regex dot_float(R"(^\.[0-9]+([eE][-+]?[0-9]+)?$)");
    double f = 0;
    const std::string s(text);
    if (std::regex_match(s, dot_float) && ParseDecimalFloat(s, f)) {
      return ResolvedScalar{ScalarType::kFloat, FormatGoFloat(f)};
    }
    return Str(text);
  }
  if (IsDigit(c) || c == '+' || c == '-') return ResolveNumeric(text);
  return Str(text);
}

}  // namespace wildside::sops
