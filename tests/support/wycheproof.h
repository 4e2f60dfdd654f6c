// Loads a Wycheproof vector file (JSON) for the crypto tests. The files live outside the
// repository, in ../shared/vectors/wycheproof/ relative to its root (tests run from the root), or
// wherever SWITCHBOARD_VECTORS_DIR points. A missing or unreadable file is an error the caller
// turns into a test failure: the vectors are part of the proof, so their absence must not pass.
#pragma once

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/json.h"

namespace sb::test {

inline std::string wycheproof_dir() {
  if (const char* env = std::getenv("SWITCHBOARD_VECTORS_DIR"); env != nullptr && *env != '\0')
    return env;
  return "../shared/vectors/wycheproof";
}

// One test case with the group it belongs to (the group holds sizes such as ivSize).
struct WycheproofCase {
  const json::Value* group;
  const json::Value* test;
};

struct WycheproofFile {
  json::Value root;
  std::vector<WycheproofCase> cases;  // every test of every group, in file order
  int64_t declared = 0;               // the file's own numberOfTests
};

// Reads and parses dir/name; false with *error set if the file cannot be read or parsed or lacks
// the fields every Wycheproof file has.
inline bool load_wycheproof(const std::string& name, WycheproofFile* out, std::string* error) {
  const std::string path = wycheproof_dir() + "/" + name;
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    *error = "cannot open " + path +
             " (run from the repository root with ../shared beside it, or set "
             "SWITCHBOARD_VECTORS_DIR)";
    return false;
  }
  std::ostringstream text;
  text << f.rdbuf();
  try {
    out->root = json::parse(text.str());
    out->declared = out->root.at("numberOfTests").as_int();
    out->cases.clear();
    for (const json::Value& group : out->root.at("testGroups").as_array())
      for (const json::Value& test : group.at("tests").as_array())
        out->cases.push_back({&group, &test});
  } catch (const std::exception& e) {
    *error = path + ": " + e.what();
    return false;
  }
  return true;
}

inline bool has_flag(const json::Value& test, const std::string& flag) {
  for (const json::Value& f : test.at("flags").as_array())
    if (f.as_string() == flag) return true;
  return false;
}

}  // namespace sb::test
