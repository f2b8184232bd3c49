// Schemas from directories the user names (the resource's `schema_dirs`,
// the CLI's --schema-dir): CRDs of kinds that live outside the tree and
// the built-in bundle (cert-manager, CloudNativePG, external-secrets...).
//
// Reads, through the Env, the regular files directly in each directory
// whose names end in `.yaml`, `.yml` or `.json` (not below: a directory
// of CRDs is flat, and a walk could wander into a whole repository), in
// name order, each at most kMaxSchemaFileBytes. Only reads; nothing is
// ever written.
#ifndef WILDSIDE_TREE_CHECKS_SCHEMA_DIRS_H_
#define WILDSIDE_TREE_CHECKS_SCHEMA_DIRS_H_

#include <cstddef>
#include <string_view>

#include "absl/status/statusor.h"
#include "tree/checks/schema.h"
#include "tree/env.h"

namespace wildside::tree::checks {

inline constexpr size_t kMaxSchemaFileBytes = 32 << 20;

// Adds to `catalog` every CustomResourceDefinition in the files of `dir`
// (a later file wins over an earlier one for a kind) and returns how many.
// An error names the directory or the file and says why: it cannot be
// opened or read, a file is too large, or it does not parse as YAML.
absl::StatusOr<int> AddSchemaDir(Env* env, std::string_view dir, SchemaCatalog* catalog);

}  // namespace wildside::tree::checks

#endif  // WILDSIDE_TREE_CHECKS_SCHEMA_DIRS_H_
