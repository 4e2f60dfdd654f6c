// Backbone: this server's one connection to the NATS cluster of --cluster, as one more connection
// in the loop. It connects without blocking to each URL in turn (with a growing pause between
// rounds), answers INFO with CONNECT, keeps the link checked with PING/PONG, parses what arrives
// with nats::Parser and hands every message to its BackboneHandler; output goes through an
// OutputQueue flushed once per loop iteration, so the PUBs of one iteration leave in one write.
// It knows nothing of ids or routing: server/cluster.h decides what to publish and subscribe.
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/buffer/byte_buffer.h"
#include "common/buffer/output_queue.h"
#include "common/log/logger.h"
#include "common/nats/nats_parser.h"
#include "common/net/connector.h"
#include "server/event_loop.h"

namespace sb::server {

class BackboneHandler {
 public:
  // INFO was read and CONNECT queued: subscribe and publish from here on.
  virtual void on_backbone_up() = 0;
  // The link is gone (it was up): nothing published since reached anyone.
  virtual void on_backbone_down() = 0;
  // One MSG/HMSG; its views die when this returns.
  virtual void on_backbone_message(const nats::Message& m) = 0;

 protected:
  ~BackboneHandler() = default;
};

struct BackboneCounters {
  uint64_t connects = 0;      // handshakes completed
  uint64_t disconnects = 0;   // links lost after a handshake
  uint64_t server_errors = 0;  // -ERR lines from nats-server
  uint64_t refused = 0;       // publications refused: not up, or the output bound reached
};

class Backbone {
 public:
  // Output held for nats-server beyond this is refused (publish() false): the peer stopped
  // reading, and unbounded memory is worse than ERR unavailable to the senders.
  static constexpr size_t kMaxOutput = size_t{64} << 20;

  Backbone(EventLoop& loop, BlockPool& pool, log::Logger* log);
  ~Backbone();
  Backbone(const Backbone&) = delete;
  Backbone& operator=(const Backbone&) = delete;

  // "nats://H:P,nats://H:P" (the scheme may be left out); false with *error on a bad list.
  bool configure(std::string_view urls, std::string name, BackboneHandler* handler, std::string* error);
  // The first connect attempt; later ones come from on_tick().
  void start(uint64_t now_ms);
  void stop();

  void on_event(uint32_t events, uint64_t now_ms);
  // Connect timeouts, reconnect pauses and the PING that proves the link alive.
  void on_tick(uint64_t now_ms);
  // Writes the queued output (once per loop iteration).
  void flush();
  // Input was left unread (the per-wakeup budget ran out): the loop must not sleep.
  bool has_pending_input() const { return pending_input_; }
  void run_pending_input(uint64_t now_ms);

  bool up() const { return state_ == State::up; }
  // Queue raw protocol bytes (control lines from nats/nats_writer.h). False when not up.
  bool send(std::string_view bytes);
  // "PUB <subject> <len>\r\n<head><body>\r\n"; false when not up or over kMaxOutput.
  bool publish(std::string_view subject, std::string_view head, std::string_view body);
  const BackboneCounters& counters() const { return counters_; }
  // "127.0.0.1:4222" of the member connected to (or last tried).
  const std::string& peer() const { return connector_.peer(); }

 private:
  enum class State : uint8_t { idle, connecting, handshake, up };
  void attempt(uint64_t now_ms);
  void connected(uint64_t now_ms);
  void read_input(uint64_t now_ms);
  bool handle(const nats::Event& ev);
  void lose(const char* reason, uint64_t now_ms);

  EventLoop& loop_;
  log::Logger* log_;
  BackboneHandler* handler_ = nullptr;
  std::string name_;
  std::vector<net::Endpoint> members_;
  size_t next_member_ = 0;
  net::Connector connector_;
  int fd_ = -1;
  State state_ = State::idle;
  bool writable_ = false;
  bool pending_input_ = false;
  uint64_t retry_at_ms_ = 0;
  uint64_t backoff_ms_ = 0;
  uint64_t last_ping_ms_ = 0;
  unsigned pings_unanswered_ = 0;
  ByteBuffer in_;
  OutputQueue out_;
  nats::Parser parser_;
  BackboneCounters counters_;
};

}  // namespace sb::server
