// CheckFile: one pass of libyaml events over a file.
//
// libyaml gives events (stream, document, mapping, sequence, scalar, alias)
// with their marks but builds no tree, so the file is never held twice and
// a 200 KB bundle costs one scan. Duplicate keys are found here, because
// libyaml (like YAML 1.1 itself) leaves key uniqueness to the application:
// each open mapping keeps the scalar keys it has seen.
//
// Keys that are not scalars (`? [a, b]` or `? {a: 1}`) and aliases used as
// keys (`*k: v`) are not compared: telling two such keys apart needs the
// whole node tree, and Kubernetes YAML (converted to JSON, whose keys are
// strings) has no use for them. The merge key `<<` (plain, not quoted) is
// never a duplicate: merged-in keys may be overridden, that is its purpose.
// Scalar keys compare by their text, so `a` and `"a"` are one key, and so
// are `1` and `"1"` (they are the same JSON key after Kubernetes' YAML to
// JSON conversion).
#include <yaml.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tree/checks/checks.h"
#include "tree/checks/internal.h"
#include "tree/content.h"
#include "tree/layout.h"

namespace wildside::tree::checks {
namespace {

constexpr std::string_view kFluxKustomizeGroup = "kustomize.toolkit.fluxcd.io/";
// kustomize's own kinds (Kustomization, Component): not resources.
constexpr std::string_view kKustomizeConfigGroup = "kustomize.config.k8s.io/";
// apiVersion and kind longer than this are not kept (they are not real).
constexpr size_t kMaxIdentifier = 256;
// Collections nested deeper than this end the parse with a finding, so
// the memory a file costs stays proportional to its size with a small
// factor whatever it holds. go-yaml (what Flux decodes with) refuses
// depths of this order too; real manifests nest a few dozen levels.
constexpr size_t kMaxDepth = 10000;

struct Mark {
  int line = 0;    // 1-based
  int column = 0;  // 1-based
};

Mark ToMark(const yaml_mark_t& m) {
  return {static_cast<int>(m.line) + 1, static_cast<int>(m.column) + 1};
}

// One open collection. For a mapping, whether the next node is a key, the
// keys seen so far and the current key (when it is a scalar); for a
// sequence, the index of the current item.
struct Frame {
  bool is_mapping = false;
  bool expect_key = true;
  // Inside a non-scalar key: nothing below is recorded as a value.
  bool in_key = false;
  std::unordered_map<std::string, Mark> keys;
  std::string current_key;
  bool current_key_is_scalar = false;
  int index = -1;
};

// The fields of a kustomization that name local paths (kustomize
// api/types/kustomization.go, v0.21; see docs/checks.md).
struct ListField {
  std::string_view name;
  bool may_be_directory;
  bool decoded_as_objects;
  // kustomize builds each component at a directory ("must build at
  // directory" for a file).
  bool directory_only = false;
};
constexpr ListField kListFields[] = {
    {"resources", true, true},
    {"bases", true, true},
    {"components", true, false, true},
    {"generators", true, false},
    {"transformers", true, false},
    {"validators", true, false},
    {"crds", false, false},
    {"patchesStrategicMerge", false, false},
    {"configurations", false, false},
};
constexpr std::string_view kPathItemFields[] = {"patches", "patchesJson6902", "replacements"};
constexpr std::string_view kGeneratorFields[] = {"configMapGenerator", "secretGenerator"};
// Top-level fields of a kustomization that may rename what it accumulates.
constexpr std::string_view kRenamingFields[] = {"patches", "patchesStrategicMerge",
                                                "patchesJson6902", "replacements", "transformers"};
// Top-level fields of a kustomization that make objects of their own.
constexpr std::string_view kGeneratingFields[] = {"configMapGenerator", "secretGenerator",
                                                  "generators", "helmCharts"};
// A metadata.name or namespace longer than this is not kept (Kubernetes
// allows 253 characters).
constexpr size_t kMaxName = 1024;

bool IsNullPlain(std::string_view v) {
  return v.empty() || v == "~" || v == "null" || v == "Null" || v == "NULL";
}

class FileScanner {
 public:
  FileScanner(std::string_view key, std::string_view content, const CheckOptions& options,
              FileFacts* facts)
      : key_(key),
        content_(content),
        sensitive_(options.is_sensitive && options.is_sensitive(key)),
        plaintext_secrets_(options.find_plaintext_secrets),
        kustomization_(IsKustomizationFile(key)),
        facts_(facts) {}

