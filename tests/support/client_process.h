// Test support for the client's integration tests: run a real binary as a child process through
// pipes or a pseudo-terminal, wait for its output with a deadline (never a fixed sleep), and start
// the real server on port 0, reading its "Server listening on 127.0.0.1:PORT" line.
// Header-only; binaries are found through SWITCHBOARD_BIN_DIR (set by `make test`), default "build".
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::test {

// Generous: sanitizer builds on two shared cores are slow. Passing tests never wait this long.
inline constexpr std::chrono::milliseconds kClientDeadline{15000};

inline std::string client_bin_dir() {
  const char* dir = std::getenv("SWITCHBOARD_BIN_DIR");
  return dir != nullptr && *dir != '\0' ? dir : "build";
}
inline std::string client_bin(const std::string& name) { return client_bin_dir() + "/" + name; }

// A fresh directory under /tmp, removed with its contents at destruction.
class ClientTempDir {
 public:
  ClientTempDir() {
    char tmpl[] = "/tmp/sb-client-test-XXXXXX";
    const char* p = mkdtemp(tmpl);
    path_ = p != nullptr ? p : "/tmp";
  }
  ~ClientTempDir() {
    std::error_code ec;
    if (path_ != "/tmp") std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// One child process. Through pipes, stdout and stderr are captured apart; through a pty, the
// terminal output (both streams) lands in out().
class ClientProcess {
 public:
  enum class Io { pipes, pty };

  ClientProcess() = default;
  ClientProcess(const ClientProcess&) = delete;
  ClientProcess& operator=(const ClientProcess&) = delete;
  ~ClientProcess() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    close_fd(in_fd_);
    close_fd(out_fd_);
    close_fd(err_fd_);
    close_fd(pty_slave_fd_);
  }

  // Starts argv[0] with the given arguments. False (with the reason in error()) if it cannot.
  bool start(const std::vector<std::string>& argv, Io io = Io::pipes, unsigned pty_columns = 120) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    return io == Io::pipes ? start_pipes(args) : start_pty(args, pty_columns);
  }

  pid_t pid() const { return pid_; }
  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }
  const std::string& error() const { return error_; }

  bool write(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::write(in_fd_, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  // Pty only: the terminal's current settings (the test keeps the slave side open, so they stay
  // readable after the child exited, which is how "the terminal was restored" is checked).
  bool tty_settings(termios* out) const { return pty_slave_fd_ >= 0 && ::tcgetattr(pty_slave_fd_, out) == 0; }

  // Pipes only: the child's stdin sees EOF.
  void close_stdin() { close_fd(in_fd_); }

  // Reads whatever the child printed within `wait`; false once both streams are closed.
  bool pump(std::chrono::milliseconds wait) {
    pollfd fds[2];
    int n = 0;
    if (out_fd_ >= 0) fds[n++] = {out_fd_, POLLIN, 0};
    if (err_fd_ >= 0) fds[n++] = {err_fd_, POLLIN, 0};
    if (n == 0) return false;
    int rc = ::poll(fds, static_cast<nfds_t>(n), static_cast<int>(wait.count()));
    if (rc <= 0) return true;
    for (int i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      bool is_out = fds[i].fd == out_fd_;
      char buf[65536];
      ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        (is_out ? out_ : err_).append(buf, static_cast<size_t>(got));
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {  // EIO: pty child gone
        close_fd(is_out ? out_fd_ : err_fd_);
      }
    }
    return true;
  }

  // Waits until `done()` holds, reading output meanwhile. False at the deadline.
  bool wait_until(const std::function<bool()>& done,
                  std::chrono::milliseconds deadline = kClientDeadline) {
    auto end = std::chrono::steady_clock::now() + deadline;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= end) return false;
      if (!pump(std::chrono::milliseconds(50)) && !done()) {
        // Both streams closed: nothing more can arrive; poll the exit status instead.
        if (exited_ || reap()) return done();
        ::usleep(10000);
      }
    }
    return true;
  }
  bool wait_for_out(std::string_view text, std::chrono::milliseconds deadline = kClientDeadline) {
    return wait_until([&] { return out_.find(text) != std::string::npos; }, deadline);
  }
  bool wait_for_err(std::string_view text, std::chrono::milliseconds deadline = kClientDeadline) {
    return wait_until([&] { return err_.find(text) != std::string::npos; }, deadline);
  }
  // Output after `mark` (an earlier out().size()), for "what was printed since".
  std::string out_since(size_t mark) const { return mark <= out_.size() ? out_.substr(mark) : ""; }

  // Exit code (128+signal when killed), or nullopt at the deadline. Output keeps being read, so a
  // child blocked on a full pipe still gets to exit.
  std::optional<int> wait_exit(std::chrono::milliseconds deadline = kClientDeadline) {
    auto end = std::chrono::steady_clock::now() + deadline;
    while (!exited_ && !reap()) {
      if (std::chrono::steady_clock::now() >= end) return std::nullopt;
      if (!pump(std::chrono::milliseconds(20))) ::usleep(10000);
    }
    // The child is gone; read what it left in the pipes (stops when a read finds nothing).
    for (size_t before = SIZE_MAX; before != out_.size() + err_.size();) {
      before = out_.size() + err_.size();
      if (!pump(std::chrono::milliseconds(0))) break;
    }
    return exit_code_;
  }

  void signal(int sig) {
    if (pid_ > 0 && !exited_) ::kill(pid_, sig);
  }

 private:
  static void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }

  bool reap() {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r != pid_) return false;
    exited_ = true;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return true;
  }

  bool start_pipes(std::vector<char*>& args) {
    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
      error_ = std::strerror(errno);
      return false;
    }
    pid_ = ::fork();
    if (pid_ < 0) {
      error_ = std::strerror(errno);
      return false;
    }
    if (pid_ == 0) {
      ::dup2(in[0], 0);
      ::dup2(out[1], 1);
      ::dup2(err[1], 2);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    in_fd_ = in[1];
    out_fd_ = out[0];
    err_fd_ = err[0];
    return true;
  }

  bool start_pty(std::vector<char*>& args, unsigned columns) {
    int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) {
      error_ = std::string("pty: ") + std::strerror(errno);
      if (master >= 0) ::close(master);
      return false;
    }
    const char* slave_name = ::ptsname(master);
    std::string slave(slave_name != nullptr ? slave_name : "");
    winsize ws{};
    ws.ws_row = 24;
    ws.ws_col = static_cast<unsigned short>(columns);
    ::ioctl(master, TIOCSWINSZ, &ws);
    pid_ = ::fork();
    if (pid_ < 0) {
      error_ = std::strerror(errno);
      ::close(master);
      return false;
    }
    if (pid_ == 0) {
      ::setsid();  // new session, so the pty can become our controlling terminal
      int fd = ::open(slave.c_str(), O_RDWR);
      if (fd < 0) ::_exit(126);
      ::ioctl(fd, TIOCSCTTY, 0);
      ::dup2(fd, 0);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      if (fd > 2) ::close(fd);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    in_fd_ = master;
    pty_slave_fd_ = ::open(slave.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
    out_fd_ = ::dup(master);
    ::fcntl(out_fd_, F_SETFD, FD_CLOEXEC);
    return true;
  }

  pid_t pid_ = -1;
  int in_fd_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  int pty_slave_fd_ = -1;
  bool exited_ = false;
  int exit_code_ = -1;
  std::string out_;
  std::string err_;
  std::string error_;
};

