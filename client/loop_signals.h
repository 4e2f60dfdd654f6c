// The signals the client's loop takes through a signalfd instead of handlers: SIGINT, SIGTERM,
// SIGHUP, and with a terminal SIGTSTP (restore it before stopping) and SIGWINCH (redraw).
#pragma once

#include <string>

namespace sb::client {

class LoopSignals {
 public:
  LoopSignals() = default;
  ~LoopSignals();
  LoopSignals(const LoopSignals&) = delete;
  LoopSignals& operator=(const LoopSignals&) = delete;

  // Blocks them (and ignores SIGPIPE). Must run before any thread starts (the logger's workers):
  // a thread with them unblocked would take SIGTERM's default action and kill the process.
  static bool block(bool terminal, std::string* error);
  // Blocks them again (harmless when main() already did, needed when it did not: tests) and opens
  // the non-blocking signalfd.
  bool open(bool terminal, std::string* error);
  int fd() const { return fd_; }
  // The next pending signal number; false when none is left.
  bool next(int* signo);

 private:
  int fd_ = -1;
};

}  // namespace sb::client
