// Interactive mode. The terminal is non-canonical so keystrokes reach us one by one: that is what
// lets an incoming message be printed on its own line and the half-typed line be redrawn under it.
#include "client/interactive.h"

#include <signal.h>
#include <unistd.h>

#include "client/app.h"
#include "client/command.h"
#include "client/output.h"
#include "client/text.h"
#include "common/protocol/frame.h"

namespace sb::client {

namespace {
std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}
}  // namespace

bool InteractiveFrontend::start(App& app) {
  app_ = &app;
  std::string error;
  if (!terminal_.enter(in_fd_, &error)) {
    write_all(err_fd_, "Error: " + error + "\n");
    return false;
  }
  editor_.set_columns(RawTerminal::columns(out_fd_));
  if (app.options().id.empty()) {
    prompt(Step::ask_id);
  } else {
    prompt(Step::registering);
    app.register_as(app.options().id);
  }
  return true;
}

void InteractiveFrontend::stop() {
  // Leave the shell a clean line: drop our prompt (the typed text is gone with us anyway).
  if (!editor_.prompt().empty() || !editor_.text().empty()) write_out(editor_.erase_sequence());
  terminal_.restore();
}

void InteractiveFrontend::write_out(std::string_view bytes) { write_all(out_fd_, bytes); }

void InteractiveFrontend::print_line(int fd, std::string_view line) {
  if (fd == out_fd_) {
    write_out(editor_.print_above(line));
    return;
  }
  // Errors go to stderr; on a terminal both streams share the screen, so the erase and redraw
  // around them on stdout still keep the edited line intact.
  write_out(editor_.erase_sequence());
  std::string text(line);
  text += '\n';
  write_all(fd, text);
  write_out(editor_.draw_sequence());
}

void InteractiveFrontend::prompt(Step step) {
  step_ = step;
  std::string_view text;
  switch (step) {
    case Step::ask_id: text = kAskId; break;
    case Step::menu: text = kMenu; break;
    case Step::ask_target: text = kAskTarget; break;
    case Step::ask_message: text = kAskMessage; break;
    case Step::registering:
    case Step::leaving: break;
  }
  std::string p(text);
  if (!p.empty()) p += ' ';
  // An end-to-end session says so on every prompt of the menu flow.
  if (!p.empty() && step != Step::ask_id && app_->options().e2e) p = "[e2e] " + p;
  write_out(editor_.erase_sequence());
  editor_.set_prompt(p);
  write_out(editor_.draw_sequence());
}

void InteractiveFrontend::on_input(std::string_view bytes) {
  std::string echo;
  for (char c : bytes) {
    if (step_ == Step::leaving) break;
    LineEditor::Action action = editor_.feed(c, &echo);
    if (action == LineEditor::Action::none) continue;
    write_out(echo);
    echo.clear();
    if (action == LineEditor::Action::submit) {
      // The line was ended on screen by the echoed newline: the editor starts from a fresh row.
      std::string line = editor_.take_line();
      editor_.set_prompt("");
      handle_line(line);
    } else {  // Ctrl-D on an empty line
      write_out("\n");
      editor_.set_prompt("");
      leave();
    }
  }
  write_out(echo);
}

void InteractiveFrontend::on_input_end() {
  // The terminal is gone (EIO/hang-up) or stdin was closed: nobody can type any more.
  editor_.set_prompt("");
  editor_.clear_text();
  leave();
}

void InteractiveFrontend::leave() {
  if (step_ == Step::leaving) return;
  step_ = Step::leaving;
  app_->quit();
}

void InteractiveFrontend::handle_line(const std::string& line) {
  switch (step_) {
    case Step::ask_id: {
      std::string id(trim(line));
      if (id.empty()) {
        prompt(Step::ask_id);
      } else if (!proto::is_valid_node_id(id)) {
        print_line(err_fd_, "Error: invalid node id '" + escape_payload(id) +
                                "' (use 1-64 of A-Z a-z 0-9 _ . -)");
        prompt(Step::ask_id);
      } else {
        prompt(Step::registering);
        app_->register_as(id);
      }
      break;
    }
    case Step::registering:
      print_line(err_fd_, "Error: not connected yet; wait for the 'Connected' line");
      break;
    case Step::menu:
      handle_menu(line);
      break;
    case Step::ask_target: {
      std::string target(trim(line));
      if (target.empty()) {  // changed their mind
        prompt(Step::menu);
      } else if (!is_valid_target(target)) {
        print_line(err_fd_, "Error: invalid node id '" + escape_payload(target) +
                                "' (use 1-64 of A-Z a-z 0-9 _ . -, or *, #group, ~group or a pattern)");
        prompt(Step::ask_target);
      } else {
        target_ = target;
        prompt(Step::ask_message);
      }
      break;
    }
    case Step::ask_message:
      if (line.empty()) print_line(out_fd_, "(empty message not sent)");
      else if (!app_->send(target_, line)) print_line(err_fd_, "Error: not connected; message not sent");
      prompt(Step::menu);
      break;
    case Step::leaving:
      break;
  }
}

