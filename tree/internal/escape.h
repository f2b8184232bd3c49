// Escaping of names for display. Internal to tree/.
//
// The one implementation behind tree::EscapeForDisplay and
// tree::DisplayKeyForDiskPath (tree/content.h documents the form), kept
// here so that the filesystem layer (internal/fs.cc), which names paths in
// its error messages, need not include the public headers above it.
//
// Pure functions; thread-safe.
#ifndef WILDSIDE_TREE_INTERNAL_ESCAPE_H_
#define WILDSIDE_TREE_INTERNAL_ESCAPE_H_

#include <string>
#include <string_view>

namespace wildside::tree::internal {

// `s` with `\` and `"` backslash-escaped; \n, \r, \t as such; code points
// refused in keys (see RefusedCodePointKind) as `\u202e` / `\U000e0001`
// (`\x7f` below U+0080); bytes that are not valid UTF-8 as `\xff`. With
// `also_nfc_breakers`, code points for which MayBreakNfc is true are escaped
// the same way.
std::string EscapeText(std::string_view s, bool also_nfc_breakers = false);

}  // namespace wildside::tree::internal

#endif  // WILDSIDE_TREE_INTERNAL_ESCAPE_H_
