// Content helpers the tree engine uses and its callers need to agree with:
// the SHA-256 it reports for a file, what counts as valid UTF-8 (keys
// must be; the provider shows only UTF-8 content to OpenTofu), and the one
// way a path is shown in a message or as a key for a file found on disk.
//
// Pure functions; thread-safe.
#ifndef WILDSIDE_TREE_CONTENT_H_
#define WILDSIDE_TREE_CONTENT_H_

#include <string>
#include <string_view>

namespace wildside::tree {

// Lowercase hex SHA-256 of `data`, the same digest ScanEntry::sha256 holds.
std::string Sha256Hex(std::string_view data);

// True if `s` is well-formed UTF-8: no overlong forms, no surrogates,
// nothing past U+10FFFF.
bool IsValidUtf8(std::string_view s);

// `s` as it is shown in every message (engine, CLI and provider alike):
// valid UTF-8 stays itself, except what would hide or disguise text, which
// is escaped: `\` and `"` as `\\` and `\"`; \n, \r, \t as such; other
// code points refused in keys (controls, format characters such as U+202E,
// line and paragraph separators, noncharacters) as `\u202e` or
// `\U000e0001`; bytes that are not valid UTF-8 as `\xff`.
std::string EscapeForDisplay(std::string_view s);

// The key under which a file found on disk (a stray) is shown to OpenTofu.
// OpenTofu normalises map keys to NFC, so a name that is not provably NFC
// (it holds a combining mark or another code point that NFC may change)
// could merge with a managed key or another stray. Such a name, and one
// that is not valid UTF-8 or holds a refused code point or a backslash, is
// shown escaped as by EscapeForDisplay, with the NFC-breaking code points
// escaped too; any other name is returned as is. Distinct names always give
// distinct keys, and an escaped key always holds a backslash, which no
// valid key does.
std::string DisplayKeyForDiskPath(std::string_view path);

}  // namespace wildside::tree

#endif  // WILDSIDE_TREE_CONTENT_H_
