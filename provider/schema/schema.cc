#include "provider/schema/schema.h"

namespace wildside::schema {

cty::Type Schema::ImpliedType() const {
  std::map<std::string, cty::Type> attrs;
  for (const Attribute& a : block.attributes) attrs.emplace(a.name, a.type);
  return cty::Type::Object(std::move(attrs));
}

}  // namespace wildside::schema
