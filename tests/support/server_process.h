// Test support: runs the real switchboard-server binary as a child process on port 0 with its log
// in a fresh temporary directory, tells the tests its port, and stops it with a signal so they can
// check the exit status. Header-only; integration tests include it and link nothing extra.
// The binary is looked up in $SWITCHBOARD_BIN_DIR (the Makefile's test targets set it), else build/.
#pragma once

#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace sb::test {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Generous on purpose: a passing test never waits this long, and a sanitizer build on a loaded
// 2-core machine can be ten times slower than a release build.
inline constexpr milliseconds kDefaultWait{10000};

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

inline std::string server_binary() { return bin_dir() + "/switchboard-server"; }

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Raises the soft descriptor limit to the hard one (the 2,000-node test needs ~4,000 descriptors
// across this process and the server, which inherits the limit). Returns the new soft limit.
inline rlim_t raise_fd_limit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 0;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  return rl.rlim_cur;
}

// A directory under $TMPDIR (or /tmp) removed with everything in it when the object dies.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/switchboard-it-XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data()) != nullptr) path_ = buf.data();
  }
  ~TempDir() {
    if (path_.empty()) return;
    nftw(
        path_.c_str(),
        [](const char* p, const struct stat*, int, FTW*) { return ::remove(p); }, 16,
        FTW_DEPTH | FTW_PHYS);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Result of a run that is expected to end by itself (bad flags, --help, port in use).
struct ExitResult {
  int exit_code = -1;       // WEXITSTATUS, or 128+signal, or -1 if it had to be killed
  bool timed_out = false;
  std::string out;
  std::string err;
};

namespace detail {

// fork + exec `argv` with stdout and stderr redirected to the given descriptors.
// $SWITCHBOARD_SERVER_WRAPPER (e.g. "valgrind --error-exitcode=99", set by `make test-valgrind`)
// is put in front of the server binary; the wrapper must keep the server's pid (valgrind does).
inline std::vector<std::string> wrapped(const std::vector<std::string>& argv) {
  const char* wrapper = std::getenv("SWITCHBOARD_SERVER_WRAPPER");
  const std::string& bin = argv.front();
  const std::string name = "switchboard-server";
  bool is_server = bin.size() >= name.size() && bin.compare(bin.size() - name.size(), name.size(), name) == 0;
  if (wrapper == nullptr || *wrapper == '\0' || !is_server) return argv;
  std::vector<std::string> out;
  std::string word;
  for (const char* p = wrapper;; ++p) {
    if (*p == ' ' || *p == '\0') {
      if (!word.empty()) out.push_back(word);
      word.clear();
      if (*p == '\0') break;
    } else {
      word += *p;
    }
  }
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

inline pid_t spawn(const std::vector<std::string>& argv_in, int out_fd, int err_fd) {
  const std::vector<std::string> argv = wrapped(argv_in);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  return pid;
}

inline int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Waits for `pid` up to `timeout`; the decoded status, or nullopt if it is still running.
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

}  // namespace detail

// Runs any binary (argv[0] a path) and waits for it to exit by itself, capturing its output.
inline ExitResult run_to_exit(const std::vector<std::string>& argv, milliseconds timeout = kDefaultWait) {
  TempDir dir;
  ExitResult result;
  std::string out_path = dir.path() + "/stdout", err_path = dir.path() + "/stderr";
  int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  pid_t pid = detail::spawn(argv, out_fd, err_fd);
  ::close(out_fd);
  ::close(err_fd);
  std::optional<int> code = detail::wait_for_exit(pid, timeout);
  if (!code) {
    result.timed_out = true;
    kill(pid, SIGKILL);
    detail::wait_for_exit(pid, kDefaultWait);
  } else {
    result.exit_code = *code;
  }
  result.out = read_file(out_path);
  result.err = read_file(err_path);
  return result;
}

// Runs the server binary with `flags` and waits for it to exit by itself.
inline ExitResult run_server_to_exit(const std::vector<std::string>& flags, milliseconds timeout = kDefaultWait) {
  TempDir log_dir;
  std::vector<std::string> argv{server_binary()};
  argv.insert(argv.end(), flags.begin(), flags.end());
  // Keep any server.log it might write out of the working tree.
  bool has_log_dir = false;
  for (const auto& f : flags) has_log_dir |= f.rfind("--log-dir", 0) == 0;
  if (!has_log_dir) {
    argv.push_back("--log-dir");
    argv.push_back(log_dir.path());
  }
  return run_to_exit(argv, timeout);
}

// A running server on 127.0.0.1, port chosen by the kernel. The destructor kills it if a test
// did not stop it, so a failed assertion never leaves a server behind.
class ServerProcess {
 public:
  // Starts the binary with `--port 0 --log-dir <tmp>` plus `flags` and waits for the
  // "Server listening on ADDR:PORT" line. On failure ok() is false and error() says why.
  explicit ServerProcess(const std::vector<std::string>& flags = {}, milliseconds start_timeout = kDefaultWait) {
    if (dir_.path().empty()) {
      error_ = "mkdtemp failed";
      return;
    }
    std::string err_path = dir_.path() + "/stderr";
    int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int pipe_fds[2];
    if (err_fd < 0 || pipe2(pipe_fds, O_CLOEXEC) != 0) {
      error_ = std::string("setup: ") + std::strerror(errno);
      return;
    }
    std::vector<std::string> argv{server_binary(), "--port", "0", "--log-dir", dir_.path()};
    argv.insert(argv.end(), flags.begin(), flags.end());
    pid_ = detail::spawn(argv, pipe_fds[1], err_fd);
    ::close(pipe_fds[1]);
    ::close(err_fd);
    // Kept open for the server's lifetime: closing it early would turn a later stdout write into
    // EPIPE for the server.
    stdout_fd_ = pipe_fds[0];
    if (pid_ < 0) {
      error_ = std::string("fork: ") + std::strerror(errno);
      return;
    }
    read_announcement(start_timeout);
  }

  ~ServerProcess() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      detail::wait_for_exit(pid_, kDefaultWait);
    }
    if (stdout_fd_ >= 0) ::close(stdout_fd_);
  }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  bool ok() const { return port_ != 0; }
  const std::string& error() const { return error_; }
  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& log_dir() const { return dir_.path(); }
  std::string log_path() const { return dir_.path() + "/server.log"; }
  std::string log() const { return read_file(log_path()); }
  std::string stderr_text() const { return read_file(dir_.path() + "/stderr"); }

  // The log is written by the server's logging thread shortly after the event: wait for it.
  bool wait_log_contains(std::string_view needle, milliseconds timeout = kDefaultWait) const {
    return wait_until([&] { return log().find(needle) != std::string::npos; }, timeout, milliseconds(20));
  }

  // True while the process has not exited (reaps it if it has).
  bool alive() {
    if (exited_) return false;
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exited_ = true;
      exit_code_ = detail::decode_status(status);
      return false;
    }
    return true;
  }

  // Sends `sig` (SIGTERM by default) and waits for the exit. Returns the exit code (128+N if
  // killed by signal N), or -1 if it did not exit in time (then it is killed).
  int stop(int sig = SIGTERM, milliseconds timeout = kDefaultWait) {
    if (!exited_) kill(pid_, sig);
    return wait_exit(timeout);
  }

  // Waits for an exit already under way (after a signal the test sent itself).
  int wait_exit(milliseconds timeout = kDefaultWait) {
    if (exited_) return exit_code_;
    std::optional<int> code = detail::wait_for_exit(pid_, timeout);
    if (!code) {
      kill(pid_, SIGKILL);
      detail::wait_for_exit(pid_, kDefaultWait);
      exited_ = true;
      exit_code_ = -1;
      return -1;
    }
    exited_ = true;
    exit_code_ = *code;
    return exit_code_;
  }

  void signal(int sig) { kill(pid_, sig); }

  // Resident memory of the server in KiB (VmRSS from /proc/PID/status), or -1.
  long rss_kib() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
    }
    return -1;
  }

 private:
  void read_announcement(milliseconds timeout) {
    static constexpr std::string_view kPrefix = "Server listening on ";
    const auto deadline = Clock::now() + timeout;
    std::string got;
    for (;;) {
      size_t nl = got.find('\n');
      if (nl != std::string::npos) {
        std::string line = got.substr(0, nl);
        size_t colon = line.rfind(':');
        if (line.rfind(kPrefix, 0) == 0 && colon != std::string::npos) {
          long port = std::strtol(line.c_str() + colon + 1, nullptr, 10);
          if (port > 0 && port < 65536) {
            port_ = static_cast<uint16_t>(port);
            return;
          }
        }
        error_ = "unexpected first stdout line: '" + line + "'";
        return;
      }
      auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) {
        error_ = "no 'Server listening on' line in time; stderr: " + stderr_text();
        return;
      }
      pollfd p{stdout_fd_, POLLIN, 0};
      int r = poll(&p, 1, static_cast<int>(left));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) continue;
      char buf[256];
      ssize_t n = ::read(stdout_fd_, buf, sizeof buf);
      if (n <= 0) {
        int code = wait_exit(milliseconds(2000));
        error_ = "server exited before announcing its port (exit " + std::to_string(code) +
                 "); stderr: " + stderr_text();
        return;
      }
      got.append(buf, static_cast<size_t>(n));
    }
  }

  TempDir dir_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  uint16_t port_ = 0;
  bool exited_ = false;
  int exit_code_ = -1;
  std::string error_;
};

}  // namespace sb::test
