#include "tree/internal/file_reader.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "absl/strings/str_join.h"
#include "tree/content.h"
#include "tree/internal/fs.h"
#include "tree/internal/paths.h"
#include "tree/internal/sha256.h"
#include "tree/strings.h"
#include "tree/validate.h"

namespace wildside::tree::internal {
namespace {

// Opens the regular file `relpath` below the checkout open as `root_fd` for
// reading, walking with openat(O_NOFOLLOW); *st receives its fstat.
absl::StatusOr<Fd> OpenTreeFileAt(Env* env, int root_fd, std::string_view relpath,
                                  const TreeOptions& options, struct stat* st) {
  std::vector<std::string> problems = ValidatePathShape(relpath);
  if (!problems.empty()) {
    return absl::InvalidArgumentError(
        StrCat(EscapeForDisplay(relpath), ": invalid path: ", absl::StrJoin(problems, "; ")));
  }
  internal::DirCache dirs(env, root_fd, options.dir_mode);
  absl::StatusOr<int> dir_fd = dirs.Open(ParentPath(relpath), /*create=*/false, nullptr);
  if (!dir_fd.ok()) {
    if (absl::IsNotFound(dir_fd.status())) {
      return absl::NotFoundError(StrCat(EscapeForDisplay(relpath), ": no such file"));
    }
    return dir_fd.status();
  }
  std::string base(BaseName(relpath));
  int fd = env->OpenAt(*dir_fd, base.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK, 0);
  if (fd < 0) {
    int err = errno;
    if (err == ELOOP) {
      return absl::FailedPreconditionError(StrCat(
          EscapeForDisplay(relpath), ": is a symbolic link: the engine never follows links"));
    }
    return OsError(relpath, "cannot open", err);
  }
  Fd file(env, fd);
  if (env->Fstat(fd, st) != 0) return OsError(relpath, "cannot stat", errno);
  if (!S_ISREG(st->st_mode)) {
    return absl::FailedPreconditionError(StrCat(EscapeForDisplay(relpath), ": not a regular file"));
  }
  return file;
}

}  // namespace

absl::StatusOr<std::string> HashTreeFileAt(int root_fd, std::string_view relpath,
                                           const TreeOptions& options) {
  Env* env = options.GetEnv();
  struct stat st;
  absl::StatusOr<Fd> file = OpenTreeFileAt(env, root_fd, relpath, options, &st);
  if (!file.ok()) return file.status();
  std::vector<char> buffer(kReadBuffer);
  internal::Sha256 hasher;
  for (;;) {
    ssize_t n = env->Read(file->get(), buffer.data(), buffer.size());
    if (n < 0) return OsError(relpath, "read failed", errno);
    if (n == 0) break;
    hasher.Update(buffer.data(), static_cast<size_t>(n));
  }
  return hasher.FinishHex();
}

absl::StatusOr<std::string> ReadTreeFileAt(int root_fd, std::string_view relpath, size_t max_bytes,
                                           const TreeOptions& options) {
  Env* env = options.GetEnv();
  struct stat st;
  absl::StatusOr<Fd> file = OpenTreeFileAt(env, root_fd, relpath, options, &st);
  if (!file.ok()) return file.status();
  int fd = file->get();
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    return absl::ResourceExhaustedError(StrCat(EscapeForDisplay(relpath),
                                               ": file too large to read: ", st.st_size,
                                               " bytes, limit ", max_bytes));
  }
  std::string content;
  content.resize(static_cast<size_t>(st.st_size));
  size_t got = 0;
  for (;;) {
    // The file may grow while we read; never read past max_bytes.
    if (got == content.size()) {
      if (content.size() >= max_bytes) {
        char probe;
        ssize_t n = env->Read(fd, &probe, 1);
        if (n < 0) return OsError(relpath, "read failed", errno);
        if (n > 0) {
          return absl::ResourceExhaustedError(
              StrCat(EscapeForDisplay(relpath), ": file too large to read: limit ", max_bytes));
        }
        break;
      }
      content.resize(std::min(max_bytes, content.size() * 2 + 4096));
    }
    ssize_t n = env->Read(fd, content.data() + got, content.size() - got);
    if (n < 0) return OsError(relpath, "read failed", errno);
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  content.resize(got);
  return content;
}

}  // namespace wildside::tree::internal
