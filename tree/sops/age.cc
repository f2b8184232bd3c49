#include "tree/sops/age.h"

#include <array>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "tree/sops/crypto.h"
#include "tree/strings.h"

namespace wildside::sops {
namespace {

using tree::StrCat;

constexpr std::string_view kBech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
constexpr size_t kChunkSize = 64 * 1024;

uint32_t Polymod(const std::vector<uint8_t>& values) {
  constexpr std::array<uint32_t, 5> kGen = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd,
                                            0x2a1462b3};
  uint32_t chk = 1;
  for (uint8_t v : values) {
    const uint32_t top = chk >> 25U;
    chk = ((chk & 0x1ffffffU) << 5U) ^ v;
    for (size_t i = 0; i < kGen.size(); ++i) {
      if (((top >> i) & 1U) != 0) chk ^= kGen[i];
    }
  }
  return chk;
}

absl::Status NotRecipient(std::string_view text, std::string_view why) {
  return absl::InvalidArgumentError(
      StrCat("\"", std::string(text.substr(0, 12)), text.size() > 12 ? "…" : "",
             "\" is not an age X25519 recipient: ", std::string(why)));
}

// Bech32 (BIP 173, not Bech32m) as age uses it, without BIP 173's
// 90-character limit. Returns the human-readable part and the 8-bit data.
absl::Status DecodeBech32(std::string_view text, std::string& hrp, std::string& data) {
  const size_t sep = text.rfind('1');
  if (sep == std::string_view::npos || sep == 0 || sep + 7 > text.size()) {
    return NotRecipient(text, "it is not Bech32 (no separator or too short)");
  }
  hrp.assign(text.substr(0, sep));
  std::vector<uint8_t> values;
  for (char c : hrp) values.push_back(static_cast<uint8_t>(static_cast<unsigned char>(c) >> 5U));
  values.push_back(0);
  for (char c : hrp) values.push_back(static_cast<uint8_t>(static_cast<unsigned char>(c) & 31U));
  std::vector<uint8_t> five;
  for (char c : text.substr(sep + 1)) {
    const size_t v = kBech32Charset.find(c);
    if (v == std::string_view::npos)
      return NotRecipient(text, "it has a character Bech32 does not use");
    five.push_back(static_cast<uint8_t>(v));
  }
  values.insert(values.end(), five.begin(), five.end());
  if (Polymod(values) != 1) return NotRecipient(text, "its Bech32 checksum is wrong (a typo?)");
  five.resize(five.size() - 6);
  uint32_t acc = 0;
  unsigned bits = 0;
  data.clear();
  for (uint8_t v : five) {
    acc = (acc << 5U) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      data.push_back(static_cast<char>((acc >> bits) & 0xffU));
    }
  }
  if (bits >= 5 || ((acc << (8 - bits)) & 0xffU) != 0)
    return NotRecipient(text, "its Bech32 padding is wrong");
  return absl::OkStatus();
}

// Wraps base64 text into lines of 64 columns, each ending in "\n".
void AppendWrapped(std::string& out, std::string_view b64) {
  for (size_t i = 0; i < b64.size(); i += 64) {
    out.append(b64.substr(i, 64));
    out.push_back('\n');
  }
}

// One X25519 stanza wrapping file_key for a recipient.
absl::StatusOr<std::string> X25519Stanza(std::string_view file_key, const AgeRecipient& r) {
  auto ephemeral = RandomBytes(32);
  if (!ephemeral.ok()) return ephemeral.status();
  auto share = X25519PublicKey(*ephemeral);
  if (!share.ok()) return share.status();
  auto shared = X25519Shared(*ephemeral, r.public_key);
  if (!shared.ok()) return shared.status();
  auto wrap_key =
      HkdfSha256(*shared, StrCat(*share, r.public_key), "age-encryption.org/v1/X25519", 32);
  if (!wrap_key.ok()) return wrap_key.status();
  auto body = ChaCha20Poly1305Seal(*wrap_key, std::string(12, '\0'), file_key);
  if (!body.ok()) return body.status();
  // A body line is shorter than 64 columns; 32 bytes are 43.
  return StrCat("-> X25519 ", Base64(*share, false), "\n", Base64(*body, false), "\n");
}

