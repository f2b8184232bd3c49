// How SOPS types a YAML scalar (issue 22). sops reads YAML with go-yaml v3
// and gives each scalar a Go type; the MAC it checks is a SHA-512 over each
// value's bytes in that type (strconv's decimal for an int, the shortest
// fixed-point decimal for a float, "True"/"False", RFC 3339 for a time),
// and an encrypted value carries the type's name. To write a file that
// `sops -d` accepts, the encryptor must type each scalar exactly as
// go-yaml v3 (go.yaml.in/yaml/v3 v3.0.4, the one sops 3.13.3 builds with)
// resolves it: this is that resolver, for untagged scalars.
#ifndef WILDSIDE_TREE_SOPS_RESOLVE_H_
#define WILDSIDE_TREE_SOPS_RESOLVE_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace wildside::sops {

enum class ScalarType { kNull, kStr, kInt, kFloat, kBool, kTime };

struct ResolvedScalar {
  ScalarType type = ScalarType::kStr;
  // The bytes sops hashes and encrypts for the value (its ToBytes).
  std::string bytes;
};

// The sops name of a type in ENC[…,type:NAME]: str, int, float, bool, time.
std::string_view SopsTypeName(ScalarType type);

// A plain (unquoted, untagged) scalar's text, resolved. An integer beyond
// 64 bits is an error: go-yaml gives it a type sops cannot handle.
absl::StatusOr<ResolvedScalar> ResolvePlainScalar(std::string_view text);

}  // namespace wildside::sops

#endif  // WILDSIDE_TREE_SOPS_RESOLVE_H_
