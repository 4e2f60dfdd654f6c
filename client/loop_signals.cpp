// sigprocmask + signalfd for the client's loop.
#include "client/loop_signals.h"

#include <pthread.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

namespace sb::client {

namespace {

sigset_t loop_signals(bool terminal) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  if (terminal) {
    sigaddset(&set, SIGTSTP);  // so the terminal can be restored before we stop
    sigaddset(&set, SIGWINCH);
  }
  return set;
}

}  // namespace

LoopSignals::~LoopSignals() {
  if (fd_ >= 0) ::close(fd_);
}

bool LoopSignals::block(bool terminal, std::string* error) {
  // A reader that went away must show up as EPIPE from write(), not kill us mid-sentence.
  std::signal(SIGPIPE, SIG_IGN);
  sigset_t set = loop_signals(terminal);
  if (pthread_sigmask(SIG_BLOCK, &set, nullptr) != 0) {
    *error = std::string("pthread_sigmask: ") + std::strerror(errno);
    return false;
  }
  return true;
}

bool LoopSignals::open(bool terminal, std::string* error) {
  if (!block(terminal, error)) return false;
  sigset_t set = loop_signals(terminal);
  fd_ = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd_ < 0) {
    *error = std::string("signalfd: ") + std::strerror(errno);
    return false;
  }
  return true;
}

bool LoopSignals::next(int* signo) {
  signalfd_siginfo info{};
  if (::read(fd_, &info, sizeof info) != static_cast<ssize_t>(sizeof info)) return false;
  *signo = static_cast<int>(info.ssi_signo);
  return true;
}

}  // namespace sb::client
