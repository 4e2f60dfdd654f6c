// Scripting mode. Reading stdin waits for WELCOME and pauses while the socket backlog is large,
// so a big input file streams through bounded memory.
#include "client/scripting.h"

#include <cerrno>
#include <cstring>

#include "client/app.h"
#include "client/command.h"
#include "client/output.h"
#include "client/text.h"

namespace sb::client {

bool ScriptFrontend::start(App& app) {
  app_ = &app;
  app.register_as(app.options().id);
  return true;
}

bool ScriptFrontend::wants_input() const {
  return !app_->options().listen && !input_done_ && app_->registered() && !app_->quitting() &&
         app_->backlog() < kMaxBacklog;
}

void ScriptFrontend::on_input(std::string_view bytes) {
  while (!bytes.empty()) {
    size_t nl = bytes.find('\n');
    std::string_view piece = bytes.substr(0, nl);
    if (!skipping_) {
      if (pending_.size() + piece.size() > kMaxLine) {
        ++line_no_;
        show_error("Error: line " + std::to_string(line_no_) + " is longer than " +
                   std::to_string(kMaxLine >> 20) + " MiB; skipped");
        app_->note_failure();
        pending_.clear();
        skipping_ = true;
      } else {
        pending_ += piece;
      }
    }
    if (nl == std::string_view::npos) return;
    bytes.remove_prefix(nl + 1);
    if (skipping_) {
      skipping_ = false;
      continue;
    }
    ++line_no_;
    handle_line(pending_);
    pending_.clear();
  }
}

void ScriptFrontend::on_input_end() {
  input_done_ = true;
  if (!pending_.empty() && !skipping_) {  // a last line without '\n' still counts
    ++line_no_;
    handle_line(pending_);
  }
  pending_.clear();
  // QUIT goes behind every queued SEND on the same stream, so the server handles all of them
  // before it answers BYE: "flushed" needs no extra waiting on our side.
  app_->quit();
}

void ScriptFrontend::handle_line(std::string_view line) {
  Command c = parse_script_line(line);
  if (c.kind == Command::Kind::empty) return;
  if (c.kind == Command::Kind::invalid) {
    show_error("Error: line " + std::to_string(line_no_) + ": " + c.error);
    app_->note_failure();
    // The server never sees this line, so its one receipt line is made here.
    if (app_->options().receipts) {
      results_.push_back("error bad-id " + escape_payload(c.target) + "\n");
      flush_results();
    }
    return;
  }
  if (!app_->send(c.target, c.text)) {
    show_error("Error: line " + std::to_string(line_no_) + ": not connected; message not sent");
    app_->note_failure();
  } else if (app_->options().receipts) {
    results_.emplace_back();
  }
}

void ScriptFrontend::on_registration_refused(proto::ErrorCode) { app_->finish(kExitFailure); }

void ScriptFrontend::on_registered() {
  // Before any message line is read (stdin waits for registration), and again after a reconnect.
  if (app_->options().receipts) app_->request("OPT", "receipts", "on");
}

void ScriptFrontend::on_refused(proto::ErrorCode code, std::string_view detail) {
  app_->note_failure();
  if (app_->options().receipts)
    receipt_arrived("error " + std::string(proto::error_code_name(code)) + " " + escape_payload(detail) + "\n");
}

void ScriptFrontend::on_receipt(size_t copies) {
  if (app_->options().receipts) receipt_arrived("ok " + std::to_string(copies) + "\n");
}

void ScriptFrontend::receipt_arrived(std::string line) {
  // Replies come in the order the lines were sent; lines answered here never wait in front.
  if (results_.empty()) {
    write_out(line);
    return;
  }
  results_.front() = std::move(line);
  flush_results();
}

void ScriptFrontend::flush_results() {
  while (!results_.empty() && !results_.front().empty()) {
    write_out(results_.front());
    results_.pop_front();
  }
}

void ScriptFrontend::on_message(std::string_view from, std::string_view via, std::string_view payload) {
  if (app_->options().raw) {
    write_out(payload);
    return;
  }
  std::string line;
  line.reserve(from.size() + via.size() + payload.size() + 4);
  line += escape_payload(from);
  if (!via.empty()) line += "@" + escape_payload(via);
  line += ": ";
  line += escape_payload(payload);
  line += '\n';
  write_out(line);
}

void ScriptFrontend::write_out(std::string_view bytes) {
  if (write_all(out_fd_, bytes)) return;
  // Whoever read our stdout is gone (`| head -1`): nothing we receive can be delivered any more.
  std::string why = std::strerror(errno);
  show_error("Error: cannot write to standard output: " + why);
  app_->finish(kExitFailure);
}

void ScriptFrontend::show_status(std::string_view line) {
  std::string text(line);
  text += '\n';
  write_all(err_fd_, text);
}

void ScriptFrontend::show_error(std::string_view line) { show_status(line); }

}  // namespace sb::client
