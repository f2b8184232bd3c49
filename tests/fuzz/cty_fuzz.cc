// Fuzz target for the decoders that read bytes from the wire: cty msgpack
// (DynamicValue.msgpack) and cty JSON (RawState.json), both against the
// resource's own schema type and a dynamic type. Property: never crash, and
// whatever decodes re-encodes to bytes that decode to the same value.
//
// Built as a libFuzzer binary with clang (-DWILDSIDE_FUZZ=ON); under gcc
// the same entry point is driven by cty_fuzz_replay_test over the corpus.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "provider/core/provider.h"
#include "provider/resources/gitops_tree.h"
#include "provider/cty/json.h"
#include "provider/cty/msgpack.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using wildside::cty::Type;
  using wildside::cty::Value;
  static const wildside::core::Provider* provider = new wildside::core::Provider(wildside::resources::AllResources());
  static const Type* types[] = {
      new Type(provider->FindResource("wildside_gitops_tree")->GetSchema().ImpliedType()),
      new Type(Type::Dynamic()),
      new Type(Type::Map(Type::String())),
  };
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // The first byte picks the type so one corpus covers all three.
  const Type& type = *types[size == 0 ? 0 : data[0] % 3];
  if (size > 0) bytes.remove_prefix(1);

  absl::StatusOr<Value> v = wildside::cty::DecodeMsgpack(bytes, type);
  if (v.ok()) {
    absl::StatusOr<std::string> again = wildside::cty::EncodeMsgpack(*v, type);
    if (!again.ok()) {
      std::fprintf(stderr, "re-encode failed: %s\nvalue: %s\n", std::string(again.status().message()).c_str(),
                   v->DebugString().c_str());
      std::abort();
    }
    // Encoding is canonical: decoding our own bytes and encoding again gives
    // the same bytes. (Values themselves may differ in one way cty also has:
    // an unknown in a dynamic slot loses its concrete type.)
    absl::StatusOr<Value> back = wildside::cty::DecodeMsgpack(*again, type);
    absl::StatusOr<std::string> third =
        back.ok() ? wildside::cty::EncodeMsgpack(*back, type) : absl::StatusOr<std::string>(back.status());
    if (!third.ok() || *third != *again) {
      std::fprintf(stderr, "re-encoding is not stable for %s\n", v->DebugString().c_str());
      std::abort();
    }
  }
  (void)wildside::cty::DecodeJson(bytes, type);
  return 0;
}
