// The PathLookup the CLI (and the provider) give the checks: what a
// checkout holds after an apply, for paths the desired tree does not.
//
// Inside the owned roots (tree/layout.h) and outside the excludes, a
// pruning apply leaves nothing but the desired tree and the files other
// clusters' ownership inventories claim (tree/inventory.h, read once when
// the lookup is made), so any other path there is missing without
// looking. Anywhere else the disk answers: one stat (a
// symlink is followed) through the Env of `options`. Only existence and
// type are read, never content.
//
// Thread safety: the returned function holds copies of its arguments and
// may be called from one thread at a time.
#ifndef WILDSIDE_TREE_CHECKS_DISK_LOOKUP_H_
#define WILDSIDE_TREE_CHECKS_DISK_LOOKUP_H_

#include <string>
#include <string_view>

#include "tree/checks/checks.h"
#include "tree/options.h"

namespace wildside::tree::checks {

// `checkout` is the checkout directory (absolute or relative to the
// working directory); `cluster` names the owned roots. A checkout that
// does not exist yet holds nothing.
PathLookup MakeCheckoutLookup(std::string checkout, std::string cluster,
                              TreeOptions options);

}  // namespace wildside::tree::checks

#endif  // WILDSIDE_TREE_CHECKS_DISK_LOOKUP_H_
