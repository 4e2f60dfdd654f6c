// Test support: runs the real switchboard-server binary (through tests/support/process.h) on port
// 0 with its log in a fresh temporary directory, tells the tests its port, and stops it with a
// signal so they can check the exit status. Header-only; integration tests include it and link
// nothing extra.
#pragma once

#include <signal.h>
#include <sys/resource.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/support/line_client.h"
#include "tests/support/process.h"

namespace sb::test {

inline std::string server_binary() { return binary("switchboard-server"); }

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

// A config file, switchboard.conf, in a temporary directory of its own.
class ConfigFile {
 public:
  explicit ConfigFile(const std::string& text = "") { write(text); }
  const std::string& path() const { return path_; }
  const std::string& dir() const { return dir_.path(); }
  // Replaces the file's text.
  void write(const std::string& text) const { write_file(path_, text); }

 private:
  TempDir dir_;
  std::string path_ = dir_.path() + "/switchboard.conf";
};

// A running server on 127.0.0.1, port chosen by the kernel. The destructor kills it if a test
// did not stop it, so a failed assertion never leaves a server behind.
class ServerProcess {
 public:
  // Starts the binary with `--port 0 --log-dir <tmp>` plus `flags` (a later flag wins, so
  // {"--port", "N"} asks for port N) and waits for the "Server listening on ADDR:PORT" line. On
  // failure ok() is false and error() says why.
  explicit ServerProcess(const std::vector<std::string>& flags = {}, milliseconds start_timeout = kDefaultWait) {
    if (dir_.path().empty()) {
      error_ = "mkdtemp failed";
      return;
    }
    std::vector<std::string> argv{server_binary(), "--port", "0", "--log-dir", dir_.path()};
    argv.insert(argv.end(), flags.begin(), flags.end());
    // stderr to a file: nobody reads it while the server runs, and a full pipe would block it.
    // stdout stays a pipe for the announcement, kept open for the server's lifetime: closing it
    // early would turn a later stdout write into EPIPE for the server.
    Process::Options options;
    options.stderr_path = dir_.path() + "/stderr";
    if (!proc_.start(argv, options)) {
      error_ = proc_.error();
      return;
    }
    proc_.close_stdin();
    read_announcement(start_timeout);
  }

  bool ok() const { return port_ != 0; }
  const std::string& error() const { return error_; }
  uint16_t port() const { return port_; }
  pid_t pid() const { return proc_.pid(); }
  const std::string& log_dir() const { return dir_.path(); }
  std::string log_path() const { return dir_.path() + "/server.log"; }
  std::string log() const { return read_file(log_path()); }
  std::string stderr_text() const { return read_file(dir_.path() + "/stderr"); }

  // The log is written by the server's logging thread shortly after the event: wait for it. (An
  // absence is only meaningful after stop(), which flushes the log.)
  bool wait_log_contains(std::string_view needle, milliseconds timeout = kDefaultWait) const {
    return sb::test::wait_until([&] { return log().find(needle) != std::string::npos; }, timeout, milliseconds(20));
  }

  // True while the process has not exited (reaps it if it has).
  bool alive() { return proc_.alive(); }

  // Sends `sig` (SIGTERM by default) and waits for the exit. Returns the exit code (128+N if
  // killed by signal N), or -1 if it did not exit in time (then it is killed).
  int stop(int sig = SIGTERM, milliseconds timeout = kDefaultWait) {
    proc_.signal(sig);
    return wait_exit(timeout);
  }

  // Waits for an exit already under way (after a signal the test sent itself); -1 as for stop().
  int wait_exit(milliseconds timeout = kDefaultWait) {
    std::optional<int> code = proc_.wait_exit(timeout);
    if (code) return *code;
    proc_.kill();
    return -1;
  }

  void signal(int sig) { proc_.signal(sig); }

  // Resident memory of the server in KiB (VmRSS from /proc/PID/status), or -1.
  long rss_kib() const {
    std::ifstream in("/proc/" + std::to_string(pid()) + "/status");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
    }
    return -1;
  }

 private:
  void read_announcement(milliseconds timeout) {
    if (!proc_.wait_until([&] { return proc_.out().find('\n') != std::string::npos; }, timeout)) {
      if (proc_.alive()) {
        error_ = "no 'Server listening on' line in time; stderr: " + stderr_text();
      } else {
        error_ = "server exited before announcing its port (exit " + std::to_string(*proc_.wait_exit()) +
                 "); stderr: " + stderr_text();
      }
      return;
    }
    const std::string line = proc_.out().substr(0, proc_.out().find('\n'));
    std::optional<uint16_t> port = listening_port(line);
    if (port) {
      port_ = *port;
    } else {
      error_ = "unexpected first stdout line: '" + line + "'";
    }
  }

  TempDir dir_;
  Process proc_;
  uint16_t port_ = 0;
  std::string error_;
};

// A gtest fixture: each test gets its own server, started in SetUp with the suite's flags (a
// suite that needs flags derives and passes them to the constructor), and TearDown checks that
// it exits 0 on SIGTERM, unless the test stopped it itself through stop_server(). join()
// registers a client that lives as long as the test (`rcvbuf`/`sndbuf` as for LineClient).
class ServerTest : public ::testing::Test {
 protected:
  explicit ServerTest(std::vector<std::string> flags = {}) : flags_(std::move(flags)) {}

  // The flags SetUp starts the server with: the suite's, unless a suite whose flags name its own
  // files (written in its SetUp) says otherwise.
  virtual std::vector<std::string> server_flags() const { return flags_; }

  void SetUp() override {
    server_.emplace(server_flags());
    ASSERT_TRUE(server_->ok()) << server_->error();
    nodes_.emplace(server_->port());
  }
  void TearDown() override {
    if (server_ && server_->ok() && !stopped_) {
      EXPECT_EQ(server_->stop(), 0);
    }
  }

  ServerProcess& server() { return *server_; }
  uint16_t port() const { return server_->port(); }
  LineClient& join(const std::string& id, int rcvbuf = 0, int sndbuf = 0) { return nodes_->add(id, rcvbuf, sndbuf); }
  // Stops the server inside the test (to read its flushed log); TearDown then checks nothing more.
  int stop_server() {
    stopped_ = true;
    return server_->stop();
  }

 private:
  std::vector<std::string> flags_;
  std::optional<ServerProcess> server_;
  std::optional<Nodes> nodes_;
  bool stopped_ = false;
};

// A suite whose server runs with `Flags`, an array of C strings: e.g.
//   constexpr const char* kSmallPayload[] = {"--max-payload", "16"};
//   using ServerProtocolSmallPayload = ServerTestWith<kSmallPayload>;
template <const auto& Flags>
class ServerTestWith : public ServerTest {
 protected:
  ServerTestWith() : ServerTest({std::begin(Flags), std::end(Flags)}) {}
};

// After server.log was moved away and the server was told to reopen it: registers new nodes
// ("after-rotate-N") until one shows up in a new server.log. Any of them will do: the reopen
// happens on the loop, and an idle log worker writes its records within 50 ms, not at once.
inline bool wait_log_reopened(const ServerProcess& server) {
  int n = 0;
  return wait_until(
      [&] {
        LineClient c(server.port());
        c.hello("after-rotate-" + std::to_string(n++));
        return server.log().find("event=register node=after-rotate-") != std::string::npos;
      },
      kDefaultWait, milliseconds(50));
}

}  // namespace sb::test
