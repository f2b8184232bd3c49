// Debian 12's Abseil is built with its own absl::string_view (not an alias
// of std::string_view), and the two do not convert implicitly. These two
// helpers make the crossing explicit and free: they copy no characters.
#ifndef WILDSIDE_PROVIDER_CTY_ABSL_VIEW_H_
#define WILDSIDE_PROVIDER_CTY_ABSL_VIEW_H_

#include <string_view>

#include "absl/strings/string_view.h"

namespace wildside {

inline absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }
inline std::string_view SV(absl::string_view s) { return std::string_view(s.data(), s.size()); }

}  // namespace wildside

#endif  // WILDSIDE_PROVIDER_CTY_ABSL_VIEW_H_