// The real server binary on a free port, stopped (SIGTERM, then SIGKILL) at destruction.
class ClientTestServer {
 public:
  // Extra flags are appended to "--port 0 --log-dir <dir>".
  bool start(const std::string& log_dir, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv = {client_bin("switchboard-server"), "--port", "0", "--log-dir", log_dir};
    argv.insert(argv.end(), extra.begin(), extra.end());
    if (!proc_.start(argv)) return false;
    static constexpr std::string_view kPrefix = "Server listening on 127.0.0.1:";
    if (!proc_.wait_until([&] {
          size_t at = proc_.out().find(kPrefix);
          return at != std::string::npos && proc_.out().find('\n', at) != std::string::npos;
        }))
      return false;
    size_t at = proc_.out().find(kPrefix) + kPrefix.size();
    port_ = std::stoi(proc_.out().substr(at));
    return port_ > 0;
  }
  ~ClientTestServer() {
    proc_.signal(SIGTERM);
    if (!proc_.wait_exit(std::chrono::milliseconds(5000))) proc_.signal(SIGKILL);
  }
  int port() const { return port_; }
  std::string port_text() const { return std::to_string(port_); }
  ClientProcess& process() { return proc_; }

 private:
  ClientProcess proc_;
  int port_ = 0;
};

}  // namespace sb::test
