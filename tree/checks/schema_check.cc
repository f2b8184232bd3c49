// Objects against their schemas: one pass of libyaml events over a file,
// each document followed down its schema (as written, so every finding
// has the exact place of its node). docs/checks.md, "Objects against
// their schemas", has the rules and why.
#include <yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tree/checks/checks.h"
#include "tree/checks/internal.h"
#include "tree/checks/schema.h"

namespace wildside::tree::checks {

namespace {

// A scalar with an explicit tag: the core schema's own, else unknown.
ScalarType ResolveTagged(std::string_view tag) {
  constexpr std::string_view kCore = "tag:yaml.org,2002:";
  if (tag.substr(0, kCore.size()) != kCore) return ScalarType::kUnknown;
  std::string_view t = tag.substr(kCore.size());
  if (t == "str" || t == "binary" || t == "timestamp") return ScalarType::kString;
  if (t == "int") return ScalarType::kInteger;
  if (t == "float") return ScalarType::kFloat;
  if (t == "bool") return ScalarType::kBoolean;
  if (t == "null") return ScalarType::kNull;
  return ScalarType::kUnknown;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

template <typename Pred>
bool AllOf(std::string_view x, Pred pred) {
  return !x.empty() && std::all_of(x.begin(), x.end(), pred);
}

// go-yaml v3: Go's ParseInt with base 0 after dropping underscores
// (decimal, 0x, 0o, 0b; a sign in front).
bool IsYamlInteger(std::string_view value) {
  std::string without_underscores;
  std::string_view d = value;
  if (value.find('_') != std::string_view::npos) {
    for (char c : value) {
      if (c != '_') without_underscores.push_back(c);
    }
    d = without_underscores;
  }
  if (!d.empty() && (d[0] == '+' || d[0] == '-')) d.remove_prefix(1);
  if (d.size() > 2 && d[0] == '0' && (d[1] == 'x' || d[1] == 'X')) {
    return AllOf(d.substr(2), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
  }
  if (d.size() > 2 && d[0] == '0' && (d[1] == 'o' || d[1] == 'O' || d[1] == 'b' || d[1] == 'B')) {
    return AllOf(d.substr(2), IsDigit);
  }
  return AllOf(d, IsDigit);
}

// YAML 1.2's core schema: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?,
// and the infinities and NaNs.
bool IsYamlFloat(std::string_view value) {
  std::string_view v = value;
  if (!v.empty() && (v[0] == '+' || v[0] == '-')) v.remove_prefix(1);
  if (v == ".inf" || v == ".Inf" || v == ".INF" || value == ".nan" || value == ".NaN" ||
      value == ".NAN") {
    return true;
  }
  size_t i = 0;
  size_t digits = 0;
  while (i < v.size() && IsDigit(v[i])) ++i, ++digits;
  if (i < v.size() && v[i] == '.') {
    ++i;
    while (i < v.size() && IsDigit(v[i])) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < v.size() && (v[i] == 'e' || v[i] == 'E')) {
    ++i;
    if (i < v.size() && (v[i] == '+' || v[i] == '-')) ++i;
    size_t exp = 0;
    while (i < v.size() && IsDigit(v[i])) ++i, ++exp;
    if (exp == 0) return false;
  }
  return i == v.size();
}

}  // namespace

ScalarType ResolveScalar(std::string_view value, bool plain, std::string_view tag) {
  if (!tag.empty() && tag != "!") return ResolveTagged(tag);
  if (!plain || tag == "!") return ScalarType::kString;
  if (value.empty() || value == "~" || value == "null" || value == "Null" || value == "NULL") {
    return ScalarType::kNull;
  }
  if (value == "true" || value == "True" || value == "TRUE" || value == "false" ||
      value == "False" || value == "FALSE") {
    return ScalarType::kBoolean;
  }
  // Anything else plain is a string (`yes`, `on`, dates).
  if (IsYamlInteger(value)) return ScalarType::kInteger;
  if (IsYamlFloat(value)) return ScalarType::kFloat;
  return ScalarType::kString;
}

namespace {

struct Mark {
  int line = 0;
  int column = 0;
};

Mark ToMark(const yaml_mark_t& m) {
  return {static_cast<int>(m.line) + 1, static_cast<int>(m.column) + 1};
}

// Longer strings are not matched against a pattern: std::regex recurses
// per character, and a pattern-checked field (a name, a duration) is short.
constexpr size_t kMaxPatternInput = 512;
constexpr size_t kMaxDepth = 10000;

std::string TypeWords(uint8_t types) {
  std::vector<std::string_view> words;
  if (types & kTypeObject) words.push_back("a mapping");
  if (types & kTypeArray) words.push_back("a sequence");
  if (types & kTypeString) words.push_back("a string");
  if (types & kTypeInteger) words.push_back("an integer");
  if ((types & kTypeNumber) != 0) words.push_back("a number");
  if (types & kTypeBoolean) words.push_back("a boolean");
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += i + 1 == words.size() ? " or " : ", ";
    out += words[i];
  }
  return out;
}

std::string_view ScalarWords(ScalarType t) {
  switch (t) {
    case ScalarType::kString:
      return "a string";
    case ScalarType::kInteger:
      return "an integer";
    case ScalarType::kFloat:
      return "a number";
    case ScalarType::kBoolean:
      return "a boolean";
    default:
      return "a value";
  }
}

bool ScalarFits(ScalarType t, std::string_view value, uint8_t types) {
  if (types == 0) return true;
  switch (t) {
    case ScalarType::kString:
      return (types & kTypeString) != 0;
    case ScalarType::kInteger:
      return (types & (kTypeInteger | kTypeNumber)) != 0;
    case ScalarType::kFloat: {
      if ((types & kTypeNumber) != 0) return true;
      if ((types & kTypeInteger) == 0) return false;
      // 3.0 is an integer to JSON Schema.
      std::string s(value);
      char* end = nullptr;
      double d = std::strtod(s.c_str(), &end);
      return std::isfinite(d) && d == std::floor(d);
    }
    case ScalarType::kBoolean:
      return (types & kTypeBoolean) != 0;
    default:
      return true;
  }
}

class Validator {
 public:
  Validator(std::string_view key, std::string_view content,
            const std::vector<DocumentSchema>& schemas, const SchemaNode* object_meta,
            bool sensitive, std::vector<DocumentFinding>* out)
      : key_(key),
        content_(content),
        schemas_(schemas),
        object_meta_(object_meta),
        sensitive_(sensitive),
        out_(out) {}

  void Run() {
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) return;
    yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(content_.data()),
                                 content_.size());
    for (;;) {
      yaml_event_t event;
      if (!yaml_parser_parse(&parser, &event)) break;  // CheckFile reports it
      bool end = event.type == YAML_STREAM_END_EVENT;
      OnEvent(event);
      yaml_event_delete(&event);
      if (end || stack_.size() > kMaxDepth) break;
    }
    yaml_parser_delete(&parser);
  }

