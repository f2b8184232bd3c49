// SOPS-encrypted YAML, as `sops --encrypt` writes it for age recipients
// (issue 22): the file Flux's kustomize-controller and `sops -d` decrypt.
//
// Format (checked against sops 3.13.3 by tests/sops/sops_oracle_test.cc):
//   * one random 32-byte data key per file; every value whose key path has
//     a component in `encrypted_keys` (sops's `encrypted_regex`
//     ^(k1|k2…)$) becomes ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]:
//     AES-256-GCM, a random 32-byte IV, the key path joined with ':' plus a
//     trailing ':' as additional data; empty strings and nulls stay as they
//     are;
//   * `sops:` is added to every document (`age` stanzas holding the data
//     key as an armored age file, `lastmodified`, `mac`,
//     `encrypted_regex`, `version`);
//   * the MAC is SHA-512 over every non-null value of every document in
//     order (clear ones too, typed as resolve.h says), as upper-case hex,
//     encrypted like a value with `lastmodified` as additional data.
//
// What this writer does not keep: comments (none is written, so none
// leaks in clear), flow style (collections are written in block style),
// empty documents (dropped: sops would turn each into a lone `sops:`
// object). It refuses, naming the line: anchors and aliases, explicit
// tags, non-string or duplicate keys, a document that is not a mapping,
// one that already has a top-level `sops` key.
#ifndef WILDSIDE_TREE_SOPS_SOPS_YAML_H_
#define WILDSIDE_TREE_SOPS_SOPS_YAML_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "tree/sops/age.h"

namespace wildside::sops {

// The sops release whose format this writes, recorded as `version`.
inline constexpr std::string_view kSopsFormatVersion = "3.13.3";

struct EncryptSettings {
  std::vector<AgeRecipient> recipients;  // at least one
  std::vector<std::string> encrypted_keys = {"data", "stringData"};
  int64_t lastmodified_unix = 0;  // seconds, UTC
};

// `encrypted_regex` for a list of key names: ^(a|b)$, each name escaped.
std::string EncryptedRegex(const std::vector<std::string>& keys);

// Encrypts a YAML stream (one or more documents). Errors name the line.
absl::StatusOr<std::string> EncryptYaml(std::string_view yaml, const EncryptSettings& settings);

// What decides whether a file is encrypted, from one scan of its events
// (anchors, tags and all: nothing is refused here).
struct YamlFacts {
  bool parsed = false;     // the whole stream is valid YAML
  bool secret = false;     // a document is apiVersion: v1, kind: Secret
  bool encrypted = false;  // a document has a top-level `sops` mapping
};
YamlFacts InspectYaml(std::string_view yaml);

}  // namespace wildside::sops

#endif  // WILDSIDE_TREE_SOPS_SOPS_YAML_H_
