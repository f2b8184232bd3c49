// terraform-provider-wildside: an OpenTofu provider that manages a GitOps
// repository tree. OpenTofu starts this binary; see server/serve.h.
#include <cstdio>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <string_view>

#include "provider/server/serve.h"

#ifndef WILDSIDE_PROVIDER_VERSION
#error "WILDSIDE_PROVIDER_VERSION must be defined by the build"
#endif

int main(int argc, char** argv) {
  // For people and release checks; OpenTofu never passes arguments.
  if (argc == 2 && std::string_view(argv[1]) == "--version") {
    std::printf("terraform-provider-wildside v%s\n", WILDSIDE_PROVIDER_VERSION);
    return 0;
  }
#if defined(__GLIBC__)
  // One malloc arena for the whole process, set before any thread exists.
  // gRPC runs each RPC on whichever pool thread is free, and glibc gives
  // each thread its own arena: the memory one RPC freed (a decoded state,
  // a request's bytes) was not reused by the next RPC on another thread,
  // so the peak grew with every RPC of a run. With one arena a no-op plan
  // of 40 MB of manifests peaks at 266 MiB instead of 326 MiB, a cold
  // apply at 185 MiB instead of 252 MiB (docs/benchmarks.md). The RPCs
  // of one resource are sequential, so the shared arena's lock is not
  // contended.
  mallopt(M_ARENA_MAX, 1);
#endif
  return wildside::server::Serve(WILDSIDE_PROVIDER_VERSION);
}
