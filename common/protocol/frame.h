// Protocol v1 vocabulary shared by server, client and bench: verbs, error codes and the parsed frame.
// docs/PROTOCOL.md is the normative description; this file is its C++ shape.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sb::proto {

inline constexpr size_t kMaxLine = 1024;        // client control line bytes, excluding the '\n'
// Server lines are not bounded by kMaxLine: NODES lists every registered id (65 bytes each at most).
// Clients accept lines up to this size.
inline constexpr size_t kMaxServerLine = 64u << 20;
// The part of a client's input echoed back in an ERR detail, so replies stay short.
inline constexpr size_t kMaxErrorDetail = 64;
inline constexpr size_t kMaxIdLen = 64;
inline constexpr size_t kDefaultMaxPayload = 1 << 20;
inline constexpr uint16_t kDefaultPort = 2004;

enum class Verb : uint8_t {
  unknown,
  // client -> server (v1)
  hello, send, msg, ping, who, stats, quit,
  // client -> server (v2: groups, receipts and server facts, keys)
  join, leave, groups, opt, info, key,
  // server -> client (v1)
  welcome, from, pong, nodes, stats_reply, bye, err,
  // server -> client (v2)
  joined, left, groups_reply, opt_reply, info_reply, key_reply, ok,
};

enum class ErrorCode : uint8_t {
  none,
  bad_command, bad_id, id_taken, auth, not_registered, no_such_node, too_large,
  line_too_long, slow_consumer, idle_timeout, server_full, shutting_down,
  // v2 (../shared/protocol-v2.md)
  not_member, no_receivers, too_many_groups, no_key, unavailable, taken_over,
};

// Wire spelling ("no-such-node"); parse_error_code is its inverse (none on unknown text).
std::string_view error_code_name(ErrorCode code);
ErrorCode parse_error_code(std::string_view name);

// True for 1..64 bytes of [A-Za-z0-9_.-].
bool is_valid_node_id(std::string_view id);

// One complete frame. Every view points into the caller's input buffer and is valid only until
// the caller consumes the bytes the parser reported.
struct Frame {
  static constexpr size_t kMaxArgs = 4;
  Verb verb = Verb::unknown;
  std::string_view verb_text;             // as sent, for "ERR bad-command <verb>"
  std::array<std::string_view, kMaxArgs> args{};  // space-separated tokens after the verb
  uint8_t argc = 0;                        // tokens seen (may exceed kMaxArgs; extra not stored)
  std::string_view tail;                   // rest of the line after args[0] and one space
                                           // (MSG text, ERR detail, NODES/STATS list)
  std::string_view payload;                // SEND/FROM payload; MSG text
};

}  // namespace sb::proto
