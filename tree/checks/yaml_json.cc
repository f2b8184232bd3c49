// DocumentAsJson: one document of a YAML stream as JSON, for the CRDs the
// schema checks compile (tree/checks/schema.cc).
#include <yaml.h>

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tree/checks/internal.h"

namespace wildside::tree::checks {
namespace {

// Deeper than this, a document is not a CRD anyone wrote.
constexpr size_t kMaxDepth = 10000;

// Builds one document of a stream as JSON, scalars typed as
// ResolveScalar types them. Aliases and keys that are not scalars make it
// fail: a CRD has no use for them.
class JsonBuilder {
 public:
  explicit JsonBuilder(int document) : document_(document) {}

  std::optional<nlohmann::json> Run(std::string_view content) {
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) return std::nullopt;
    yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(content.data()),
                                 content.size());
    bool ok = true;
    for (;;) {
      yaml_event_t e;
      if (!yaml_parser_parse(&parser, &e)) {
        ok = false;
        break;
      }
      bool end = e.type == YAML_STREAM_END_EVENT;
      if (e.type == YAML_DOCUMENT_START_EVENT) ++seen_;
      bool stop = false;
      if (seen_ == document_) stop = !OnEvent(e, &ok);
      yaml_event_delete(&e);
      if (end || stop || !ok || stack_.size() > kMaxDepth) break;
    }
    yaml_parser_delete(&parser);
    if (!ok || !done_) return std::nullopt;
    return std::move(root_);
  }

 private:
  // False when the document is over.
  bool OnEvent(const yaml_event_t& e, bool* ok) {
    switch (e.type) {
      case YAML_SCALAR_EVENT: {
        std::string_view v(reinterpret_cast<const char*>(e.data.scalar.value),
                           e.data.scalar.length);
        std::string_view tag =
            e.data.scalar.tag ? reinterpret_cast<const char*>(e.data.scalar.tag) : "";
        bool plain = e.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        if (!stack_.empty() && stack_.back().second && !have_key_) {
          key_.assign(v);
          have_key_ = true;
          return true;
        }
        *ok = Put(Scalar(v, plain, tag));
        return true;
      }
      case YAML_MAPPING_START_EVENT:
      case YAML_SEQUENCE_START_EVENT: {
        bool mapping = e.type == YAML_MAPPING_START_EVENT;
        if (!stack_.empty() && stack_.back().second && !have_key_) {
          *ok = false;  // a collection as a key
          return true;
        }
        stack_.emplace_back(mapping ? nlohmann::json::object() : nlohmann::json::array(), mapping);
        keys_.push_back(std::move(key_));
        key_.clear();
        have_key_ = false;
        return true;
      }
      case YAML_MAPPING_END_EVENT:
      case YAML_SEQUENCE_END_EVENT: {
        nlohmann::json v = std::move(stack_.back().first);
        stack_.pop_back();
        key_ = std::move(keys_.back());
        keys_.pop_back();
        have_key_ = !stack_.empty() && stack_.back().second;
        *ok = Put(std::move(v));
        return true;
      }
      case YAML_ALIAS_EVENT:
        *ok = false;
        return true;
      case YAML_DOCUMENT_END_EVENT:
        return false;
      default:
        return true;
    }
  }

  static nlohmann::json Scalar(std::string_view v, bool plain, std::string_view tag) {
    switch (ResolveScalar(v, plain, tag)) {
      case ScalarType::kNull:
        return nullptr;
      case ScalarType::kBoolean:
        return v[0] == 't' || v[0] == 'T';
      case ScalarType::kInteger:
      case ScalarType::kFloat: {
        nlohmann::json n = nlohmann::json::parse(v, nullptr, /*allow_exceptions=*/false);
        if (n.is_number()) return n;
        return std::string(v);
      }
      default:
        return std::string(v);
    }
  }

  bool Put(nlohmann::json v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      done_ = true;
      return true;
    }
    auto& [top, mapping] = stack_.back();
    if (mapping) {
      if (!have_key_) return false;
      top[key_] = std::move(v);
      key_.clear();
      have_key_ = false;
    } else {
      top.push_back(std::move(v));
    }
    return true;
  }

  int document_;
  int seen_ = 0;
  std::vector<std::pair<nlohmann::json, bool>> stack_;  // collection, is a mapping
  std::vector<std::string> keys_;  // the key each open collection is the value of
  std::string key_;
  bool have_key_ = false;
  nlohmann::json root_;
  bool done_ = false;
};

}  // namespace

std::optional<std::string> DocumentAsJson(std::string_view content, int document) {
  std::optional<nlohmann::json> doc = JsonBuilder(document).Run(content);
  if (!doc) return std::nullopt;
  return doc->dump();
}

}  // namespace wildside::tree::checks