  void Run() {
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
      AddFinding({}, FindingKind::kYamlSyntax, "cannot parse: out of memory");
      return;
    }
    yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(content_.data()),
                                 content_.size());
    facts_->parsed = true;
    for (;;) {
      yaml_event_t event;
      if (!yaml_parser_parse(&parser, &event)) {
        ReportParserError(parser);
        break;
      }
      bool end = event.type == YAML_STREAM_END_EVENT;
      Mark at = ToMark(event.start_mark);
      OnEvent(event);
      yaml_event_delete(&event);
      if (end) {
        facts_->complete = true;
        break;
      }
      if (stack_.size() > kMaxDepth) {
        AddFinding(at, FindingKind::kYamlSyntax,
                   "too deeply nested: more than " + std::to_string(kMaxDepth) +
                       " levels of mappings and sequences");
        break;
      }
    }
    yaml_parser_delete(&parser);
    if (kustomization_) MarkPatchTargets();
  }

 private:
  void AddFinding(Mark at, FindingKind kind, std::string message) {
    facts_->findings.push_back({std::string(key_), at.line, at.column, kind, std::move(message)});
  }

  // libyaml's problem and context strings are its own constants (e.g.
  // "found character that cannot start any token"); they never hold input.
  // Where libyaml's words would send the user to the wrong place, the
  // finding names the construct that was left open instead (see
  // UnclosedQuote and UnclosedFlow).
  void ReportParserError(const yaml_parser_t& parser) {
    std::string problem = parser.problem != nullptr ? parser.problem : "unknown error";
    Mark at;
    switch (parser.error) {
      case YAML_MEMORY_ERROR:
        AddFinding({}, FindingKind::kYamlSyntax, "cannot parse: out of memory");
        return;
      case YAML_READER_ERROR:
        // Bad encoding or a control character: only a byte offset is known.
        at = MarkOfOffset(parser.problem_offset);
        AddFinding(at, FindingKind::kYamlSyntax, "invalid YAML: " + problem);
        return;
      default:
        break;
    }
    at = ToMark(parser.problem_mark);
    if (std::optional<std::string> open = UnclosedQuote(parser, problem, &at)) {
      AddFinding(at, FindingKind::kYamlSyntax, "invalid YAML: " + *open);
      return;
    }
    if (std::optional<std::string> open = UnclosedFlow(parser, problem, &at)) {
      AddFinding(at, FindingKind::kYamlSyntax, "invalid YAML: " + *open);
      return;
    }
    std::string message = "invalid YAML: " + problem;
    if (parser.context != nullptr) {
      Mark c = ToMark(parser.context_mark);
      message += " (" + std::string(parser.context) + " at line " + std::to_string(c.line) +
                 ", column " + std::to_string(c.column) + ")";
      // Where libyaml notices this is past the mistake: the next line for
      // a key without ':' (e.g. "--" for "---"). The construct it was
      // scanning starts at the mistake, so that is the place reported; the
      // message keeps both.
      if (parser.error == YAML_SCANNER_ERROR && problem == "could not find expected ':'") at = c;
    }
    AddFinding(at, FindingKind::kYamlSyntax, std::move(message));
  }

  static std::string LineColumn(Mark m) {
    return "line " + std::to_string(m.line) + ", column " + std::to_string(m.column);
  }

