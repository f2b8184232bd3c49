// Provider logging: hclog-style JSON lines on stderr, which OpenTofu reads
// and re-logs under `provider.terraform-provider-wildside` at the level each
// line names.
//
// Every line is one JSON object with "@level", "@message", "@timestamp" (all
// strings: go-plugin type-asserts them and would panic otherwise), "@module"
// and any extra fields. The threshold comes from TF_LOG_PROVIDER, else
// TF_LOG (as OpenTofu decides what to show); unset means nothing is written.
// Never writes to stdout, which belongs to the handshake line.
//
// Thread-safe: lines from concurrent RPCs are written whole, one write(2)
// each, under a mutex.
#ifndef WILDSIDE_PROVIDER_LOG_LOGGER_H_
#define WILDSIDE_PROVIDER_LOG_LOGGER_H_

#include <string>
#include <string_view>

#include "nlohmann/json.hpp"

namespace wildside::log {

enum class Level { kTrace = 0, kDebug = 1, kInfo = 2, kWarn = 3, kError = 4, kOff = 5 };

// Parses a TF_LOG-style value. Empty → kOff; unrecognised → kTrace (as OpenTofu).
Level ParseLevel(std::string_view text);

// Reads TF_LOG_PROVIDER / TF_LOG and sets the threshold. Called once at startup.
void InitFromEnvironment();
void SetThreshold(Level level);
bool Enabled(Level level);

// Formats one line (without the trailing newline). Exposed for tests.
std::string FormatLine(Level level, std::string_view message, const nlohmann::json& fields,
                       std::string_view timestamp);

// The current time in hclog's layout: 2006-01-02T15:04:05.000000Z.
std::string Timestamp();

void Log(Level level, std::string_view message,
         const nlohmann::json& fields = nlohmann::json::object());

inline void Debug(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) {
  Log(Level::kDebug, m, f);
}
inline void Info(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) {
  Log(Level::kInfo, m, f);
}
inline void Warn(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) {
  Log(Level::kWarn, m, f);
}
inline void Error(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) {
  Log(Level::kError, m, f);
}

}  // namespace wildside::log

#endif  // WILDSIDE_PROVIDER_LOG_LOGGER_H_
