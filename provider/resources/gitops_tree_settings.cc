#include "provider/resources/gitops_tree_settings.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "tree/content.h"
#include "tree/layout.h"
#include "tree/sops/age.h"
#include "tree/strings.h"
#include "tree/validate.h"

namespace wildside::resources::gitops {

using core::AttributePath;
using core::Diagnostics;
using cty::Type;
using cty::Value;
using tree::AV;
using tree::EscapeForDisplay;
using tree::Sha256Hex;

namespace {

// "0644" / "644" → 0644. Only permission bits (no setuid etc.).
std::optional<uint32_t> ParseMode(std::string_view text) {
  if (text.size() == 4 && text[0] == '0') text.remove_prefix(1);
  if (text.size() != 3) return std::nullopt;
  uint32_t mode = 0;
  for (char c : text) {
    if (c < '0' || c > '7') return std::nullopt;
    mode = mode * 8 + static_cast<uint32_t>(c - '0');
  }
  return mode;
}

}  // namespace

Type FileInfoType() { return Type::Object({{"mode", Type::String()}, {"sha256", Type::String()}}); }
Type FilesType() { return Type::Map(FileInfoType()); }

// The attributes of the plan-time checks (tree/checks), through BuildSchema's
// `add(name, type, description, required, optional, computed)`.
template <typename Add>
void AddCheckAttributes(const Add& add) {
  add(kChecks, Type::String(),
      absl::StrCat(
          "Plan-time checks that Flux would accept the tree (YAML syntax and duplicate keys, "
          "Kubernetes objects where Flux decodes them, kustomization references, Flux "
          "Kustomization paths, objects a build accumulates twice, patches kustomize cannot "
          "place, objects against their schemas, encrypted files a Flux Kustomization cannot "
          "decrypt): "
          "`\"error\"` fails the plan, `\"warn\"` reports and goes on, `\"off\"` skips them. "
          "Default "
          "`\"",
          kChecksDefault, "\"`."),
      false, true, true);
  add(kChecksExclude, Type::List(Type::String()),
      "Globs (`*`, `?`, `**`) of keys whose content the checks do not parse, e.g. Helm chart "
      "templates; a "
      "reference to such a file still resolves.",
      false, true, false);
  add(kSchemaDirs, Type::List(Type::String()),
      "Directories of CustomResourceDefinitions (`.yaml`, `.yml`, `.json` files directly in "
      "each, read at plan and validate) whose schemas check the objects of their kinds, for kinds "
      "the tree ships no CRD of and the built-in schemas (Kubernetes' own kinds and Flux's) do "
      "not cover: cert-manager, CloudNativePG, external-secrets... Relative to the working "
      "directory, like `path`. A CRD in `rendered_manifests` wins over these, and these over the "
      "built-in ones.",
      false, true, false);
  add(kUncheckedKinds, Type::String(),
      "What a plan does with objects of kinds no schema covers: `\"warn\"` names them and their "
      "count in a warning, `\"error\"` fails the checks (to insist every object is checked), "
      "`\"off\"` says nothing. Default `\"warn\"`.",
      false, true, false);
  add(kPlaintextSecrets, Type::String(),
      "What the checks do with a Secret whose `data` or `stringData` would be committed in clear "
      "(no SOPS `sops:` block), and with a kustomization's `secretGenerator` literals, files and "
      "envs: `\"warn\"` names each in a warning, `\"error\"` fails the plan, `\"off\"` says "
      "nothing. Default `\"warn\"`: an error would fail every existing tree that holds a Secret "
      "until it is encrypted, which needs keys and Flux's decryption set up first.",
      false, true, false);
}

// The attributes of the SOPS encryption (issue 22), through BuildSchema's
// `add`.
template <typename Add>
void AddSopsAttributes(const Add& add) {
  add(kSopsRecipients, Type::List(Type::String()),
      "age X25519 recipients (`age1...`, from `age-keygen -y`) every Secret is written "
      "SOPS-encrypted to, in the format `sops` writes, for Flux's kustomize-controller to decrypt "
      "(`spec.decryption.provider: sops`). A file is encrypted when one of its documents is a "
      "`v1` `Secret`, or its key matches `sops_files`; a file that already has a `sops:` block "
      "is written as given. Post-quantum (`age1pq1...`), plugin and SSH recipients are refused. "
      "The provider never holds a private key. Null or empty: nothing is encrypted.",
      false, true, false);
  add(kSopsFiles, Type::List(Type::String()),
      "Globs (`*`, `?`, `**`) of further YAML keys to encrypt like Secrets, e.g. "
      "`platform/*/values-secret.yaml`. Needs `sops_age_recipients`.",
      false, true, false);
  add(kSopsKeys, Type::List(Type::String()),
      "The mapping keys whose values (at any depth below them) are encrypted, written as the "
      "file's `encrypted_regex`. Default `[\"data\", \"stringData\"]`, as Flux's docs "
      "recommend: `metadata` stays readable, which kustomize needs to build. One rule per file, "
      "as in `sops`: a ConfigMap's `data` in the same file as a Secret is encrypted too.",
      false, true, false);
}

// The attributes that shape the tree on disk (pruning, excludes, modes,
// components), through BuildSchema's `add`.
template <typename Add>
void AddTreeAttributes(const Add& add) {
  std::vector<std::string> quoted;
  for (const std::string& p : tree::TreeOptions().exclude)
    quoted.push_back(absl::StrCat("\"", p, "\""));
  add("prune", Type::Bool(),
      absl::StrCat("Delete stray files in the owned directories. Default `",
                   DefaultPrune() ? "true" : "false", "`."),
      false, true, true);
  add(kAdopt, Type::Bool(),
      "Let a create (no state) take over a checkout whose files this cluster's ownership "
      "inventory (`clusters/<cluster>/.wildside-inventory`) lists, pruning or overwriting them. "
      "Without it such a create fails the plan: the files belong to a lost state, a tainted "
      "resource, or a second resource with the same `cluster`. Not needed when the checkout "
      "already holds exactly this configuration. Default `false`.",
      false, true, false);
  add("exclude", Type::List(Type::String()),
      absl::StrCat(
          "Globs (`*`, `?`, `**`) of repo-relative paths never read, written or pruned. Default `[",
          absl::StrJoin(quoted, ", "), "]`."),
      false, true, true);
  add("file_permission", Type::String(),
      absl::StrCat("Octal mode of written files. Default `\"", DefaultFileMode(), "\"`."), false,
      true, true);
  add("directory_permission", Type::String(),
      absl::StrCat("Octal mode of created directories. Default `\"", DefaultDirMode(), "\"`."),
      false, true, true);
  add("extra_components", Type::List(Type::String()),
      "Components allowed under `platform/` besides sources, traefik, cert-manager, external-dns, "
      "vault, "
      "databases and redis.",
      false, true, false);
}

schema::Schema BuildSchema() {
  schema::Schema s;
  s.version = kSchemaVersion;
  s.block.description =
      "Manages the owned directories of a GitOps repository checkout (`clusters/<cluster>/`, "
      "`modules/`, "
      "`platform/`) as one resource: plan shows drift per file, apply writes each file atomically "
      "and "
      "prunes strays.";
  auto add = [&](std::string name, Type type, std::string desc, bool required, bool optional,
                 bool computed, bool sensitive = false) {
    s.block.attributes.push_back(schema::Attribute{std::move(name), std::move(type),
                                                   std::move(desc), required, optional, computed,
                                                   sensitive});
  };
  add("id", Type::String(), "`<cluster>:<path>`; also the import ID.", false, false, true);
  add("path", Type::String(),
      "The checkout directory. A relative path resolves against OpenTofu's working directory and "
      "is stored "
      "as written. Changing it replaces the resource.",
      true, false, false);
  add("cluster", Type::String(),
      "Cluster name, a DNS-1123 label. The resource owns `clusters/<cluster>/`. Changing it "
      "replaces the "
      "resource.",
      true, false, false);
  add(kRendered, Type::Map(Type::String()),
      "Repo-relative path → exact file content, typically a module's `rendered_manifests` output. "
      "At least one "
      "of `rendered_manifests`, `sensitive_manifests` and `rendered_manifests_wo` must be given.",
      false, true, false);
  add(kSensitive, Type::Map(Type::String()),
      "Like `rendered_manifests`, for Secrets: values are redacted in plans. Keys may not overlap "
      "`rendered_manifests`.",
      false, true, false, /*sensitive=*/true);
  add(kRenderedWo, Type::Map(Type::String()),
      "Like `rendered_manifests`, but write-only: the contents are never stored in the state or in "
      "a plan, "
      "only their SHA-256 in `files`; drift is still planned and healed. Needs OpenTofu >= 1.11 or "
      "Terraform "
      ">= 1.11. Keys may not overlap the other two maps.",
      false, true, false, /*sensitive=*/true);
  s.block.attributes.back().write_only = true;
  // The defaults shown are TreeOptions's (see DefaultFileMode and friends).
  AddTreeAttributes(add);
  AddCheckAttributes(add);
  AddSopsAttributes(add);
  add("files", FilesType(),
      "Path → `{sha256, mode}` of every file, known at plan time whenever the contents are.", false,
      false, true);
  add("tree_sha256", Type::String(),
      "SHA-256 over the sorted `files` entries; changes exactly when the tree does.", false, false,
      true);
  return s;
}

std::string FormatMode(uint32_t mode) { return absl::StrFormat("%04o", mode & 07777); }

std::string DefaultFileMode() { return FormatMode(tree::TreeOptions().file_mode); }
std::string DefaultDirMode() { return FormatMode(tree::TreeOptions().dir_mode); }
Value DefaultExclude() {
  Value::Elements patterns;
  for (const std::string& p : tree::TreeOptions().exclude) patterns.push_back(Value::String(p));
  return Value::List(Type::String(), std::move(patterns));
}
bool DefaultPrune() { return tree::TreeOptions().prune; }

bool IsKnownString(const Value& v) { return v.IsKnown() && v.type().kind() == Type::Kind::kString; }

namespace {

// `path` and `cluster`; false when either is unknown.
bool ReadTarget(const Value& obj, Settings* out, Diagnostics* diags) {
  bool known = true;
  const Value& path = obj.GetAttr("path");
  if (IsKnownString(path)) {
    out->path = path.AsString();
    if (out->path.empty()) {
      diags->push_back(
          core::ErrorAt(AttributePath::Attr("path"), "Invalid checkout path",
                        "path: must not be empty: it names the checkout directory to manage."));
    } else if (out->path.find('\0') != std::string::npos) {
      diags->push_back(core::ErrorAt(AttributePath::Attr("path"), "Invalid checkout path",
                                     "path: contains a NUL byte."));
    }
  } else {
    known = false;
  }
  const Value& cluster = obj.GetAttr("cluster");
  if (IsKnownString(cluster)) {
    out->cluster = cluster.AsString();
    if (absl::Status s = tree::ValidateCluster(out->cluster); !s.ok()) {
      diags->push_back(core::ErrorAt(AttributePath::Attr("cluster"), "Invalid cluster name",
                                     absl::StrCat("cluster: ", s.message())));
    }
  } else {
    known = false;
  }
  return known;
}

// A list of non-empty strings; a given list replaces the default in *dst.
// False when it is not wholly known.
bool ReadList(const Value& obj, const char* name, std::vector<std::string>* dst,
              Diagnostics* diags) {
  const Value& v = obj.GetAttr(name);
  if (v.IsNull()) return true;
  if (!v.IsWhollyKnown()) return false;
  dst->clear();
  for (size_t i = 0; i < v.elements().size(); ++i) {
    const Value& e = v.elements()[i];
    if (e.IsNull() || e.AsString().empty()) {
      diags->push_back(core::ErrorAt(AttributePath::Attr(name).Index(static_cast<int64_t>(i)),
                                     "Invalid list element",
                                     absl::StrCat(name, "[", i, "]: must not be empty.")));
      continue;
    }
    dst->push_back(e.AsString());
  }
  return true;
}

// `attr` ("checks", "unchecked_kinds") into *mode when set and valid.
// False when it is unknown.
bool ReadSeverity(const Value& obj, const char* attr, ChecksMode* mode, Diagnostics* diags) {
  const Value& v = obj.GetAttr(attr);
  if (v.IsUnknown()) return false;
  if (v.IsNull()) return true;
  const std::string& c = v.AsString();
  if (c == "error") {
    *mode = ChecksMode::kError;
  } else if (c == "warn") {
    *mode = ChecksMode::kWarn;
  } else if (c == "off") {
    *mode = ChecksMode::kOff;
  } else {
    diags->push_back(core::ErrorAt(AttributePath::Attr(attr),
                                   absl::StrCat("Invalid ", attr, " mode"),
                                   absl::StrCat(attr, ": \"", EscapeForDisplay(c),
                                                "\" is not one of \"error\", \"warn\", \"off\".")));
  }
  return true;
}

void ReadChecksMode(const Value& obj, Settings* out, Diagnostics* diags) {
  out->checks_known = ReadSeverity(obj, kChecks, &out->checks, diags);
  // The schema settings decide the checks' verdict as much as `checks`.
  out->checks_known = ReadSeverity(obj, kUncheckedKinds, &out->unchecked_kinds, diags) &&
                      ReadSeverity(obj, kPlaintextSecrets, &out->plaintext_secrets, diags) &&
                      ReadList(obj, kSchemaDirs, &out->schema_dirs, diags) && out->checks_known;
}

// The SOPS settings: each recipient parsed (an error on its own index
// says why it is refused), the globs and keys non-empty.
void ReadSops(const Value& obj, Settings* out, Diagnostics* diags) {
  std::vector<std::string> recipients;
  out->sops_known = ReadList(obj, kSopsRecipients, &recipients, diags) &&
                    ReadList(obj, kSopsFiles, &out->sops_files, diags) &&
                    ReadList(obj, kSopsKeys, &out->sops_keys, diags);
  const Value& keys = obj.GetAttr(kSopsKeys);
  if (keys.IsWhollyKnown() && !keys.IsNull() && keys.elements().empty()) {
    diags->push_back(core::ErrorAt(AttributePath::Attr(kSopsKeys), "Nothing to encrypt",
                                   absl::StrCat(kSopsKeys,
                                                ": must name at least one key, or be "
                                                "left out for data and stringData.")));
  }
  const Value& given = obj.GetAttr(kSopsRecipients);
  for (size_t i = 0; i < recipients.size(); ++i) {
    absl::StatusOr<sops::AgeRecipient> r = sops::ParseAgeRecipient(recipients[i]);
    if (r.ok()) {
      out->sops_recipients.push_back(r->text);
      continue;
    }
    // The index in the configured list (empty elements were skipped).
    int64_t index = static_cast<int64_t>(i);
    for (size_t j = 0, seen = 0; j < given.elements().size(); ++j) {
      if (given.elements()[j].IsNull() || given.elements()[j].AsString().empty()) continue;
      if (seen++ == i) index = static_cast<int64_t>(j);
    }
    diags->push_back(
        core::ErrorAt(AttributePath::Attr(kSopsRecipients).Index(index), "Invalid age recipient",
                      absl::StrCat(kSopsRecipients, "[", index, "]: ", r.status().message())));
  }
  if (out->sops_known && recipients.empty() && !out->sops_files.empty()) {
    diags->push_back(core::ErrorAt(AttributePath::Attr(kSopsFiles), "Nothing to encrypt to",
                                   absl::StrCat(kSopsFiles, ": needs ", kSopsRecipients,
                                                " to name at least one age recipient.")));
  }
}

void CheckComponentNames(const std::vector<std::string>& names, Diagnostics* diags) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (tree::IsDns1123Label(names[i])) continue;
    diags->push_back(core::ErrorAt(
        AttributePath::Attr("extra_components").Index(static_cast<int64_t>(i)),
        "Invalid component name",
        absl::StrCat("extra_components[", i, "]: \"", names[i],
                     "\" is not a DNS-1123 label (lowercase letters, digits, '-').")));
  }
}