  // The quote character at byte `index` of the content, as a word.
  std::string_view QuoteStyleAt(size_t index) const {
    return index < content_.size() && content_[index] == '\'' ? "single" : "double";
  }

  // A quoted scalar left open, in one of the two forms libyaml reports:
  //  - no closing quote before the end of the stream: a scanner error
  //    whose context is the opening quote ("while scanning a quoted
  //    scalar");
  //  - the quote that opens the next quoted scalar closes it instead, and
  //    the text right after that quote does not parse (libyaml: "did not
  //    find expected key", a line or more below the mistake). Told by the
  //    last event: a quoted scalar spanning lines, the error right at its
  //    end. A quoted scalar may span lines on purpose, but not one glued
  //    to text that then fails to parse.
  // Sets *at to the opening quote.
  std::optional<std::string> UnclosedQuote(const yaml_parser_t& parser, const std::string& problem,
                                           Mark* at) const {
    if (parser.error == YAML_SCANNER_ERROR && parser.context != nullptr &&
        std::string_view(parser.context) == "while scanning a quoted scalar" &&
        problem == "found unexpected end of stream") {
      *at = ToMark(parser.context_mark);
      return "unclosed " + std::string(QuoteStyleAt(parser.context_mark.index)) +
             "-quoted string opened at " + LineColumn(*at) +
             ": no closing quote before the end of the file";
    }
    if (parser.error != YAML_PARSER_ERROR || !last_quoted_.has_value()) return std::nullopt;
    const LastQuoted& q = *last_quoted_;
    if (q.end.line == q.start.line || parser.problem_mark.index != q.end_index) return std::nullopt;
    *at = q.start;
    const std::string_view style = QuoteStyleAt(q.start_index);
    // The closing quote is the last character of the scalar.
    const Mark closing{q.end.line, q.end.column - 1};
    return "unclosed " + std::string(style) + "-quoted string opened at " + LineColumn(q.start) +
           ": it runs on to the next " + std::string(style) + " quote at " + LineColumn(closing) +
           ", and what follows does not parse (" + problem + ")";
  }

  // A flow collection ("[...]", "{...}") left open: libyaml's context is
  // where it opened. Called unclosed only when no closing bracket follows
  // the error at all; otherwise (a missing comma, say) libyaml's words
  // stand, with the opening named as they already do.
  std::optional<std::string> UnclosedFlow(const yaml_parser_t& parser, const std::string& problem,
                                          Mark* at) const {
    if (parser.error != YAML_PARSER_ERROR || parser.context == nullptr) return std::nullopt;
    const std::string_view context = parser.context;
    const bool sequence = context == "while parsing a flow sequence";
    if (!sequence && context != "while parsing a flow mapping") return std::nullopt;
    const char closer = sequence ? ']' : '}';
    const size_t from = std::min<size_t>(parser.problem_mark.index, content_.size());
    if (content_.find(closer, from) != std::string_view::npos) return std::nullopt;
    *at = ToMark(parser.context_mark);
    return std::string("unclosed flow ") + (sequence ? "sequence ('[')" : "mapping ('{')") +
           " opened at " + LineColumn(*at) + ": no '" + closer + "' follows; " + problem + " at " +
           LineColumn(ToMark(parser.problem_mark));
  }

