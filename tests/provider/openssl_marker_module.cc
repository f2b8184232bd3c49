// A shared object that leaves a marker file when it is loaded: the module
// an OPENSSL_CONF names in plugin_process_test. If the provider loaded
// OpenSSL's configuration from its environment, OpenSSL would dlopen this
// and the constructor would write the file named by WILDSIDE_MARKER_FILE.
// It is never a working OpenSSL provider: being loaded is the finding.
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>

namespace {

__attribute__((constructor)) void LeaveMarker() {
  const char* path = std::getenv("WILDSIDE_MARKER_FILE");
  if (path == nullptr || *path == '\0') return;
  int fd = ::open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd >= 0) {
    (void)::write(fd, "loaded\n", 7);
    ::close(fd);
  }
}

}  // namespace
