// checks_bench: the plan-time checks (tree/checks) on the benchmark tree of
// bench/tofu_scale.sh (10,000 YAML files of 4 KiB = 40 MB) and on a 206 KB
// CRD bundle, each beside a baseline pass over the same bytes (counting
// newlines: what reading the content once costs at least; libyaml's
// events alone: what any parse costs). In memory; no disk.
//
//   build/release/bench/checks_bench [--benchmark_...]
#include <algorithm>
#include <cstring>
#include <map>
#include <string>

#include <yaml.h>

#include "benchmark/benchmark.h"
#include "corpus.h"
#include "scale_tree.h"
#include "tree/checks/checks.h"
#include "tree/checks/schema.h"

namespace {

using namespace wildside::tree;
using namespace wildside::tree::checks;
using wildside::bench::kFiles;
using wildside::bench::ScaleTree;

CheckOptions Options() {
  CheckOptions o;
  o.flux_roots = {"clusters/dev"};
  o.owned_roots = {"clusters/dev", "modules", "platform"};
  return o;
}

size_t CountNewlines(std::string_view s) {
  return static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
}

void BM_Baseline_CountNewlines40MB(benchmark::State& state) {
  static const auto files = ScaleTree();
  uint64_t bytes = 0;
  for (auto _ : state) {
    size_t n = 0;
    for (const auto& [key, content] : files) {
      n += CountNewlines(content);
      bytes += content.size();
    }
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

// libyaml's event parser alone over every file: the floor of any check
// that parses.
size_t ParseEvents(std::string_view text) {
  yaml_parser_t parser;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()),
                               text.size());
  size_t n = 0;
  yaml_event_t event;
  while (yaml_parser_parse(&parser, &event)) {
    bool end = event.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&event);
    ++n;
    if (end) break;
  }
  yaml_parser_delete(&parser);
  return n;
}

void BM_Baseline_LibyamlEvents40MB(benchmark::State& state) {
  static const auto files = ScaleTree();
  uint64_t bytes = 0;
  for (auto _ : state) {
    size_t n = 0;
    for (const auto& [key, content] : files) {
      n += ParseEvents(content);
      bytes += content.size();
    }
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

// A cold plan: every file parsed, then the reference pass.
void BM_CheckTree40MB(benchmark::State& state) {
  static const auto files = ScaleTree();
  DesiredTree desired = ViewDesiredTree(files);
  CheckOptions o = Options();
  uint64_t bytes = 0;
  for (auto _ : state) {
    std::vector<Finding> f = CheckTree(desired, o);
    if (!f.empty()) state.SkipWithError(FormatFinding(f[0]).c_str());
    for (const auto& [key, content] : desired) bytes += content.size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

// The same on two threads, as the provider parses (options.parallelism
// = the cores): what `tofu validate` and the validate walk of every plan
// pay at 40 MB.
void BM_CheckTree40MBTwoThreads(benchmark::State& state) {
  static const auto files = ScaleTree();
  DesiredTree desired = ViewDesiredTree(files);
  CheckOptions o = Options();
  o.parallelism = 2;
  for (auto _ : state) {
    std::vector<Finding> f = CheckTree(desired, o);
    if (!f.empty()) state.SkipWithError(FormatFinding(f[0]).c_str());
  }
}

// What a plan pays when only the set of paths changed: no parsing.
void BM_CheckReferences10kFiles(benchmark::State& state) {
  static const auto files = ScaleTree();
  DesiredTree desired = ViewDesiredTree(files);
  CheckOptions o = Options();
  FactsMap facts;
  for (const auto& [key, content] : desired) facts.emplace(key, CheckFile(key, content, o));
  for (auto _ : state) {
    std::vector<Finding> f = CheckReferences(desired, facts, o);
    benchmark::DoNotOptimize(f);
  }
}

// 10,000 named objects in the nested layout: 100 directories below
// clusters/dev, each with a kustomization listing its 100 ConfigMaps, so
// the kustomization Flux generates for clusters/dev accumulates all of
// them through 100 sub-builds (issue 17: what the duplicate-object model
// costs in the cross-file pass).
std::map<std::string, std::string> ObjectTree() {
  std::map<std::string, std::string> out;
  for (int d = 0; d < kFiles / 100; ++d) {
    char dir[64];
    std::snprintf(dir, sizeof dir, "clusters/dev/platform/apps/d%03d", d);
    std::string kustomization = "resources:\n";
    for (int i = d * 100; i < (d + 1) * 100; ++i) {
      std::string name = "cm" + std::to_string(i) + ".yaml";
      kustomization += "- " + name + "\n";
      out[std::string(dir) + "/" + name] =
          testing::InNamespace(testing::ConfigMap("cm" + std::to_string(i)), "apps");
    }
    out[std::string(dir) + "/kustomization.yaml"] = kustomization;
  }
  return out;
}

void BM_CheckReferences10kObjects(benchmark::State& state) {
  static const auto files = ObjectTree();
  DesiredTree desired = ViewDesiredTree(files);
  CheckOptions o = Options();
  FactsMap facts;
  for (const auto& [key, content] : desired) facts.emplace(key, CheckFile(key, content, o));
  for (auto _ : state) {
    std::vector<Finding> f = CheckReferences(desired, facts, o);
    if (!f.empty()) state.SkipWithError(FormatFinding(f[0]).c_str());
  }
}

void BM_Baseline_CountNewlinesCrd206KB(benchmark::State& state) {
  static const std::string crd = testing::CrdBundle(206 * 1024);
  for (auto _ : state) benchmark::DoNotOptimize(CountNewlines(crd));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * crd.size()));
}

void BM_CheckFileCrd206KB(benchmark::State& state) {
  static const std::string crd = testing::CrdBundle(206 * 1024);
  CheckOptions o = Options();
  for (auto _ : state) {
    FileFacts f = CheckFile("clusters/dev/crds.yaml", crd, o);
    if (!f.findings.empty()) state.SkipWithError(FormatFinding(f.findings[0]).c_str());
    benchmark::DoNotOptimize(f);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * crd.size()));
}

// Issue 17, item 2: the same with the built-in schemas on. The 40 MB tree
// holds no objects (no schema applies: the cost of having them on); the
// CRD bundle is checked against Kubernetes' CustomResourceDefinition
// schema (a recursive one); and 10,000 Deployments of about 4 KiB (40 MB
// of objects that all have a schema) with schemas off and on.
CheckOptions SchemaOptions() {
  CheckOptions o = Options();
  o.schemas = BuiltInSchemas();
  return o;
}

void BM_CheckTree40MBSchemas(benchmark::State& state) {
  static const auto files = ScaleTree();
  DesiredTree desired = ViewDesiredTree(files);
  CheckOptions o = SchemaOptions();
  for (auto _ : state) {
    std::vector<Finding> f = CheckTree(desired, o);
    if (!f.empty()) state.SkipWithError(FormatFinding(f[0]).c_str());
  }
}

void BM_CheckFileCrd206KBSchemas(benchmark::State& state) {
  static const std::string crd = testing::CrdBundle(206 * 1024);
  CheckOptions o = SchemaOptions();
  for (auto _ : state) {
    FileFacts f = CheckFile("clusters/dev/crds.yaml", crd, o);
    if (!f.findings.empty()) state.SkipWithError(FormatFinding(f.findings[0]).c_str());
    for (const FileFacts::Object& obj : f.objects) {
      if (!obj.schema_findings.empty()) {
        state.SkipWithError(FormatFinding(obj.schema_findings[0]).c_str());
      }
    }
    benchmark::DoNotOptimize(f);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * crd.size()));
}

