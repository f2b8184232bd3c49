#include "tree/apply.h"

#include "tree/internal/fs.h"

namespace wildside::tree {

std::optional<std::string> PathOfError(const absl::Status& status) {
  return internal::ErrorPath(status);
}

}  // namespace wildside::tree
