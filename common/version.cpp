// --version text. The revision comes from a header the Makefile writes into the build directory
// (rewritten only when the revision changes, so only this file recompiles after a commit).
#include "common/version.h"

#if __has_include("git_revision.h")
#include "git_revision.h"
#endif
#ifndef SB_GIT_REVISION
#define SB_GIT_REVISION ""
#endif

namespace sb {

std::string_view git_revision() { return SB_GIT_REVISION; }

std::string version_line(std::string_view program) {
  std::string line = std::string(program) + " " + std::string(kVersion) + " (" + std::string(kProtocolName);
  if (!git_revision().empty()) line += ", git " + std::string(git_revision());
  return line + ")\n";
}

}  // namespace sb
