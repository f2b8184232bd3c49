// A provider that does nothing, for bench/tofu_scale.sh's `echo` mode:
// what any plugin costs OpenTofu to carry the same 40 MB map, beside the
// `terraform_data` floor (built into OpenTofu, so no plugin, no gRPC, no
// msgpack). It is wildside's own server (handshake, AutoMTLS, codecs)
// serving one resource, `wildside_echo`, whose `triggers` map is held in
// state and never looked at: plan returns the proposed state, read the
// prior, apply the planned. No disk, no checks.
//
// Not shipped: built in the bench tree only, laid out as the provider
// `wildside` in a mirror of its own (bench/tofu_scale.sh).
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "provider/core/diagnostics.h"
#include "provider/core/provider.h"
#include "provider/core/resource.h"
#include "provider/cty/json.h"
#include "provider/server/serve.h"

namespace {

using wildside::core::ApplyRequest;
using wildside::core::ApplyResult;
using wildside::core::Diagnostics;
using wildside::core::ImportResult;
using wildside::core::PlanRequest;
using wildside::core::PlanResult;
using wildside::core::ReadRequest;
using wildside::core::ReadResult;
using wildside::core::UpgradeStateResult;
using wildside::core::ValidateContext;
using wildside::cty::Type;
using wildside::cty::Value;

wildside::schema::Schema EchoSchema() {
  wildside::schema::Schema s;
  s.block.description = "Holds `triggers` in state and does nothing else.";
  wildside::schema::Attribute id;
  id.name = "id";
  id.computed = true;
  s.block.attributes.push_back(id);
  wildside::schema::Attribute triggers;
  triggers.name = "triggers";
  triggers.type = Type::Map(Type::String());
  triggers.required = true;
  s.block.attributes.push_back(triggers);
  return s;
}

// A known value of `lazy`, or null of `type` when it cannot be decoded.
Value Take(wildside::cty::LazyValue lazy, const Type& type) {
  absl::StatusOr<Value> v = std::move(lazy).Decode();
  return v.ok() ? *std::move(v) : Value::Null(type);
}

class EchoResource : public wildside::core::Resource {
 public:
  EchoResource() : schema_(EchoSchema()), type_(schema_.ImpliedType()) {}

  const wildside::schema::Schema& GetSchema() const override { return schema_; }

  Diagnostics ValidateConfig(const Value& /*config*/,
                             const ValidateContext& /*context*/) const override {
    return {};
  }

  UpgradeStateResult UpgradeState(int64_t /*version*/, std::string_view raw_json) const override {
    UpgradeStateResult result;
    absl::StatusOr<Value> state = wildside::cty::DecodeJson(raw_json, type_);
    if (state.ok()) {
      result.state = *std::move(state);
    } else {
      result.diagnostics.push_back(
          wildside::core::Error("Unreadable state", std::string(state.status().message())));
    }
    return result;
  }

  ReadResult Read(ReadRequest request) const override {
    ReadResult result;
    result.new_state = std::move(request.current_state);
    return result;
  }

  PlanResult Plan(PlanRequest request) const override {
    PlanResult result;
    if (request.proposed_new_state.IsNull()) {  // destroy
      result.planned_state = Value::Null(type_);
      return result;
    }
    result.planned_state = Take(std::move(request.proposed_new_state), type_);
    if (result.planned_state.GetAttr("id").IsNull()) {
      result.planned_state.SetAttr("id", Value::String("echo"));
    }
    return result;
  }

  ApplyResult Apply(ApplyRequest request) const override {
    ApplyResult result;
    result.new_state = request.planned_state.IsNull()
                           ? Value::Null(type_)
                           : Take(std::move(request.planned_state), type_);
    return result;
  }

  ImportResult Import(std::string_view /*id*/) const override {
    ImportResult result;
    result.diagnostics.push_back(
        wildside::core::Error("Import not supported", "wildside_echo is a benchmark resource."));
    return result;
  }

 private:
  wildside::schema::Schema schema_;
  Type type_;
};

}  // namespace

int main() {
  return wildside::server::Serve("echo", [] {
    wildside::core::Provider::Resources resources;
    resources.emplace("wildside_echo", std::make_unique<EchoResource>());
    return wildside::core::Provider(std::move(resources));
  });
}
