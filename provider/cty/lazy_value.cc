#include "provider/cty/lazy_value.h"

#include "provider/cty/json.h"
#include "provider/cty/msgpack.h"

namespace wildside::cty {

bool LazyValue::IsNull() const {
  if (decoded_.has_value()) return decoded_->IsNull();
  if (bytes_.empty()) return true;
  if (format_ == Format::kMsgpack)
    return bytes_.size() == 1 && static_cast<unsigned char>(bytes_[0]) == 0xc0;
  size_t b = bytes_.find_first_not_of(" \t\r\n");
  size_t e = bytes_.find_last_not_of(" \t\r\n");
  return b != std::string::npos && bytes_.compare(b, e - b + 1, "null") == 0;
}

absl::StatusOr<Value> LazyValue::Decode() && {
  if (decoded_.has_value()) return *std::move(decoded_);
  std::string bytes = std::move(bytes_);
  bytes_.clear();
  if (bytes.empty()) return Value::Null(type_);
  // `bytes` dies at the end of this call: the encoded copy is gone as soon
  // as the decoded one exists.
  return format_ == Format::kMsgpack ? DecodeMsgpack(bytes, type_) : DecodeJson(bytes, type_);
}

absl::StatusOr<Value> LazyValue::DecodeWithout(
    const std::set<std::string, std::less<>>& skip) const {
  if (decoded_.has_value()) {
    if (decoded_->IsNull() || !decoded_->IsKnown()) return *decoded_;
    Value::Entries attrs;
    for (const auto& [name, v] : decoded_->entries()) {
      if (skip.count(name) == 0) attrs.emplace(name, v);
    }
    return Value::Object(decoded_->type(), std::move(attrs));
  }
  if (bytes_.empty()) return Value::Null(type_);
  if (format_ == Format::kMsgpack) return DecodeMsgpackSkipping(bytes_, type_, skip);
  absl::StatusOr<Value> whole =
      DecodeJson(bytes_, type_);  // JSON: rare (never sent by OpenTofu for these)
  if (!whole.ok() || whole->IsNull() || !whole->IsKnown()) return whole;
  Value::Entries attrs;
  for (auto& [name, v] : std::move(*whole).TakeEntries()) {
    if (skip.count(name) == 0) attrs.emplace(name, std::move(v));
  }
  return Value::Object(type_, std::move(attrs));
}

}  // namespace wildside::cty
