// The terminal in non-canonical, no-echo mode for the line editor, and the promise to give it back
// as found on every way out: normal return, quit signals (handled by the loop) and crashes
// (restored from the fatal-signal handler before the default action runs).
#pragma once

#include <termios.h>

#include <string>

namespace sb::client {

class RawTerminal {
 public:
  RawTerminal() = default;
  ~RawTerminal() { restore(); }
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;

  // Saves the settings of `fd` and switches it to ICANON/ECHO off (signals stay on, so Ctrl-C
  // and Ctrl-Z still reach the loop as signals). False with *error if fd is not a terminal.
  bool enter(int fd, std::string* error);
  // Puts the saved settings back. Idempotent; safe to call before enter().
  void restore();
  // Re-applies raw mode after restore() (coming back from Ctrl-Z).
  void reenter();
  bool active() const { return active_; }

  // Width of the terminal on fd (TIOCGWINSZ), 80 when unknown.
  static unsigned columns(int fd);

 private:
  int fd_ = -1;
  bool active_ = false;
  termios saved_{};
  termios raw_{};
};

}  // namespace sb::client
