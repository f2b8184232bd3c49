// Fuzz target for cty JSON decoding (RawState.json in UpgradeResourceState).
//
// Properties, beyond "never crash":
//   - errors are InvalidArgument;
//   - a decoded value (JSON has no unknowns) encodes as JSON, and for types
//     without numbers decode(encode(v)) == v exactly; with numbers the
//     decimal text may be normalised once, after which it is stable;
//   - a value decoded against dynamic re-decodes against its concrete type;
//   - the value also survives msgpack: DecodeMsgpack(EncodeMsgpack(v)) == v.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cty_types.h"
#include "fuzz_check.h"
#include "provider/cty/json.h"
#include "provider/cty/msgpack.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using wildside::cty::Type;
  using wildside::cty::Value;
  namespace cty = wildside::cty;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const wildside::fuzz::FuzzType& t = wildside::fuzz::TakeType(&bytes);

  absl::StatusOr<Value> v = cty::DecodeJson(bytes, *t.type);
  if (!v.ok()) {
    FUZZ_CHECK(absl::IsInvalidArgument(v.status()), "unexpected code: %s",
               v.status().ToString().c_str());
    return 0;
  }
  FUZZ_CHECK(v->IsWhollyKnown(), "JSON produced an unknown: %s", v->DebugString().c_str());
  // Against dynamic the JSON carries {"value", "type"}; our encoding is of
  // the value alone, so it re-decodes against the concrete type.
  const Type& concrete = t.type->kind() == Type::Kind::kDynamic ? v->type() : *t.type;
  absl::StatusOr<std::string> json = cty::EncodeJson(*v);
  FUZZ_CHECK(json.ok(), "re-encode failed: %s\nvalue: %s", json.status().ToString().c_str(),
             v->DebugString().c_str());
  absl::StatusOr<Value> back = cty::DecodeJson(*json, concrete);
  FUZZ_CHECK(back.ok(), "our own JSON does not decode: %s\njson: %s",
             back.status().ToString().c_str(), json->c_str());
  if (t.numberless) {
    FUZZ_CHECK(*back == *v, "JSON round trip changed the value\nbefore: %s\nafter:  %s",
               v->DebugString().c_str(), back->DebugString().c_str());
  }
  absl::StatusOr<std::string> json2 = cty::EncodeJson(*back);
  FUZZ_CHECK(json2.ok() && *json2 == *json, "JSON encoding is not stable: %s", json->c_str());
  absl::StatusOr<Value> back2 = cty::DecodeJson(*json2, concrete);
  FUZZ_CHECK(back2.ok() && *back2 == *back, "JSON round trip is not stable: %s", json->c_str());

  absl::StatusOr<std::string> packed = cty::EncodeMsgpack(*back, concrete);
  FUZZ_CHECK(packed.ok(), "a JSON-decoded value does not encode as msgpack: %s\nvalue: %s",
             packed.status().ToString().c_str(), back->DebugString().c_str());
  absl::StatusOr<Value> unpacked = cty::DecodeMsgpack(*packed, concrete);
  FUZZ_CHECK(unpacked.ok(), "msgpack of a JSON-decoded value does not decode: %s",
             unpacked.status().ToString().c_str());
  if (t.numberless) {
    FUZZ_CHECK(*unpacked == *back, "JSON and msgpack disagree\njson:    %s\nmsgpack: %s",
               back->DebugString().c_str(), unpacked->DebugString().c_str());
  }
  return 0;
}