  // Line and column (in characters) of a byte offset, counting line
  // breaks as libyaml does for its marks: LF, CR, CRLF (once), and the
  // YAML 1.1 breaks NEL (U+0085), LS (U+2028) and PS (U+2029).
  Mark MarkOfOffset(size_t offset) const {
    Mark m{1, 1};
    offset = std::min(offset, content_.size());
    auto byte = [&](size_t i) { return static_cast<unsigned char>(content_[i]); };
    for (size_t i = 0; i < offset; ++i) {
      unsigned char c = byte(i);
      size_t width = 0;  // bytes of a line break starting here, or 0
      if (c == '\n') {
        width = 1;
      } else if (c == '\r') {
        width = i + 1 < content_.size() && byte(i + 1) == '\n' ? 2 : 1;
      } else if (c == 0xC2 && i + 1 < content_.size() && byte(i + 1) == 0x85) {
        width = 2;
      } else if (c == 0xE2 && i + 2 < content_.size() && byte(i + 1) == 0x80 &&
                 (byte(i + 2) == 0xA8 || byte(i + 2) == 0xA9)) {
        width = 3;
      }
      if (width > 0) {
        ++m.line;
        m.column = 1;
        i += width - 1;
      } else if ((c & 0xC0) != 0x80) {
        ++m.column;
      }
    }
    return m;
  }

  void OnEvent(const yaml_event_t& e) {
    last_quoted_.reset();
    switch (e.type) {
      case YAML_DOCUMENT_START_EVENT:
        ++document_;
        doc_ = Document{};
        doc_.start = ToMark(e.start_mark);
        break;
      case YAML_DOCUMENT_END_EVENT:
        FinishDocument();
        break;
      case YAML_SCALAR_EVENT: {
        std::string_view value(reinterpret_cast<const char*>(e.data.scalar.value),
                               e.data.scalar.length);
        bool plain = e.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        if (e.data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
            e.data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE) {
          last_quoted_ = LastQuoted{ToMark(e.start_mark), ToMark(e.end_mark), e.start_mark.index,
                                    e.end_mark.index};
        }
        OnNode(ToMark(e.start_mark), NodeType::kScalar, value, plain);
        break;
      }
      case YAML_ALIAS_EVENT:
        OnNode(ToMark(e.start_mark), NodeType::kAlias, {}, false);
        break;
      case YAML_MAPPING_START_EVENT:
        OnNode(ToMark(e.start_mark), NodeType::kMapping, {}, false);
        break;
      case YAML_SEQUENCE_START_EVENT:
        OnNode(ToMark(e.start_mark), NodeType::kSequence, {}, false);
        break;
      case YAML_MAPPING_END_EVENT:
      case YAML_SEQUENCE_END_EVENT:
        stack_.pop_back();
        NodeDone();
        break;
      default:
        break;
    }
  }

  enum class NodeType { kScalar, kAlias, kMapping, kSequence };

  void OnNode(Mark at, NodeType type, std::string_view value, bool plain) {
    bool collection = type == NodeType::kMapping || type == NodeType::kSequence;
    if (stack_.empty()) OnRoot(at, type, value, plain);
    bool is_key = false;
    bool in_key = false;
    if (!stack_.empty()) {
      Frame& parent = stack_.back();
      in_key = parent.in_key;
      if (parent.is_mapping && parent.expect_key) {
        is_key = true;
        parent.current_key_is_scalar = type == NodeType::kScalar;
        parent.current_key.clear();
        if (type == NodeType::kScalar && !in_key) {
          parent.current_key.assign(value);
          if (!(plain && value == "<<")) CheckDuplicate(parent, at);
          // A merge key in the root or in metadata may bring in a name.
          if (plain && value == "<<" && stack_.size() <= 2) doc_.id_uncertain = true;
          if (kustomization_ && stack_.size() == 1) OnKustomizationField(value);
          if (kustomization_) OnPatchItemKey(value);
        }
      } else if (!parent.is_mapping) {
        ++parent.index;
      }
    }
    if (is_key && !in_key) NoteSecretKey(type, value);
    if (type == NodeType::kScalar && !is_key && !in_key) OnValue(at, value, plain);
    // An alias for metadata, or for a name in it: the id is not read.
    if (type == NodeType::kAlias && stack_.size() <= 2) doc_.id_uncertain = true;
    if (collection) {
      Frame f;
      f.is_mapping = type == NodeType::kMapping;
      f.in_key = in_key || is_key;
      stack_.push_back(std::move(f));
    } else {
      NodeDone();
    }
  }

