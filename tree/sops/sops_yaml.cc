#include "tree/sops/sops_yaml.h"

#include <yaml.h>

#include <ctime>
#include <memory>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "tree/sops/crypto.h"
#include "tree/sops/resolve.h"
#include "tree/strings.h"

namespace wildside::sops {
namespace {

using tree::StrCat;

constexpr int kMaxDepth = 256;

struct Node {
  enum class Kind { kScalar, kMapping, kSequence } kind = Kind::kScalar;
  std::string value;
  yaml_scalar_style_t style = YAML_PLAIN_SCALAR_STYLE;
  size_t line = 0;
  std::vector<Node> items;  // a mapping's keys and values alternate
};

absl::Status LineError(size_t line, std::string_view what) {
  return absl::InvalidArgumentError(StrCat("line ", line, ": ", std::string(what)));
}

// libyaml's events, as a tree of documents.
class Reader {
 public:
  explicit Reader(std::string_view yaml) {
    yaml_parser_initialize(&parser_);
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(yaml.data()),
                                 yaml.size());
  }
  ~Reader() {
    if (has_event_) yaml_event_delete(&event_);
    yaml_parser_delete(&parser_);
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // The non-empty documents; an empty (null) one is left out.
  absl::StatusOr<std::vector<Node>> Documents() {
    std::vector<Node> docs;
    for (;;) {
      if (auto s = Next(); !s.ok()) return s;
      if (event_.type == YAML_STREAM_END_EVENT) return docs;
      if (event_.type != YAML_DOCUMENT_START_EVENT) continue;
      if (auto s = Next(); !s.ok()) return s;
      const bool empty = event_.type == YAML_SCALAR_EVENT && event_.data.scalar.length == 0 &&
                         event_.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                         event_.data.scalar.tag == nullptr;
      Node root;
      if (auto s = Build(root, 0); !s.ok()) return s;
      if (!empty) {
        if (root.kind != Node::Kind::kMapping) {
          return LineError(root.line,
                           "a document to encrypt must be a mapping (sops supports no other)");
        }
        docs.push_back(std::move(root));
      }
      if (auto s = Next(); !s.ok()) return s;  // document end
    }
  }

 private:
  absl::Status Next() {
    if (has_event_) yaml_event_delete(&event_);
    has_event_ = yaml_parser_parse(&parser_, &event_) != 0;
    if (!has_event_) {
      return LineError(
          parser_.problem_mark.line + 1,
          StrCat("not valid YAML: ", parser_.problem != nullptr ? parser_.problem : "?"));
    }
    return absl::OkStatus();
  }

  // Builds the node whose first event is the current one.
  absl::Status Build(Node& node, int depth) {
    node.line = event_.start_mark.line + 1;
    if (depth > kMaxDepth) return LineError(node.line, "nested too deeply");
    switch (event_.type) {
      case YAML_ALIAS_EVENT:
        return LineError(node.line, "anchors and aliases are not supported in a file to encrypt");
      case YAML_SCALAR_EVENT: {
        const auto& s = event_.data.scalar;
        if (s.anchor != nullptr)
          return LineError(node.line, "anchors are not supported in a file to encrypt");
        if (s.tag != nullptr && std::string_view(reinterpret_cast<char*>(s.tag)) != "!") {
          return LineError(node.line, "explicit YAML tags are not supported in a file to encrypt");
        }
        node.kind = Node::Kind::kScalar;
        node.value.assign(reinterpret_cast<char*>(s.value), s.length);
        node.style = s.style;
        return absl::OkStatus();
      }
      case YAML_MAPPING_START_EVENT:
      case YAML_SEQUENCE_START_EVENT: {
        const bool map = event_.type == YAML_MAPPING_START_EVENT;
        const yaml_char_t* anchor =
            map ? event_.data.mapping_start.anchor : event_.data.sequence_start.anchor;
        const yaml_char_t* tag =
            map ? event_.data.mapping_start.tag : event_.data.sequence_start.tag;
        if (anchor != nullptr)
          return LineError(node.line, "anchors are not supported in a file to encrypt");
        if (tag != nullptr)
          return LineError(node.line, "explicit YAML tags are not supported in a file to encrypt");
        node.kind = map ? Node::Kind::kMapping : Node::Kind::kSequence;
        const yaml_event_type_t end = map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;
        for (;;) {
          if (auto s = Next(); !s.ok()) return s;
          if (event_.type == end) return absl::OkStatus();
          node.items.emplace_back();
          if (auto s = Build(node.items.back(), depth + 1); !s.ok()) return s;
        }
      }
      default:
        return LineError(node.line, "unexpected YAML event");
    }
  }

  yaml_parser_t parser_{};
  yaml_event_t event_{};
  bool has_event_ = false;
};

bool Indicated(const Node& n) {
  return n.style != YAML_PLAIN_SCALAR_STYLE && n.style != YAML_ANY_SCALAR_STYLE;
}

absl::StatusOr<ResolvedScalar> Resolve(const Node& n) {
  if (Indicated(n)) return ResolvedScalar{ScalarType::kStr, n.value};
  auto r = ResolvePlainScalar(n.value);
  if (!r.ok()) return LineError(n.line, tree::SV(r.status().message()));
  return r;
}

// Encrypts one value: ENC[AES256_GCM,data:…,iv:…,tag:…,type:…].
absl::StatusOr<std::string> EncryptValue(std::string_view key, const ResolvedScalar& v,
                                         std::string_view aad) {
  auto iv = RandomBytes(32);
  if (!iv.ok()) return iv.status();
  auto sealed = Aes256GcmSeal(key, *iv, v.bytes, aad);
  if (!sealed.ok()) return sealed.status();
  const std::string_view s = *sealed;
  return StrCat("ENC[AES256_GCM,data:", Base64(s.substr(0, s.size() - 16)), ",iv:", Base64(*iv),
                ",tag:", Base64(s.substr(s.size() - 16)), ",type:", SopsTypeName(v.type), "]");
}

// sops's walk over a document: hashes every value, encrypts those under
// an encrypted key.
class Encryptor {
 public:
  Encryptor(std::string_view data_key, const std::vector<std::string>& keys)
      : data_key_(data_key), keys_(keys.begin(), keys.end()) {}

