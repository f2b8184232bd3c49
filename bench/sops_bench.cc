// sops_bench: what writing Secrets SOPS-encrypted costs (tree/sops, issue
// 22), beside the floor of its own parse (libyaml's events alone over the
// same bytes) and the cost of telling which files to encrypt.
//
//   build/ci/bench/sops_bench [--benchmark_...]
//
//   BM_EncryptSecret/R        a 10-key Secret (1 KiB) to R recipients: one
//                             data key, one age file per recipient (an
//                             X25519 exchange each), ten AES-GCM values;
//   BM_EncryptValues/N        a Secret with N 64-byte values under data;
//   BM_LibyamlEvents/N        the floor: parsing the same bytes once;
//   BM_InspectYaml40MB        InspectYaml over 10,000 4 KiB files (what
//                             deciding whether to encrypt costs if every
//                             file were parsed; the provider parses only
//                             files whose text holds "Secret").
#include <yaml.h>

#include <cstdio>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "tree/sops/sops_yaml.h"

namespace {

using wildside::sops::EncryptSettings;

// Public halves of throwaway age-keygen identities.
const char* kRecipients[] = {"age1e55murcwgydtzlvr590c9yqqus6daaxestsny93wac6zvhm9zdvqvzcsl8",
                             "age1rfat7l8vph9ll2epns4lr5ju5q0eygra5uctkhttsdt7zgvsmufqksfvwh"};

EncryptSettings Settings(int recipients) {
  EncryptSettings s;
  for (int i = 0; i < recipients; ++i) {
    s.recipients.push_back(*wildside::sops::ParseAgeRecipient(kRecipients[i % 2]));
  }
  s.lastmodified_unix = 1764900000;
  return s;
}

std::string SecretWith(int values, size_t value_size) {
  std::string out =
      "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: vault\ndata:\n";
  for (int i = 0; i < values; ++i) {
    char key[32];
    std::snprintf(key, sizeof key, "  key%05d: ", i);
    out += key + std::string(value_size, 'A') + "\n";
  }
  return out;
}

void BM_EncryptSecret(benchmark::State& state) {
  const std::string secret = SecretWith(10, 64);
  const EncryptSettings s = Settings(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto out = wildside::sops::EncryptYaml(secret, s);
    if (!out.ok()) state.SkipWithError("encrypt failed");
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * secret.size()));
}
BENCHMARK(BM_EncryptSecret)->Arg(1)->Arg(2)->Arg(4)->Unit(benchmark::kMicrosecond);

void BM_EncryptValues(benchmark::State& state) {
  const std::string secret = SecretWith(static_cast<int>(state.range(0)), 64);
  const EncryptSettings s = Settings(1);
  for (auto _ : state) {
    auto out = wildside::sops::EncryptYaml(secret, s);
    if (!out.ok()) state.SkipWithError("encrypt failed");
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * secret.size()));
}
BENCHMARK(BM_EncryptValues)->Arg(10)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_LibyamlEvents(benchmark::State& state) {
  const std::string secret = SecretWith(static_cast<int>(state.range(0)), 64);
  for (auto _ : state) {
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(secret.data()),
                                 secret.size());
    yaml_event_t e;
    int n = 0;
    while (yaml_parser_parse(&parser, &e) != 0) {
      const bool end = e.type == YAML_STREAM_END_EVENT;
      yaml_event_delete(&e);
      ++n;
      if (end) break;
    }
    yaml_parser_delete(&parser);
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * secret.size()));
}
BENCHMARK(BM_LibyamlEvents)->Arg(10)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_InspectYaml40MB(benchmark::State& state) {
  std::vector<std::string> files;
  for (int i = 0; i < 10000; ++i) {
    std::string body = "# file " + std::to_string(i) + "\n";
    for (int k = 0; body.size() < 4000; ++k) {
      body += "key" + std::to_string(k) + ": value-0123456789abcdefghijklmnopqrstuvwxyz\n";
    }
    files.push_back(std::move(body));
  }
  for (auto _ : state) {
    int secrets = 0;
    for (const std::string& f : files) secrets += wildside::sops::InspectYaml(f).secret ? 1 : 0;
    benchmark::DoNotOptimize(secrets);
  }
}
BENCHMARK(BM_InspectYaml40MB)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
