// Content helpers the tree engine uses and its callers need to agree with:
// the SHA-256 it reports for a file, and what counts as valid UTF-8 (keys
// must be; the provider shows only UTF-8 content to OpenTofu).
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

}  // namespace wildside::tree

#endif  // WILDSIDE_TREE_CONTENT_H_