  // A key starts in the top frame: at the top, `sops`; one level down, a
  // first entry of `data` or `stringData`.
  void NoteSecretKey(NodeType type, std::string_view value) {
    if (stack_.size() == 1 && type == NodeType::kScalar && value == "sops" && !doc_.has_sops) {
      doc_.has_sops = true;
      auto it = stack_[0].keys.find("sops");
      if (it != stack_[0].keys.end()) doc_.sops_at = it->second;
    }
    if (!plaintext_secrets_) return;
    if (stack_.size() != 2 || !doc_.secret_field.empty() || !stack_[1].is_mapping) return;
    const Frame& top = stack_[0];
    if (!top.is_mapping || !top.current_key_is_scalar) return;
    if (top.current_key != "data" && top.current_key != "stringData") return;
    auto it = top.keys.find(top.current_key);
    if (it == top.keys.end()) return;
    doc_.secret_field = top.current_key;
    doc_.secret_at = it->second;
  }

  // A Secret (v1) with values in `data`/`stringData` and no `sops:` block.
  void CheckPlaintextSecret() {
    if (!plaintext_secrets_ || doc_.secret_field.empty() || doc_.has_sops) return;
    if (doc_.api_version != "v1" || doc_.kind != "Secret") return;
    std::string what =
        sensitive_ ? std::string("a Secret")
                   : "`" + doc_.secret_field + "` of Secret \"" + ShortForDisplay(doc_.name) + "\"";
    AddFinding(doc_.secret_at, FindingKind::kPlaintextSecret,
               what +
                   " holds its values in clear: committed so, anyone who can read the "
                   "repository or its history reads them; encrypt the file with SOPS (Flux "
                   "decrypts it in the cluster) or keep the Secret out of git");
  }

  // A secretGenerator's literals, files or envs: kustomize makes a Secret
  // of what is committed in clear.
  void PlaintextGenerator(Mark at, const std::string& field, std::string_view path) {
    if (!plaintext_secrets_) return;
    std::string what =
        sensitive_ || path.empty() ? field : field + " \"" + ShortForDisplay(path) + "\"";
    AddFinding(at, FindingKind::kPlaintextSecret,
               what + ": kustomize makes a Secret of " +
                   (path.empty() ? "these literals" : "this file's content") +
                   ", which is committed in clear; encrypt the Secret with SOPS instead");
  }

  // A node (scalar, alias, or a whole collection) ended inside the top frame.
  void NodeDone() {
    if (stack_.empty()) return;
    Frame& parent = stack_.back();
    if (parent.is_mapping) parent.expect_key = !parent.expect_key;
  }

  void CheckDuplicate(Frame& map, Mark at) {
    auto [it, inserted] = map.keys.emplace(map.current_key, at);
    if (inserted) return;
    std::string where = "first at line " + std::to_string(it->second.line) + ", column " +
                        std::to_string(it->second.column);
    std::string what =
        sensitive_ ? "duplicate key" : "duplicate key \"" + ShortForDisplay(map.current_key) + "\"";
    AddFinding(at, FindingKind::kDuplicateKey,
               what + ": " + where + "; Kubernetes' decoder refuses a mapping with a repeated key");
  }

  void OnRoot(Mark at, NodeType type, std::string_view value, bool plain) {
    doc_.root = at;
    doc_.root_seen = true;
    switch (type) {
      case NodeType::kScalar:
        if (plain && IsNullPlain(value)) {
          doc_.empty = true;
        } else {
          doc_.not_mapping = "a scalar";
        }
        break;
      case NodeType::kAlias:
        doc_.not_mapping = "an alias";
        break;
      case NodeType::kSequence:
        doc_.not_mapping = "a sequence";
        break;
      case NodeType::kMapping:
        break;
    }
  }

