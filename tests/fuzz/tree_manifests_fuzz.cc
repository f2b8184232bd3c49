// Fuzz target for the manifests JSON the wildside-tree CLI reads
// (tree/manifests.h ParseManifests), followed by what the CLI does next with
// the result before touching the disk: validation and the error message.
//
// Properties, beyond "never crash" and "never throw":
//   - errors are InvalidArgument and start with the source name;
//   - what parses re-serialises: the map written back as a JSON object, bare
//     or wrapped as {"value": ...}, parses to the same map;
//   - every validation problem names a key of the map (or the cluster).
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz_check.h"
#include "tree/desired_tree.h"
#include "tree/manifests.h"
#include "tree/validate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using Manifests = std::map<std::string, std::string>;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<Manifests> parsed = wildside::tree::ParseManifests(text, "in.json");
  if (!parsed.ok()) {
    FUZZ_CHECK(absl::IsInvalidArgument(parsed.status()), "unexpected code: %s",
               parsed.status().ToString().c_str());
    FUZZ_CHECK(parsed.status().message().substr(0, 9) == "in.json: ",
               "message does not name the source: %s", parsed.status().ToString().c_str());
    return 0;
  }

  nlohmann::json object = nlohmann::json::object();
  for (const auto& [path, content] : *parsed) object[path] = content;
  std::string bare, wrapped;
  try {
    // Strict: the parser only yields valid UTF-8, so dumping must not throw.
    bare = object.dump();
    wrapped = nlohmann::json{{"value", object}}.dump();
  } catch (const nlohmann::json::exception& e) {
    FUZZ_CHECK(false, "a parsed map does not serialise: %s", e.what());
  }
  absl::StatusOr<Manifests> again = wildside::tree::ParseManifests(bare, "again");
  FUZZ_CHECK(again.ok() && *again == *parsed, "bare round trip differs: %s", bare.c_str());
  absl::StatusOr<Manifests> unwrapped = wildside::tree::ParseManifests(wrapped, "wrapped");
  FUZZ_CHECK(unwrapped.ok() && *unwrapped == *parsed, "wrapped round trip differs: %s",
             wrapped.c_str());

  wildside::tree::DesiredTree desired = wildside::tree::ViewDesiredTree(*parsed);
  std::vector<wildside::tree::KeyProblem> problems =
      wildside::tree::ValidateDesiredTree("dev", desired, wildside::tree::TreeOptions());
  for (const auto& p : problems) {
    FUZZ_CHECK(!p.about_cluster && parsed->count(p.key) == 1,
               "a problem names no key of the manifests");
  }
  absl::Status status = wildside::tree::ProblemsToStatus(problems, "manifests");
  FUZZ_CHECK(status.ok() == problems.empty(), "ProblemsToStatus disagrees with the problem list");
  return 0;
}
