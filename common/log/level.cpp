// Log level names: the text used on the command line (--log-level) and in the level= field.
#include "common/log/logger.h"

namespace sb::log {

bool parse_level(std::string_view text, Level* out) {
  static constexpr std::string_view kNames[] = {"debug", "info", "warn", "error"};
  for (unsigned i = 0; i < 4; ++i) {
    if (text == kNames[i]) {
      *out = static_cast<Level>(i);
      return true;
    }
  }
  return false;
}

std::string_view level_name(Level level) {
  switch (level) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "unknown";
}

}  // namespace sb::log
