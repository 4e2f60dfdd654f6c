// Replays every seed and every kept crash input of the fuzz targets (tests/fuzz/corpus/<target>/ and
// tests/fuzz/regressions/<target>/) through the same harness functions the libFuzzer targets call,
// so `make test` (and `make test-asan`, where sanitizer findings abort) keeps each fixed bug fixed
// without clang or libFuzzer.
//
// The harnesses are compiled into this test directly: the Makefile builds libraries only from
// common/, server/, client/ and bench/, and tests/fuzz/ must stay out of those.
#include "tests/fuzz/parser_harness.cpp"
#include "tests/fuzz/server_harness.cpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "common/log/logger.h"

namespace {

namespace fs = std::filesystem;

// tests/fuzz, found from this file's path (make test runs from the repository root) or from
// SWITCHBOARD_SOURCE_DIR when run from elsewhere.
fs::path fuzz_dir() {
  if (const char* root = std::getenv("SWITCHBOARD_SOURCE_DIR")) return fs::path(root) / "tests" / "fuzz";
  return fs::path(__FILE__).parent_path().parent_path() / "fuzz";
}

// The regular files of tests/fuzz/<kind>/<target>/ (kind: corpus or regressions), sorted.
std::vector<fs::path> files_of(const char* kind, const std::string& target) {
  std::vector<fs::path> files;
  const fs::path dir = fuzz_dir() / kind / target;
  if (!fs::is_directory(dir)) return files;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

// Seeds and kept crash inputs of one target. Every test below asserts this is not empty: a wrong
// path or a moved directory must fail, not pass as "every input kept its invariants".
std::vector<fs::path> inputs_of(const std::string& target) {
  std::vector<fs::path> files = files_of("corpus", target);
  for (fs::path& f : files_of("regressions", target)) files.push_back(std::move(f));
  return files;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const uint8_t* bytes_of(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

TEST(FuzzRegressions, ParserInputsKeepEveryInvariant) {
  const std::vector<fs::path> files = inputs_of("parser");
  ASSERT_FALSE(files.empty()) << "no inputs under " << fuzz_dir() << " (run from the repository root)";
  for (const fs::path& file : files) {
    const std::string data = read_file(file);
    EXPECT_EQ(sb::fuzz::check_parser_input(bytes_of(data), data.size()), "") << file;
  }
}

TEST(FuzzRegressions, ServerProgramsKeepEveryInvariant) {
  const std::vector<fs::path> files = inputs_of("server");
  ASSERT_FALSE(files.empty()) << "no inputs under " << fuzz_dir() << " (run from the repository root)";
  // As in the fuzz target: every log call site runs and is formatted, into /dev/null.
  sb::log::Logger logger;
  sb::log::LoggerOptions options;
  options.dir = "/dev";
  options.file_name = "null";
  options.level = sb::log::Level::debug;
  options.workers = 0;
  options.queue_capacity = 4096;
  std::string error;
  ASSERT_TRUE(logger.start(options, &error)) << error;
  for (const fs::path& file : files) {
    const std::string data = read_file(file);
    EXPECT_EQ(sb::fuzz::run_server_program(bytes_of(data), data.size(), &logger), "") << file;
  }
  logger.stop();
}

// The server harness without a started logger (every SB_LOG disabled) must behave the same.
TEST(FuzzRegressions, ServerProgramsRunWithoutALogger) {
  const std::vector<fs::path> files = inputs_of("server");
  ASSERT_FALSE(files.empty()) << "no inputs under " << fuzz_dir() << " (run from the repository root)";
  for (const fs::path& file : files) {
    const std::string data = read_file(file);
    EXPECT_EQ(sb::fuzz::run_server_program(bytes_of(data), data.size(), nullptr), "") << file;
  }
}

// The kept crash inputs are there to be replayed: losing them all (a renamed directory, a bad
// path) must fail here rather than leave the tests above passing on the seeds alone.
TEST(FuzzRegressions, KeptCrashInputsAreFound) {
  size_t kept = 0;
  for (const char* target : {"parser", "server"}) kept += files_of("regressions", target).size();
  EXPECT_GT(kept, 0u) << "no files under " << fuzz_dir() / "regressions";
}

}  // namespace
