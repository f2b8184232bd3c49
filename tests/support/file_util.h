// Small file helpers shared by the provider tests.
#ifndef WILDSIDE_TESTS_SUPPORT_FILE_UTIL_H_
#define WILDSIDE_TESTS_SUPPORT_FILE_UTIL_H_

#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

namespace wildside::testing {

inline std::string ReadWholeFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Creates parent directories as needed and replaces the file's content.
inline void WriteWholeFile(const std::filesystem::path& p, std::string_view content) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
}

// Permission bits of `p` (lstat), or 0 if it does not exist.
inline uint32_t PermissionBits(const std::filesystem::path& p) {
  struct stat st;
  if (lstat(p.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

}  // namespace wildside::testing

#endif  // WILDSIDE_TESTS_SUPPORT_FILE_UTIL_H_
