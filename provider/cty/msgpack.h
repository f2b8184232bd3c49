// cty's MessagePack encoding, as OpenTofu puts it in DynamicValue.msgpack.
//
// Decoding is done against the expected type (the schema's), exactly as cty
// does: msgpack nil is a null of that type and any msgpack extension, whatever
// its type code, is an unknown of that type (refinements are dropped, which
// OpenTofu always allows). The decoder never trusts the input: claimed lengths
// are checked against the bytes left before anything is allocated, and nesting
// is bounded, so hostile bytes give InvalidArgument and never a crash.
//
// Encoding writes what cty writes: compact integers, float64 only for
// non-integers that float64 holds exactly, otherwise the decimal text as a
// string; objects with every attribute, keys sorted; unknown as `d4 00 00`
// (fixext1, type 0, payload 0), the plain unknown OpenTofu itself writes.
#ifndef WILDSIDE_PROVIDER_CTY_MSGPACK_H_
#define WILDSIDE_PROVIDER_CTY_MSGPACK_H_

#include <set>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "provider/cty/type.h"
#include "provider/cty/value.h"

namespace wildside::cty {

// Decodes `bytes` as a value of `type`. Errors are InvalidArgument and name
// the attribute path where decoding failed, e.g.
// `rendered_manifests["a"]: expected string, found array`.
absl::StatusOr<Value> DecodeMsgpack(std::string_view bytes, const Type& type);

// Like DecodeMsgpack for an object type, but the top-level attributes named
// in `skip` are only checked for shape and read as null: a plan that needs
// the prior state's `files` need not copy its manifests.
absl::StatusOr<Value> DecodeMsgpackSkipping(std::string_view bytes, const Type& type,
                                            const std::set<std::string, std::less<>>& skip);

// Encodes `value` against `type` and appends the bytes to `*out`. Returns
// InvalidArgument when the value does not conform to the type.
absl::Status EncodeMsgpack(const Value& value, const Type& type, std::string* out);

// Convenience: encodes into a fresh string.
absl::StatusOr<std::string> EncodeMsgpack(const Value& value, const Type& type);

}  // namespace wildside::cty

#endif  // WILDSIDE_PROVIDER_CTY_MSGPACK_H_
