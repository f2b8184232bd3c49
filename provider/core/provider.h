// The provider in domain terms: its own (empty) configuration schema and the
// resource types it serves, looked up by type name. The gRPC service holds
// one Provider and delegates every RPC to it through the wire layer.
//
// Thread-safe: the resource table is fixed at construction.
#ifndef WILDSIDE_PROVIDER_CORE_PROVIDER_H_
#define WILDSIDE_PROVIDER_CORE_PROVIDER_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "provider/core/diagnostics.h"
#include "provider/core/function.h"
#include "provider/core/resource.h"
#include "provider/schema/schema.h"

namespace wildside::core {

// The provider: its own (empty) configuration schema, the resources it
// serves, keyed by type name, and its functions, keyed by name. Both are
// handed in by whoever assembles the plugin (server/serve.cc), so core/
// depends on no resource and no function.
class Provider {
 public:
  using Resources = std::map<std::string, std::unique_ptr<Resource>, std::less<>>;
  using Functions = std::map<std::string, std::unique_ptr<Function>, std::less<>>;
  explicit Provider(Resources resources, Functions functions = {});

  const schema::Schema& GetProviderSchema() const { return provider_schema_; }
  const Resources& resources() const { return resources_; }
  const Functions& functions() const { return functions_; }
  // The function named `name`, or nullptr.
  const Function* FindFunction(std::string_view name) const;
  // The resource serving `type_name`, or nullptr.
  const Resource* FindResource(std::string_view type_name) const;
  // An error diagnostic for a type name this provider does not serve.
  Diagnostic UnknownResourceType(std::string_view type_name) const;

 private:
  schema::Schema provider_schema_;
  Resources resources_;
  Functions functions_;
};

}  // namespace wildside::core

#endif  // WILDSIDE_PROVIDER_CORE_PROVIDER_H_