  // The path of the scalar value being read, from the frames: is it
  // `name` at depth 1, `a.b` at depth 2, ...
  bool AtKeys(std::initializer_list<std::string_view> keys) const {
    if (stack_.size() != keys.size()) return false;
    size_t i = 0;
    for (std::string_view k : keys) {
      const Frame& f = stack_[i++];
      if (!f.is_mapping || !f.current_key_is_scalar || f.current_key != k) return false;
    }
    return true;
  }

  void OnValue(Mark at, std::string_view value, bool plain) {
    if (stack_.empty()) return;
    // null and "" are no value: `kind: ""` is as missing as no kind.
    if (value.empty() || (plain && IsNullPlain(value))) return;
    if (AtKeys({"apiVersion"})) {
      doc_.has_api_version = true;
      if (value.size() <= kMaxIdentifier) doc_.api_version.assign(value);
    } else if (AtKeys({"kind"})) {
      doc_.has_kind = true;
      if (value.size() <= kMaxIdentifier) doc_.kind.assign(value);
    } else if (AtKeys({"spec", "path"})) {
      doc_.spec_path = FileFacts::FluxPath{std::string(value), at.line, at.column, {}};
    } else if (AtKeys({"spec", "targetNamespace"})) {
      AssignName(&doc_.target_namespace, value);
    } else if (AtKeys({"spec", "decryption", "provider"})) {
      AssignName(&doc_.decryption_provider, value);
    } else if (AtKeys({"metadata", "name"})) {
      AssignName(&doc_.name, value);
    } else if (AtKeys({"metadata", "namespace"})) {
      AssignName(&doc_.namespace_, value);
    }
    if (kustomization_) {
      FileFacts::Transforms& t = facts_->transforms;
      if (AtKeys({"namespace"})) {
        AssignName(&t.namespace_, value);
      } else if (AtKeys({"namePrefix"})) {
        AssignName(&t.name_prefix, value);
      } else if (AtKeys({"nameSuffix"})) {
        AssignName(&t.name_suffix, value);
      }
      OnKustomizationValue(at, value);
    }
  }

  // A name-like value, or the id made uncertain when it is too long to keep.
  void AssignName(std::string* out, std::string_view value) {
    if (value.size() > kMaxName) {
      doc_.id_uncertain = true;
      facts_->transforms.may_rename = true;
      return;
    }
    out->assign(value);
  }

  void OnKustomizationField(std::string_view name) {
    for (std::string_view f : kRenamingFields) {
      if (name == f) facts_->transforms.may_rename = true;
    }
    for (std::string_view f : kGeneratingFields) {
      if (name == f) facts_->transforms.generates = true;
    }
  }

  // `target:` in the current item of `patches`.
  void OnPatchItemKey(std::string_view name) {
    if (name != "target" || stack_.size() != 3 || stack_[0].current_key != "patches" ||
        stack_[1].is_mapping) {
      return;
    }
    patch_targets_.push_back(stack_[1].index);
  }

  // After the parse: which patches[i].path items have a target.
  void MarkPatchTargets() {
    for (FileFacts::Reference& r : facts_->references) {
      constexpr std::string_view kPrefix = "patches[";
      if (r.field.compare(0, kPrefix.size(), kPrefix) != 0) continue;
      int item = -1;
      std::from_chars(r.field.data() + kPrefix.size(), r.field.data() + r.field.size(), item);
      r.has_target =
          std::find(patch_targets_.begin(), patch_targets_.end(), item) != patch_targets_.end();
    }
  }

  // The key of open collection `i` when it is a mapping at a scalar key.
  std::string_view KeyAt(size_t i) const {
    const Frame& f = stack_[i];
    return f.is_mapping && f.current_key_is_scalar ? std::string_view(f.current_key)
                                                   : std::string_view();
  }
  bool SeqAt(size_t i) const { return !stack_[i].is_mapping; }
  // `[n]` for the item open collection `i` is at. Appended piecewise: GCC
  // 12 warns falsely (-Wrestrict) on "[" + std::to_string(...) at -O2.
  std::string Idx(size_t i) const {
    std::string out(1, '[');
    out += std::to_string(stack_[i].index);
    out += ']';
    return out;
  }