 private:
  struct Frame {
    const SchemaNode* schema = nullptr;  // null: not judged below
    bool is_mapping = false;
    bool expect_key = true;
    bool root = false;    // the document's root mapping
    bool is_key = false;  // a collection used as a mapping key
    Mark start;
    Mark key_mark;            // of the key that holds this collection
    std::string current_key;  // the key being read (mapping)
    Mark current_key_mark;
    const SchemaNode* next = nullptr;  // schema of the value after the key
    bool next_judged = false;
    int index = -1;
    std::vector<bool> present;  // by index of schema->required: given, not null
  };

  void OnEvent(const yaml_event_t& e) {
    switch (e.type) {
      case YAML_DOCUMENT_START_EVENT:
        ++document_;
        current_ = nullptr;
        for (const DocumentSchema& d : schemas_) {
          if (d.document == document_) current_ = &d;
        }
        break;
      case YAML_SCALAR_EVENT: {
        std::string_view value(reinterpret_cast<const char*>(e.data.scalar.value),
                               e.data.scalar.length);
        std::string_view tag =
            e.data.scalar.tag ? reinterpret_cast<const char*>(e.data.scalar.tag) : "";
        OnNode(e, Kind::kScalar, value, e.data.scalar.style == YAML_PLAIN_SCALAR_STYLE, tag);
        break;
      }
      case YAML_ALIAS_EVENT:
        OnNode(e, Kind::kAlias, {}, false, {});
        break;
      case YAML_MAPPING_START_EVENT:
        OnNode(e, Kind::kMapping, {}, false, {});
        break;
      case YAML_SEQUENCE_START_EVENT:
        OnNode(e, Kind::kSequence, {}, false, {});
        break;
      case YAML_MAPPING_END_EVENT:
        if (!stack_.empty()) {
          CheckRequired(stack_.back());
          Pop();
        }
        break;
      case YAML_SEQUENCE_END_EVENT:
        if (!stack_.empty()) Pop();
        break;
      default:
        break;
    }
  }

