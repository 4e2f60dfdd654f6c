// What a typed or piped line means: the interactive menu answers and one-line commands
// ("@b hi", "/who"), and scripting lines ("b hi"). Pure parsing, no I/O.
#pragma once

#include <string>
#include <string_view>

namespace sb::client {

struct Command {
  enum class Kind {
    empty,         // blank line
    menu_message,  // "m": start the target/message prompts
    quit,          // "q" or "/quit"
    send,          // "@target text"
    who, stats, ping, help,
    trust,         // "/trust node" (--e2e): accept the node's new key
    fingerprint,   // "/fingerprint [node]" (--e2e): our key's fingerprint, or the node's
    join, leave, groups, info,  // "/join #g", "/leave #g", "/groups", "/info" ("/who [target]" too)
    invalid,       // `error` says why, in words
  };
  Kind kind = Kind::empty;
  std::string_view target;  // views into the parsed line (also /who's, /join's and /leave's argument)
  std::string_view text;
  std::string error;
};

// A line typed at the menu prompt.
Command parse_menu_line(std::string_view line);

// True for every target form: a node id, "*", "#group", "~group" or an id pattern.
bool is_valid_target(std::string_view target);

// A scripting-mode stdin line "target message text" (the text is everything after the first
// space and may be empty). A trailing '\r' (CRLF files) is dropped. kind is send, empty or invalid.
Command parse_script_line(std::string_view line);

// The /help text, one command per line.
std::string_view help_text();

}  // namespace sb::client
