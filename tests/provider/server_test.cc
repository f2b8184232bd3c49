// Unit tests for the go-plugin handshake pieces, the TLS certificate and the
// hclog line format.
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "provider/log/logger.h"
#include "provider/server/handshake.h"
#include "provider/server/tls.h"
#include "status_matchers.h"

namespace wildside::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::wildside::testing::IsOk;

TEST(NegotiateTest, PicksSixInAnyOrder) {
  EXPECT_EQ(NegotiateProtocolVersion("5,6", {6}), 6);
  EXPECT_EQ(NegotiateProtocolVersion("6,5", {6}), 6);
  EXPECT_EQ(NegotiateProtocolVersion(" 6 , x ,5", {6}), 6);
}

TEST(NegotiateTest, PicksHighestCommonVersion) {
  EXPECT_EQ(NegotiateProtocolVersion("5,6", {5, 6}), 6);
  EXPECT_EQ(NegotiateProtocolVersion("5", {5, 6}), 5);
}

TEST(NegotiateTest, FallsBackToLowestServerVersionSoTheClientReportsIt) {
  EXPECT_EQ(NegotiateProtocolVersion("", {6}), 6);
  EXPECT_EQ(NegotiateProtocolVersion("4", {5, 6}), 5);
}

TEST(HandshakeTest, Base64IsStandardAlphabetWithoutPadding) {
  EXPECT_EQ(Base64RawStd(""), "");
  EXPECT_EQ(Base64RawStd("f"), "Zg");
  EXPECT_EQ(Base64RawStd("fo"), "Zm8");
  EXPECT_EQ(Base64RawStd("foo"), "Zm9v");
  EXPECT_EQ(Base64RawStd("\xfb\xff"), "+/8");
}

TEST(HandshakeTest, FormatsSixFields) {
  EXPECT_EQ(FormatHandshakeLine(6, "unix", "/tmp/plugin1", "foo"),
            "1|6|unix|/tmp/plugin1|grpc|Zm9v");
  EXPECT_EQ(FormatHandshakeLine(6, "unix", "/tmp/plugin1", ""), "1|6|unix|/tmp/plugin1|grpc|");
}

TEST(TlsTest, CertificateIsWhatGoVerifies) {
  absl::StatusOr<ServerCertificate> cert = GenerateServerCertificate();
  ASSERT_THAT(cert, IsOk());
  EXPECT_THAT(cert->cert_pem, HasSubstr("BEGIN CERTIFICATE"));
  EXPECT_THAT(cert->key_pem, HasSubstr("PRIVATE KEY"));
  const unsigned char* p = reinterpret_cast<const unsigned char*>(cert->cert_der.data());
  X509* x = d2i_X509(nullptr, &p, static_cast<long>(cert->cert_der.size()));
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(X509_check_host(x, "localhost", 0, 0, nullptr), 1);
  const ASN1_INTEGER* serial = X509_get0_serialNumber(x);
  EXPECT_EQ(serial->type, V_ASN1_INTEGER);  // not V_ASN1_NEG_INTEGER
  EXPECT_LT(X509_cmp_current_time(X509_get0_notBefore(x)), 0);
  EXPECT_GT(X509_cmp_current_time(X509_get0_notAfter(x)), 0);
  EXPECT_NE(X509_get_extended_key_usage(x) & XKU_SSL_SERVER, 0u);
  X509_free(x);
}

TEST(TlsTest, EachCallMakesAFreshCertificate) {
  absl::StatusOr<ServerCertificate> a = GenerateServerCertificate();
  absl::StatusOr<ServerCertificate> b = GenerateServerCertificate();
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  EXPECT_NE(a->cert_der, b->cert_der);
}

TEST(LoggerTest, LineHasStringFieldsHclogAccepts) {
  std::string line = log::FormatLine(log::Level::kWarn, "hello \"x\"", {{"path", "a/b"}},
                                     "2026-08-22T10:11:12.123456Z");
  nlohmann::json j = nlohmann::json::parse(line);
  EXPECT_EQ(j["@level"], "warn");
  EXPECT_EQ(j["@message"], "hello \"x\"");
  EXPECT_EQ(j["@timestamp"], "2026-08-22T10:11:12.123456Z");
  EXPECT_EQ(j["path"], "a/b");
  EXPECT_THAT(line, Not(HasSubstr("\n")));
}

TEST(LoggerTest, TimestampLayoutHasSixFractionalDigits) {
  std::string ts = log::Timestamp();
  ASSERT_EQ(ts.size(), 27u) << ts;
  EXPECT_EQ(ts[19], '.');
  EXPECT_EQ(ts.back(), 'Z');
}

TEST(LoggerTest, InvalidUtf8InMessageDoesNotThrow) {
  std::string line =
      log::FormatLine(log::Level::kInfo, "bad \xff byte", nlohmann::json::object(), "t");
  EXPECT_FALSE(nlohmann::json::parse(line, nullptr, false).is_discarded());
}

TEST(LoggerTest, LevelParsing) {
  EXPECT_EQ(log::ParseLevel(""), log::Level::kOff);
  EXPECT_EQ(log::ParseLevel("debug"), log::Level::kDebug);
  EXPECT_EQ(log::ParseLevel("WARN"), log::Level::kWarn);
  EXPECT_EQ(log::ParseLevel("json"), log::Level::kTrace);
  EXPECT_EQ(log::ParseLevel("bogus"), log::Level::kTrace);
  log::SetThreshold(log::Level::kInfo);
  EXPECT_FALSE(log::Enabled(log::Level::kDebug));
  EXPECT_TRUE(log::Enabled(log::Level::kError));
  log::SetThreshold(log::Level::kOff);
}

}  // namespace
}  // namespace wildside::server
