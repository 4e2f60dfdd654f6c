// The client side of protocol v1 as a state machine without sockets: requests are appended to an
// output buffer, received bytes are parsed (common/protocol FrameParser, Role::client) into
// events. The event loop moves bytes between it and the socket; tests feed it bytes directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/protocol/frame_parser.h"

namespace sb::client {

struct ServerEvent {
  enum class Kind {
    welcome,         // node = our id, idle_timeout_s
    message,         // node = source, text = payload (binary), via = "#g" / "~g" / pattern or empty
    pong,            // text = the word echoed (may be empty)
    nodes,           // count, text = "id id ..."
    stats,           // text = "key=value ..."
    bye,
    key,             // KEY <id> <key>: node = id, text = key text
    joined, left,    // node = "#group", count = its members now
    groups,          // count, text = "#g=n #h=m ..."
    receipt,         // OK: count = copies queued
    info,            // text = "key=value ..."
    option,          // OPT: text = "receipts on"
    error,           // ERR: code (none if unknown), code_text, text = detail
    protocol_error,  // something we could not use (unknown verb, oversized FROM); text says what
  };
  Kind kind = Kind::error;
  std::string_view node;
  std::string_view via;
  std::string_view text;
  uint32_t idle_timeout_s = 0;
  size_t count = 0;
  proto::ErrorCode code = proto::ErrorCode::none;
  std::string_view code_text;
};

class Session {
 public:
  enum class State { idle, registering, registered, quitting, closed };
  using EventFn = std::function<void(const ServerEvent&)>;

  // Payloads above this are skipped by the parser. The server enforces its own --max-payload;
  // this only bounds our memory should a server misbehave.
  static constexpr size_t kMaxPayload = 64u << 20;

  explicit Session(size_t max_payload = kMaxPayload) : parser_(proto::Role::client, max_payload) {}

  // Forget everything about the previous connection.
  void reset();

  void hello(std::string_view id, std::string_view token = {});
  // SEND <target> <len>: binary-safe, unlike MSG.
  void send(std::string_view target, std::string_view payload);
  void ping(std::string_view word);
  void who();
  void who(std::string_view target);  // WHO #group / WHO <pattern>; empty: every node
  void stats();
  void key_set(std::string_view key_text);
  void key_get(std::string_view id);
  // Any other request line: "JOIN #ops", "WHO plant1.>", "OPT receipts on", "GROUPS".
  void request(std::string_view verb, std::string_view arg1 = {}, std::string_view arg2 = {});
  void quit();

  std::string_view output() const { return std::string_view(out_).substr(out_head_); }
  size_t output_size() const { return out_.size() - out_head_; }
  void consume_output(size_t n);

  // Parses `bytes` (appended to what is buffered) and reports each complete frame; the views in
  // an event are valid only during the call. Returns false when the stream cannot be followed any
  // more (framing lost): *error says why and the connection must be closed.
  bool feed(std::string_view bytes, const EventFn& on_event, std::string* error);

  State state() const { return state_; }
  const std::string& id() const { return id_; }
  uint32_t idle_timeout_s() const { return idle_timeout_s_; }

 private:
  void dispatch(const proto::Frame& frame, const EventFn& on_event);
  void append_line(std::string_view a, std::string_view b = {}, std::string_view c = {});

  proto::FrameParser parser_;
  std::string in_;
  size_t in_head_ = 0;
  std::string out_;
  size_t out_head_ = 0;
  State state_ = State::idle;
  std::string id_;
  uint32_t idle_timeout_s_ = 0;
};

}  // namespace sb::client