// A Deployment of about 4 KiB: 60 environment variables.
std::string Deployment(int i) {
  std::string name = "web" + std::to_string(i);
  std::string s = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " + name +
                  "\n  namespace: apps\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n"
                  "      app: " +
                  name + "\n  template:\n    metadata:\n      labels:\n        app: " + name +
                  "\n    spec:\n      containers:\n        - name: web\n"
                  "          image: nginx:1.27\n          ports:\n            - containerPort: 80\n"
                  "          env:\n";
  for (int k = 0; k < 60; ++k) {
    s += "            - name: SETTING_" + std::to_string(k) + "\n              value: \"v" +
         std::to_string(k) + "-0123456789abcdef\"\n";
  }
  return s;
}

std::map<std::string, std::string> DeploymentTree() {
  std::map<std::string, std::string> out;
  for (int i = 0; i < kFiles; ++i) {
    char key[64];
    std::snprintf(key, sizeof key, "clusters/dev/apps/d%03d/web%05d.yaml", i / 100, i);
    out[key] = Deployment(i);
  }
  return out;
}

void CheckDeployments(benchmark::State& state, const CheckOptions& o) {
  static const auto files = DeploymentTree();
  DesiredTree desired = ViewDesiredTree(files);
  uint64_t bytes = 0;
  for (auto _ : state) {
    std::vector<Finding> f = CheckTree(desired, o);
    if (!f.empty()) state.SkipWithError(FormatFinding(f[0]).c_str());
    for (const auto& [key, content] : desired) bytes += content.size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

void BM_CheckTree10kDeployments(benchmark::State& state) { CheckDeployments(state, Options()); }
void BM_CheckTree10kDeploymentsSchemas(benchmark::State& state) {
  CheckDeployments(state, SchemaOptions());
}

// What the first check of a process pays to parse and compile the
// built-in bundle (BuiltInSchemas does it once).
void BM_LoadBuiltInBundle(benchmark::State& state) {
  const std::string bundle(BuiltInSchemaBundle());
  for (auto _ : state) {
    std::string error;
    auto c = SchemaCatalog::FromBundle(bundle, "bench", &error);
    if (!c) state.SkipWithError(error.c_str());
    benchmark::DoNotOptimize(c);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bundle.size()));
}

BENCHMARK(BM_Baseline_CountNewlines40MB)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Baseline_LibyamlEvents40MB)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CheckTree40MB)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_CheckTree40MBTwoThreads)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_CheckReferences10kFiles)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CheckReferences10kObjects)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Baseline_CountNewlinesCrd206KB)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_CheckFileCrd206KB)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_CheckTree40MBSchemas)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_CheckFileCrd206KBSchemas)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_CheckTree10kDeployments)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_CheckTree10kDeploymentsSchemas)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2.0);
BENCHMARK(BM_LoadBuiltInBundle)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
