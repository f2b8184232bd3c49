// Schemas in the provider's own terms: what GetProviderSchema announces and
// what every DynamicValue is decoded against. Only flat attributes are
// modelled (no nested blocks): the one resource does not need them.
#ifndef WILDSIDE_PROVIDER_SCHEMA_SCHEMA_H_
#define WILDSIDE_PROVIDER_SCHEMA_SCHEMA_H_

#include <cstdint>
#include <string>
#include <vector>

#include "provider/cty/type.h"

namespace wildside::schema {

struct Attribute {
  std::string name;
  cty::Type type = cty::Type::String();
  std::string description;  // Markdown
  bool required = false;
  bool optional = false;
  bool computed = false;
  bool sensitive = false;
  // Protocol 6.9+: the client passes the value in the configuration only,
  // and stores null in plan and state (OpenTofu and Terraform >= 1.11;
  // older clients ignore the flag and store the value like any other).
  bool write_only = false;
};

struct Block {
  std::vector<Attribute> attributes;
  std::string description;  // Markdown
};

struct Schema {
  int64_t version = 0;
  Block block;

  // The object type every value of this schema has.
  cty::Type ImpliedType() const;
};

}  // namespace wildside::schema

#endif  // WILDSIDE_PROVIDER_SCHEMA_SCHEMA_H_
