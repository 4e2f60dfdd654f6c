// The table of settings that options.cpp defines (one row per setting: its name, how a value is
// read and printed back, whether a reload may change it live), for the files that work through it:
// the flags and the config file (options.cpp) and the reload plan (options_reload.cpp).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "server/options.h"

namespace sb::server {

using Apply = bool (*)(std::string_view value, ServerOptions* o);
using Show = std::string (*)(const ServerOptions& o);
using Copy = void (*)(const ServerOptions& from, ServerOptions* to);

struct Setting {
  const char* name;
  const char* arg;    // nullptr: a switch ("true"/"false" in the config file, no value as a flag)
  const char* range;  // the accepted values, for errors and docs/SERVER.md
  bool live;          // a SIGHUP applies a change at once; otherwise it waits for a restart
  Apply apply;
  Show show;
  Copy copy;
  const char* help;  // for --help; "(default X)" is added from the defaults
};

std::span<const Setting> setting_table();
const Setting* find_setting(std::string_view name);
// The checks across settings (--allow-unknown-ids needs --auth-file); false with *why.
bool validate_settings(const ServerOptions& o, std::string* why);

}  // namespace sb::server
