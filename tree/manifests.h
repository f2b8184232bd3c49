// Manifests: the JSON document the wildside-tree CLI reads (a file or stdin).
//
// Two shapes are accepted: a bare object {"<path>": "<content>", ...}, or the
// {"value": {...}} shape that `tofu output -json <name>` prints. Every value
// must be a string. The keys are not validated here (ValidateDesiredTree
// does that); this only turns the text into a path-to-content map.
//
// Pure function; no I/O; never throws; thread-safe.
#ifndef WILDSIDE_TREE_MANIFESTS_H_
#define WILDSIDE_TREE_MANIFESTS_H_

#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace wildside::tree {

// Parses `text`. `source` names the input in messages (a path, or "-").
// InvalidArgument when the text is not JSON, not an object of the shapes
// above, or has non-string values (every such key listed, one per line as
// `manifests["<key>"]: not a string`).
absl::StatusOr<std::map<std::string, std::string>> ParseManifests(std::string_view text,
                                                                  std::string_view source);

}  // namespace wildside::tree

#endif  // WILDSIDE_TREE_MANIFESTS_H_
