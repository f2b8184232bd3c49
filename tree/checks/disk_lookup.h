// The PathLookup the CLI (and the provider) give the checks: what a
// checkout holds after an apply, for paths the desired tree does not.
//
// Inside the owned roots (tree/layout.h) and outside the excludes, a
// pruning apply leaves nothing but the desired tree and the files other
// clusters' ownership inventories claim (tree/inventory.h, read once when
// the lookup is made), so any other path there is missing without
// looking. Anywhere else the disk answers: one stat through the session's
// root and Env (ReadSession::StatFollowingLinks: a symlink is followed, as
// kustomize follows it). Only existence and type are read, never content.
//
// Thread safety: the returned function holds a pointer to the session and
// copies of the rest, and may be called from one thread at a time.
#ifndef WILDSIDE_TREE_CHECKS_DISK_LOOKUP_H_
#define WILDSIDE_TREE_CHECKS_DISK_LOOKUP_H_

#include <string>

#include "tree/checkout.h"
#include "tree/checks/checks.h"

namespace wildside::tree::checks {

// `checkout` is a session on the checkout (any kind: a WriteSession
// passes as a ReadSession), whose options say what an apply prunes and
// excludes; `cluster` names the owned roots. A checkout that does not
// exist yet holds nothing. `checkout` must outlive every call of the
// returned lookup.
PathLookup MakeCheckoutLookup(const ReadSession& checkout, std::string cluster);

}  // namespace wildside::tree::checks

#endif  // WILDSIDE_TREE_CHECKS_DISK_LOOKUP_H_
