#include "provider/resources/gitops_tree_sops.h"

#include <algorithm>
#include <ctime>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tree/checkout.h"
#include "tree/content.h"
#include "tree/layout.h"
#include "tree/sops/sops_yaml.h"
#include "tree/strings.h"

namespace wildside::resources::gitops {
namespace {

using core::AttributePath;
using tree::SV;

// The largest encrypted file an apply reads back to keep it.
constexpr size_t kMaxKeptBytes = 64U << 20;

bool IsYamlKey(std::string_view key) { return key.ends_with(".yaml") || key.ends_with(".yml"); }

absl::StatusOr<sops::EncryptSettings> EncryptSettingsFor(const Settings& settings) {
  sops::EncryptSettings s;
  for (const std::string& text : settings.sops_recipients) {
    absl::StatusOr<sops::AgeRecipient> r = sops::ParseAgeRecipient(text);
    if (!r.ok()) return r.status();
    s.recipients.push_back(*std::move(r));
  }
  s.encrypted_keys = settings.sops_keys;
  s.lastmodified_unix = static_cast<int64_t>(std::time(nullptr));
  return s;
}

const char* SourceOf(const Desired& desired, const std::string& key) {
  auto src = desired.source.find(key);
  return src == desired.source.end() ? kRendered : src->second;
}

// Why EncryptYaml refused a file of map `attr`: its message ("line N:
// what"), or for sensitive and write-only content the line only, never a
// key name taken from it.
std::string WhyNot(const char* attr, const absl::Status& status) {
  std::string why(SV(status.message()));
  if (std::string_view(attr) == kRendered) return why;
  return why.starts_with("line ") ? why.substr(0, why.find(':')) + ": (sensitive, not shown)"
                                  : std::string("(sensitive, not shown)");
}

}  // namespace

std::string EncryptionDigest(const Settings& settings) {
  std::vector<std::string> recipients = settings.sops_recipients;
  std::sort(recipients.begin(), recipients.end());
  recipients.erase(std::unique(recipients.begin(), recipients.end()), recipients.end());
  return tree::Sha256Hex(absl::StrCat("sops ", tree::AV(sops::kSopsFormatVersion), "\nrecipients ",
                                      absl::StrJoin(recipients, " "), "\nkeys ",
                                      sops::EncryptedRegex(settings.sops_keys), "\n"));
}

std::set<std::string> KeysToEncrypt(const Settings& settings, const Desired& desired) {
  std::set<std::string> out;
  if (settings.sops_recipients.empty()) return out;
  for (const auto& [key, content] : desired.tree) {
    if (!IsYamlKey(key)) continue;
    bool globbed = false;
    for (const std::string& glob : settings.sops_files)
      globbed = globbed || tree::GlobMatch(glob, key);
    // A file that cannot hold a Secret is not parsed (most of a tree).
    if (!globbed && content.find("Secret") == std::string_view::npos) continue;
    const sops::YamlFacts facts = sops::InspectYaml(content);
    if (!facts.encrypted && (globbed || facts.secret)) out.insert(key);
  }
  return out;
}

void CheckEncryptable(const Settings& settings, const Desired& desired,
                      const std::set<std::string>& keys, core::Diagnostics* diags) {
  absl::StatusOr<sops::EncryptSettings> s = EncryptSettingsFor(settings);
  if (!s.ok()) return;  // ReadSettings reported the recipient
  for (const std::string& key : keys) {
    absl::StatusOr<std::string> enc = sops::EncryptYaml(desired.tree.at(key), *s);
    if (enc.ok()) continue;
    const char* attr = SourceOf(desired, key);
    const std::string why = WhyNot(attr, enc.status());
    diags->push_back(core::ErrorAt(
        AttributePath::Attr(attr).Key(key), "File cannot be written SOPS-encrypted",
        absl::StrCat(attr, "[\"", tree::EscapeForDisplay(key), "\"]: ", why,
                     ".\n\nIt is encrypted because ",
                     sops::InspectYaml(desired.tree.at(key)).secret
                         ? "it holds a Secret"
                         : absl::StrCat("it matches ", kSopsFiles),
                     " and sops_age_recipients is set; sops cannot represent it as written.")));
  }
}

absl::Status EncryptForWrite(const tree::ReadSession& checkout, const Settings& settings,
                             const Desired& desired, const std::set<std::string>& keys,
                             const std::map<std::string, PrivateState::EncryptedFile>& prior,
                             EncryptedTree* out) {
  out->tree = desired.tree;
  if (keys.empty()) return absl::OkStatus();
  absl::StatusOr<sops::EncryptSettings> s = EncryptSettingsFor(settings);
  if (!s.ok()) return s.status();
  const std::string digest = EncryptionDigest(settings);
  for (const std::string& key : keys) {
    const std::string_view plaintext = desired.tree.at(key);
    PrivateState::EncryptedFile record{"", tree::Sha256Hex(plaintext), digest};
    auto was = prior.find(key);
    std::string content;
    if (was != prior.end() && was->second.plain == record.plain && was->second.settings == digest) {
      absl::StatusOr<std::string> on_disk = checkout.ReadFile(key, kMaxKeptBytes);
      if (on_disk.ok() && tree::Sha256Hex(*on_disk) == was->second.written)
        content = *std::move(on_disk);
    }
    if (content.empty()) {
      absl::StatusOr<std::string> enc = sops::EncryptYaml(plaintext, *s);
      if (!enc.ok()) {
        // Reached when the plan could not check it (contents unknown then).
        return absl::InvalidArgumentError(absl::StrCat(
            key,
            ": cannot be written SOPS-encrypted: ", WhyNot(SourceOf(desired, key), enc.status())));
      }
      content = *std::move(enc);
      out->fresh.insert(key);
    }
    record.written = tree::Sha256Hex(content);
    out->records[key] = std::move(record);
    std::string& stored = out->storage[key] = std::move(content);
    out->tree[key] = stored;
  }
  return absl::OkStatus();
}

}  // namespace wildside::resources::gitops
