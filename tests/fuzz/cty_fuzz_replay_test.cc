// Replays the fuzz corpus through the fuzz target under gcc (and under the
// asan preset), then runs a bounded, seeded mutation loop over it, so the
// decoders' never-crash property is checked in every test run.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;

std::vector<std::string> Corpus() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(WILDSIDE_FUZZ_CORPUS)) {
    std::ifstream in(e.path(), std::ios::binary);
    out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return out;
}

int RunTarget(const std::string& s) {
  return LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

TEST(CtyFuzzReplayTest, CorpusReplays) {
  std::vector<std::string> corpus = Corpus();
  ASSERT_GE(corpus.size(), 5u);
  for (const std::string& input : corpus) EXPECT_EQ(RunTarget(input), 0);
}

TEST(CtyFuzzReplayTest, SeededMutationsNeverCrash) {
  std::vector<std::string> corpus = Corpus();
  std::mt19937 rng(20261126);
  for (int i = 0; i < 20000; ++i) {
    std::string s = corpus[rng() % corpus.size()];
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits; ++k) {
      switch (rng() % 4) {
        case 0:
          if (!s.empty()) s[rng() % s.size()] = static_cast<char>(rng());
          break;
        case 1:
          s.insert(s.begin() + static_cast<long>(s.empty() ? 0 : rng() % s.size()), static_cast<char>(rng()));
          break;
        case 2:
          if (!s.empty()) s.erase(rng() % s.size(), 1 + rng() % 8);
          break;
        case 3:
          if (!s.empty()) s.resize(rng() % s.size());
          break;
      }
    }
    ASSERT_EQ(RunTarget(s), 0);
  }
}

}  // namespace
