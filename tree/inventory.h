// Inventory: the paths one cluster's instance manages, recorded in the
// checkout itself (docs/adr/0009-ownership-inventory.md).
//
// Each instance keeps `clusters/<cluster>/.wildside-inventory`: a fixed
// two-line header, then one repo-relative path per line, sorted bytewise,
// each once. No timestamps, hashes or modes, so the text is a pure function
// of the set of paths: an unchanged configuration never makes git churn,
// and the provider can compute the text at plan time without reading the
// disk. The name ends in none of .yaml/.yml/.json, so neither Flux's
// generated kustomization nor an Argo CD directory application reads it.
//
// A file another cluster's inventory claims is *foreign* to this instance:
// never pruned, rewritten or shown. Apply claims before it writes (the
// inventory lists old ∪ new, durably, before any file is written) and
// releases after it prunes; destroy deletes the inventory last. So a crash
// never leaves one of our files unclaimed.
//
// Pure functions here; the sessions (tree/checkout.h) read inventories,
// and a WriteSession writes them, under its lock. Thread-safe.
#ifndef WILDSIDE_TREE_INVENTORY_H_
#define WILDSIDE_TREE_INVENTORY_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "tree/desired_tree.h"
#include "tree/layout.h"  // kInventoryName

namespace wildside::tree {

// "clusters/<cluster>/.wildside-inventory".
std::string InventoryPath(std::string_view cluster);

// The inventory's text for `paths` (any order, duplicates allowed): the
// header, then the paths sorted and unique, one per line. Deterministic.
std::string FormatInventory(std::string_view cluster, std::vector<std::string> paths);
// The same for the keys of a desired tree (already sorted and unique).
std::string FormatInventory(std::string_view cluster, const DesiredTree& keys);

// The paths of an inventory's text, sorted and unique. Header and blank
// lines are skipped, and so is a line that is not a normalised relative
// path (a hand-edit gone wrong must not make a plan fail; such a line
// claims nothing). Never fails.
std::vector<std::string> ParseInventory(std::string_view text);

// One cluster's inventory as found on disk.
struct Inventory {
  std::string cluster;
  bool exists = false;             // the file is there (maybe empty)
  std::string text;                // its bytes, as read
  std::vector<std::string> paths;  // ParseInventory(text)
};

// Path -> cluster, for every path the other clusters' inventories claim.
// A path two other inventories claim (a race through git) keeps the
// smaller cluster name; either way it is foreign.
using ForeignClaims = std::map<std::string, std::string, std::less<>>;

// The owning cluster of `path` in `claims`, or nullptr.
const std::string* ClaimOf(const ForeignClaims& claims, std::string_view path);

// True if some claimed path lies strictly below directory `dir`.
bool HasClaimBelow(const ForeignClaims& claims, std::string_view dir);

}  // namespace wildside::tree

#endif  // WILDSIDE_TREE_INVENTORY_H_
