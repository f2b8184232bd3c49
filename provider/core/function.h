// A provider function in domain terms (protocol 6.5: GetFunctions and
// CallFunction; OpenTofu >= 1.7, Terraform >= 1.8): its signature and the
// call. The wire layer turns the signature into tfplugin6.Function and the
// arguments' DynamicValues into cty values.
//
// A function is pure: no disk, no clock, no provider configuration, the
// same result for the same arguments. Terraform records each result at
// plan and fails the apply if a later call differs, and OpenTofu calls a
// function without configuring the provider when the module has no
// provider block.
#ifndef WILDSIDE_PROVIDER_CORE_FUNCTION_H_
#define WILDSIDE_PROVIDER_CORE_FUNCTION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "provider/cty/type.h"
#include "provider/cty/value.h"

namespace wildside::core {

struct FunctionParameter {
  std::string name;
  cty::Type type = cty::Type::Dynamic();
  std::string description;
  bool allow_null = false;
};

struct FunctionSignature {
  std::vector<FunctionParameter> parameters;
  cty::Type return_type = cty::Type::Dynamic();
  std::string summary;
  std::string description;  // Markdown
};

// What a call that fails says: `text` names the argument and says what and
// why; `argument` is its 0-based index, when one argument is to blame.
struct FunctionError {
  std::string text;
  std::optional<int64_t> argument;
};

using FunctionResult = std::variant<cty::Value, FunctionError>;

class Function {
 public:
  virtual ~Function() = default;
  virtual const FunctionSignature& Signature() const = 0;
  // `args` are wholly known and conform to the parameters' types (null only
  // where allow_null); one per parameter. Taken by value: a manifest map
  // can be tens of megabytes, and is moved, not copied.
  virtual FunctionResult Call(std::vector<cty::Value> args) const = 0;
};

}  // namespace wildside::core

#endif  // WILDSIDE_PROVIDER_CORE_FUNCTION_H_
