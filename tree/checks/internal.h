// Helpers shared by the checks' translation units. Internal to tree/checks.
#ifndef WILDSIDE_TREE_CHECKS_INTERNAL_H_
#define WILDSIDE_TREE_CHECKS_INTERNAL_H_

#include <string>
#include <string_view>

#include "tree/checks/checks.h"

namespace wildside::tree::checks {

// `.yaml` or `.yml`, case-sensitive: what Flux's generator takes
// (filepath.Ext compared with both).
bool HasYamlExtension(std::string_view key);

// True if `key` matches one of options.exclude.
bool IsExcludedFromChecks(std::string_view key, const CheckOptions& options);

// `s` escaped for a message (EscapeForDisplay) and cut to at most 64
// characters with "..." when longer: a YAML key or a referenced path is
// named, never a whole line.
std::string ShortForDisplay(std::string_view s);

}  // namespace wildside::tree::checks

#endif  // WILDSIDE_TREE_CHECKS_INTERNAL_H_
