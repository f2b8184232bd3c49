// The id rules of a kustomize build, and the duplicate-object finding.
// Messages end in kustomize's own words, so that a user who has seen Flux
// refuse a build recognises it (not in double quotes: those mark keys and
// paths of the tree, the only things a sensitive message may name).
#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

#include "tree/checks/checks.h"
#include "tree/checks/internal.h"

namespace wildside::tree::checks {
namespace {

// kustomize's table of kinds that are never namespaced (api/resid/gvk.go,
// kustomize v5.8.2). A kind not here counts as namespaced, even a CRD's
// cluster-scoped kind: kustomize does not read CRDs for this.
constexpr std::string_view kClusterScopedKinds[] = {
    "APIService",
    "CSIDriver",
    "CSINode",
    "CertificateSigningRequest",
    "ClusterRole",
    "ClusterRoleBinding",
    "ComponentStatus",
    "CustomResourceDefinition",
    "MutatingWebhookConfiguration",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PodSecurityPolicy",
    "PriorityClass",
    "RuntimeClass",
    "SelfSubjectAccessReview",
    "SelfSubjectRulesReview",
    "StorageClass",
    "SubjectAccessReview",
    "TokenReview",
    "ValidatingWebhookConfiguration",
    "VolumeAttachment",
};

// namePrefix and nameSuffix leave these names alone.
bool KeepsItsName(std::string_view kind) {
  return kind == "CustomResourceDefinition" || kind == "APIService" || kind == "Namespace";
}

// "group" and "version" of an apiVersion ("v1" has no group).
std::pair<std::string_view, std::string_view> GroupVersion(std::string_view api_version) {
  size_t slash = api_version.rfind('/');
  if (slash == std::string_view::npos) return {"", api_version};
  return {api_version.substr(0, slash), api_version.substr(slash + 1)};
}

std::string Place(const BuiltObject& o) {
  std::string out = "\"" + ShortForDisplay(*o.key) + "\" line " + std::to_string(o.written->line) +
                    ", column " + std::to_string(o.written->column);
  return out;
}

}  // namespace

bool IsClusterScopedKind(std::string_view kind) {
  return std::find(std::begin(kClusterScopedKinds), std::end(kClusterScopedKinds), kind) !=
         std::end(kClusterScopedKinds);
}

Accumulator::Accumulator(std::string build, Sensitive sensitive, std::vector<Finding>* findings)
    : build_(std::move(build)), sensitive_(std::move(sensitive)), findings_(findings) {}

std::string ObjectId(std::string_view api_version, std::string_view kind, std::string_view name,
                     std::string_view namespace_) {
  auto [group, version] = GroupVersion(api_version);
  std::string id;
  for (std::string_view part : {group, version, kind, name}) {
    id += part;
    id += '\x1f';
  }
  if (!IsClusterScopedKind(kind)) id += namespace_.empty() ? "default" : namespace_;
  return id;
}

// kustomize's form, with its placeholders for no group and no namespace.
std::string ShownId(std::string_view api_version, std::string_view kind, std::string_view name,
                    std::string_view namespace_) {
  auto [group, version] = GroupVersion(api_version);
  std::string out = std::string(kind) + "." + std::string(version) + "." +
                    (group.empty() ? "[noGrp]" : std::string(group)) + "/" + std::string(name) +
                    "." + (namespace_.empty() ? "[noNs]" : std::string(namespace_));
  // Long enough for any real id (a group, a 253-character name and a
  // namespace); a longer one is cut like any other name.
  return ShortForDisplay(out, 512);
}

std::string Accumulator::IdOf(const BuiltObject& o) {
  return ObjectId(o.written->api_version, o.written->kind, o.name, o.namespace_);
}

std::string Accumulator::Shown(const BuiltObject& o) {
  return ShownId(o.written->api_version, o.written->kind, o.name, o.namespace_);
}

void Accumulator::Add(BuiltObject object) {
  std::string id = IdOf(object);
  auto [it, inserted] = index_.emplace(std::move(id), objects_.size());
  if (!inserted) {
    Duplicate(objects_[it->second], object,
              "kustomize refuses the build: may not add resource with an already registered id");
    return;
  }
  objects_.push_back(std::move(object));
}

void Accumulator::Transform(const FileFacts::Transforms& t, std::string_view namespace_from) {
  if (t.namespace_.empty() && t.name_prefix.empty() && t.name_suffix.empty()) return;
  std::vector<BuiltObject> before = std::move(objects_);
  objects_.clear();
  index_.clear();
  // The namespace itself is in the id shown (when it may be shown).
  const std::string cause = std::string(namespace_from) +
                            " makes their ids one; kustomize refuses the build: namespace "
                            "transformation produces ID conflict";
  for (BuiltObject& o : before) {
    std::string was = IdOf(o);
    if (!t.namespace_.empty() && !IsClusterScopedKind(o.written->kind)) o.namespace_ = t.namespace_;
    if (!KeepsItsName(o.written->kind)) o.name = t.name_prefix + o.name + t.name_suffix;
    std::string id = IdOf(o);
    if (id != was) o.earlier_ids.push_back(std::move(was));
    auto [it, inserted] = index_.emplace(std::move(id), objects_.size());
    if (!inserted) {
      Duplicate(objects_[it->second], o, cause);
      continue;
    }
    objects_.push_back(std::move(o));
  }
}

void Accumulator::Duplicate(const BuiltObject& first, const BuiltObject& again,
                            std::string_view cause) {
  const bool hidden = sensitive_ && (sensitive_(*first.key) || sensitive_(*again.key));
  std::string what = hidden ? "an object" : "the object " + Shown(again);
  std::string message;
  if (first.key == again.key && first.written == again.written) {
    message = "the same document is accumulated twice by " + build_ + ": " + first.via +
              ", and again " + again.via + "; " + what + " cannot be added twice: ";
  } else {
    message = what + " is accumulated twice by " + build_ + ": here, " + again.via + "; first at " +
              Place(first) + ", " + first.via + "; ";
  }
  message += cause;
  findings_->push_back({*again.key, again.written->line, again.written->column,
                        FindingKind::kDuplicateObject, std::move(message)});
}

}  // namespace wildside::tree::checks
