#include "tree/checks/disk_lookup.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <utility>

#include "tree/layout.h"

namespace wildside::tree::checks {

PathLookup MakeCheckoutLookup(std::string checkout, std::string cluster,
                              TreeOptions options) {
  return [checkout = std::move(checkout), cluster = std::move(cluster),
          options = std::move(options)](std::string_view path) -> PathKind {
    if (options.prune && IsOwned(path, cluster) && !IsExcluded(path, options)) {
      return PathKind::kMissing;
    }
    std::string full = checkout + "/" + std::string(path);
    struct stat st;
    if (options.GetEnv()->FstatAt(AT_FDCWD, full.c_str(), &st, 0) != 0) {
      return PathKind::kMissing;
    }
    if (S_ISDIR(st.st_mode)) return PathKind::kDirectory;
    if (S_ISREG(st.st_mode)) return PathKind::kFile;
    return PathKind::kMissing;
  };
}

}  // namespace wildside::tree::checks
