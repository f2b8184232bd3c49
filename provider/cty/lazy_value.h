// A value as OpenTofu sent it, decoded only when (and if) the resource asks.
//
// A plan request carries the prior state, the proposed new state and the
// configuration, each a full copy of the manifest map; the resource reads
// one of them in full and the others at most for IsNull(). Decoding all
// three cost a full copy of the tree each (docs/adr/0007-copy-policy.md).
// A LazyValue owns the encoded bytes (moved out of the request message, not
// copied) and frees them as it decodes.
#ifndef WILDSIDE_PROVIDER_CTY_LAZY_VALUE_H_
#define WILDSIDE_PROVIDER_CTY_LAZY_VALUE_H_

#include <optional>
#include <set>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "provider/cty/type.h"
#include "provider/cty/value.h"

namespace wildside::cty {

class LazyValue {
 public:
  enum class Format { kMsgpack, kJson };

  // An already decoded value (tests, and values built in process).
  LazyValue(Value value) : decoded_(std::move(value)) {}  // NOLINT: implicit by design
  // Encoded bytes of a value of `type`. Empty bytes are a null of `type`,
  // as OpenTofu itself reads an empty DynamicValue.
  LazyValue(Format format, std::string bytes, Type type)
      : format_(format), bytes_(std::move(bytes)), type_(std::move(type)) {}

  // Without decoding: msgpack's nil byte, JSON's `null`, or no bytes.
  bool IsNull() const;

  // The value; the encoded bytes are released once decoded. InvalidArgument
  // with the attribute path when the bytes do not conform to the type.
  absl::StatusOr<Value> Decode() &&;

  // The value without the top-level attributes in `skip` (they read as
  // null), leaving the bytes in place for a later Decode(). For a plan that
  // needs the prior state's settings and `files`, not its manifests.
  absl::StatusOr<Value> DecodeWithout(const std::set<std::string, std::less<>>& skip) const;

  // The value when it is already decoded (built from one, or Decode()d and
  // put back), else nullptr.
  const Value* decoded() const { return decoded_.has_value() ? &*decoded_ : nullptr; }

 private:
  std::optional<Value> decoded_;
  Format format_ = Format::kMsgpack;
  std::string bytes_;
  Type type_ = Type::Dynamic();
};

}  // namespace wildside::cty

#endif  // WILDSIDE_PROVIDER_CTY_LAZY_VALUE_H_
