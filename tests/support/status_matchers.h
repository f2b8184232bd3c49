// IsOk() / StatusIs(code) / StatusIs(code, substr) matchers for absl::Status
// and absl::StatusOr<T>. Abseil 20220623 ships none, so we write them once.
#ifndef WILDSIDE_TESTS_SUPPORT_STATUS_MATCHERS_H_
#define WILDSIDE_TESTS_SUPPORT_STATUS_MATCHERS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"

namespace wildside::testing {

inline const absl::Status& GetStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

MATCHER(IsOk, "is OK") {
  const absl::Status& s = ::wildside::testing::GetStatus(arg);
  if (!s.ok()) *result_listener << "status: " << s;
  return s.ok();
}

MATCHER_P(StatusIs, code, "has status code " + ::testing::PrintToString(code)) {
  const absl::Status& s = ::wildside::testing::GetStatus(arg);
  *result_listener << "status: " << s;
  return s.code() == code;
}

MATCHER_P2(StatusIs, code, substring,
           "has status code " + ::testing::PrintToString(code) + " and a message containing " +
               ::testing::PrintToString(substring)) {
  const absl::Status& s = ::wildside::testing::GetStatus(arg);
  *result_listener << "status: " << s;
  return s.code() == code && std::string(s.message()).find(substring) != std::string::npos;
}

}  // namespace wildside::testing

#endif  // WILDSIDE_TESTS_SUPPORT_STATUS_MATCHERS_H_