  enum class Kind { kScalar, kAlias, kMapping, kSequence };

  void Pop() {
    const bool was_key = stack_.back().is_key;
    stack_.pop_back();
    // After a key comes its value; after a value, the next key.
    if (!stack_.empty() && stack_.back().is_mapping) stack_.back().expect_key = !was_key;
  }

  // The schema of the node that starts now, and whether it is judged.
  const SchemaNode* Expected(bool* judged, Mark* key_mark) {
    *judged = false;
    if (stack_.empty()) {
      if (current_ == nullptr) return nullptr;
      *judged = true;
      return current_->schema;
    }
    Frame& parent = stack_.back();
    if (parent.is_mapping) {
      *judged = parent.next_judged;
      *key_mark = parent.current_key_mark;
      return parent.next;
    }
    ++parent.index;
    if (parent.schema == nullptr) return nullptr;
    *judged = true;
    return parent.schema->items;
  }

  void OnNode(const yaml_event_t& e, Kind kind, std::string_view value, bool plain,
              std::string_view tag) {
    Mark at = ToMark(e.start_mark);
    if (!stack_.empty() && stack_.back().is_mapping && stack_.back().expect_key) {
      OnKey(at, kind, value);
      if (kind == Kind::kMapping || kind == Kind::kSequence) {
        Push(kind, nullptr, at, {});
        stack_.back().is_key = true;
      }
      return;
    }
    bool judged = false;
    Mark key_mark = at;
    const SchemaNode* s = Expected(&judged, &key_mark);
    if (!stack_.empty() && stack_.back().is_mapping) {
      stack_.back().expect_key = kind == Kind::kScalar || kind == Kind::kAlias;
    }
    NoteValue(kind != Kind::kScalar || ResolveScalar(value, plain, tag) != ScalarType::kNull);
    if (!judged || s == nullptr) {
      if (kind == Kind::kMapping || kind == Kind::kSequence) Push(kind, nullptr, at, key_mark);
      return;
    }
    if (kind == Kind::kScalar) {
      CheckScalar(s, at, value, plain, tag);
      return;
    }
    if (kind == Kind::kAlias) return;
    const uint8_t want = kind == Kind::kMapping ? kTypeObject : kTypeArray;
    const SchemaNode* below = s;
    if (s->types != 0 && (s->types & want) == 0) {
      Report(at, FindingKind::kWrongType,
             "wrong type: " + std::string(kind == Kind::kMapping ? "a mapping" : "a sequence") +
                 " where " + Where() + " expects " + TypeWords(s->types));
      below = nullptr;
    }
    Push(kind, below, at, key_mark);
  }

  // A value's presence for the parent mapping's required fields.
  void NoteValue(bool present) {
    if (stack_.empty() || !stack_.back().is_mapping) return;
    Frame& f = stack_.back();
    if (!present || f.schema == nullptr) return;
    const std::vector<std::string>& required = f.schema->required;
    for (size_t i = 0; i < required.size(); ++i) {
      if (required[i] != f.current_key) continue;
      f.present.resize(required.size());
      f.present[i] = true;
    }
  }

