// functions_bench: the provider function check() as the server runs it on
// the benchmark tree of bench/tofu_scale.sh (10,000 YAML files, 40 MB):
// both arguments decoded from msgpack, the call, the result encoded;
// beside CheckTree alone on the same bytes (the floor: the function runs
// exactly those checks) and the msgpack decode alone.
//
//   build/ci/bench/functions_bench [--benchmark_...]
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "benchmark/benchmark.h"
#include "provider/cty/msgpack.h"
#include "provider/resources/functions.h"
#include "scale_tree.h"
#include "tree/checks/checks.h"
#include "tree/checks/schema.h"

namespace {

using wildside::cty::Type;
using wildside::cty::Value;
namespace checks = wildside::tree::checks;

struct EncodedArgs {
  std::string manifests;
  std::string settings;
};

// The arguments as OpenTofu sends them: the map as map(string), the
// settings object { cluster = "dev" } wrapped as a dynamic value.
const EncodedArgs& Args() {
  static const EncodedArgs* args = [] {
    Value::Entries entries;
    for (auto& [k, v] : wildside::bench::ScaleTree()) entries.emplace(k, Value::String(v));
    auto* out = new EncodedArgs;
    out->manifests = *wildside::cty::EncodeMsgpack(Value::Map(Type::String(), std::move(entries)),
                                                   Type::Map(Type::String()));
    const Type settings_type = Type::Object({{"cluster", Type::String()}});
    out->settings = *wildside::cty::EncodeMsgpack(
        Value::Object(settings_type, {{"cluster", Value::String("dev")}}), Type::Dynamic());
    return out;
  }();
  return *args;
}

void BM_Baseline_CheckTree40MB(benchmark::State& state) {
  static const auto files = wildside::bench::ScaleTree();
  wildside::tree::DesiredTree desired;
  for (const auto& [k, v] : files) desired.emplace(k, v);
  checks::CheckOptions o;
  o.flux_roots = {"clusters/dev"};
  o.owned_roots = {"clusters/dev", "modules", "platform"};
  o.schemas = checks::BuiltInSchemas();
  for (auto _ : state) benchmark::DoNotOptimize(checks::CheckTree(desired, o));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * 40'000'000);
}
BENCHMARK(BM_Baseline_CheckTree40MB)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Baseline_DecodeArguments40MB(benchmark::State& state) {
  const EncodedArgs& args = Args();
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        wildside::cty::DecodeMsgpack(args.manifests, Type::Map(Type::String())));
  }
}
BENCHMARK(BM_Baseline_DecodeArguments40MB)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_CheckFunction40MB(benchmark::State& state) {
  const EncodedArgs& args = Args();
  static const auto functions = wildside::resources::AllFunctions();
  const auto& check = *functions.at("check");
  size_t findings = 0;
  for (auto _ : state) {
    std::vector<Value> decoded;
    decoded.push_back(*wildside::cty::DecodeMsgpack(args.manifests, Type::Map(Type::String())));
    decoded.push_back(*wildside::cty::DecodeMsgpack(args.settings, Type::Dynamic()));
    auto result = check.Call(std::move(decoded));
    const Value& list = std::get<Value>(result);
    findings = list.elements().size();
    benchmark::DoNotOptimize(wildside::cty::EncodeMsgpack(list, check.Signature().return_type));
  }
  state.counters["findings"] = static_cast<double>(findings);
}
BENCHMARK(BM_CheckFunction40MB)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
