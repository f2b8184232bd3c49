// TreeOptions: the knobs shared by every tree/ call.
//
// The defaults describe the layout of issue 3: one tree instance owns
// `clusters/<cluster>/`, `modules/` and `platform/` of a GitOps checkout,
// leaves the folder Flux bootstrap owns alone, prunes strays, and writes
// files 0644 and directories 0755 whatever the process umask is.
//
// A TreeOptions is a plain value; it is never modified by the engine.
#ifndef WILDSIDE_TREE_OPTIONS_H_
#define WILDSIDE_TREE_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tree/env.h"

namespace wildside::tree {

struct TreeOptions {
  // Repo-relative glob patterns that are never read, written or pruned.
  // `*` and `?` match within one path segment, `**` matches any number of
  // whole segments (including none). An excluded directory is skipped whole.
  std::vector<std::string> exclude = {"clusters/*/flux-system/**"};
  // Components allowed under `platform/` besides the built-in ones
  // (sources, traefik, cert-manager, external-dns, vault, databases, redis).
  std::vector<std::string> extra_components;
  // Delete files in the owned roots that are not in the desired tree, then
  // the directories that become empty. When false nothing is ever deleted.
  bool prune = true;
  // Permission bits applied with fchmod to every written file / created dir.
  uint32_t file_mode = 0644;
  uint32_t dir_mode = 0755;
  // A symlink (or fifo, socket, device) inside an owned root is an error
  // naming it (FailedPrecondition) unless this is set, in which case it is a
  // stray: reported, and unlinked (never followed) when pruning.
  bool symlinks_as_stray = false;
  // How long an apply waits for another applier's lock on the checkout
  // before failing with Unavailable. 0 means: try once, do not wait.
  int64_t lock_timeout_ms = 30000;
  // A batch of at least this many files to write is made durable with one
  // syncfs(2) on the checkout's filesystem instead of one fsync per file.
  // Either way every file is durable before it is renamed into place; one
  // flush is far cheaper for thousands of files (a cold apply), while a few
  // targeted fsyncs do not flush other programs' data. 0 disables syncfs.
  size_t bulk_sync_threshold = 256;
  // Filesystem seam; nullptr means Env::Default().
  Env* env = nullptr;

  Env* GetEnv() const { return env != nullptr ? env : Env::Default(); }
};

}  // namespace wildside::tree

#endif  // WILDSIDE_TREE_OPTIONS_H_
