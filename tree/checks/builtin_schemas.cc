// BuiltInSchemas: the bundle compiled into the program (schema_bundle.cc,
// generated from scripts/install-schemas' bundle.json by
// schemas/embed.cmake), parsed on the first call, never before: a
// provider RPC that checks nothing pays nothing for it.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "tree/checks/schema.h"

#if WILDSIDE_SCHEMA_BUNDLE
namespace wildside::tree::checks::internal_schema_bundle {
extern const char kBytes[];
extern const std::size_t kSize;
}  // namespace wildside::tree::checks::internal_schema_bundle
#endif

namespace wildside::tree::checks {

std::string_view BuiltInSchemaBundle() {
#if WILDSIDE_SCHEMA_BUNDLE
  return {internal_schema_bundle::kBytes, internal_schema_bundle::kSize};
#else
  return {};
#endif
}

const SchemaCatalog* BuiltInSchemas() {
#if WILDSIDE_SCHEMA_BUNDLE
  // Built once (thread-safe static), kept for the life of the process.
  static const SchemaCatalog* const catalog = []() -> const SchemaCatalog* {
    std::string error;
    std::optional<SchemaCatalog> c =
        SchemaCatalog::FromBundle(BuiltInSchemaBundle(), "the built-in schemas", &error);
    if (!c) return nullptr;  // the build's own bundle: tests catch a bad one
    return new SchemaCatalog(std::move(*c));
  }();
  return catalog;
#else
  return nullptr;
#endif
}

}  // namespace wildside::tree::checks