  void AddReference(Mark at, std::string field, std::string_view path, bool may_be_dir,
                    bool decoded, bool dir_only = false) {
    FileFacts::Reference r;
    r.field = std::move(field);
    r.path.assign(path);
    r.line = at.line;
    r.column = at.column;
    r.may_be_directory = may_be_dir;
    r.directory_only = dir_only;
    r.needs_kustomization = may_be_dir;
    r.decoded_as_objects = decoded;
    facts_->references.push_back(std::move(r));
  }

  void OnKustomizationValue(Mark at, std::string_view value) {
    // Inline patches and multi-line strings are content, not paths.
    if (value.find('\n') != std::string_view::npos) return;
    const size_t depth = stack_.size();
    // field: [item]
    if (depth == 2 && SeqAt(1)) {
      for (const ListField& f : kListFields) {
        if (KeyAt(0) == f.name) {
          AddReference(at, std::string(f.name) + Idx(1), value, f.may_be_directory,
                       f.decoded_as_objects, f.directory_only);
        }
      }
      return;
    }
    // openapi: {path: ...}
    if (depth == 2 && KeyAt(0) == "openapi" && KeyAt(1) == "path") {
      AddReference(at, "openapi.path", value, false, false);
      return;
    }
    // field: [{path: ...}]
    if (depth == 3 && SeqAt(1) && KeyAt(2) == "path") {
      for (std::string_view f : kPathItemFields) {
        if (KeyAt(0) == f) AddReference(at, std::string(f) + Idx(1) + ".path", value, false, false);
      }
      return;
    }
    OnGeneratorValue(at, value);
  }

  // generator: [{env: ...}] and [{files: [...]}, {envs: [...]}]; and a
  // secretGenerator's inputs, committed in clear.
  void OnGeneratorValue(Mark at, std::string_view value) {
    const size_t depth = stack_.size();
    bool generator = false;
    for (std::string_view f : kGeneratorFields) generator = generator || KeyAt(0) == f;
    if (!generator || depth < 3 || !SeqAt(1)) return;
    std::string base = std::string(KeyAt(0)) + Idx(1);
    const bool secret = KeyAt(0) == "secretGenerator";
    if (depth == 3 && KeyAt(2) == "env") {
      AddReference(at, base + ".env", value, false, false);
      if (secret) PlaintextGenerator(at, base + ".env", value);
    } else if (depth == 4 && SeqAt(3) && KeyAt(2) == "envs") {
      AddReference(at, base + ".envs" + Idx(3), value, false, false);
      if (secret) PlaintextGenerator(at, base + ".envs" + Idx(3), value);
    } else if (depth == 4 && SeqAt(3) && KeyAt(2) == "files") {
      // `[key=]path`: kustomize cuts at the first '='.
      size_t eq = value.find('=');
      std::string_view path = eq == std::string_view::npos ? value : value.substr(eq + 1);
      AddReference(at, base + ".files" + Idx(3), path, false, false);
      if (secret) PlaintextGenerator(at, base + ".files" + Idx(3), path);
    } else if (depth == 4 && SeqAt(3) && KeyAt(2) == "literals" && secret && stack_[3].index == 0) {
      PlaintextGenerator(at, base + ".literals", {});
    }
  }

