// Test support for the end-to-end tests: the real server (debug log), the TcpProxy in front of it,
// and real clients started with --e2e, each with its own key file, known_nodes and client.log in
// a directory of its own (dir/<id>/), all talking to the server through the proxy.
#pragma once

#include <sys/stat.h>

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/process.h"
#include "tests/support/server_process.h"
#include "tests/support/tcp_proxy.h"

namespace sb::test {

inline constexpr std::string_view kE2eOn = "End-to-end encryption is on";

// switchboard-client for the server at `port`, logging to `home`, with --e2e and `key_file` unless
// `key_file` is empty.
inline std::vector<std::string> client_args(const std::string& port, const std::string& home, const std::string& id,
                                            const std::string& key_file, std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {binary("switchboard-client"), "--port", port, "--log-dir", home, "--id", id};
  if (!key_file.empty()) argv.insert(argv.end(), {"--e2e", "--key-file", key_file});
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

class E2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(server_flags());
    ASSERT_TRUE(server_->ok()) << server_->error();
    proxy_ = std::make_unique<TcpProxy>(server_->port());
    ASSERT_TRUE(proxy_->ok());
  }
  virtual std::vector<std::string> server_flags() { return {"--log-level", "debug"}; }

  std::string home(const std::string& id) {
    const std::string d = dir_.path() + "/" + id;
    ::mkdir(d.c_str(), 0700);
    return d;
  }
  std::string key_file(const std::string& id, const std::string& name = "") {
    return home(id) + "/" + (name.empty() ? id : name) + ".key";
  }

  // Through the proxy; --e2e with dir/<id>/<id>.key unless `e2e` is false.
  std::vector<std::string> args(const std::string& id, std::vector<std::string> extra = {}, bool e2e = true) {
    return client_args(proxy_->port_text(), home(id), id, e2e ? key_file(id) : "", std::move(extra));
  }

  // A scripting-mode client registered with its key published (or plain, `e2e` false).
  void start(Process& p, const std::string& id, std::vector<std::string> extra = {}, bool e2e = true) {
    ASSERT_TRUE(p.start(args(id, std::move(extra), e2e))) << p.error();
    ASSERT_TRUE(p.wait_for_err(e2e ? kE2eOn : std::string_view("Connected to server"))) << p.err();
  }

  // `p`, a started scripting client, sends `line` and reaches EOF: the send is refused with
  // `error` on stderr and the client exits 1.
  void expect_send_refused(Process& p, const std::string& line, std::string_view error) {
    ASSERT_TRUE(p.write(line + "\n"));
    p.close_stdin();
    EXPECT_EQ(p.wait_exit(), 1) << p.err();
    EXPECT_NE(p.err().find(error), std::string::npos) << p.err();
  }

  std::string client_log(const std::string& id) { return read_file(home(id) + "/client.log"); }

  // Stops the server so that its log is complete.
  std::string stopped_server_log() {
    server_->stop();
    return server_->log();
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<TcpProxy> proxy_;
};

}  // namespace sb::test
