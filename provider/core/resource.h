// The interface a managed resource type implements, in domain terms: cty
// values in, cty values and diagnostics out. The wire layer decodes requests
// against Schema().ImpliedType() before calling, and encodes results after;
// plan and apply get their values still encoded (cty::LazyValue) and decode
// only those they read, reporting a failure with DecodeFailure().
//
// Implementations must be thread-safe: OpenTofu calls resources concurrently.
#ifndef WILDSIDE_PROVIDER_CORE_RESOURCE_H_
#define WILDSIDE_PROVIDER_CORE_RESOURCE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "provider/core/diagnostics.h"
#include "provider/cty/lazy_value.h"
#include "provider/cty/value.h"
#include "provider/schema/schema.h"

namespace wildside::core {

// What the client (OpenTofu, Terraform) said it supports, from the
// request's client_capabilities; all false when it sent none (OpenTofu
// before 1.11, Terraform before 1.11 for write-only attributes).
struct ClientCapabilities {
  // The client stores write-only attributes as null in plan and state.
  bool write_only_attributes_allowed = false;
};

// What ValidateResourceConfig knows besides the configuration.
struct ValidateContext {
  ClientCapabilities client;
  // ConfigureProvider has run in this process: the client is planning or
  // applying, and PlanResourceChange follows with the prior state, so work
  // the plan does better may wait for it. False in `tofu validate` and in
  // the validate walk every plan starts with (its own process).
  bool provider_configured = false;
};

struct UpgradeStateResult {
  cty::Value state;
  Diagnostics diagnostics;
};

struct ReadRequest {
  cty::Value current_state;
  std::string private_data;
};

struct ReadResult {
  cty::Value new_state;  // null: the object is gone
  std::string private_data;
  Diagnostics diagnostics;
};

struct PlanRequest {
  cty::LazyValue prior_state;         // null on create
  cty::LazyValue proposed_new_state;  // null on destroy
  cty::LazyValue config;              // null on destroy
  std::string prior_private;
};

struct PlanResult {
  cty::Value planned_state;
  std::vector<AttributePath> requires_replace;
  std::string planned_private;
  Diagnostics diagnostics;
};

struct ApplyRequest {
  cty::LazyValue prior_state;    // null on create
  cty::LazyValue planned_state;  // null on destroy
  cty::LazyValue config;
  std::string planned_private;
};

struct ApplyResult {
  cty::Value new_state;
  std::string private_data;
  Diagnostics diagnostics;
};

struct ImportResult {
  cty::Value state;  // null with an error diagnostic when the id is invalid
  std::string private_data;
  Diagnostics diagnostics;
};

// Resource identity (protocol 6.9: OpenTofu >= 1.12, Terraform >= 1.12):
// the attributes that name the object a state describes, for
// `import { identity = { ... } }` and for the client to keep in state.
struct IdentityAttribute {
  std::string name;
  cty::Type type = cty::Type::String();
  bool required_for_import = false;
  bool optional_for_import = false;
  std::string description;
};

struct IdentitySchema {
  int64_t version = 0;
  std::vector<IdentityAttribute> attributes;

  cty::Type ImpliedType() const {
    std::map<std::string, cty::Type> types;
    for (const IdentityAttribute& a : attributes) types.emplace(a.name, a.type);
    return cty::Type::Object(std::move(types));
  }
};

class Resource {
 public:
  virtual ~Resource() = default;

  virtual const schema::Schema& GetSchema() const = 0;
  virtual Diagnostics ValidateConfig(const cty::Value& config,
                                     const ValidateContext& context) const = 0;
  // `raw_json` is the stored attributes object written with schema `version`.
  virtual UpgradeStateResult UpgradeState(int64_t version, std::string_view raw_json) const = 0;
  // Requests come by value: the server moves the decoded values in, and a
  // resource may move them on into its result instead of copying (the
  // manifests are the bulk of every request; docs/adr/0007-copy-policy.md).
  virtual ReadResult Read(ReadRequest request) const = 0;
  virtual PlanResult Plan(PlanRequest request) const = 0;
  virtual ApplyResult Apply(ApplyRequest request) const = 0;
  virtual ImportResult Import(std::string_view id) const = 0;

  // Resource identity; a resource without one keeps these defaults (and
  // older clients never ask).
  virtual const IdentitySchema* GetIdentitySchema() const { return nullptr; }
  // The identity of the object a known, non-null `state` describes, or
  // nullopt when it cannot be told yet (unknown attributes at plan).
  virtual std::optional<cty::Value> IdentityOf(const cty::Value& /*state*/) const {
    return std::nullopt;
  }
  // Import by an identity of GetIdentitySchema()'s type.
  virtual ImportResult ImportByIdentity(const cty::Value& /*identity*/) const {
    ImportResult result;
    result.diagnostics.push_back(
        Error("Import by identity not supported", "This resource type declares no identity."));
    return result;
  }
};

}  // namespace wildside::core

#endif  // WILDSIDE_PROVIDER_CORE_RESOURCE_H_
