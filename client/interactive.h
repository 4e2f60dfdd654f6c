// The front end for a person at a terminal: the original prompts (node id, m/q menu, target,
// message), the one-line @/slash commands, and incoming lines printed above what is being typed.
#pragma once

#include <string>

#include "client/command.h"
#include "client/frontend.h"
#include "client/line_editor.h"
#include "client/terminal.h"

namespace sb::client {

class InteractiveFrontend final : public Frontend {
 public:
  // The prompts, verbatim from the original client (tests and users' muscle memory rely on them).
  static constexpr std::string_view kAskId = "Enter node ID:";
  static constexpr std::string_view kMenu = "Enter 'm' to send a message or 'q' to quit:";
  static constexpr std::string_view kAskTarget = "Enter target node (e.g., a, b, c):";
  static constexpr std::string_view kAskMessage = "Enter your message:";

  InteractiveFrontend(int in_fd = 0, int out_fd = 1, int err_fd = 2)
      : in_fd_(in_fd), out_fd_(out_fd), err_fd_(err_fd) {}

  bool start(App& app) override;
  void stop() override;
  bool wants_input() const override { return step_ != Step::leaving; }
  void on_input(std::string_view bytes) override;
  void on_input_end() override;
  void on_registered() override;
  void on_registration_refused(proto::ErrorCode code) override;
  void on_disconnected(bool reconnecting) override;
  void on_message(std::string_view from, std::string_view via, std::string_view payload) override;
  void show_status(std::string_view line) override;
  void show_error(std::string_view line) override;
  void on_interrupt() override;
  bool owns_terminal() const override { return true; }
  void on_suspend() override;
  void on_resize() override;

 private:
  enum class Step { ask_id, registering, menu, ask_target, ask_message, leaving };

  void prompt(Step step);
  void handle_line(const std::string& line);
  void handle_menu(const std::string& line);
  // /trust and /fingerprint; false when not connected.
  bool e2e_command(const Command& c);
  void leave();
  void print_line(int fd, std::string_view line);
  void write_out(std::string_view bytes);

  int in_fd_;
  int out_fd_;
  int err_fd_;
  RawTerminal terminal_;
  LineEditor editor_;
  Step step_ = Step::ask_id;
  std::string target_;
};

}  // namespace sb::client
