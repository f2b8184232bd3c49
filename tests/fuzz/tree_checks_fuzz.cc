// Fuzz target for the plan-time checks (tree/checks): one file of
// arbitrary bytes, parsed by CheckFile and judged by CheckTree in a small
// tree. The first byte chooses where the file sits: in a directory Flux
// generates a kustomization for, as a kustomization file, or elsewhere;
// and whether objects are checked against the built-in schemas (and a
// CRD the file itself may hold).
//
// Properties, beyond "never crash" (libyaml on hostile input, our frame
// stack, the reference walk):
//   - every finding names the file's key (or the fixed companion file) and
//     a place inside the file: line 0 only with column 0, else 1 <= line <=
//     lines + 1 and column >= 1;
//   - CheckFile is deterministic, and CheckTree reports its findings;
//   - marking the file sensitive changes messages only, never which
//     findings there are, and a sensitive message quotes nothing but keys
//     and directories of the tree (never content).
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "tree/checks/checks.h"
#include "tree/checks/schema.h"

namespace {

using wildside::tree::DesiredTree;
using namespace wildside::tree::checks;

constexpr const char* kKeys[] = {"clusters/dev/x.yaml", "platform/a/kustomization.yaml",
                                 "modules/m.yml"};
constexpr char kCompanion[] = "platform/a/cm.yaml";

// Every quoted string in `message` is one of `allowed`.
bool QuotesOnly(std::string_view message, const std::vector<std::string>& allowed) {
  size_t pos = 0;
  for (;;) {
    size_t open = message.find('"', pos);
    if (open == std::string_view::npos) return true;
    size_t close = message.find('"', open + 1);
    if (close == std::string_view::npos) return false;
    std::string_view inner = message.substr(open + 1, close - open - 1);
    bool ok = false;
    for (const std::string& a : allowed) ok = ok || inner == a;
    if (!ok) return false;
    pos = close + 1;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string key = kKeys[data[0] % 3];
  const std::string content(reinterpret_cast<const char*>(data) + 1, size - 1);
  // An upper bound of the lines as YAML counts them (LF, CR, CRLF, NEL,
  // LS, PS each end one): every LF, CR and U+0085/U+2028/U+2029 lead.
  size_t lines = 1;
  for (size_t i = 0; i < content.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(content[i]);
    lines += c == '\n' || c == '\r' || c == 0xC2 || c == 0xE2;
  }

  CheckOptions options;
  options.flux_roots = {"clusters/dev", "platform/a"};
  options.owned_roots = {"clusters/dev", "modules", "platform"};
  if ((data[0] & 0x80) != 0) options.schemas = BuiltInSchemas();

  FileFacts once = CheckFile(key, content, options);
  FileFacts twice = CheckFile(key, content, options);
  FUZZ_CHECK(once.findings == twice.findings, "CheckFile is not deterministic");

  std::map<std::string, std::string> files = {
      {key, content}, {kCompanion, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n"}};
  DesiredTree desired = wildside::tree::ViewDesiredTree(files);
  std::vector<Finding> plain = CheckTree(desired, options);
  for (const Finding& f : plain) {
    FUZZ_CHECK(f.key == key || f.key == kCompanion, "a finding names another key: %s",
               f.key.c_str());
    FUZZ_CHECK(!f.message.empty(), "empty message");
    if (f.line == 0) {
      FUZZ_CHECK(f.column == 0, "column without a line: %s", f.message.c_str());
    } else {
      FUZZ_CHECK(f.line >= 1 && static_cast<size_t>(f.line) <= lines + 1 && f.column >= 1,
                 "place %d:%d outside a file of %zu lines: %s", f.line, f.column, lines,
                 f.message.c_str());
    }
  }
  for (const Finding& f : once.findings) {
    bool found = false;
    for (const Finding& p : plain) found = found || p == f;
    FUZZ_CHECK(found, "CheckTree lost a CheckFile finding: %s", f.message.c_str());
  }

  options.is_sensitive = [&](std::string_view k) { return k == key; };
  std::vector<Finding> hidden = CheckTree(desired, options);
  FUZZ_CHECK(hidden.size() == plain.size(), "sensitivity changed the findings");
  std::vector<std::string> allowed = {key,       kCompanion, "clusters/dev",       "platform/a",
                                      "modules", "x.yaml",   "kustomization.yaml", "m.yml"};
  for (size_t i = 0; i < hidden.size(); ++i) {
    FUZZ_CHECK(hidden[i].key == plain[i].key && hidden[i].line == plain[i].line &&
                   hidden[i].column == plain[i].column && hidden[i].kind == plain[i].kind,
               "sensitivity changed a finding: %s", plain[i].message.c_str());
    if (hidden[i].key == key) {
      FUZZ_CHECK(QuotesOnly(hidden[i].message, allowed), "a sensitive message quotes: %s",
                 hidden[i].message.c_str());
    }
  }
  return 0;
}
