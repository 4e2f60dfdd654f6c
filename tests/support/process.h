// Test support: the one helper for every test that starts a binary. It finds the binaries, makes
// temporary directories, spawns a child through pipes or a pseudo-terminal, reads its output and
// waits for conditions with deadlines (never a fixed sleep), reaps it (SIGKILL at destruction, so
// a failed assertion leaves nothing behind), reads the server's "Server listening on ADDR:PORT"
// line and parses the "WORD key=value ..." lines that STATS and the test helpers reply with.
// Header-only. Binaries are looked up in $SWITCHBOARD_BIN_DIR (the Makefile's test targets set it),
// else build/.
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
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace sb::test {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Generous on purpose: a passing test never waits this long, and a sanitizer build on a loaded
// 2-core machine can be ten times slower than a release build.
inline constexpr milliseconds kDefaultWait{15000};

// Polls `condition` every few milliseconds until it holds or `timeout` passes. Tests wait for
// conditions this way instead of sleeping for a guessed time and then asserting.
inline bool wait_until(const std::function<bool()>& condition, milliseconds timeout = kDefaultWait,
                       milliseconds step = milliseconds(5)) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(step);
  }
}

inline std::string bin_dir() {
  const char* dir = std::getenv("SWITCHBOARD_BIN_DIR");
  return dir != nullptr && *dir != '\0' ? dir : "build";
}

// The path of one of the project's binaries: binary("switchboard-server").
inline std::string binary(const std::string& name) { return bin_dir() + "/" + name; }

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Replaces the file at `path` with `text`.
inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

// How many times `needle` occurs in `text` (overlapping occurrences count).
inline size_t count_of(std::string_view text, std::string_view needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// A directory under $TMPDIR (or /tmp) removed with everything in it when the object dies.
// path() is empty if it could not be made.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/sb-test-XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data()) != nullptr) path_ = buf.data();
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// "WORD k=v k=v ..." (a STATS reply, an adversary helper's reply) as a map; the first word is
// skipped, a value that is not a number reads as 0, and absent keys read as 0 via operator[].
inline std::map<std::string, uint64_t> parse_kv(std::string_view line) {
  std::map<std::string, uint64_t> out;
  size_t pos = line.find(' ');
  while (pos != std::string_view::npos && pos < line.size()) {
    size_t start = pos + 1;
    size_t end = line.find(' ', start);
    std::string_view kv = line.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    size_t eq = kv.find('=');
    if (eq != std::string_view::npos)
      out[std::string(kv.substr(0, eq))] = std::strtoull(std::string(kv.substr(eq + 1)).c_str(), nullptr, 10);
    pos = end;
  }
  return out;
}

// The port of the server's first stdout line, "Server listening on ADDR:PORT" (ADDR may be an
// IPv6 address in brackets), or nullopt if `line` is not that line.
inline std::optional<uint16_t> listening_port(std::string_view line) {
  static constexpr std::string_view kPrefix = "Server listening on ";
  size_t colon = line.rfind(':');
  if (line.rfind(kPrefix, 0) != 0 || colon == std::string_view::npos) return std::nullopt;
  long port = std::strtol(std::string(line.substr(colon + 1)).c_str(), nullptr, 10);
  if (port <= 0 || port >= 65536) return std::nullopt;
  return static_cast<uint16_t>(port);
}

// A wait status as one number: the exit code, or 128+N when killed by signal N (as a shell says).
inline int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Reaps `pid` within `timeout`: its decoded status, or nullopt if it is still running.
inline std::optional<int> wait_for_exit(pid_t pid, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return decode_status(status);
    if (r < 0 && errno != EINTR) return -1;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(milliseconds(5));
  }
}

// One child process running a binary. Through pipes, stdout and stderr are captured apart (or
// stderr goes to a file); through a pty, the terminal output (both streams) lands in out(). The
// destructor kills and reaps a child still running.
class Process {
 public:
  enum class Io { pipes, pty };
  struct Options {
    Io io = Io::pipes;
    unsigned pty_columns = 120;
    // Pipes only: stderr goes to this file instead of a pipe. For a long-lived child whose stderr
    // nobody reads as it goes: a full pipe would block it.
    std::string stderr_path;
    // Pipes only: stdout and stderr both go to this file, appended (a log kept across restarts);
    // out() and err() then stay empty.
    std::string output_path;
  };

  Process() = default;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process() {
    kill();
    close_fd(in_fd_);
    close_fd(out_fd_);
    close_fd(err_fd_);
    close_fd(pty_slave_fd_);
  }