  void Push(Kind kind, const SchemaNode* s, Mark at, Mark key_mark) {
    Frame f;
    f.schema = s;
    f.is_mapping = kind == Kind::kMapping;
    f.root = stack_.empty();
    f.start = at;
    f.key_mark = key_mark;
    stack_.push_back(std::move(f));
  }

  void OnKey(Mark at, Kind kind, std::string_view value) {
    Frame& f = stack_.back();
    f.expect_key = false;
    f.next = nullptr;
    f.next_judged = false;
    f.current_key.clear();
    if (kind != Kind::kScalar || f.schema == nullptr) return;
    f.current_key.assign(value);
    f.current_key_mark = at;
    const SchemaNode* s = f.schema;
    if (f.root || s->embedded) {
      if (value == "apiVersion" || value == "kind") {
        f.next = s->Property(value);
        f.next_judged = f.next != nullptr;
        return;
      }
      if (value == "metadata") {
        f.next = object_meta_ != nullptr ? object_meta_ : s->Property(value);
        f.next_judged = f.next != nullptr;
        return;
      }
      // SOPS's own block in an encrypted file: not the object's.
      if (f.root && value == "sops") return;
    }
    if (const SchemaNode* p = s->Property(value)) {
      f.next = p;
      f.next_judged = true;
    } else if (s->additional != nullptr) {
      f.next = s->additional;
      f.next_judged = true;
    } else if (!s->open) {
      std::string where = Parent();
      Report(at, FindingKind::kUnknownField,
             "unknown field: the schema of " + Object() + " declares no such field" +
                 (where.empty() ? "" : " under " + where) +
                 "; the API server refuses it: field not declared in schema");
    }
  }

  void CheckScalar(const SchemaNode* s, Mark at, std::string_view value, bool plain,
                   std::string_view tag) {
    // Left to a later step: postBuild substitution and SOPS decryption.
    if (value.find("${") != std::string_view::npos) return;
    if (value.substr(0, 4) == "ENC[") return;
    ScalarType t = ResolveScalar(value, plain, tag);
    if (t == ScalarType::kNull || t == ScalarType::kUnknown) return;
    if (!ScalarFits(t, value, s->types)) {
      Report(at, FindingKind::kWrongType,
             "wrong type: " + std::string(ScalarWords(t)) + " where " + Where() + " expects " +
                 TypeWords(s->types));
      return;
    }
    if (!s->enum_values.empty() &&
        std::find(s->enum_values.begin(), s->enum_values.end(), value) == s->enum_values.end()) {
      if (sensitive_) {
        Report(at, FindingKind::kInvalidValue,
               "invalid value: not one of the " + std::to_string(s->enum_values.size()) +
                   " values " + Where() + " allows");
        return;
      }
      std::string allowed;
      for (size_t i = 0; i < s->enum_values.size() && i < 12; ++i) {
        allowed += (i > 0 ? ", \"" : "\"") + ShortForDisplay(s->enum_values[i], 40) + "\"";
      }
      if (s->enum_values.size() > 12) allowed += ", ...";
      Report(at, FindingKind::kInvalidValue,
             "invalid value: " + Where() + " allows only " + allowed);
      return;
    }
    if (s->regex != nullptr && t == ScalarType::kString && value.size() <= kMaxPatternInput &&
        !std::regex_search(value.begin(), value.end(), *s->regex)) {
      Report(at, FindingKind::kInvalidValue,
             "invalid value: " + Where() + " must match " +
                 (sensitive_ ? "its pattern"
                             : "the pattern \"" + ShortForDisplay(s->pattern, 120) + "\""));
    }
  }