void InteractiveFrontend::handle_menu(const std::string& line) {
  Command c = parse_menu_line(line);
  bool ok = true;
  switch (c.kind) {
    case Command::Kind::empty: break;
    case Command::Kind::menu_message: prompt(Step::ask_target); return;
    case Command::Kind::quit: leave(); return;
    case Command::Kind::send:
      if (c.text.empty()) {
        print_line(err_fd_, "Error: nothing to send; usage: @node message");
        break;
      }
      ok = app_->send(c.target, c.text);
      break;
    case Command::Kind::who: ok = c.target.empty() ? app_->who() : app_->request("WHO", c.target); break;
    case Command::Kind::join: ok = app_->request("JOIN", c.target); break;
    case Command::Kind::leave: ok = app_->request("LEAVE", c.target); break;
    case Command::Kind::groups: ok = app_->request("GROUPS"); break;
    case Command::Kind::info: ok = app_->request("INFO"); break;
    case Command::Kind::stats: ok = app_->stats(); break;
    case Command::Kind::ping: ok = app_->ping(); break;
    case Command::Kind::help: write_out(help_text()); break;
    case Command::Kind::trust:
    case Command::Kind::fingerprint: ok = e2e_command(c); break;
    case Command::Kind::invalid: print_line(err_fd_, "Error: " + c.error); break;
  }
  if (!ok) print_line(err_fd_, "Error: not connected to the server");
  prompt(Step::menu);
}

bool InteractiveFrontend::e2e_command(const Command& c) {
  E2eSession* e2e = app_->e2e();
  if (!app_->options().e2e) {
    print_line(err_fd_, "Error: /trust and /fingerprint need a session started with --e2e");
    return true;
  }
  if (e2e == nullptr || !app_->registered()) return false;
  if (c.kind == Command::Kind::trust) e2e->trust(c.target);
  else e2e->fingerprint(c.target);
  return true;
}

void InteractiveFrontend::on_registered() {
  // After a reconnect in the middle of the m flow, the person keeps their place.
  if (step_ == Step::registering || step_ == Step::ask_id) prompt(Step::menu);
}

void InteractiveFrontend::on_registration_refused(proto::ErrorCode code) {
  // The reason was already printed. A bad or taken id can be fixed by typing another one; a
  // refused token or a full server cannot.
  if (code == proto::ErrorCode::bad_id || code == proto::ErrorCode::id_taken) {
    prompt(Step::ask_id);
  } else {
    step_ = Step::leaving;
    app_->finish(kExitFailure);
  }
}

void InteractiveFrontend::on_disconnected(bool reconnecting) {
  if (!reconnecting) step_ = Step::leaving;
}

void InteractiveFrontend::on_message(std::string_view from, std::string_view via, std::string_view payload) {
  // A plain message keeps the original client's exact "Server: a: text".
  std::string source = escape_payload(from);
  if (!via.empty()) source += "@" + escape_payload(via);
  print_line(out_fd_, "Server: " + source + ": " + escape_payload(payload));
}

void InteractiveFrontend::show_status(std::string_view line) { print_line(out_fd_, line); }
void InteractiveFrontend::show_error(std::string_view line) { print_line(err_fd_, line); }

void InteractiveFrontend::on_interrupt() {
  write_out("\n");
  editor_.set_prompt("");
  editor_.clear_text();
  leave();
}

void InteractiveFrontend::on_suspend() {
  // Ctrl-Z: give the shell its terminal back as it was, stop, and on `fg` resume raw mode and
  // redraw. SIGTSTP is blocked (it comes through the signalfd), so stop with SIGSTOP.
  write_out(editor_.erase_sequence());
  terminal_.restore();
  kill(getpid(), SIGSTOP);
  terminal_.reenter();
  editor_.set_columns(RawTerminal::columns(out_fd_));
  write_out(editor_.draw_sequence());
}

void InteractiveFrontend::on_resize() { editor_.set_columns(RawTerminal::columns(out_fd_)); }

}  // namespace sb::client
