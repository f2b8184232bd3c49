// The model of wildside_gitops_tree shared by its operations: schema,
// constants, the settings and desired tree read from a value, the `files`
// digest and the private data of a replacement. No I/O here.
#ifndef WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_SETTINGS_H_
#define WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_SETTINGS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "provider/core/diagnostics.h"
#include "provider/cty/type.h"
#include "provider/cty/value.h"
#include "provider/schema/schema.h"
#include "tree/desired_tree.h"
#include "tree/options.h"

namespace wildside::tree {
class Env;
}  // namespace wildside::tree

namespace wildside::resources::gitops {

// Bumped whenever the stored attributes change shape; UpgradeState must then
// convert every earlier version. Version 0 is the first released shape
// (0.1.0); version 1 adds `checks` and `checks_exclude` (issue 11);
// version 2 adds `rendered_manifests_wo` (issue 12). Version 2 changes no
// stored value, but a state it wrote may own files it lists only in the
// private data: a provider that knows up to version 1 must refuse it (it
// would read those files as strays and copy their content into state),
// which OpenTofu makes it do for a higher version. Version 3 adds `adopt`
// (issue 19): an earlier state reads it as null, so it plans empty.
// Version 4 adds `schema_dirs` and `unchecked_kinds` (issue 17), null in
// an earlier state, which is their default: it plans empty too. Version 5
// adds `plaintext_secrets` (issue 22), the same way. Version 6 adds
// `sops_age_recipients`, `sops_files` and `sops_encrypted_keys` (issue 22):
// null in an earlier state, which means no encryption, as before.
constexpr int64_t kSchemaVersion = 6;

constexpr char kRendered[] = "rendered_manifests";
constexpr char kSensitive[] = "sensitive_manifests";
// Write-only: the contents reach the provider only in the configuration;
// plan and state hold null, and `files` their hashes.
constexpr char kRenderedWo[] = "rendered_manifests_wo";
constexpr char kChecks[] = "checks";
constexpr char kAdopt[] = "adopt";
constexpr char kChecksExclude[] = "checks_exclude";
constexpr char kSchemaDirs[] = "schema_dirs";
constexpr char kUncheckedKinds[] = "unchecked_kinds";
constexpr char kPlaintextSecrets[] = "plaintext_secrets";
// SOPS encryption of what is written (issue 22; provider/resources/
// gitops_tree_sops.h).
constexpr char kSopsRecipients[] = "sops_age_recipients";
constexpr char kSopsFiles[] = "sops_files";
constexpr char kSopsKeys[] = "sops_encrypted_keys";
// The severity of the plan-time checks (tree/checks): `checks`.
constexpr char kChecksDefault[] = "error";
enum class ChecksMode { kError, kWarn, kOff };

cty::Type FileInfoType();
cty::Type FilesType();
schema::Schema BuildSchema();

std::string FormatMode(uint32_t mode);
bool IsKnownString(const cty::Value& v);

// The defaults of the optional settings are TreeOptions's, stated there
// once; these render them as the attribute values a plan or an import shows.
std::string DefaultFileMode();
std::string DefaultDirMode();
cty::Value DefaultExclude();
bool DefaultPrune();

// The settings a tree operation needs, read from a config/plan/state value.
struct Settings {
  std::string path;
  std::string cluster;
  tree::TreeOptions options;
  std::string file_mode_text = DefaultFileMode();
  ChecksMode checks = ChecksMode::kError;
  bool checks_known = true;
  std::vector<std::string> checks_exclude;
  // `schema_dirs`: directories of CRDs for the schema checks.
  std::vector<std::string> schema_dirs;
  // `unchecked_kinds`: what a plan does with objects no schema covers
  // (kWarn: a warning; kError: the checks fail; kOff: nothing).
  ChecksMode unchecked_kinds = ChecksMode::kWarn;
  // `plaintext_secrets`: what the checks do with a Secret (or a
  // secretGenerator's input) committed in clear.
  ChecksMode plaintext_secrets = ChecksMode::kWarn;
  // `sops_age_recipients` (parsed, canonical `age1…`; empty: nothing is
  // encrypted), `sops_files` (globs of further YAML keys to encrypt) and
  // `sops_encrypted_keys` (the mapping keys whose values are encrypted).
  std::vector<std::string> sops_recipients;
  std::vector<std::string> sops_files;
  std::vector<std::string> sops_keys = {"data", "stringData"};
  bool sops_known = true;
  // `adopt`: a create may take over files this cluster's inventory lists
  // (null and false alike say no). Unknown: not yet decided.
  bool adopt = false;
  bool adopt_known = true;
};

// Fills `out` from `obj`, with `env` as the filesystem seam (nullptr: the
// real filesystem). Returns false if a setting is unknown (nothing can be
// checked yet); adds diagnostics for invalid known settings.
bool ReadSettings(const cty::Value& obj, tree::Env* env, Settings* out, core::Diagnostics* diags);

// The desired tree (views into `obj`'s strings) and where each key came from.
struct Desired {
  tree::DesiredTree tree;
  std::map<std::string, const char*> source;  // key → kRendered / kSensitive / kRenderedWo
  bool contents_known = true;
  bool keys_known = true;
};

// `diags` may be null (a stored state, already validated). `write_only` is
// the configuration's rendered_manifests_wo map (obj's own is null in a
// plan or state), or nullptr; its strings must outlive the result.
Desired DesiredFrom(const cty::Value& obj, core::Diagnostics* diags,
                    const cty::Value* write_only = nullptr);

// True when `key` came from `attr` in `desired`.
bool IsFrom(const Desired& desired, std::string_view key, const char* attr);

// Adds an error when none of the three manifest maps is given (a null map
// is not given; an empty one is).
void RequireSomeManifests(const cty::Value& config, core::Diagnostics* diags);

// Adds one diagnostic per key problem, at the key's own attribute path.
void ValidateKeys(const Settings& settings, const Desired& desired, core::Diagnostics* diags);

// A key in state that is only the display form of a file found on disk
// (tree::DisplayKeyForDiskPath escaped its name), never a file the resource
// wrote: no valid key holds a backslash.
inline bool IsDisplayOnlyKey(std::string_view key) {
  return key.find('\\') != std::string_view::npos;
}

cty::Value FileInfo(std::string sha256, std::string mode);

// One digest over "sha256  mode  path\n" lines in path order.
std::string TreeDigest(const cty::Value& files);

cty::Value FilesFromDesired(const tree::DesiredTree& desired, const std::string& mode);

std::string MakeId(std::string_view cluster, std::string_view path);

}  // namespace wildside::resources::gitops

#endif  // WILDSIDE_PROVIDER_RESOURCES_GITOPS_TREE_SETTINGS_H_
