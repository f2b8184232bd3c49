// The benchmark tree of bench/tofu_scale.sh, in memory: 10,000 YAML files
// of 4 KiB (40 MB) spread over the seven components, plus a Flux entry
// point and a kustomization per component. Shared by checks_bench and
// functions_bench so that their figures are about the same bytes.
#ifndef WILDSIDE_BENCH_SCALE_TREE_H_
#define WILDSIDE_BENCH_SCALE_TREE_H_

#include <cstdio>
#include <map>
#include <string>

#include "corpus.h"

namespace wildside::bench {

inline constexpr int kFiles = 10000;
inline constexpr size_t kSize = 4096;

// The same files bench/tofu_scale.sh generates: distinct keys in whole
// lines, padded with a comment to exactly kSize bytes.
inline std::map<std::string, std::string> ScaleTree() {
  static const char* comps[] = {"sources", "traefik",   "cert-manager", "external-dns",
                                "vault",   "databases", "redis"};
  std::map<std::string, std::string> out;
  for (int i = 0; i < kFiles; ++i) {
    char dir[64];
    std::snprintf(dir, sizeof dir, "platform/%s/d%03d/m%05d.yaml", comps[i % 7], i / 100, i);
    std::string body = "# file " + std::to_string(i) + "\n";
    for (int k = 0;; ++k) {
      char line[96];
      int n = std::snprintf(line, sizeof line,
                            "key%05d: value-0123456789abcdefghijklmnopqrstuvwxyz\n", k);
      if (body.size() + static_cast<size_t>(n) > kSize - 2) break;
      body.append(line, static_cast<size_t>(n));
    }
    size_t pad = kSize - body.size();
    body += "#" + std::string(pad - 2, 'x') + "\n";
    out.emplace(dir, std::move(body));
  }
  // A Flux entry point and a kustomization per component listing one
  // object and generating a ConfigMap from one of the files, so that the
  // reference pass and the decoding walk have work.
  out["clusters/dev/platform.yaml"] =
      wildside::tree::checks::testing::FluxKustomization("platform", "./platform/traefik");
  for (const char* c : comps) {
    std::string dir = std::string("platform/") + c;
    out[dir + "/cm.yaml"] = wildside::tree::checks::testing::ConfigMap(c);
    auto first = out.lower_bound(dir + "/d");
    out[dir + "/kustomization.yaml"] =
        "resources:\n- cm.yaml\nconfigMapGenerator:\n- name: gen\n  files:\n  - " +
        first->first.substr(dir.size() + 1) + "\n";
  }
  return out;
}

}  // namespace wildside::bench

#endif  // WILDSIDE_BENCH_SCALE_TREE_H_
