#include "tree/checks/schema_dirs.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "tree/content.h"
#include "tree/internal/fs.h"

namespace wildside::tree::checks {
namespace {

bool IsSchemaFileName(std::string_view name) {
  for (std::string_view ext : {".yaml", ".yml", ".json"}) {
    if (name.size() > ext.size() && name.substr(name.size() - ext.size()) == ext) return true;
  }
  return false;
}

// The whole regular file `name` below `dir_fd`, at most kMaxSchemaFileBytes.
// `file` is its path as the user gave it, for errors.
absl::StatusOr<std::string> ReadSchemaFile(Env* env, int dir_fd, const std::string& name,
                                           const std::string& file) {
  const std::string shown = EscapeForDisplay(file);
  internal::Fd fd(env, env->OpenAt(dir_fd, name.c_str(), O_RDONLY | O_CLOEXEC, 0));
  if (!fd.valid()) return internal::OsError(file, "cannot open", errno);
  struct stat st;
  if (env->Fstat(fd.get(), &st) != 0) return internal::OsError(file, "cannot stat", errno);
  if (!S_ISREG(st.st_mode)) return std::string();  // a directory or a device: not a schema file
  if (static_cast<size_t>(st.st_size) > kMaxSchemaFileBytes) {
    return absl::InvalidArgumentError(absl::StrCat(shown, ": larger than ",
                                                   kMaxSchemaFileBytes >> 20,
                                                   " MiB; a schema file is one CRD bundle"));
  }
  std::string out;
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = env->Read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return internal::OsError(file, "cannot read", errno);
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > kMaxSchemaFileBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(shown, ": grew past ", kMaxSchemaFileBytes >> 20, " MiB while read"));
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<int> AddSchemaDir(Env* env, std::string_view dir, SchemaCatalog* catalog) {
  const std::string path(dir);
  internal::Fd dir_fd(env,
                      env->OpenAt(AT_FDCWD, path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0));
  if (!dir_fd.valid()) return internal::OsError(path, "cannot open the schema directory", errno);
  std::vector<DirEntry> entries;
  if (env->ReadDir(dir_fd.get(), &entries) != 0) {
    return internal::OsError(path, "cannot list the schema directory", errno);
  }
  std::vector<std::string> names;
  for (const DirEntry& e : entries) {
    if (IsSchemaFileName(e.name)) names.push_back(e.name);
  }
  std::sort(names.begin(), names.end());
  int added = 0;
  for (const std::string& name : names) {
    const std::string file = path + (path.empty() || path.back() == '/' ? "" : "/") + name;
    absl::StatusOr<std::string> content = ReadSchemaFile(env, dir_fd.get(), name, file);
    if (!content.ok()) return content.status();
    std::string error;
    std::optional<int> n = catalog->AddCrdsFromYaml(*content, file, &error);
    if (!n) return absl::InvalidArgumentError(absl::StrCat("schema file ", error));
    added += *n;
  }
  return added;
}

}  // namespace wildside::tree::checks
