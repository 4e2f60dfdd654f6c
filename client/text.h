// How server data is shown to a person: payload escaping and ERR codes in words. Pure functions,
// shared by the interactive and scripting front ends.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/protocol/frame.h"

namespace sb::client {

// Printable ASCII and well-formed UTF-8 (except C1 controls) pass through; backslash becomes "\\";
// \n \r \t \0 keep their C spelling; every other byte becomes \xHH. The result can never move the
// cursor or start a terminal escape sequence, and it is one line.
std::string escape_payload(std::string_view bytes);

// "no such node 'x'" for ERR no-such-node x; one sentence per code, no trailing period.
std::string describe_error(proto::ErrorCode code, std::string_view detail);
// Same, from the wire spelling (unknown codes are shown as they came, escaped).
std::string describe_error(std::string_view code_text, std::string_view detail);

// "2.5 s": a duration in milliseconds as the status lines say it.
std::string seconds_text(int64_t ms);

// "<title> (3): a, b, c" for a reply's space-separated words (ids, groups): sorted, each escaped.
std::string describe_words(std::string_view title, std::string_view words);
// "Nodes (3): a, b, c" for NODES' space-separated ids: sorted, each escaped.
std::string describe_nodes(std::string_view ids);

}  // namespace sb::client
