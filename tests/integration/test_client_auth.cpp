// The real switchboard-client (scripting mode, pipes) against the real server with --auth-file:
// the token from --token, --token-file and $SWITCHBOARD_TOKEN, their precedence (flag > file >
// environment), a refused token (exit 1, said in words, no reconnect loop), and tokens the client
// must refuse before connecting (exit 2).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <memory>

#include "tests/support/process.h"
#include "tests/support/server_process.h"

namespace sb::test {
namespace {

// SHA-256("abc") (FIPS 180-2 B.1): node b's token is "abc".
constexpr const char* kAuthFile =
    "a token-for-a\n"
    "b sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n";

class ClientAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::unsetenv("SWITCHBOARD_TOKEN");  // the test process's environment is the clients'
    const std::string auth_file = write_file("auth.txt", kAuthFile);
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{"--auth-file", auth_file});
    ASSERT_TRUE(server_->ok()) << server_->error();
  }
  void TearDown() override { ::unsetenv("SWITCHBOARD_TOKEN"); }

  // Writes dir/<name>; returns its path.
  std::string write_file(const std::string& name, const std::string& text) {
    std::string path = dir_.path() + "/" + name;
    sb::test::write_file(path, text);
    return path;
  }

  std::vector<std::string> client_args(const std::string& id, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {binary("switchboard-client"), "--port", std::to_string(server_->port()),
                                     "--log-dir", dir_.path(), "--id", id};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  }

  // Registers, proves it by a message delivered to a second authenticated client, exits 0 at EOF.
  void expect_registers(const std::string& id, std::vector<std::string> extra) {
    Process p;
    ASSERT_TRUE(p.start(client_args(id, std::move(extra)))) << p.error();
    ASSERT_TRUE(p.wait_for_err("Connected to server as node '" + id + "'")) << p.err();
    p.close_stdin();
    EXPECT_EQ(p.wait_exit(), 0) << p.err();
  }

  // Refused by the server: exit 1 with the refusal in words.
  void expect_refused(const std::string& id, std::vector<std::string> extra) {
    Process p;
    ASSERT_TRUE(p.start(client_args(id, std::move(extra)))) << p.error();
    EXPECT_EQ(p.wait_exit(), 1) << p.err();
    EXPECT_NE(p.err().find("the server refused our credentials"), std::string::npos) << p.err();
  }

  // Refused by the client itself, before connecting: exit 2 with `why` on stderr.
  void expect_usage_error(const std::string& id, std::vector<std::string> extra, const std::string& why) {
    Process p;
    ASSERT_TRUE(p.start(client_args(id, std::move(extra)))) << p.error();
    EXPECT_EQ(p.wait_exit(), 2) << p.err();
    EXPECT_NE(p.err().find(why), std::string::npos) << p.err();
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(ClientAuthTest, TokenFlagRegistersAndMessagesFlow) {
  Process a, b;
  ASSERT_TRUE(b.start(client_args("b", {"--token", "abc", "--listen"}))) << b.error();
  ASSERT_TRUE(b.wait_for_err("Connected to server as node 'b'")) << b.err();
  ASSERT_TRUE(a.start(client_args("a", {"--token", "token-for-a"}))) << a.error();
  ASSERT_TRUE(a.wait_for_err("Connected to server as node 'a'")) << a.err();
  ASSERT_TRUE(a.write("b hello with a token\n"));
  EXPECT_TRUE(b.wait_for_out("a: hello with a token\n")) << b.out() << b.err();
  a.close_stdin();
  EXPECT_EQ(a.wait_exit(), 0) << a.err();
  b.signal(SIGTERM);
  b.wait_exit();
}

TEST_F(ClientAuthTest, TokenFileRegisters) {
  expect_registers("a", {"--token-file", write_file("a.token", "token-for-a\n")});
  // CRLF line end and a second line are ignored: the first line is the token.
  expect_registers("b", {"--token-file", write_file("b.token", "abc\r\nsomething else\n")});
  // No newline at all.
  expect_registers("a", {"--token-file", write_file("a2.token", "token-for-a")});
}

TEST_F(ClientAuthTest, EnvironmentVariableRegisters) {
  ::setenv("SWITCHBOARD_TOKEN", "token-for-a", 1);
  expect_registers("a", {});
  ::setenv("SWITCHBOARD_TOKEN", "abc", 1);
  expect_registers("b", {});
}

TEST_F(ClientAuthTest, FlagBeatsFileBeatsEnvironment) {
  const std::string wrong_file = write_file("wrong.token", "not-the-token\n");
  const std::string right_file = write_file("right.token", "token-for-a\n");
  ::setenv("SWITCHBOARD_TOKEN", "not-the-token", 1);
  expect_registers("a", {"--token", "token-for-a", "--token-file", wrong_file});
  expect_registers("a", {"--token-file", right_file});  // the file wins over the (wrong) env
  ::setenv("SWITCHBOARD_TOKEN", "token-for-a", 1);
  expect_refused("a", {"--token-file", wrong_file});     // and even over a right env
  expect_refused("a", {"--token", "not-the-token", "--token-file", right_file});
}

TEST_F(ClientAuthTest, WrongOrMissingTokenExitsOneInWords) {
  expect_refused("a", {"--token", "token-for-b"});
  expect_refused("b", {"--token-file", write_file("x.token", "token-for-a\n")});
  ::setenv("SWITCHBOARD_TOKEN", "ABC", 1);
  expect_refused("b", {});
  ::unsetenv("SWITCHBOARD_TOKEN");
  expect_refused("a", {});                             // no token at all
  expect_refused("stranger", {"--token", "token-for-a"});  // an id not in the file
  EXPECT_TRUE(server_->wait_log_contains("event=auth_failed node=stranger")) << server_->log();
}

TEST_F(ClientAuthTest, RefusedTokenIsNotRetriedWithReconnect) {
  Process p;
  ASSERT_TRUE(p.start(client_args("a", {"--token", "wrong", "--reconnect"}))) << p.error();
  EXPECT_EQ(p.wait_exit(), 1) << p.err();
  EXPECT_NE(p.err().find("the server refused our credentials"), std::string::npos) << p.err();
}

TEST_F(ClientAuthTest, TokensThatCannotBeSentAreUsageErrors) {
  const std::string kNoSpaces = "the token must not contain spaces or control characters";
  expect_usage_error("a", {"--token", "two words"}, kNoSpaces);
  expect_usage_error("a", {"--token", "tab\there"}, kNoSpaces);
  expect_usage_error("a", {"--token-file", write_file("space.token", "token for a\n")}, kNoSpaces);
  ::setenv("SWITCHBOARD_TOKEN", "env token", 1);
  expect_usage_error("a", {}, kNoSpaces);
  ::unsetenv("SWITCHBOARD_TOKEN");
  expect_usage_error("a", {"--token", ""}, "--token needs a value");
  expect_usage_error("a", {"--token-file", dir_.path() + "/no-such-file"}, "cannot read --token-file");
  expect_usage_error("a", {"--token-file", write_file("empty.token", "\n")}, "is empty");
  // None of these reached the server: its log, read after stop() flushed it, has no connect.
  EXPECT_EQ(server_->stop(), 0);
  EXPECT_EQ(server_->log().find("event=connect"), std::string::npos) << server_->log();
}

}  // namespace
}  // namespace sb::test
