#include "provider/schema/schema.h"

namespace wildside::schema {

cty::Type Schema::ImpliedType() const {
  std::map<std::string, cty::Type> attrs;
  for (const Attribute& a : block.attributes) attrs.emplace(a.name, a.type);
  return cty::Type::Object(std::move(attrs));
}

const Attribute* Schema::Find(std::string_view name) const {
  for (const Attribute& a : block.attributes) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

}  // namespace wildside::schema