// An octal permission that keeps `required_bits`, into *dst (and its
// canonical text into *text_out when given). False when it is unknown.
bool ReadMode(const Value& obj, const char* name, const std::string& dflt, uint32_t required_bits,
              uint32_t* dst, std::string* text_out, Diagnostics* diags) {
  const Value& v = obj.GetAttr(name);
  if (v.IsUnknown()) return false;
  std::string text = v.IsNull() ? dflt : v.AsString();
  std::optional<uint32_t> mode = ParseMode(text);
  if (!mode) {
    diags->push_back(core::ErrorAt(
        AttributePath::Attr(name), "Invalid permission",
        absl::StrCat(name, ": \"", text, "\" is not an octal permission such as \"", dflt, "\".")));
    return true;
  }
  if ((*mode & required_bits) != required_bits) {
    diags->push_back(
        core::ErrorAt(AttributePath::Attr(name), "Unsafe permission",
                      absl::StrCat(name, ": \"", text, "\" must keep the owner's ",
                                   required_bits == 0700 ? "rwx" : "rw",
                                   " bits, or the provider could not update the tree it wrote.")));
    return true;
  }
  *dst = *mode;
  if (text_out != nullptr) *text_out = FormatMode(*mode);
  return true;
}

}  // namespace

bool ReadSettings(const Value& obj, tree::Env* env, Settings* out, Diagnostics* diags) {
  out->options.env = env;
  bool known = ReadTarget(obj, out, diags);
  const Value& prune = obj.GetAttr("prune");
  if (prune.IsUnknown()) known = false;
  out->options.prune = prune.IsKnown() ? prune.AsBool() : DefaultPrune();
  known = ReadList(obj, "exclude", &out->options.exclude, diags) && known;
  known = ReadList(obj, "extra_components", &out->options.extra_components, diags) && known;
  known = ReadList(obj, kChecksExclude, &out->checks_exclude, diags) && known;
  ReadChecksMode(obj, out, diags);
  ReadSops(obj, out, diags);
  known = out->sops_known && known;
  const Value& adopt = obj.GetAttr(kAdopt);
  out->adopt_known = !adopt.IsUnknown();
  out->adopt = adopt.IsKnown() && !adopt.IsNull() && adopt.AsBool();
  CheckComponentNames(out->options.extra_components, diags);
  known = ReadMode(obj, "file_permission", DefaultFileMode(), 0600, &out->options.file_mode,
                   &out->file_mode_text, diags) &&
          known;
  known = ReadMode(obj, "directory_permission", DefaultDirMode(), 0700, &out->options.dir_mode,
                   nullptr, diags) &&
          known;
  return known;
}