  absl::Status Walk(Node& n, bool encrypt) {
    switch (n.kind) {
      case Node::Kind::kScalar:
        return Leaf(n, encrypt);
      case Node::Kind::kSequence:
        for (Node& item : n.items) {
          if (auto s = Walk(item, encrypt); !s.ok()) return s;
        }
        return absl::OkStatus();
      case Node::Kind::kMapping:
        return Mapping(n, encrypt);
    }
    return absl::OkStatus();
  }

  Sha512& mac() { return mac_; }

 private:
  absl::Status Mapping(Node& n, bool encrypt) {
    std::set<std::string> seen;
    for (size_t i = 0; i + 1 < n.items.size(); i += 2) {
      const Node& key = n.items[i];
      if (key.kind != Node::Kind::kScalar)
        return LineError(key.line, "sops needs scalar mapping keys");
      auto r = Resolve(key);
      if (!r.ok()) return r.status();
      if (r->type != ScalarType::kStr || (!Indicated(key) && key.value == "<<")) {
        return LineError(key.line,
                         StrCat("the key \"", key.value,
                                "\" is not a string to YAML and sops needs string keys; quote it"));
      }
      if (!seen.insert(key.value).second) {
        return LineError(key.line,
                         StrCat("the key \"", key.value, "\" appears twice in one mapping"));
      }
      path_.push_back(key.value);
      const bool enc = encrypt || keys_.count(key.value) > 0;
      auto s = Walk(n.items[i + 1], enc);
      path_.pop_back();
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }

  absl::Status Leaf(Node& n, bool encrypt) {
    auto r = Resolve(n);
    if (!r.ok()) return r.status();
    if (r->type == ScalarType::kNull) return absl::OkStatus();
    mac_.Update(r->bytes);
    if (!encrypt || (r->type == ScalarType::kStr && r->bytes.empty())) return absl::OkStatus();
    auto enc = EncryptValue(data_key_, *r, StrCat(absl::StrJoin(path_, ":"), ":"));
    if (!enc.ok()) return enc.status();
    n.value = *std::move(enc);
    n.style = YAML_PLAIN_SCALAR_STYLE;
    return absl::OkStatus();
  }

  std::string_view data_key_;
  std::set<std::string> keys_;
  std::vector<std::string> path_;
  Sha512 mac_;
};

Node Scalar(std::string value, yaml_scalar_style_t style = YAML_PLAIN_SCALAR_STYLE) {
  Node n;
  n.value = std::move(value);
  n.style = style;
  return n;
}

// The `sops:` mapping every document gets.
absl::StatusOr<Node> Metadata(std::string_view data_key, std::string_view mac_hex,
                              const EncryptSettings& s) {
  Node age;
  age.kind = Node::Kind::kSequence;
  for (const AgeRecipient& r : s.recipients) {
    auto enc = AgeEncryptArmored(data_key, {r});
    if (!enc.ok()) return enc.status();
    Node stanza;
    stanza.kind = Node::Kind::kMapping;
    stanza.items = {Scalar("recipient"), Scalar(r.text), Scalar("enc"),
                    Scalar(*enc, YAML_LITERAL_SCALAR_STYLE)};
    age.items.push_back(std::move(stanza));
  }
  const time_t t = static_cast<time_t>(s.lastmodified_unix);
  std::tm tm{};
  gmtime_r(&t, &tm);
  const std::string lastmodified =
      absl::StrFormat("%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                      tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  auto mac = EncryptValue(data_key, {ScalarType::kStr, std::string(mac_hex)}, lastmodified);
  if (!mac.ok()) return mac.status();
  Node meta;
  meta.kind = Node::Kind::kMapping;
  meta.items.push_back(Scalar("age"));
  meta.items.push_back(std::move(age));
  for (auto& [k, v, style] : std::vector<std::tuple<std::string, std::string, yaml_scalar_style_t>>{
           {"lastmodified", lastmodified, YAML_DOUBLE_QUOTED_SCALAR_STYLE},
           {"mac", *mac, YAML_PLAIN_SCALAR_STYLE},
           {"encrypted_regex", EncryptedRegex(s.encrypted_keys), YAML_SINGLE_QUOTED_SCALAR_STYLE},
           {"version", std::string(kSopsFormatVersion), YAML_PLAIN_SCALAR_STYLE}}) {
    meta.items.push_back(Scalar(k));
    meta.items.push_back(Scalar(v, style));
  }
  return meta;
}

// libyaml's emitter, into a string.
class Writer {
 public:
  Writer() {
    yaml_emitter_initialize(&emitter_);
    yaml_emitter_set_output(&emitter_, &Writer::Append, &out_);
    yaml_emitter_set_unicode(&emitter_, 1);
    yaml_emitter_set_width(&emitter_, -1);
    yaml_emitter_set_indent(&emitter_, 2);
  }
  ~Writer() { yaml_emitter_delete(&emitter_); }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  absl::StatusOr<std::string> Write(const std::vector<Node>& docs, const Node& meta) {
    yaml_event_t e;
    yaml_stream_start_event_initialize(&e, YAML_UTF8_ENCODING);
    bool ok = Emit(e);
    for (size_t i = 0; ok && i < docs.size(); ++i) {
      yaml_document_start_event_initialize(&e, nullptr, nullptr, nullptr, i == 0 ? 1 : 0);
      ok = Emit(e) && Open(true) && Items(docs[i]) && Node1(Scalar("sops")) && Node1(meta) &&
           Close(true);
      yaml_document_end_event_initialize(&e, 1);
      ok = ok && Emit(e);
    }
    yaml_stream_end_event_initialize(&e);
    if (!ok || !Emit(e)) {
      return absl::InternalError(StrCat("writing the encrypted YAML: ",
                                        emitter_.problem != nullptr ? emitter_.problem : "?"));
    }
    return std::move(out_);
  }

 private:
  static int Append(void* data, unsigned char* buffer, size_t size) {
    static_cast<std::string*>(data)->append(reinterpret_cast<char*>(buffer), size);
    return 1;
  }
  bool Emit(yaml_event_t& e) { return yaml_emitter_emit(&emitter_, &e) != 0; }
  bool Open(bool map) {
    yaml_event_t e;
    if (map) {
      yaml_mapping_start_event_initialize(&e, nullptr, nullptr, 1, YAML_BLOCK_MAPPING_STYLE);
    } else {
      yaml_sequence_start_event_initialize(&e, nullptr, nullptr, 1, YAML_BLOCK_SEQUENCE_STYLE);
    }
    return Emit(e);
  }
  bool Close(bool map) {
    yaml_event_t e;
    if (map) {
      yaml_mapping_end_event_initialize(&e);
    } else {
      yaml_sequence_end_event_initialize(&e);
    }
    return Emit(e);
  }
  bool Items(const Node& n) {
    for (const Node& item : n.items) {
      if (!Node1(item)) return false;
    }
    return true;
  }
  bool Node1(const Node& n) {
    if (n.kind == Node::Kind::kScalar) {
      yaml_event_t e;
      yaml_scalar_event_initialize(
          &e, nullptr, nullptr, reinterpret_cast<yaml_char_t*>(const_cast<char*>(n.value.data())),
          static_cast<int>(n.value.size()), 1, 1, n.style);
      return Emit(e);
    }
    const bool map = n.kind == Node::Kind::kMapping;
    return Open(map) && Items(n) && Close(map);
  }

  yaml_emitter_t emitter_{};
  std::string out_;
};

}  // namespace

std::string EncryptedRegex(const std::vector<std::string>& keys) {
  std::string out = "^(";
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) out += '|';
    for (char c : keys[i]) {
      if (std::string_view(R"(\.+*?()|[]{}^$)").find(c) != std::string_view::npos) out += '\\';
      out += c;
    }
  }
  return out + ")$";
}

absl::StatusOr<std::string> EncryptYaml(std::string_view yaml, const EncryptSettings& settings) {
  if (settings.recipients.empty())
    return absl::InvalidArgumentError("no age recipient to encrypt to");
  if (settings.encrypted_keys.empty())
    return absl::InvalidArgumentError("no key to encrypt the values of");
  Reader reader(yaml);
  auto docs = reader.Documents();
  if (!docs.ok()) return docs.status();
  if (docs->empty()) return absl::InvalidArgumentError("the file holds no document to encrypt");
  for (const Node& doc : *docs) {
    for (size_t i = 0; i < doc.items.size(); i += 2) {
      if (doc.items[i].kind == Node::Kind::kScalar && doc.items[i].value == "sops") {
        return LineError(doc.items[i].line,
                         "the document already has a top-level `sops` key (encrypted already?)");
      }
    }
  }
  auto data_key = RandomBytes(32);
  if (!data_key.ok()) return data_key.status();
  Encryptor enc(*data_key, settings.encrypted_keys);
  for (Node& doc : *docs) {
    if (auto s = enc.Walk(doc, false); !s.ok()) return s;
  }
  auto digest = enc.mac().Final();
  if (!digest.ok()) return digest.status();
  std::string hex;
  for (unsigned char c : *digest) absl::StrAppendFormat(&hex, "%02X", c);
  auto meta = Metadata(*data_key, hex, settings);
  if (!meta.ok()) return meta.status();
  Writer writer;
  return writer.Write(*docs, *meta);
}

YamlFacts InspectYaml(std::string_view yaml) {
  YamlFacts facts;
  yaml_parser_t parser;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(yaml.data()),
                               yaml.size());
  int depth = 0;  // collection nesting; 1: a document's top level
  bool top_is_map = false;
  bool expect_key = true;  // in the top-level mapping
  std::string key, api_version, kind;
  for (;;) {
    yaml_event_t e;
    if (yaml_parser_parse(&parser, &e) == 0) break;
    const yaml_event_type_t type = e.type;
    const bool at_top = depth == 1 && top_is_map;
    if (type == YAML_SCALAR_EVENT || type == YAML_ALIAS_EVENT) {
      if (at_top && expect_key) {
        key = type == YAML_SCALAR_EVENT
                  ? std::string(reinterpret_cast<char*>(e.data.scalar.value), e.data.scalar.length)
                  : std::string();
      } else if (at_top && type == YAML_SCALAR_EVENT) {
        const std::string value(reinterpret_cast<char*>(e.data.scalar.value), e.data.scalar.length);
        if (key == "apiVersion") api_version = value;
        if (key == "kind") kind = value;
      }
      if (at_top) expect_key = !expect_key;
    } else if (type == YAML_MAPPING_START_EVENT || type == YAML_SEQUENCE_START_EVENT) {
      if (depth == 0) top_is_map = type == YAML_MAPPING_START_EVENT;
      if (at_top && !expect_key && key == "sops" && type == YAML_MAPPING_START_EVENT) {
        facts.encrypted = true;
      }
      if (at_top) expect_key = !expect_key;
      ++depth;
    } else if (type == YAML_MAPPING_END_EVENT || type == YAML_SEQUENCE_END_EVENT) {
      --depth;
    } else if (type == YAML_DOCUMENT_START_EVENT) {
      depth = 0;
      expect_key = true;
      api_version.clear();
      kind.clear();
    } else if (type == YAML_DOCUMENT_END_EVENT) {
      facts.secret = facts.secret || (api_version == "v1" && kind == "Secret");
    }
    yaml_event_delete(&e);
    if (type == YAML_STREAM_END_EVENT) {
      facts.parsed = true;
      break;
    }
  }
  yaml_parser_delete(&parser);
  return facts;
}

}  // namespace wildside::sops
