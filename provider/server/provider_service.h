// The tfplugin6 Provider gRPC service. Each handler converts the request
// (wire), calls the domain Provider / Resource, and converts back; nothing
// else. A non-OK grpc::Status is used only for protocol breakage; every
// user-facing problem travels as a diagnostic.
#ifndef WILDSIDE_PROVIDER_SERVER_PROVIDER_SERVICE_H_
#define WILDSIDE_PROVIDER_SERVER_PROVIDER_SERVICE_H_

#include <atomic>

#include "proto/tfplugin6.grpc.pb.h"
#include "provider/core/provider.h"

namespace wildside::server {

class ProviderService final : public tfplugin6::Provider::Service {
 public:
  explicit ProviderService(const core::Provider* provider) : provider_(provider) {}

  grpc::Status GetProviderSchema(grpc::ServerContext*, const tfplugin6::GetProviderSchema::Request*,
                                 tfplugin6::GetProviderSchema::Response*) override;
  grpc::Status GetResourceIdentitySchemas(
      grpc::ServerContext*, const tfplugin6::GetResourceIdentitySchemas::Request*,
      tfplugin6::GetResourceIdentitySchemas::Response*) override;
  grpc::Status ValidateProviderConfig(grpc::ServerContext*,
                                      const tfplugin6::ValidateProviderConfig::Request*,
                                      tfplugin6::ValidateProviderConfig::Response*) override;
  grpc::Status ValidateResourceConfig(grpc::ServerContext*,
                                      const tfplugin6::ValidateResourceConfig::Request*,
                                      tfplugin6::ValidateResourceConfig::Response*) override;
  grpc::Status ValidateDataResourceConfig(
      grpc::ServerContext*, const tfplugin6::ValidateDataResourceConfig::Request*,
      tfplugin6::ValidateDataResourceConfig::Response*) override;
  grpc::Status UpgradeResourceState(grpc::ServerContext*,
                                    const tfplugin6::UpgradeResourceState::Request*,
                                    tfplugin6::UpgradeResourceState::Response*) override;
  grpc::Status UpgradeResourceIdentity(grpc::ServerContext*,
                                       const tfplugin6::UpgradeResourceIdentity::Request*,
                                       tfplugin6::UpgradeResourceIdentity::Response*) override;
  grpc::Status ConfigureProvider(grpc::ServerContext*, const tfplugin6::ConfigureProvider::Request*,
                                 tfplugin6::ConfigureProvider::Response*) override;
  grpc::Status ReadResource(grpc::ServerContext*, const tfplugin6::ReadResource::Request*,
                            tfplugin6::ReadResource::Response*) override;
  grpc::Status PlanResourceChange(grpc::ServerContext*,
                                  const tfplugin6::PlanResourceChange::Request*,
                                  tfplugin6::PlanResourceChange::Response*) override;
  grpc::Status ApplyResourceChange(grpc::ServerContext*,
                                   const tfplugin6::ApplyResourceChange::Request*,
                                   tfplugin6::ApplyResourceChange::Response*) override;
  grpc::Status ImportResourceState(grpc::ServerContext*,
                                   const tfplugin6::ImportResourceState::Request*,
                                   tfplugin6::ImportResourceState::Response*) override;
  grpc::Status MoveResourceState(grpc::ServerContext*, const tfplugin6::MoveResourceState::Request*,
                                 tfplugin6::MoveResourceState::Response*) override;
  grpc::Status ReadDataSource(grpc::ServerContext*, const tfplugin6::ReadDataSource::Request*,
                              tfplugin6::ReadDataSource::Response*) override;
  grpc::Status GetFunctions(grpc::ServerContext*, const tfplugin6::GetFunctions::Request*,
                            tfplugin6::GetFunctions::Response*) override;
  grpc::Status CallFunction(grpc::ServerContext*, const tfplugin6::CallFunction::Request*,
                            tfplugin6::CallFunction::Response*) override;
  grpc::Status StopProvider(grpc::ServerContext*, const tfplugin6::StopProvider::Request*,
                            tfplugin6::StopProvider::Response*) override;

 private:
  const core::Provider* provider_;
  // ConfigureProvider has run (core::ValidateContext::provider_configured).
  std::atomic<bool> configured_{false};
};

}  // namespace wildside::server

#endif  // WILDSIDE_PROVIDER_SERVER_PROVIDER_SERVICE_H_
