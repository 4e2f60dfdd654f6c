// The client's event loop: one poll() over stdin, the server socket and a signalfd, with the
// keepalive, quit and reconnect deadlines as its timeout. It owns the connection and the protocol
// session; a Frontend turns stdin into requests and shows what arrives.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "client/frontend.h"
#include "client/e2e_session.h"
#include "client/loop_signals.h"
#include "client/options.h"
#include "client/session.h"
#include "common/log/logger.h"
#include "common/net/connector.h"

namespace sb::client {

class App {
 public:
  App(const Options& options, log::Logger& logger, Frontend& frontend)
      : options_(options), log_(logger), frontend_(frontend) {}
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // Runs until finish(); returns the exit code.
  int run();

  // --- for front ends ---
  const Options& options() const { return options_; }
  // Connects (if needed) and sends HELLO. Connection failures are reported through the front end.
  void register_as(const std::string& id);
  bool registered() const { return fd_ >= 0 && session_.state() == Session::State::registered; }
  // False (and nothing queued) when not registered.
  bool send(std::string_view target, std::string_view payload);
  // A request line ("JOIN", "#ops"); same rule as send().
  bool request(std::string_view verb, std::string_view arg1 = {}, std::string_view arg2 = {});
  bool who() { return request("WHO"); }
  bool stats() { return request("STATS"); }
  bool ping();
  // QUIT, then finish when BYE arrives; finishes at once when not connected.
  void quit();
  bool quitting() const { return quitting_; }
  void finish(int exit_code);
  // A message was refused or a line was unusable: the eventual exit code is 1, not 0.
  void note_failure() { failed_ = true; }
  // Bytes queued for the server and not yet written (with --e2e, also those waiting for keys).
  size_t backlog() const { return session_.output_size() + (e2e_ ? e2e_->backlog() : 0); }
  // The --e2e session (/trust, /fingerprint); null without --e2e or before an id was given.
  E2eSession* e2e() { return e2e_.get(); }

 private:
  using Clock = int64_t;  // CLOCK_MONOTONIC milliseconds
  static Clock now_ms();

  void handle_signals();
  // Starts connecting without blocking: the loop polls the attempt, and on_connect_status reports
  // a failure (now or later), then reconnects or finishes. HELLO may be queued meanwhile: nothing
  // is written before the connection is up.
  void connect();
  bool connecting() const { return connector_.status() == net::Connector::Status::connecting; }
  bool link_up() const { return fd_ >= 0 || connecting(); }
  // Takes the connector's result: the connected socket becomes fd_; a failure is reported.
  void on_connect_status(net::Connector::Status status);
  void close_connection();
  void connection_lost(const std::string& why);
  void schedule_reconnect();
  void on_readable();
  void flush_output();
  void on_event(const ServerEvent& ev);
  void on_error_reply(const ServerEvent& ev);
  // PONG: the answer to a user /ping (its round trip shown) or to a keepalive (client/app_ping.cpp).
  void on_pong(std::string_view word);
  static constexpr std::string_view kKeepaliveWord = "k";  // user /ping words are numbers
  int poll_timeout() const;
  int64_t keepalive_at() const;
  void run_timers();
  void queued(Clock now) { last_sent_ = now; }
  // --e2e glue (client/app_e2e.cpp): the identity of `id` loaded, or the failure reported.
  bool start_e2e(const std::string& id);
  // A FROM: decrypted under --e2e, announced as locked without it, or shown as it came.
  void deliver_message(const ServerEvent& ev);
  // Sends QUIT once quitting and nothing waits for keys any more (QUIT must follow every message).
  void send_quit_when_drained();

  const Options& options_;
  log::Logger& log_;
  Frontend& frontend_;
  Session session_;
  std::unique_ptr<E2eSession> e2e_;  // with --e2e, once the id is known
  net::Connector connector_;  // the connect in progress, if any; fd_ is -1 until it succeeds
  int fd_ = -1;
  LoopSignals signals_;
  std::string peer_;        // "127.0.0.1:2004", for messages and the log
  std::string id_;          // the id to (re-)register
  bool bye_ = false;                                     // set during feed(), acted on after
  proto::ErrorCode refused_ = proto::ErrorCode::none;    // same
  bool taken_over_ = false;                              // ERR taken-over: never reconnect
  bool ever_registered_ = false;
  bool finished_ = false;
  int exit_code_ = kExitOk;
  bool failed_ = false;
  bool quitting_ = false;
  bool stdin_open_ = true;

  Clock last_sent_ = 0;
  Clock quit_deadline_ = -1;       // armed once QUIT has left our buffer
  Clock reconnect_at_ = -1;
  int64_t reconnect_delay_ms_ = 0;
  size_t server_index_ = 0;        // into server_at(): each reconnect moves on to the next server
  uint64_t ping_seq_ = 0;
  std::deque<std::pair<uint64_t, Clock>> pings_;  // user /ping words in flight, oldest first
};

}  // namespace sb::client
