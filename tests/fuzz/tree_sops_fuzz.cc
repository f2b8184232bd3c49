// Fuzz target for the SOPS encryption of a rendered file (tree/sops/),
// which reads whatever YAML a module renders once sops_age_recipients is
// set: InspectYaml on every YAML key, EncryptYaml on the Secrets.
//
// Input: the file's bytes.
//
// Properties, beyond "never crash" and "never hang":
//   - what EncryptYaml writes is valid YAML with a top-level `sops:` block
//     in a document, still a Secret when the input was one, and refused
//     when encrypted again (it already has a `sops` key);
//   - a file EncryptYaml accepts parses for InspectYaml too.
// That the values decrypt is the oracle tests' job (tests/sops).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "tree/sops/sops_yaml.h"

namespace {

const wildside::sops::EncryptSettings& Settings() {
  static const wildside::sops::EncryptSettings* s = [] {
    auto* out = new wildside::sops::EncryptSettings;
    out->recipients.push_back(*wildside::sops::ParseAgeRecipient(
        "age1e55murcwgydtzlvr590c9yqqus6daaxestsny93wac6zvhm9zdvqvzcsl8"));
    out->lastmodified_unix = 1764900000;
    return out;
  }();
  return *s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const wildside::sops::YamlFacts before = wildside::sops::InspectYaml(input);
  absl::StatusOr<std::string> out = wildside::sops::EncryptYaml(input, Settings());
  if (!out.ok()) return 0;
  FUZZ_CHECK(before.parsed, "EncryptYaml accepted what InspectYaml could not parse");
  const wildside::sops::YamlFacts after = wildside::sops::InspectYaml(*out);
  FUZZ_CHECK(after.parsed, "the encrypted file is not valid YAML:\n%s", out->c_str());
  FUZZ_CHECK(after.encrypted, "the encrypted file has no sops block:\n%s", out->c_str());
  FUZZ_CHECK(!before.secret || after.secret, "a Secret stopped being one:\n%s", out->c_str());
  FUZZ_CHECK(!wildside::sops::EncryptYaml(*out, Settings()).ok(),
             "an encrypted file was encrypted again");
  return 0;
}
