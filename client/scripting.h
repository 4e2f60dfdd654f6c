// The front end for pipes and files (stdin not a terminal, or --listen): each stdin line
// "target message text" is sent; EOF quits once everything is written; received messages go to
// stdout as "source: text" (escaped) or byte-exact with --raw; status and errors go to stderr.
#pragma once

#include <cstdint>
#include <deque>
#include <string>

#include "client/frontend.h"

namespace sb::client {

class ScriptFrontend final : public Frontend {
 public:
  // Stop reading stdin while this much is queued for the server: memory stays bounded when the
  // input is faster than the connection.
  static constexpr size_t kMaxBacklog = 1 << 20;
  // A line longer than this cannot be a message any server accepts (max payload is 1 MiB by
  // default); it is reported and skipped instead of growing memory without bound.
  static constexpr size_t kMaxLine = 64u << 20;

  explicit ScriptFrontend(int out_fd = 1, int err_fd = 2) : out_fd_(out_fd), err_fd_(err_fd) {}

  bool start(App& app) override;
  bool wants_input() const override;
  void on_input(std::string_view bytes) override;
  void on_input_end() override;
  void on_registration_refused(proto::ErrorCode code) override;
  void on_disconnected(bool) override {}
  void on_registered() override;
  void on_message(std::string_view from, std::string_view via, std::string_view payload) override;
  // A script cannot see the error line as a person would: the exit code says it (1), and with
  // --receipts so does an "error <code> <detail>" line on stdout.
  void on_refused(proto::ErrorCode code, std::string_view detail) override;
  // --receipts: "ok <copies>" on stdout.
  void on_receipt(size_t copies) override;
  void show_status(std::string_view line) override;
  void show_error(std::string_view line) override;

 private:
  void handle_line(std::string_view line);
  void write_out(std::string_view bytes);
  // --receipts: the result of the oldest message line still waiting for the server.
  void receipt_arrived(std::string line);
  void flush_results();

  int out_fd_;
  int err_fd_;
  std::string pending_;   // stdin bytes after the last '\n'
  bool skipping_ = false; // inside an over-long line: drop until its '\n'
  uint64_t line_no_ = 0;
  bool input_done_ = false;
  // --receipts: one entry per message line, in input order: its result line, or empty while the
  // server's reply is awaited. A line refused here is answered at once, but printed only after
  // the results of the lines before it.
  std::deque<std::string> results_;
};

}  // namespace sb::client
