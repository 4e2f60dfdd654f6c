// termios handling. Crash safety: a process that dies in raw mode leaves the shell without echo,
// so fatal signals restore the saved settings first (tcsetattr is async-signal-safe) and then
// hand the signal to whatever handler was there before (the default, or a sanitizer's).
#include "client/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

namespace sb::client {

namespace {

// Global because a signal handler can reach nothing else. Written only with fatal signals blocked
// out of the picture: set before the handlers are installed, cleared on restore.
volatile sig_atomic_t g_restore_fd = -1;
termios g_saved{};

// SIGQUIT (Ctrl-\) is here too: its default action dumps core, and the shell should not inherit a
// terminal without echo from that either.
constexpr int kFatalSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGQUIT};
struct sigaction g_previous[std::size(kFatalSignals)];
bool g_handlers_installed = false;

void on_fatal_signal(int sig) {
  int fd = g_restore_fd;
  if (fd >= 0) tcsetattr(fd, TCSANOW, &g_saved);
  for (size_t i = 0; i < std::size(kFatalSignals); ++i)
    if (kFatalSignals[i] == sig) sigaction(sig, &g_previous[i], nullptr);
  // A fault re-executes the instruction and reaches the previous handler by itself; a raised
  // signal (abort, Ctrl-\) has to be raised again.
  if (sig == SIGABRT || sig == SIGQUIT) raise(sig);
}

void install_fatal_handlers() {
  if (g_handlers_installed) return;
  g_handlers_installed = true;
  for (size_t i = 0; i < std::size(kFatalSignals); ++i) {
    struct sigaction sa {};
    sa.sa_handler = on_fatal_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_NODEFER;
    sigaction(kFatalSignals[i], &sa, &g_previous[i]);
  }
}

int set_attr(int fd, const termios& t) {
  int rc;
  do rc = tcsetattr(fd, TCSADRAIN, &t);  // DRAIN: output already written keeps its mode
  while (rc != 0 && errno == EINTR);
  return rc;
}

}  // namespace

bool RawTerminal::enter(int fd, std::string* error) {
  if (tcgetattr(fd, &saved_) != 0) {
    *error = std::string("cannot read terminal settings: ") + std::strerror(errno);
    return false;
  }
  raw_ = saved_;
  // No line buffering, no echo (we echo through the line editor), no ^V literal-next. ISIG stays:
  // Ctrl-C/Ctrl-Z/Ctrl-\ arrive as signals. ICRNL and OPOST stay, so Enter is '\n' and '\n'
  // prints as CR LF.
  raw_.c_lflag &= static_cast<tcflag_t>(~(ICANON | ECHO | IEXTEN));
  raw_.c_cc[VMIN] = 1;
  raw_.c_cc[VTIME] = 0;
  g_saved = saved_;
  g_restore_fd = fd;
  install_fatal_handlers();
  if (set_attr(fd, raw_) != 0) {
    g_restore_fd = -1;
    *error = std::string("cannot set terminal mode: ") + std::strerror(errno);
    return false;
  }
  fd_ = fd;
  active_ = true;
  return true;
}

void RawTerminal::restore() {
  if (!active_) return;
  set_attr(fd_, saved_);
  g_restore_fd = -1;
  active_ = false;
}

void RawTerminal::reenter() {
  if (active_ || fd_ < 0) return;
  g_restore_fd = fd_;
  if (set_attr(fd_, raw_) == 0) active_ = true;
}

unsigned RawTerminal::columns(int fd) {
  winsize ws{};
  if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

}  // namespace sb::client
