// Test support: files of the source tree (docs, scripts, man pages) that tests check against the
// binaries. The root is $SWITCHBOARD_SOURCE_DIR (the Makefile's test targets set it), else the
// directory the tests were compiled from, else the working directory. Header-only.
#pragma once

#include <cstdlib>
#include <string>
#include <string_view>

namespace sb::test {

inline std::string source_root() {
  const char* dir = std::getenv("SWITCHBOARD_SOURCE_DIR");
  if (dir != nullptr && *dir != '\0') return dir;
  // __FILE__ is this header's path as the compiler was given it: relative to the root (the
  // Makefile compiles from there) or absolute.
  constexpr std::string_view self = __FILE__;
  constexpr std::string_view tail = "tests/support/source_tree.h";
  if (self.size() > tail.size() && self.substr(self.size() - tail.size()) == tail)
    return std::string(self.substr(0, self.size() - tail.size() - 1));
  return ".";
}

inline std::string source_file(std::string_view relative) { return source_root() + "/" + std::string(relative); }

}  // namespace sb::test
