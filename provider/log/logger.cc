#include "provider/log/logger.h"

#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <ctime>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"

namespace wildside::log {
namespace {

std::atomic<int> g_threshold{static_cast<int>(Level::kOff)};
std::mutex g_write_mu;

const char* LevelName(Level level) {
  switch (level) {
    case Level::kTrace:
      return "trace";
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
    case Level::kOff:
      return "off";
  }
  return "debug";
}

}  // namespace

Level ParseLevel(std::string_view text) {
  std::string t = absl::AsciiStrToUpper(
      absl::StripAsciiWhitespace(absl::string_view(text.data(), text.size())));
  if (t.empty() || t == "OFF") return Level::kOff;
  if (t == "TRACE" || t == "JSON") return Level::kTrace;
  if (t == "DEBUG") return Level::kDebug;
  if (t == "INFO") return Level::kInfo;
  if (t == "WARN") return Level::kWarn;
  if (t == "ERROR") return Level::kError;
  return Level::kTrace;
}

void InitFromEnvironment() {
  const char* provider = std::getenv("TF_LOG_PROVIDER");
  const char* global = std::getenv("TF_LOG");
  const char* chosen = (provider != nullptr && *provider != '\0') ? provider : global;
  SetThreshold(chosen == nullptr ? Level::kOff : ParseLevel(chosen));
}

void SetThreshold(Level level) { g_threshold.store(static_cast<int>(level)); }

bool Enabled(Level level) {
  return level != Level::kOff &&
         static_cast<int>(level) >= g_threshold.load(std::memory_order_relaxed);
}

std::string Timestamp() {
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  struct tm tm;
  gmtime_r(&tv.tv_sec, &tm);
  return absl::StrFormat("%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                         static_cast<int>(tv.tv_usec));
}

std::string FormatLine(Level level, std::string_view message, const nlohmann::json& fields,
                       std::string_view timestamp) {
  nlohmann::json line = fields.is_object() ? fields : nlohmann::json::object();
  line["@level"] = LevelName(level);
  line["@message"] = std::string(message);
  line["@timestamp"] = std::string(timestamp);
  line["@module"] = "wildside";
  // Replace invalid UTF-8 rather than throw: messages may quote file names.
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void Log(Level level, std::string_view message, const nlohmann::json& fields) {
  if (!Enabled(level)) return;
  std::string line = FormatLine(level, message, fields, Timestamp());
  line.push_back('\n');
  std::lock_guard<std::mutex> lock(g_write_mu);
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n <= 0) return;  // Nowhere else to report a failed log write.
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace wildside::log