  void FinishDocument() {
    if (!doc_.root_seen) return;
    if (doc_.not_mapping.empty() && !doc_.empty) {
      if (!doc_.has_api_version && !doc_.has_kind) {
        doc_.not_mapping = "no apiVersion and no kind";
      } else if (!doc_.has_api_version) {
        doc_.not_mapping = "no apiVersion";
      } else if (!doc_.has_kind) {
        doc_.not_mapping = "no kind";
      }
    }
    if (!doc_.not_mapping.empty()) {
      facts_->non_objects.push_back(
          {doc_.root.line, doc_.root.column, document_, doc_.not_mapping});
    }
    const std::string_view api_version = doc_.api_version;
    if (doc_.spec_path && doc_.kind == "Kustomization" &&
        api_version.substr(0, kFluxKustomizeGroup.size()) == kFluxKustomizeGroup) {
      doc_.spec_path->target_namespace = std::move(doc_.target_namespace);
      doc_.spec_path->decrypts = doc_.decryption_provider == "sops";
      facts_->flux_paths.push_back(*std::move(doc_.spec_path));
    }
    if (doc_.has_sops)
      facts_->encrypted.push_back({doc_.sops_at.line, doc_.sops_at.column, document_});
    CheckPlaintextSecret();
    RecordObject();
  }

  // The document's id, when it is an object kustomize accumulates as
  // written: a mapping with apiVersion, kind and metadata.name, read
  // without aliases or merge keys, not a List (kustomize expands those)
  // and not one of kustomize's own kinds.
  void RecordObject() {
    // Not an object at all (a finding where Flux decodes it), or empty.
    if (!doc_.not_mapping.empty() || doc_.empty) return;
    if (std::string_view(doc_.api_version).substr(0, kKustomizeConfigGroup.size()) ==
        kKustomizeConfigGroup) {
      return;
    }
    const std::string_view kind = doc_.kind;
    if (doc_.id_uncertain || doc_.name.empty() || doc_.api_version.empty() || kind.empty() ||
        (kind.size() >= 4 && kind.substr(kind.size() - 4) == "List")) {
      facts_->objects_known = false;
      return;
    }
    facts_->objects.push_back({std::move(doc_.api_version),
                               std::move(doc_.kind),
                               std::move(doc_.name),
                               std::move(doc_.namespace_),
                               doc_.root.line,
                               doc_.root.column,
                               document_,
                               false,
                               {}});
  }

  struct Document {
    Mark start;
    Mark root;
    bool root_seen = false;
    bool empty = false;
    std::string not_mapping;
    bool has_api_version = false;
    bool has_kind = false;
    std::string api_version;
    std::string kind;
    std::optional<FileFacts::FluxPath> spec_path;
    std::string target_namespace;
    std::string name;
    std::string namespace_;
    // An alias or a merge key where the id is read: not judged.
    bool id_uncertain = false;
    // The first of `data`/`stringData` at the top with a key in it, and
    // where that field's key is; and whether the document has SOPS's own
    // top-level `sops:` block (its values are encrypted).
    std::string secret_field;
    Mark secret_at;
    bool has_sops = false;
    Mark sops_at;
    // spec.decryption.provider
    std::string decryption_provider;
  };

  std::string_view key_;
  std::string_view content_;
  bool sensitive_;
  bool plaintext_secrets_;
  bool kustomization_;
  FileFacts* facts_;
  std::vector<Frame> stack_;
  // The last event, when it was a quoted scalar (for UnclosedQuote).
  struct LastQuoted {
    Mark start;
    Mark end;  // just past the closing quote
    size_t start_index = 0;
    size_t end_index = 0;
  };
  std::optional<LastQuoted> last_quoted_;
  std::vector<int> patch_targets_;  // indices of patches items with a target
  Document doc_;
  int document_ = 0;
};

}  // namespace

FileFacts CheckFile(std::string_view key, std::string_view content, const CheckOptions& options) {
  FileFacts facts;
  if (!IsYamlKey(key) || IsExcludedFromChecks(key, options)) return facts;
  FileScanner(key, content, options, &facts).Run();
  if (options.schemas != nullptr && facts.complete && !IsKustomizationFile(key)) {
    CheckObjectSchemas(key, content, nullptr, options.schemas, options, &facts.objects);
  }
  return facts;
}

}  // namespace wildside::tree::checks
