// Replays one fuzz target's corpus through its LLVMFuzzerTestOneInput under
// gcc (and under the asan preset), then runs a bounded, seeded mutation loop
// over it, so every target's properties are checked in every test run.
// Linked once per target (WILDSIDE_FUZZ_CORPUS names its corpus folder).
// Deterministic: the corpus is read in sorted order and the mutations come
// from a fixed seed, so a failure reproduces run after run.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;

// (file name, bytes), sorted by name.
std::vector<std::pair<std::string, std::string>> Corpus() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : fs::directory_iterator(WILDSIDE_FUZZ_CORPUS)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    out.emplace_back(e.path().filename().string(), std::string(std::istreambuf_iterator<char>(in),
                                                               std::istreambuf_iterator<char>()));
  }
  std::sort(out.begin(), out.end());
  return out;
}

int RunTarget(const std::string& s) {
  return LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

TEST(FuzzReplayTest, EveryCorpusFileReplays) {
  auto corpus = Corpus();
  ASSERT_GE(corpus.size(), 3u) << "corpus " << WILDSIDE_FUZZ_CORPUS;
  // A property violation aborts the process; the trace names the last file
  // started, so print each one as it runs only when asked.
  const bool verbose = std::getenv("WILDSIDE_FUZZ_REPLAY_VERBOSE") != nullptr;
  for (const auto& [name, input] : corpus) {
    SCOPED_TRACE(name);
    if (verbose) std::fprintf(stderr, "replay %s\n", name.c_str());
    EXPECT_EQ(RunTarget(input), 0);
  }
  std::printf("replayed %zu corpus files from %s\n", corpus.size(), WILDSIDE_FUZZ_CORPUS);
}

TEST(FuzzReplayTest, SeededMutationsHoldTheProperties) {
  auto corpus = Corpus();
  ASSERT_FALSE(corpus.empty());
  std::mt19937 rng(20261126);
  for (int i = 0; i < 20000; ++i) {
    std::string s = corpus[rng() % corpus.size()].second;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits; ++k) {
      switch (rng() % 5) {
        case 0:
          if (!s.empty()) s[rng() % s.size()] = static_cast<char>(rng());
          break;
        case 1:
          s.insert(s.begin() + static_cast<long>(s.empty() ? 0 : rng() % s.size()),
                   static_cast<char>(rng()));
          break;
        case 2:
          if (!s.empty()) s.erase(rng() % s.size(), 1 + rng() % 8);
          break;
        case 3:
          if (!s.empty()) s.resize(rng() % s.size());
          break;
        case 4: {  // splice in a piece of another input
          const std::string& other = corpus[rng() % corpus.size()].second;
          if (other.empty()) break;
          size_t from = rng() % other.size();
          size_t len = 1 + rng() % std::min<size_t>(16, other.size() - from);
          s.insert(s.empty() ? 0 : rng() % s.size(), other, from, len);
          break;
        }
      }
    }
    ASSERT_EQ(RunTarget(s), 0) << "mutation " << i;
  }
}

}  // namespace
