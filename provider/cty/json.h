// cty's JSON value encoding, used by OpenTofu for stored state
// (RawState.json in UpgradeResourceState). JSON cannot carry unknowns.
//
// Decoding follows cty: object attributes missing from the JSON become null,
// an attribute the type does not have is an error, numbers keep their decimal
// text, and strings are accepted where numbers or bools are expected.
#ifndef WILDSIDE_PROVIDER_CTY_JSON_H_
#define WILDSIDE_PROVIDER_CTY_JSON_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "provider/cty/type.h"
#include "provider/cty/value.h"

namespace wildside::cty {

// Decodes JSON text as a value of `type`. InvalidArgument with the attribute
// path on malformed JSON or a value that does not conform.
absl::StatusOr<Value> DecodeJson(std::string_view text, const Type& type);

// Encodes a wholly known value as JSON text. InvalidArgument on unknowns.
absl::StatusOr<std::string> EncodeJson(const Value& value);

}  // namespace wildside::cty

#endif  // WILDSIDE_PROVIDER_CTY_JSON_H_
