// Unicode facts the engine needs about file names. Internal to tree/.
//
// Two questions, answered from compact range tables derived from the
// Unicode Character Database (version 15.0):
//   * Is a code point refused in a key? Every code point of general
//     category Cc (C0 and C1 controls, DEL), Cf (format characters: bidi
//     controls such as U+202E, zero-width characters such as U+200B, the
//     BOM, tag characters), Zl (U+2028), Zp (U+2029), and every
//     noncharacter (U+FDD0..U+FDEF and the last two code points of each
//     plane). They are invisible or reorder text, so a name holding one can
//     pass for another name in a plan, a diff or a terminal.
//   * Can a code point make a string differ from its NFC form? True for
//     combining marks (canonical combining class != 0) and for code points
//     whose NFC quick-check property is No or Maybe. A string free of them
//     is in NFC. OpenTofu normalises every map key to NFC, so a file name
//     that may not be NFC cannot be sent as a key unchanged.
//
// Pure functions; thread-safe.
#ifndef WILDSIDE_TREE_INTERNAL_UNICODE_H_
#define WILDSIDE_TREE_INTERNAL_UNICODE_H_

#include <cstddef>
#include <string_view>

namespace wildside::tree::internal {

// Decodes the UTF-8 sequence at s[*i]. On success stores the code point in
// *cp, advances *i past it and returns true. On an invalid sequence
// (truncated, overlong, surrogate, past U+10FFFF) advances *i by one byte
// and returns false.
bool NextCodePoint(std::string_view s, size_t* i, char32_t* cp);

// Why `cp` is refused in a key ("control character", "format character",
// "line separator", "paragraph separator", "noncharacter"), or an empty view
// if it is allowed.
std::string_view RefusedCodePointKind(char32_t cp);

// True if `cp` can make a string differ from its NFC form (see above).
bool MayBreakNfc(char32_t cp);

}  // namespace wildside::tree::internal

#endif  // WILDSIDE_TREE_INTERNAL_UNICODE_H_
