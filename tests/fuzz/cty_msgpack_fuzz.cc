// Fuzz target for cty msgpack decoding (DynamicValue.msgpack from the wire).
//
// Properties, beyond "never crash":
//   - whatever decodes re-encodes, and encoding is canonical: decoding our
//     own bytes and encoding again gives the same bytes;
//   - for types without dynamic, decode(encode(v)) == v exactly (for
//     dynamic, an unknown loses its concrete type, as in cty);
//   - for types without numbers, a wholly known value whose strings are
//     UTF-8 survives the JSON codec too: DecodeJson(EncodeJson(v)) == v.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cty_types.h"
#include "fuzz_check.h"
#include "provider/cty/json.h"
#include "provider/cty/msgpack.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using wildside::cty::Value;
  namespace cty = wildside::cty;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const wildside::fuzz::FuzzType& t = wildside::fuzz::TakeType(&bytes);

  absl::StatusOr<Value> v = cty::DecodeMsgpack(bytes, *t.type);
  if (!v.ok()) {
    FUZZ_CHECK(absl::IsInvalidArgument(v.status()), "unexpected code: %s",
               v.status().ToString().c_str());
    return 0;
  }
  absl::StatusOr<std::string> again = cty::EncodeMsgpack(*v, *t.type);
  FUZZ_CHECK(again.ok(), "re-encode failed: %s\nvalue: %s", again.status().ToString().c_str(),
             v->DebugString().c_str());
  absl::StatusOr<Value> back = cty::DecodeMsgpack(*again, *t.type);
  FUZZ_CHECK(back.ok(), "our own encoding does not decode: %s\nvalue: %s",
             back.status().ToString().c_str(), v->DebugString().c_str());
  absl::StatusOr<std::string> third = cty::EncodeMsgpack(*back, *t.type);
  FUZZ_CHECK(third.ok() && *third == *again, "re-encoding is not stable for %s",
             v->DebugString().c_str());
  if (t.exact_round_trip) {
    FUZZ_CHECK(*back == *v, "round trip changed the value\nbefore: %s\nafter:  %s",
               v->DebugString().c_str(), back->DebugString().c_str());
  }
  if (t.numberless && v->IsWhollyKnown() && wildside::fuzz::StringsAreUtf8(*v)) {
    absl::StatusOr<std::string> json = cty::EncodeJson(*v);
    FUZZ_CHECK(json.ok(), "a known value does not encode as JSON: %s",
               json.status().ToString().c_str());
    absl::StatusOr<Value> from_json = cty::DecodeJson(*json, *t.type);
    FUZZ_CHECK(from_json.ok() && *from_json == *v, "msgpack and JSON disagree on %s (json %s)",
               v->DebugString().c_str(), json->c_str());
  }
  return 0;
}
