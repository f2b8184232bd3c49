#include "tree/checks/disk_lookup.h"

#include <utility>

#include "tree/inventory.h"
#include "tree/layout.h"

namespace wildside::tree::checks {

PathLookup MakeCheckoutLookup(const ReadSession& checkout, std::string cluster) {
  // Files another cluster's inventory claims survive this cluster's apply
  // however it prunes (docs/adr/0009-ownership-inventory.md): for those,
  // and the directories holding them, the disk answers. Unreadable claims
  // count as none; the apply's own scan reports why.
  ForeignClaims foreign;
  if (checkout.options().prune) {
    absl::StatusOr<ForeignClaims> claims = checkout.ReadForeignClaims(cluster);
    if (claims.ok()) foreign = *std::move(claims);
  }
  return [checkout = &checkout, cluster = std::move(cluster),
          foreign = std::move(foreign)](std::string_view path) -> PathKind {
    const TreeOptions& options = checkout->options();
    if (options.prune && IsOwned(path, cluster) && !IsExcluded(path, options) &&
        ClaimOf(foreign, path) == nullptr && !HasClaimBelow(foreign, path)) {
      return PathKind::kMissing;
    }
    absl::StatusOr<EntryKind> kind = checkout->StatFollowingLinks(path);
    if (!kind.ok()) return PathKind::kMissing;
    if (*kind == EntryKind::kDirectory) return PathKind::kDirectory;
    if (*kind == EntryKind::kFile) return PathKind::kFile;
    return PathKind::kMissing;
  };
}

}  // namespace wildside::tree::checks
