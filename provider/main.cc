// terraform-provider-wildside: an OpenTofu provider that manages a GitOps
// repository tree. OpenTofu starts this binary; see server/serve.h.
#include <cstdio>
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
  return wildside::server::Serve(WILDSIDE_PROVIDER_VERSION);
}
