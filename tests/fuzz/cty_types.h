// The cty types the cty fuzz targets decode against. The first input byte
// picks one, so a single corpus covers them all.
#ifndef WILDSIDE_TESTS_FUZZ_CTY_TYPES_H_
#define WILDSIDE_TESTS_FUZZ_CTY_TYPES_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "provider/core/provider.h"
#include "provider/cty/type.h"
#include "provider/cty/value.h"
#include "provider/resources/gitops_tree.h"
#include "utf8.h"

namespace wildside::fuzz {

struct FuzzType {
  const cty::Type* type;
  // No dynamic anywhere inside: a decoded value carries all of its type, so
  // decode(encode(v)) must give v back exactly.
  bool exact_round_trip;
  // No number inside: JSON and msgpack agree value for value (numbers are
  // decimal text that each codec may normalise differently).
  bool numberless;
};

// 0: the resource's schema type (what OpenTofu sends), 1: dynamic,
// 2: map of string, 3: a type with numbers, sets and nested collections.
inline const FuzzType& PickType(uint8_t selector) {
  static const FuzzType* types = [] {
    using cty::Type;
    // Kept in a static so LeakSanitizer sees it reachable.
    static const core::Provider* provider =
        new core::Provider(resources::AllResources(/*env=*/nullptr));
    return new FuzzType[4]{
        {new Type(provider->FindResource("wildside_gitops_tree")->GetSchema().ImpliedType()), true,
         true},
        {new Type(Type::Dynamic()), false, false},
        {new Type(Type::Map(Type::String())), true, true},
        {new Type(Type::Object({{"n", Type::Number()},
                                {"l", Type::List(Type::Number())},
                                {"s", Type::Set(Type::String())},
                                {"b", Type::Bool()},
                                {"m", Type::Map(Type::List(Type::String()))}})),
         true, false},
    };
  }();
  return types[selector % 4];
}

// Splits off the selector byte; an empty input selects type 0.
inline const FuzzType& TakeType(std::string_view* bytes) {
  if (bytes->empty()) return PickType(0);
  uint8_t selector = static_cast<uint8_t>((*bytes)[0]);
  bytes->remove_prefix(1);
  return PickType(selector);
}

// True if every known string inside `v` is well-formed UTF-8. msgpack
// strings may carry any bytes; JSON cannot (EncodeJson replaces them), so
// the cross-codec property holds only for UTF-8 values.
inline bool StringsAreUtf8(const cty::Value& v) {
  if (!v.IsKnown()) return true;
  switch (v.type().kind()) {
    case cty::Type::Kind::kString:
      return WellFormedUtf8(v.AsString());
    case cty::Type::Kind::kList:
    case cty::Type::Kind::kSet:
      for (const cty::Value& e : v.elements()) {
        if (!StringsAreUtf8(e)) return false;
      }
      return true;
    case cty::Type::Kind::kMap:
    case cty::Type::Kind::kObject:
      for (const auto& [k, e] : v.entries()) {
        if (!WellFormedUtf8(k) || !StringsAreUtf8(e)) return false;
      }
      return true;
    default:
      return true;
  }
}

}  // namespace wildside::fuzz

#endif  // WILDSIDE_TESTS_FUZZ_CTY_TYPES_H_