Desired DesiredFrom(const Value& obj, Diagnostics* diags, const Value* write_only) {
  Desired d;
  for (const char* attr : {kRendered, kSensitive, kRenderedWo}) {
    const Value& m = attr == kRenderedWo && write_only != nullptr ? *write_only : obj.GetAttr(attr);
    if (m.IsNull()) continue;
    if (m.IsUnknown()) {
      d.keys_known = false;
      d.contents_known = false;
      continue;
    }
    for (const auto& [key, content] : m.entries()) {
      if (auto first = d.source.find(key); first != d.source.end()) {
        if (diags != nullptr) {
          diags->push_back(core::ErrorAt(
              AttributePath::Attr(attr).Key(key), "Duplicate manifest path",
              absl::StrCat(attr, "[\"", EscapeForDisplay(key), "\"]: also in ", first->second,
                           ": a file can have only one content; keep it in one map.")));
        }
        continue;
      }
      d.source.emplace(key, attr);
      if (content.IsKnown()) {
        d.tree.emplace(key, std::string_view(content.AsString()));
      } else {
        // Only the key is checked while the content is unknown or null.
        d.tree.emplace(key, std::string_view());
        if (content.IsUnknown()) d.contents_known = false;
        if (content.IsNull() && diags != nullptr) {
          diags->push_back(core::ErrorAt(AttributePath::Attr(attr).Key(key),
                                         "Missing manifest content",
                                         absl::StrCat(attr, "[\"", EscapeForDisplay(key),
                                                      "\"]: is null; give the file's text.")));
        }
      }
    }
  }
  return d;
}

