#include "tree/checks/disk_lookup.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <utility>

#include "tree/checkout.h"
#include "tree/inventory.h"
#include "tree/layout.h"

namespace wildside::tree::checks {

PathLookup MakeCheckoutLookup(std::string checkout, std::string cluster,
                              TreeOptions options) {
  // Files another cluster's inventory claims survive this cluster's apply
  // however it prunes (docs/adr/0009-ownership-inventory.md): for those,
  // and the directories holding them, the disk answers. Unreadable claims
  // count as none; the apply's own scan reports why.
  ForeignClaims foreign;
  if (options.prune) {
    absl::StatusOr<ReadSession> c = ReadSession::Open(checkout, options);
    if (c.ok()) {
      absl::StatusOr<ForeignClaims> claims = c->ReadForeignClaims(cluster);
      if (claims.ok()) foreign = *std::move(claims);
    }
  }
  return [checkout = std::move(checkout), cluster = std::move(cluster),
          options = std::move(options), foreign = std::move(foreign)](std::string_view path) -> PathKind {
    if (options.prune && IsOwned(path, cluster) && !IsExcluded(path, options) &&
        ClaimOf(foreign, path) == nullptr && !HasClaimBelow(foreign, path)) {
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
