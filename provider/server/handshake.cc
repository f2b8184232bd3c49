#include "provider/server/handshake.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tree/strings.h"

namespace wildside::server {

using tree::AV;

int NegotiateProtocolVersion(std::string_view client_list,
                             const std::vector<int>& server_versions) {
  std::vector<int> client;
  for (absl::string_view part : absl::StrSplit(AV(client_list), ',')) {
    int v;
    if (absl::SimpleAtoi(absl::StripAsciiWhitespace(part), &v)) client.push_back(v);
  }
  std::vector<int> ours = server_versions;
  std::sort(ours.rbegin(), ours.rend());
  for (int v : ours) {
    if (std::find(client.begin(), client.end(), v) != client.end()) return v;
  }
  return ours.empty() ? 0 : ours.back();
}

std::string Base64RawStd(std::string_view bytes) {
  std::string out;
  absl::Base64Escape(AV(bytes), &out);
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

std::string FormatHandshakeLine(int app_version, std::string_view network, std::string_view address,
                                std::string_view cert_der) {
  return absl::StrCat("1|", app_version, "|", AV(network), "|", AV(address), "|grpc|",
                      Base64RawStd(cert_der));
}

}  // namespace wildside::server
