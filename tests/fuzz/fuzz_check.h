// FUZZ_CHECK: the property assertion shared by the fuzz targets.
//
// A violated property prints what failed to stderr and aborts, which
// libFuzzer records as a crash (with the input saved) and GoogleTest, when
// the replay test drives the same entry point under gcc, reports as a death
// of the test binary. assert() is not used because release builds drop it.
#ifndef WILDSIDE_TESTS_FUZZ_FUZZ_CHECK_H_
#define WILDSIDE_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond, ...)                                                          \
  do {                                                                                 \
    if (!(cond)) {                                                                     \
      std::fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
      std::fprintf(stderr, __VA_ARGS__);                                               \
      std::fprintf(stderr, "\n");                                                      \
      std::abort();                                                                    \
    }                                                                                  \
  } while (0)

#endif  // WILDSIDE_TESTS_FUZZ_FUZZ_CHECK_H_
