// terraform-provider-wildside: an OpenTofu provider that manages a GitOps
// repository tree. OpenTofu starts this binary; see server/serve.h.
#include "provider/server/serve.h"

int main() { return wildside::server::Serve(); }