  void CheckRequired(const Frame& f) {
    if (f.schema == nullptr) return;
    const std::vector<std::string>& required = f.schema->required;
    for (size_t i = 0; i < required.size(); ++i) {
      if (i < f.present.size() && f.present[i]) continue;
      const std::string& r = required[i];
      std::string field = Path(stack_.size() - 1);
      std::string shown = sensitive_ ? "" : (field.empty() ? r : field + "." + r);
      Mark at = f.root ? f.start : f.key_mark;
      std::string name = sensitive_ ? "a required field" : "\"" + ShortForDisplay(r) + "\"";
      Report(at, FindingKind::kMissingField,
             "missing required field" + (shown.empty() ? "" : " " + ShortForDisplay(shown, 120)) +
                 ": the schema of " + Object() + " requires " + name +
                 (field.empty() || sensitive_ ? "" : " under " + ShortForDisplay(field, 120)));
    }
  }

  // `HelmRelease (helm.toolkit.fluxcd.io/v2)`, from the schema's source.
  std::string Object() const { return current_ == nullptr ? "the schema" : current_->what; }
  std::string Where() const { return "the schema of " + Object(); }
  std::string Parent() const {
    if (sensitive_) return "";
    return ShortForDisplay(Path(stack_.size() - 1), 120);
  }

  // The path through the first `depth` open collections to the node
  // each is at: `spec.template.spec.containers[0]`. Built only for a
  // message.
  std::string Path(size_t depth) const {
    std::string out;
    for (size_t i = 0; i < depth && i < stack_.size(); ++i) {
      const Frame& f = stack_[i];
      if (!f.is_mapping) {
        out += "[" + std::to_string(f.index) + "]";
      } else {
        if (!out.empty()) out += ".";
        out += f.current_key;
      }
    }
    return out;
  }

  void Report(Mark at, FindingKind kind, const std::string& message) {
    if (current_ == nullptr) return;
    const std::string path = Path(stack_.size());
    std::string text = sensitive_ || path.empty() || kind == FindingKind::kMissingField
                           ? std::string()  // a missing field is named in the message
                           : ShortForDisplay(path, 120) + ": ";
    text += message;
    out_->push_back(
        {current_->document, {std::string(key_), at.line, at.column, kind, std::move(text)}});
  }

  std::string_view key_;
  std::string_view content_;
  const std::vector<DocumentSchema>& schemas_;
  const SchemaNode* object_meta_;
  bool sensitive_;
  std::vector<DocumentFinding>* out_;
  int document_ = 0;
  const DocumentSchema* current_ = nullptr;
  std::vector<Frame> stack_;
};

}  // namespace

void CheckObjectSchemas(std::string_view key, std::string_view content,
                        const SchemaCatalog* overlay, const SchemaCatalog* catalog,
                        const CheckOptions& options, std::vector<FileFacts::Object>* objects) {
  std::vector<DocumentSchema> docs;
  std::vector<FileFacts::Object*> checked;
  for (FileFacts::Object& o : *objects) {
    std::optional<SchemaCatalog::Kind> k;
    if (overlay != nullptr) k = overlay->Find(o.api_version, o.kind);
    if (!k && catalog != nullptr) k = catalog->Find(o.api_version, o.kind);
    if (!k) continue;
    docs.push_back(
        {o.document, k->schema, o.kind + " " + o.api_version + " (" + k->source->label + ")"});
    checked.push_back(&o);
  }
  if (docs.empty()) return;
  std::vector<DocumentFinding> found;
  const bool sensitive = options.is_sensitive && options.is_sensitive(key);
  const SchemaNode* meta = catalog != nullptr ? catalog->object_meta() : nullptr;
  ValidateDocuments(key, content, docs, meta, sensitive, &found);
  for (FileFacts::Object* o : checked) {
    o->schema_checked = true;
    o->schema_findings.clear();
    for (DocumentFinding& f : found) {
      if (f.document == o->document) o->schema_findings.push_back(std::move(f.finding));
    }
  }
}

void ValidateDocuments(std::string_view key, std::string_view content,
                       const std::vector<DocumentSchema>& schemas, const SchemaNode* object_meta,
                       bool sensitive, std::vector<DocumentFinding>* out) {
  if (schemas.empty()) return;
  Validator(key, content, schemas, object_meta, sensitive, out).Run();
}

}  // namespace wildside::tree::checks