  // Starts argv[0] (a path, or a name looked up in PATH) with the given arguments. False (with the
  // reason in error()) if it cannot. $SWITCHBOARD_SERVER_WRAPPER (e.g. "valgrind -q
  // --error-exitcode=99", set by `make test-valgrind`) is put in front of the server binary; the
  // wrapper must keep the server's pid (valgrind does).
  bool start(const std::vector<std::string>& argv, Io io = Io::pipes) {
    Options options;
    options.io = io;
    return start(argv, options);
  }
  bool start(const std::vector<std::string>& argv_in, const Options& options) {
    const std::vector<std::string> argv = wrapped(argv_in);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    return options.io == Io::pipes ? start_pipes(args, options) : start_pty(args, options.pty_columns);
  }

  pid_t pid() const { return pid_; }
  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }
  const std::string& error() const { return error_; }
  // Output after `mark` (an earlier out().size()), for "what was printed since".
  std::string out_since(size_t mark) const { return mark <= out_.size() ? out_.substr(mark) : ""; }

  bool write(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::write(in_fd_, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  // Pipes only: the child's stdin sees EOF.
  void close_stdin() { close_fd(in_fd_); }
  // Pty only: the terminal's current settings (the slave side stays open here, so they stay
  // readable after the child exited, which is how "the terminal was restored" is checked).
  bool tty_settings(termios* out) const { return pty_slave_fd_ >= 0 && ::tcgetattr(pty_slave_fd_, out) == 0; }

  // Reads whatever the child printed within `wait`; false once every captured stream is closed.
  bool pump(milliseconds wait) {
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
  bool wait_until(const std::function<bool()>& done, milliseconds deadline = kDefaultWait) {
    const auto end = Clock::now() + deadline;
    while (!done()) {
      if (Clock::now() >= end) return false;
      if (!pump(milliseconds(50)) && !done()) {
        // Every stream closed: nothing more can arrive; poll the exit status instead.
        if (exited_ || reap()) return done();
        std::this_thread::sleep_for(milliseconds(10));
      }
    }
    return true;
  }
  bool wait_for_out(std::string_view text, milliseconds deadline = kDefaultWait) {
    return wait_until([&] { return out_.find(text) != std::string::npos; }, deadline);
  }
  bool wait_for_err(std::string_view text, milliseconds deadline = kDefaultWait) {
    return wait_until([&] { return err_.find(text) != std::string::npos; }, deadline);
  }

  // Exit code (128+signal when killed), or nullopt at the deadline. Output keeps being read, so a
  // child blocked on a full pipe still gets to exit.
  std::optional<int> wait_exit(milliseconds deadline = kDefaultWait) {
    if (pid_ <= 0) return std::nullopt;  // never started (waitpid(-1) would reap any child)
    const auto end = Clock::now() + deadline;
    while (!exited_ && !reap()) {
      if (Clock::now() >= end) return std::nullopt;
      if (!pump(milliseconds(20))) std::this_thread::sleep_for(milliseconds(10));
    }
    // The child is gone; read what it left in the pipes (stops when a read finds nothing).
    for (size_t before = SIZE_MAX; before != out_.size() + err_.size();) {
      before = out_.size() + err_.size();
      if (!pump(milliseconds(0))) break;
    }
    return exit_code_;
  }

  // True while the child has not exited (reaps it if it has).
  bool alive() { return pid_ > 0 && !exited_ && !reap(); }

  void signal(int sig) {
    if (pid_ > 0 && !exited_) ::kill(pid_, sig);
  }

  // SIGKILL and reap, if it is still running.
  void kill() {
    if (pid_ <= 0 || exited_) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    exited_ = true;
    exit_code_ = decode_status(status);
  }

 private:
  static void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }

  static std::vector<std::string> wrapped(const std::vector<std::string>& argv) {
    const char* wrapper = std::getenv("SWITCHBOARD_SERVER_WRAPPER");
    static constexpr std::string_view kServer = "switchboard-server";
    std::string_view bin = argv.empty() ? std::string_view() : std::string_view(argv.front());
    bool is_server = bin.size() >= kServer.size() && bin.substr(bin.size() - kServer.size()) == kServer;
    if (wrapper == nullptr || *wrapper == '\0' || !is_server) return argv;
    std::vector<std::string> out;
    std::istringstream words(wrapper);
    for (std::string word; words >> word;) out.push_back(word);
    out.insert(out.end(), argv.begin(), argv.end());
    return out;
  }

  bool reap() {
    if (pid_ <= 0) return false;
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r != pid_) return false;
    exited_ = true;
    exit_code_ = decode_status(status);
    return true;
  }

  // In the child, between fork and exec: only async-signal-safe calls. The signal mask is
  // inherited through exec, and a test thread may have blocked signals the child relies on.
  static void exec_child(std::vector<char*>& args) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }

  bool start_pipes(std::vector<char*>& args, const Options& options) {
    int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
    auto fail = [&](const std::string& what) {
      error_ = what + ": " + std::strerror(errno);
      for (int* fd : {&in[0], &in[1], &out[0], &out[1], &err[0], &err[1]}) close_fd(*fd);
      return false;
    };
    if (::pipe2(in, O_CLOEXEC) != 0) return fail("pipe");
    if (!options.output_path.empty()) {
      out[1] = ::open(options.output_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (out[1] < 0) return fail(options.output_path);
      err[1] = ::fcntl(out[1], F_DUPFD_CLOEXEC, 0);
      if (err[1] < 0) return fail("dup");
    } else {
      if (::pipe2(out, O_CLOEXEC) != 0) return fail("pipe");
      if (options.stderr_path.empty()) {
        if (::pipe2(err, O_CLOEXEC) != 0) return fail("pipe");
      } else {
        err[1] = ::open(options.stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (err[1] < 0) return fail(options.stderr_path);
      }
    }
    pid_ = ::fork();
    if (pid_ < 0) return fail("fork");
    if (pid_ == 0) {
      ::dup2(in[0], STDIN_FILENO);
      ::dup2(out[1], STDOUT_FILENO);
      ::dup2(err[1], STDERR_FILENO);
      exec_child(args);
    }
    close_fd(in[0]);
    close_fd(out[1]);
    close_fd(err[1]);
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
      error_ = std::string("fork: ") + std::strerror(errno);
      ::close(master);
      return false;
    }
    if (pid_ == 0) {
      ::setsid();  // new session, so the pty can become our controlling terminal
      int fd = ::open(slave.c_str(), O_RDWR);
      if (fd < 0) ::_exit(126);
      ::ioctl(fd, TIOCSCTTY, 0);
      ::dup2(fd, STDIN_FILENO);
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      if (fd > 2) ::close(fd);
      exec_child(args);
    }
    in_fd_ = master;
    pty_slave_fd_ = ::open(slave.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
    out_fd_ = ::fcntl(master, F_DUPFD_CLOEXEC, 0);
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

// A step at an interactive client's terminal: types `line` and Enter at `typist`, then waits for
// `text` in `watcher`'s output (the typist's own unless named).
inline ::testing::AssertionResult type_and_expect(Process& typist, const std::string& line, Process& watcher,
                                                  std::string_view text) {
  if (!typist.write(line + "\r")) return ::testing::AssertionFailure() << "could not type '" << line << "'";
  if (watcher.wait_for_out(text)) return ::testing::AssertionSuccess();
  auto failure = ::testing::AssertionFailure() << "typed '" << line << "', no '" << text << "' in: " << watcher.out();
  if (&watcher != &typist) {
    failure << "\nwatcher's stderr: " << watcher.err() << "\ntypist's terminal: " << typist.out();
  }
  return failure;
}
inline ::testing::AssertionResult type_and_expect(Process& t, const std::string& line, std::string_view text) {
  return type_and_expect(t, line, t, text);
}

// Scripting-mode clients reaching the end of their input together: closes every stdin first (one
// may still be waiting for another's message), then expects each to exit 0.
inline void close_inputs_and_expect_exit_zero(std::initializer_list<std::reference_wrapper<Process>> clients) {
  for (Process& p : clients) p.close_stdin();
  for (Process& p : clients) EXPECT_EQ(p.wait_exit(), 0) << p.err();
}

// Result of a run that is expected to end by itself (bad flags, --help, a short bench run).
struct ExitResult {
  int exit_code = -1;  // the exit code, or 128+signal, or -1 if it had to be killed
  bool timed_out = false;
  std::string out;
  std::string err;
};

// Runs any binary (argv[0] a path) with stdin at EOF and waits for it to exit by itself,
// capturing its output; killed after `timeout`.
inline ExitResult run_to_exit(const std::vector<std::string>& argv, milliseconds timeout = kDefaultWait) {
  ExitResult result;
  Process p;
  if (!p.start(argv)) {
    result.err = p.error();
    return result;
  }
  p.close_stdin();
  std::optional<int> code = p.wait_exit(timeout);
  if (code) {
    result.exit_code = *code;
  } else {
    result.timed_out = true;
    p.kill();
  }
  result.out = p.out();
  result.err = p.err();
  return result;
}

}  // namespace sb::test