// The payload: a 16-byte nonce, then 64 KiB chunks sealed under a key
// derived from the file key and the nonce, the last one flagged.
absl::StatusOr<std::string> Payload(std::string_view file_key, std::string_view plaintext) {
  auto nonce = RandomBytes(16);
  if (!nonce.ok()) return nonce.status();
  auto key = HkdfSha256(file_key, *nonce, "payload", 32);
  if (!key.ok()) return key.status();
  std::string out = *nonce;
  uint64_t counter = 0;
  size_t pos = 0;
  do {
    const size_t n = std::min(kChunkSize, plaintext.size() - pos);
    const bool last = pos + n == plaintext.size();
    std::string chunk_nonce(12, '\0');
    for (int i = 0; i < 8; ++i)
      chunk_nonce[10 - i] = static_cast<char>((counter >> (8U * i)) & 0xffU);
    chunk_nonce[11] = last ? '\x01' : '\x00';
    auto sealed = ChaCha20Poly1305Seal(*key, chunk_nonce, plaintext.substr(pos, n));
    if (!sealed.ok()) return sealed.status();
    out += *sealed;
    pos += n;
    ++counter;
  } while (pos < plaintext.size());
  return out;
}

}  // namespace

absl::StatusOr<AgeRecipient> ParseAgeRecipient(std::string_view text) {
  if (text.empty()) return absl::InvalidArgumentError("an age recipient must not be empty");
  if (text.substr(0, 4) == "ssh-")
    return NotRecipient(text, "SSH keys are not supported, only age1… keys");
  std::string lower(text);
  bool has_upper = false, has_lower = false;
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') {
      has_upper = true;
      c = static_cast<char>(c - 'A' + 'a');
    } else if (c >= 'a' && c <= 'z') {
      has_lower = true;
    }
  }
  if (has_upper && has_lower)
    return NotRecipient(text, "Bech32 text is all lower or all upper case");
  if (lower.rfind("age1pq1", 0) == 0) {
    return NotRecipient(
        text,
        "it is a post-quantum (ML-KEM) recipient; OpenSSL 3.0, which this provider "
        "encrypts with, has no ML-KEM. Use an X25519 recipient (age-keygen without -pq)");
  }
  std::string hrp, data;
  if (auto s = DecodeBech32(lower, hrp, data); !s.ok()) return s;
  if (hrp != "age") {
    if (hrp.rfind("age1", 0) == 0) {
      return NotRecipient(text, StrCat("it is a recipient for the age plugin \"", hrp.substr(4),
                                       "\"; plugins are not supported"));
    }
    return NotRecipient(text, StrCat("its prefix is \"", hrp, "\", not \"age\""));
  }
  if (data.size() != 32)
    return NotRecipient(text, StrCat("it holds ", data.size(), " bytes, not 32"));
  return AgeRecipient{lower, data};
}

absl::StatusOr<std::string> AgeEncryptArmored(std::string_view plaintext,
                                              const std::vector<AgeRecipient>& recipients) {
  if (recipients.empty()) return absl::InvalidArgumentError("age needs at least one recipient");
  auto file_key = RandomBytes(16);
  if (!file_key.ok()) return file_key.status();
  std::string header = "age-encryption.org/v1\n";
  for (const AgeRecipient& r : recipients) {
    auto stanza = X25519Stanza(*file_key, r);
    if (!stanza.ok()) return stanza.status();
    header += *stanza;
  }
  header += "---";
  auto mac_key = HkdfSha256(*file_key, "", "header", 32);
  if (!mac_key.ok()) return mac_key.status();
  auto mac = HmacSha256(*mac_key, header);
  if (!mac.ok()) return mac.status();
  auto payload = Payload(*file_key, plaintext);
  if (!payload.ok()) return payload.status();
  const std::string binary = StrCat(header, " ", Base64(*mac, false), "\n", *payload);
  std::string out = "-----BEGIN AGE ENCRYPTED FILE-----\n";
  AppendWrapped(out, Base64(binary, true));
  out += "-----END AGE ENCRYPTED FILE-----\n";
  return out;
}

}  // namespace wildside::sops
