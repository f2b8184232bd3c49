#include "provider/resources/gitops_tree_prior.h"

#include <utility>

#include "nlohmann/json.hpp"
#include "provider/resources/gitops_tree_settings.h"

namespace wildside::resources::gitops {
namespace {

using cty::Value;

constexpr char kReplaceInPlace[] = "replace_in_place";
constexpr char kReplaces[] = "replaces";
constexpr char kWriteOnlyKeys[] = "write_only_keys";
constexpr char kHashesOnly[] = "hashes_only";
constexpr char kCheckedRules[] = "checked_rules";
constexpr char kWriteOnlyInFiles[] = "files";
constexpr char kEncrypted[] = "encrypted";

// The prior's manifest maps: what Slim() leaves out.
const std::set<std::string, std::less<>>& ManifestMaps() {
  static const auto* maps =
      new std::set<std::string, std::less<>>{kRendered, kSensitive, kRenderedWo};
  return *maps;
}

std::optional<PrivateState::Replacement> ParseReplacement(const nlohmann::json& r) {
  if (!r.is_object()) return std::nullopt;
  auto id = r.find("id");
  auto keys = r.find("keys");
  if (id == r.end() || !id->is_string() || keys == r.end() || !keys->is_array())
    return std::nullopt;
  PrivateState::Replacement out;
  out.id = id->get<std::string>();
  for (const nlohmann::json& k : *keys) {
    if (k.is_string()) out.keys.insert(k.get<std::string>());
  }
  return out;
}

bool HasEntries(const Value& m) { return m.IsKnown() && !m.IsNull(); }

}  // namespace

PrivateState PrivateState::Parse(std::string_view bytes) {
  PrivateState out;
  if (bytes.empty()) return out;
  nlohmann::json j = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return out;
  if (auto r = j.find(kReplaceInPlace); r != j.end()) out.replace_in_place = ParseReplacement(*r);
  if (auto r = j.find(kReplaces); r != j.end() && r->is_string())
    out.replaces = r->get<std::string>();
  if (auto h = j.find(kHashesOnly); h != j.end())
    out.hashes_only = h->is_boolean() && h->get<bool>();
  if (auto c = j.find(kCheckedRules); c != j.end() && c->is_number_integer())
    out.checked_rules = c->get<int>();
  if (auto w = j.find(kWriteOnlyKeys); w != j.end()) {
    if (w->is_string() && w->get<std::string>() == kWriteOnlyInFiles) {
      out.write_only_form = WriteOnlyForm::kFiles;
    } else if (w->is_array()) {
      out.write_only_form = WriteOnlyForm::kList;
      for (const nlohmann::json& k : *w) {
        if (k.is_string()) out.write_only_list.insert(k.get<std::string>());
      }
    }
  }
  if (auto e = j.find(kEncrypted); e != j.end() && e->is_object()) {
    for (const auto& [key, rec] : e->items()) {
      if (!rec.is_array() || rec.size() != 3 || !rec[0].is_string() || !rec[1].is_string() ||
          !rec[2].is_string())
        continue;
      out.encrypted.emplace(key, EncryptedFile{rec[0].get<std::string>(), rec[1].get<std::string>(),
                                               rec[2].get<std::string>()});
    }
  }
  return out;
}

std::string PrivateState::Serialize() const {
  nlohmann::json j = nlohmann::json::object();
  if (replace_in_place.has_value()) {
    nlohmann::json keys = nlohmann::json::array();
    for (const std::string& k : replace_in_place->keys) keys.push_back(k);
    j[kReplaceInPlace] = {{"id", replace_in_place->id}, {"keys", std::move(keys)}};
  }
  if (replaces.has_value()) j[kReplaces] = *replaces;
  if (hashes_only) j[kHashesOnly] = true;
  if (write_only_form == WriteOnlyForm::kFiles) j[kWriteOnlyKeys] = kWriteOnlyInFiles;
  if (write_only_form == WriteOnlyForm::kList && !write_only_list.empty())
    j[kWriteOnlyKeys] = write_only_list;
  if (checked_rules != 0) j[kCheckedRules] = checked_rules;
  if (!encrypted.empty()) {
    nlohmann::json e = nlohmann::json::object();
    for (const auto& [key, rec] : encrypted) e[key] = {rec.written, rec.plain, rec.settings};
    j[kEncrypted] = std::move(e);
  }
  if (j.empty()) return std::string();
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

PrivateState PrivateState::WriteOnlyList(std::set<std::string> keys, int checked_rules) {
  PrivateState out;
  out.checked_rules = checked_rules;
  if (keys.empty()) return out;
  out.write_only_form = WriteOnlyForm::kList;
  out.write_only_list = std::move(keys);
  return out;
}

PrivateState PrivateState::WriteOnlyAsFiles(bool any, int checked_rules) {
  PrivateState out;
  out.checked_rules = checked_rules;
  if (any) out.write_only_form = WriteOnlyForm::kFiles;
  return out;
}

PrivateState PrivateState::HashesOnlyImport() {
  PrivateState out;
  out.hashes_only = true;
  return out;
}

const std::set<std::string>* PrivateState::KeptForReplacement(std::string_view id) const {
  if (!replace_in_place.has_value() || replace_in_place->id != id) return nullptr;
  return &replace_in_place->keys;
}

std::map<std::string, Ownership> OwnedKeys(const Value& prior, const PrivateState& priv) {
  std::map<std::string, Ownership> owned;
  if (!prior.IsKnown() || prior.IsNull()) return owned;
  auto add_map = [&](const char* attr, Ownership how) {
    const Value& m = prior.GetAttr(attr);
    if (!HasEntries(m)) return;
    for (const auto& [key, unused] : m.entries()) {
      if (!IsDisplayOnlyKey(key)) owned.emplace(key, how);
    }
  };
  add_map(kRendered, Ownership::kRendered);
  add_map(kSensitive, Ownership::kSensitive);
  const Value& files = prior.GetAttr("files");
  if (priv.write_only_form == PrivateState::WriteOnlyForm::kList) {
    for (const std::string& key : priv.write_only_list) {
      if (!IsDisplayOnlyKey(key)) owned.emplace(key, Ownership::kWriteOnly);
    }
  } else if (priv.write_only_form == PrivateState::WriteOnlyForm::kFiles && HasEntries(files)) {
    // Every key of `files` in neither map (emplace keeps a map's claim).
    for (const auto& [key, unused] : files.entries()) {
      if (!IsDisplayOnlyKey(key)) owned.emplace(key, Ownership::kWriteOnly);
    }
  }
  if (priv.hashes_only && HasEntries(files)) {
    // A write-only import never applied owns every file it found, as an
    // import with contents owns every key of its map.
    for (const auto& [key, unused] : files.entries()) {
      if (!IsDisplayOnlyKey(key)) owned.emplace(key, Ownership::kImported);
    }
  }
  return owned;
}

std::set<std::string> KeysOwnedAs(const std::map<std::string, Ownership>& owned, Ownership how) {
  std::set<std::string> out;
  for (const auto& [key, h] : owned) {
    if (h == how) out.insert(key);
  }
  return out;
}

absl::StatusOr<const Value*> Prior::Get() {
  if (lazy_.decoded() == nullptr) {
    absl::StatusOr<Value> v = std::move(lazy_).Decode();
    if (!v.ok()) return v.status();
    lazy_ = cty::LazyValue(*std::move(v));
  }
  return lazy_.decoded();
}

absl::StatusOr<Value> Prior::Slim() const { return lazy_.DecodeWithout(ManifestMaps()); }

Value Prior::Take(core::Diagnostics* diags) && {
  absl::StatusOr<const Value*> v = Get();
  if (!v.ok()) {
    diags->push_back(core::DecodeFailure("prior state", v.status()));
    return Value::Null(type_);
  }
  absl::StatusOr<Value> taken = std::move(lazy_).Decode();  // hands the decoded value over
  return taken.ok() ? *std::move(taken) : Value::Null(type_);
}

}  // namespace wildside::resources::gitops