bool IsFrom(const Desired& desired, std::string_view key, const char* attr) {
  auto it = desired.source.find(std::string(key));
  return it != desired.source.end() && std::string_view(it->second) == attr;
}

void RequireSomeManifests(const Value& config, Diagnostics* diags) {
  for (const char* attr : {kRendered, kSensitive, kRenderedWo}) {
    if (!config.GetAttr(attr).IsNull()) return;
  }
  diags->push_back(
      core::ErrorAt(AttributePath::Attr(kRendered), "No manifests given",
                    absl::StrCat("Give at least one of ", kRendered, ", ", kSensitive, " and ",
                                 kRenderedWo, " (an empty map manages an empty tree).")));
}

void ValidateKeys(const Settings& settings, const Desired& desired, Diagnostics* diags) {
  for (const tree::KeyProblem& p :
       tree::ValidateDesiredTree(settings.cluster, desired.tree, settings.options)) {
    if (p.about_cluster) continue;  // reported by ReadSettings
    auto it = desired.source.find(p.key);
    const char* attr = it == desired.source.end() ? kRendered : it->second;
    diags->push_back(
        core::ErrorAt(AttributePath::Attr(attr).Key(p.key), "Invalid manifest path",
                      absl::StrCat(attr, "[\"", EscapeForDisplay(p.key), "\"]: ", p.message)));
  }
}

Value FileInfo(std::string sha256, std::string mode) {
  return Value::Object(FileInfoType(), {{"mode", Value::String(std::move(mode))},
                                        {"sha256", Value::String(std::move(sha256))}});
}

// One digest over "sha256  mode  path\n" lines in path order.
std::string TreeDigest(const Value& files) {
  std::string manifest;
  for (const auto& [path, info] : files.entries()) {
    const Value& sha = info.GetAttr("sha256");
    const Value& mode = info.GetAttr("mode");
    absl::StrAppend(&manifest, sha.IsKnown() ? sha.AsString() : "", "  ",
                    mode.IsKnown() ? mode.AsString() : "", "  ", path, "\n");
  }
  return Sha256Hex(manifest);
}

Value FilesFromDesired(const tree::DesiredTree& desired, const std::string& mode) {
  Value::Entries entries;
  for (const auto& [path, content] : desired)
    entries.emplace(path, FileInfo(Sha256Hex(content), mode));
  return Value::Map(FileInfoType(), std::move(entries));
}

std::string MakeId(std::string_view cluster, std::string_view path) {
  return absl::StrCat(AV(cluster), ":", AV(path));
}

}  // namespace wildside::resources::gitops
