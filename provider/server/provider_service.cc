#include "provider/server/provider_service.h"

#include <chrono>
#include <exception>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "provider/cty/json.h"
#include "provider/log/logger.h"
#include "provider/wire/convert.h"

namespace wildside::server {
namespace {

using core::Diagnostics;

// Runs a handler body so that no exception escapes into gRPC (which would
// take the plugin down and make OpenTofu report a crash).
template <typename Fn>
grpc::Status Guard(const char* rpc, Fn&& fn) {
  try {
    log::Debug(absl::StrCat(rpc, ": start"));
    auto start = std::chrono::steady_clock::now();
    grpc::Status s = fn();
    // elapsed_ms separates the provider's share of a slow plan from
    // OpenTofu's own (bench/tofu_scale.sh sums it).
    log::Debug(absl::StrCat(rpc, ": done"),
               {{"rpc", rpc},
                {"elapsed_ms",
                 std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count()}});
    return s;
  } catch (const std::exception& e) {
    log::Error(absl::StrCat(rpc, ": internal error: ", e.what()));
    return grpc::Status(grpc::StatusCode::INTERNAL,
                        absl::StrCat(rpc, ": internal error: ", e.what()));
  } catch (...) {
    log::Error(absl::StrCat(rpc, ": internal error"));
    return grpc::Status(grpc::StatusCode::INTERNAL, absl::StrCat(rpc, ": internal error"));
  }
}

template <typename Response>
grpc::Status Fail(Response* response, core::Diagnostic diag) {
  wire::ToProto(diag, response->add_diagnostics());
  return grpc::Status::OK;
}

// Encodes `value` into `out`; on failure adds a diagnostic and returns false.
template <typename Response>
bool Encode(const cty::Value& value, const cty::Type& type, tfplugin6::DynamicValue* out,
            Response* response) {
  absl::Status s = wire::ToProto(value, type, out);
  if (!s.ok()) {
    wire::ToProto(core::Error("Provider produced an unencodable value",
                              absl::StrCat("Encoding the result failed: ", s.message(),
                                           ". This is a bug in the provider.")),
                  response->add_diagnostics());
    return false;
  }
  return true;
}

// The request message is the handler's alone for the call: gRPC parsed it
// for this call and drops it afterwards. Its encoded values are moved out
// of it rather than copied (docs/adr/0007-copy-policy.md).
template <typename Request>
Request* Own(const Request* request) {
  return const_cast<Request*>(request);  // NOLINT: see above
}

// The one decode step of the handlers that need a value whole: moves the
// bytes out of `dv` and decodes them (the encoded copy is freed once the
// value exists). On failure adds the diagnostic naming `what`.
template <typename Response>
std::optional<cty::Value> Decode(tfplugin6::DynamicValue* dv, const cty::Type& type,
                                 std::string_view what, Response* response) {
  absl::StatusOr<cty::Value> value = wire::TakeFromProto(dv, type).Decode();
  if (!value.ok()) {
    wire::ToProto(core::DecodeFailure(what, value.status()), response->add_diagnostics());
    return std::nullopt;
  }
  return *std::move(value);
}

// Sets `out` to the identity of the object `state` describes, when the
// resource has an identity and it can be told (older clients ignore it).
template <typename Response>
void SetIdentity(const core::Resource& resource, const cty::Value& state,
                 tfplugin6::ResourceIdentityData* out, Response* response) {
  const core::IdentitySchema* schema = resource.GetIdentitySchema();
  if (schema == nullptr || state.IsNull() || !state.IsKnown()) return;
  std::optional<cty::Value> identity = resource.IdentityOf(state);
  if (!identity.has_value()) return;
  Encode(*identity, schema->ImpliedType(), out->mutable_identity_data(), response);
}

}  // namespace

grpc::Status ProviderService::GetProviderSchema(grpc::ServerContext*,
                                                const tfplugin6::GetProviderSchema::Request*,
                                                tfplugin6::GetProviderSchema::Response* response) {
  return Guard("GetProviderSchema", [&] {
    wire::ToProto(provider_->GetProviderSchema(), response->mutable_provider());
    for (const auto& [name, resource] : provider_->resources()) {
      wire::ToProto(resource->GetSchema(), &(*response->mutable_resource_schemas())[name]);
    }
    // Terraform learns the functions here; OpenTofu from GetFunctions too.
    for (const auto& [name, function] : provider_->functions()) {
      wire::ToProto(function->Signature(), &(*response->mutable_functions())[name]);
    }
    auto* caps = response->mutable_server_capabilities();
    caps->set_plan_destroy(false);
    caps->set_get_provider_schema_optional(false);
    return grpc::Status::OK;
  });
}

grpc::Status ProviderService::GetResourceIdentitySchemas(
    grpc::ServerContext*, const tfplugin6::GetResourceIdentitySchemas::Request*,
    tfplugin6::GetResourceIdentitySchemas::Response* response) {
  return Guard("GetResourceIdentitySchemas", [&] {
    for (const auto& [name, resource] : provider_->resources()) {
      if (const core::IdentitySchema* schema = resource->GetIdentitySchema()) {
        wire::ToProto(*schema, &(*response->mutable_identity_schemas())[name]);
      }
    }
    return grpc::Status::OK;
  });
}

grpc::Status ProviderService::ValidateProviderConfig(
    grpc::ServerContext*, const tfplugin6::ValidateProviderConfig::Request* request,
    tfplugin6::ValidateProviderConfig::Response* response) {
  return Guard("ValidateProviderConfig", [&] {
    Decode(Own(request)->mutable_config(), provider_->GetProviderSchema().ImpliedType(),
           "provider configuration", response);
    configured_.store(true);
    return grpc::Status::OK;
  });
}

grpc::Status ProviderService::ValidateResourceConfig(
    grpc::ServerContext*, const tfplugin6::ValidateResourceConfig::Request* request,
    tfplugin6::ValidateResourceConfig::Response* response) {
  return Guard("ValidateResourceConfig", [&] {
    const core::Resource* resource = provider_->FindResource(request->type_name());
    if (resource == nullptr)
      return Fail(response, provider_->UnknownResourceType(request->type_name()));
    std::optional<cty::Value> config =
        Decode(Own(request)->mutable_config(), resource->GetSchema().ImpliedType(),
               "resource configuration", response);
    if (!config) return grpc::Status::OK;
    core::ValidateContext context;
    context.client = wire::FromProto(request->client_capabilities());
    context.provider_configured = configured_.load();
    wire::ToProto(resource->ValidateConfig(*config, context), response->mutable_diagnostics());
    return grpc::Status::OK;
  });
}

grpc::Status ProviderService::ValidateDataResourceConfig(
    grpc::ServerContext*, const tfplugin6::ValidateDataResourceConfig::Request* request,
    tfplugin6::ValidateDataResourceConfig::Response* response) {
  return Guard("ValidateDataResourceConfig", [&] {
    return Fail(response, core::Error("Unknown data source",
                                      absl::StrCat("The wildside provider has no data sources; \"",
                                                   request->type_name(), "\" does not exist.")));
  });
}

grpc::Status ProviderService::UpgradeResourceState(
    grpc::ServerContext*, const tfplugin6::UpgradeResourceState::Request* request,
    tfplugin6::UpgradeResourceState::Response* response) {
  return Guard("UpgradeResourceState", [&] {
    const core::Resource* resource = provider_->FindResource(request->type_name());
    if (resource == nullptr)
      return Fail(response, provider_->UnknownResourceType(request->type_name()));
    if (request->raw_state().json().empty()) {
      return Fail(response,
                  core::Error("Unsupported state format",
                              "The stored state has no JSON form (it was written by Terraform "
                              "before 0.12, in flatmap form), which this provider cannot read."));
    }
    core::UpgradeStateResult result =
        resource->UpgradeState(request->version(), request->raw_state().json());
    wire::ToProto(result.diagnostics, response->mutable_diagnostics());
    if (core::HasError(result.diagnostics)) return grpc::Status::OK;
    Encode(result.state, resource->GetSchema().ImpliedType(), response->mutable_upgraded_state(),
           response);
    return grpc::Status::OK;
  });
}

grpc::Status ProviderService::UpgradeResourceIdentity(
    grpc::ServerContext*, const tfplugin6::UpgradeResourceIdentity::Request* request,
    tfplugin6::UpgradeResourceIdentity::Response* response) {
  return Guard("UpgradeResourceIdentity", [&] {
    const core::Resource* resource = provider_->FindResource(request->type_name());
    if (resource == nullptr)
      return Fail(response, provider_->UnknownResourceType(request->type_name()));
    const core::IdentitySchema* schema = resource->GetIdentitySchema();
    if (schema == nullptr || request->version() != schema->version) {
      return Fail(response,
                  core::Error("Unsupported resource identity version",
                              absl::StrCat("\"", request->type_name(), "\" has ",
                                           schema == nullptr
                                               ? std::string("no resource identity")
                                               : absl::StrCat("identity version ", schema->version),
                                           "; the stored identity is version ", request->version(),
                                           ". Was it written by a newer provider?")));
    }
    // One version so far: the stored identity is read as it is.
    absl::StatusOr<cty::Value> identity =
        cty::DecodeJson(request->raw_identity().json(), schema->ImpliedType());
    if (!identity.ok()) {
      return Fail(response, core::DecodeFailure("stored resource identity", identity.status()));
    }
    Encode(*identity, schema->ImpliedType(),
           response->mutable_upgraded_identity()->mutable_identity_data(), response);
    return grpc::Status::OK;
  });
}

grpc::Status ProviderService::ConfigureProvider(
    grpc::ServerContext*, const tfplugin6::ConfigureProvider::Request* request,
    tfplugin6::ConfigureProvider::Response* response) {
  return Guard("ConfigureProvider", [&] {
    log::Info("configuring provider", {{"terraform_version", request->terraform_version()}});
    Decode(Own(request)->mutable_config(), provider_->GetProviderSchema().ImpliedType(),
           "provider configuration", response);
    return grpc::Status::OK;
  });
}

grpc::Status ProviderService::ReadResource(grpc::ServerContext*,
                                           const tfplugin6::ReadResource::Request* request,
                                           tfplugin6::ReadResource::Response* response) {
  return Guard("ReadResource", [&] {
    const core::Resource* resource = provider_->FindResource(request->type_name());
    if (resource == nullptr)
      return Fail(response, provider_->UnknownResourceType(request->type_name()));
    const cty::Type type = resource->GetSchema().ImpliedType();
    std::optional<cty::Value> current =
        Decode(Own(request)->mutable_current_state(), type, "current state", response);
    if (!current) return grpc::Status::OK;
    core::ReadResult result = resource->Read(
        core::ReadRequest{*std::move(current), std::move(*Own(request)->mutable_private_())});
    wire::ToProto(result.diagnostics, response->mutable_diagnostics());
    Encode(result.new_state, type, response->mutable_new_state(), response);
    SetIdentity(*resource, result.new_state, response->mutable_new_identity(), response);
    response->set_private_(std::move(result.private_data));
    return grpc::Status::OK;
  });
}

grpc::Status ProviderService::PlanResourceChange(
    grpc::ServerContext*, const tfplugin6::PlanResourceChange::Request* request,
    tfplugin6::PlanResourceChange::Response* response) {
  return Guard("PlanResourceChange", [&] {
    const core::Resource* resource = provider_->FindResource(request->type_name());
    if (resource == nullptr)
      return Fail(response, provider_->UnknownResourceType(request->type_name()));
    const cty::Type type = resource->GetSchema().ImpliedType();
    // Still encoded: the resource decodes only what it reads.
    auto* own = Own(request);
    core::PlanResult result = resource->Plan(
        core::PlanRequest{wire::TakeFromProto(own->mutable_prior_state(), type),
                          wire::TakeFromProto(own->mutable_proposed_new_state(), type),
                          wire::TakeFromProto(own->mutable_config(), type),
                          std::move(*own->mutable_prior_private())});
    wire::ToProto(result.diagnostics, response->mutable_diagnostics());
    if (core::HasError(result.diagnostics)) return grpc::Status::OK;
    Encode(result.planned_state, type, response->mutable_planned_state(), response);
    SetIdentity(*resource, result.planned_state, response->mutable_planned_identity(), response);
    for (const core::AttributePath& path : result.requires_replace) {
      wire::ToProto(path, response->add_requires_replace());
    }
    response->set_planned_private(std::move(result.planned_private));
    return grpc::Status::OK;
  });
}

grpc::Status ProviderService::ApplyResourceChange(
    grpc::ServerContext*, const tfplugin6::ApplyResourceChange::Request* request,
    tfplugin6::ApplyResourceChange::Response* response) {
  return Guard("ApplyResourceChange", [&] {
    const core::Resource* resource = provider_->FindResource(request->type_name());
    if (resource == nullptr)
      return Fail(response, provider_->UnknownResourceType(request->type_name()));
    const cty::Type type = resource->GetSchema().ImpliedType();
    // Still encoded: the resource decodes only what it reads.
    auto* own = Own(request);
    core::ApplyResult result =
        resource->Apply(core::ApplyRequest{wire::TakeFromProto(own->mutable_prior_state(), type),
                                           wire::TakeFromProto(own->mutable_planned_state(), type),
                                           wire::TakeFromProto(own->mutable_config(), type),
                                           std::move(*own->mutable_planned_private())});
    wire::ToProto(result.diagnostics, response->mutable_diagnostics());
    Encode(result.new_state, type, response->mutable_new_state(), response);
    SetIdentity(*resource, result.new_state, response->mutable_new_identity(), response);
    response->set_private_(std::move(result.private_data));
    return grpc::Status::OK;
  });
}

grpc::Status ProviderService::ImportResourceState(
    grpc::ServerContext*, const tfplugin6::ImportResourceState::Request* request,
    tfplugin6::ImportResourceState::Response* response) {
  return Guard("ImportResourceState", [&] {
    const core::Resource* resource = provider_->FindResource(request->type_name());
    if (resource == nullptr)
      return Fail(response, provider_->UnknownResourceType(request->type_name()));
    core::ImportResult result;
    const core::IdentitySchema* identity_schema = resource->GetIdentitySchema();
    if (request->id().empty() && request->has_identity() && identity_schema != nullptr) {
      // `import { identity = { ... } }` (OpenTofu >= 1.12, Terraform >= 1.12).
      std::optional<cty::Value> identity =
          Decode(Own(request)->mutable_identity()->mutable_identity_data(),
                 identity_schema->ImpliedType(), "import identity", response);
      if (!identity) return grpc::Status::OK;
      result = resource->ImportByIdentity(*identity);
    } else {
      result = resource->Import(request->id());
    }
    wire::ToProto(result.diagnostics, response->mutable_diagnostics());
    if (core::HasError(result.diagnostics)) return grpc::Status::OK;
    auto* imported = response->add_imported_resources();
    imported->set_type_name(request->type_name());
    Encode(result.state, resource->GetSchema().ImpliedType(), imported->mutable_state(), response);
    SetIdentity(*resource, result.state, imported->mutable_identity(), response);
    imported->set_private_(std::move(result.private_data));
    return grpc::Status::OK;
  });
}

grpc::Status ProviderService::MoveResourceState(
    grpc::ServerContext*, const tfplugin6::MoveResourceState::Request* request,
    tfplugin6::MoveResourceState::Response* response) {
  return Guard("MoveResourceState", [&] {
    return Fail(response, core::Error("Move not supported",
                                      absl::StrCat("wildside resources cannot be moved from \"",
                                                   request->source_type_name(),
                                                   "\"; remove the moved block "
                                                   "and import the checkout instead.")));
  });
}

grpc::Status ProviderService::ReadDataSource(grpc::ServerContext*,
                                             const tfplugin6::ReadDataSource::Request* request,
                                             tfplugin6::ReadDataSource::Response* response) {
  return Guard("ReadDataSource", [&] {
    return Fail(response, core::Error("Unknown data source",
                                      absl::StrCat("The wildside provider has no data sources; \"",
                                                   request->type_name(), "\" does not exist.")));
  });
}

grpc::Status ProviderService::GetFunctions(grpc::ServerContext*,
                                           const tfplugin6::GetFunctions::Request*,
                                           tfplugin6::GetFunctions::Response* response) {
  return Guard("GetFunctions", [&] {
    for (const auto& [name, function] : provider_->functions()) {
      wire::ToProto(function->Signature(), &(*response->mutable_functions())[name]);
    }
    return grpc::Status::OK;
  });
}

// Needs no configuration: OpenTofu calls a function without configuring
// the provider when the module has no provider block.
grpc::Status ProviderService::CallFunction(grpc::ServerContext*,
                                           const tfplugin6::CallFunction::Request* request,
                                           tfplugin6::CallFunction::Response* response) {
  return Guard("CallFunction", [&] {
    const core::Function* function = provider_->FindFunction(request->name());
    if (function == nullptr) {
      response->mutable_error()->set_text(
          absl::StrCat("the wildside provider has no function \"", request->name(), "\""));
      return grpc::Status::OK;
    }
    const core::FunctionSignature& sig = function->Signature();
    if (request->arguments_size() != static_cast<int>(sig.parameters.size())) {
      response->mutable_error()->set_text(absl::StrCat(request->name(), " takes ",
                                                       sig.parameters.size(), " arguments, not ",
                                                       request->arguments_size()));
      return grpc::Status::OK;
    }
    std::vector<cty::Value> args;
    for (int i = 0; i < request->arguments_size(); ++i) {
      const core::FunctionParameter& param = sig.parameters[static_cast<size_t>(i)];
      absl::StatusOr<cty::Value> arg =
          wire::TakeFromProto(Own(request)->mutable_arguments(i), param.type).Decode();
      if (!arg.ok() || !arg->IsWhollyKnown()) {
        wire::ToProto(
            core::FunctionError{absl::StrCat("argument ", param.name, ": ",
                                             arg.ok() ? "not known yet" : arg.status().message()),
                                i},
            response->mutable_error());
        return grpc::Status::OK;
      }
      args.push_back(*std::move(arg));
    }
    core::FunctionResult result = function->Call(std::move(args));
    if (const auto* error = std::get_if<core::FunctionError>(&result)) {
      wire::ToProto(*error, response->mutable_error());
      return grpc::Status::OK;
    }
    absl::Status s =
        wire::ToProto(std::get<cty::Value>(result), sig.return_type, response->mutable_result());
    if (!s.ok()) {
      response->mutable_error()->set_text(absl::StrCat(
          request->name(), ": encoding the result failed: ", s.message(), " (a provider bug)"));
    }
    return grpc::Status::OK;
  });
}

grpc::Status ProviderService::StopProvider(grpc::ServerContext*,
                                           const tfplugin6::StopProvider::Request*,
                                           tfplugin6::StopProvider::Response*) {
  // Applies are short, atomic per file and not interruptible half-way; there
  // is nothing in flight to cancel, so stopping always succeeds.
  log::Info("StopProvider received");
  return grpc::Status::OK;
}

}  // namespace wildside::server
