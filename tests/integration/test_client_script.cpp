// The real switchboard-client in scripting mode (stdin and stdout are pipes) against the real
// server: end-to-end delivery, EOF flushing, --listen, --raw, errors in words, exit codes,
// server shutdown, reconnect and keepalive. Every wait is for expected output, with a deadline.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/support/process.h"
#include "tests/support/server_process.h"

namespace sb::test {
namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;

class ClientScriptTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.ok()) << server_.error(); }

  std::string port_text() const { return std::to_string(server_.port()); }

  std::vector<std::string> client_args(const std::string& id, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {binary("switchboard-client"), "--port", port_text(),
                                     "--log-dir", dir_.path()};
    if (!id.empty()) argv.insert(argv.end(), {"--id", id});
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  }

  // Starts a client and waits until it is registered (its "Connected" line on stderr).
  void start_registered(Process& p, const std::string& id, std::vector<std::string> extra = {}) {
    ASSERT_TRUE(p.start(client_args(id, std::move(extra)))) << p.error();
    ASSERT_TRUE(p.wait_for_err("Connected to server as node '" + id + "'")) << p.err();
  }

  // `a` writes `input` and reaches EOF while `b` listens (with `listen_flags`): a exits 0 and b
  // prints exactly `expected`.
  void expect_listener_prints(const std::string& input, const std::string& expected,
                              std::vector<std::string> listen_flags = {"--listen"}) {
    Process listener, sender;
    ASSERT_NO_FATAL_FAILURE(start_registered(listener, "b", std::move(listen_flags)));
    ASSERT_TRUE(sender.start(client_args("a"))) << sender.error();
    ASSERT_TRUE(sender.write(input));
    sender.close_stdin();
    EXPECT_EQ(sender.wait_exit(), 0) << sender.err();
    EXPECT_TRUE(listener.wait_until([&] { return listener.out().size() >= expected.size(); }));
    EXPECT_EQ(listener.out(), expected);
  }

  std::string read_log() {
    std::ifstream in(dir_.path() + "/client.log");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  TempDir dir_;
  ServerProcess server_;
};

TEST_F(ClientScriptTest, TwoClientsExchangeMessagesBothWays) {
  Process a, b;
  start_registered(a, "a");
  start_registered(b, "b");
  ASSERT_TRUE(a.write("b Hello from A\n"));
  ASSERT_TRUE(b.write("a Hello from B\n"));
  EXPECT_TRUE(b.wait_for_out("a: Hello from A\n")) << b.out() << b.err();
  EXPECT_TRUE(a.wait_for_out("b: Hello from B\n")) << a.out() << a.err();
  close_inputs_and_expect_exit_zero({a, b});
}

TEST_F(ClientScriptTest, EofFlushesEveryMessageInOrderThenExitsZero) {
  std::string input, expected;
  for (int i = 0; i < 2000; ++i) {
    input += "b message number " + std::to_string(i) + "\n";
    expected += "a: message number " + std::to_string(i) + "\n";
  }
  // Written and closed before the sender has even registered: nothing may be lost at EOF.
  expect_listener_prints(input, expected);
}

TEST_F(ClientScriptTest, MessageTextIsKeptExactlyAndLastLineNeedsNoNewline) {
  expect_listener_prints("b   three leading spaces and trailing  \nb\nb last line without newline",
                         "a:   three leading spaces and trailing  \n"
                         "a: \n"
                         "a: last line without newline\n");
}

TEST_F(ClientScriptTest, NonPrintableBytesAreEscaped) {
  expect_listener_prints("b tab\there bell\x07 esc\x1b[2J nul\0 back\\slash caf\xc3\xa9 bad\xff\n"s,
                         "a: tab\\there bell\\x07 esc\\x1b[2J nul\\0 back\\\\slash caf\xc3\xa9 bad\\xff\n");
}

TEST_F(ClientScriptTest, RawWritesPayloadsByteExact) {
  const std::string payload = "one\x01\x1b\r\xff\0"s;
  expect_listener_prints("b " + payload + "\nb two\n", payload + "two", {"--listen", "--raw"});
}

TEST_F(ClientScriptTest, BroadcastReachesEveryOtherNode) {
  Process b, c, a;
  start_registered(b, "b", {"--listen"});
  start_registered(c, "c", {"--listen"});
  ASSERT_TRUE(a.start(client_args("a")));
  ASSERT_TRUE(a.write("* to everyone\n"));
  a.close_stdin();
  EXPECT_EQ(a.wait_exit(), 0) << a.err();
  EXPECT_TRUE(b.wait_for_out("a: to everyone\n"));
  EXPECT_TRUE(c.wait_for_out("a: to everyone\n"));
  EXPECT_EQ(a.out(), "");  // the sender does not get its own broadcast
}

TEST_F(ClientScriptTest, ListenDoesNotReadStdinAndQuitsCleanlyOnSigterm) {
  Process listener, other;
  start_registered(listener, "b", {"--listen"});
  start_registered(other, "a");
  // Would be a message to a if stdin were read; with --listen it must be ignored, EOF included.
  ASSERT_TRUE(listener.write("a must not be sent\n"));
  listener.close_stdin();
  ASSERT_TRUE(other.write("b ping after eof\n"));
  EXPECT_TRUE(listener.wait_for_out("a: ping after eof\n"));  // still running after its EOF
  listener.signal(SIGTERM);
  EXPECT_EQ(listener.wait_exit(), 0) << listener.err();
  other.close_stdin();
  EXPECT_EQ(other.wait_exit(), 0);
  EXPECT_EQ(other.out().find("must not be sent"), std::string::npos) << other.out();
}

TEST_F(ClientScriptTest, RefusedMessagesAreExplainedAndMakeTheExitCodeOne) {
  Process sender;
  ASSERT_TRUE(sender.start(client_args("a")));
  ASSERT_TRUE(sender.write("nobody hello\nbad/id hello\n"));
  sender.close_stdin();
  EXPECT_EQ(sender.wait_exit(), 1);
  EXPECT_NE(sender.err().find("Error: no such node 'nobody'"), std::string::npos) << sender.err();
  EXPECT_NE(sender.err().find("Error: line 2: invalid node id 'bad/id'"), std::string::npos) << sender.err();
}

TEST_F(ClientScriptTest, TakenIdIsRefusedWithExitOne) {
  Process first, second;
  start_registered(first, "a", {"--listen"});
  ASSERT_TRUE(second.start(client_args("a")));
  EXPECT_EQ(second.wait_exit(), 1);
  EXPECT_NE(second.err().find("Error: node id 'a' is already taken"), std::string::npos) << second.err();
}

TEST_F(ClientScriptTest, ServerStoppingMakesTheClientExitOneWithAClearMessage) {
  Process listener;
  start_registered(listener, "b", {"--listen"});
  server_.signal(SIGTERM);
  EXPECT_EQ(listener.wait_exit(), 1);
  EXPECT_NE(listener.err().find("Error: the server is shutting down"), std::string::npos) << listener.err();
  EXPECT_NE(listener.err().find("Error: lost connection to the server at 127.0.0.1:" + port_text()),
            std::string::npos)
      << listener.err();
}

TEST_F(ClientScriptTest, ReconnectReRegistersTheSameIdAfterTheServerComesBack) {
  Process listener;
  start_registered(listener, "b", {"--listen", "--reconnect"});
  const std::string port = port_text();
  ASSERT_NE(server_.stop(), -1);
  ASSERT_TRUE(listener.wait_for_err("Reconnecting in")) << listener.err();

  ServerProcess second({"--port", port});  // same port: the client only knows that one
  ASSERT_TRUE(second.ok()) << second.error();
  ASSERT_TRUE(listener.wait_until([&] {
    size_t first = listener.err().find("Connected to server as node 'b'");
    return first != std::string::npos &&
           listener.err().find("Connected to server as node 'b'", first + 1) != std::string::npos;
  })) << listener.err();
  Process sender;
  ASSERT_TRUE(sender.start(client_args("a")));
  ASSERT_TRUE(sender.write("b after the restart\n"));
  sender.close_stdin();
  EXPECT_EQ(sender.wait_exit(), 0) << sender.err();
  EXPECT_TRUE(listener.wait_for_out("a: after the restart\n"));
  listener.signal(SIGTERM);
  EXPECT_EQ(listener.wait_exit(), 0) << listener.err();
}

// Protocol v2 from a script: group, pattern and plain messages show what they came through
// ("a@#ops: ..."), plain ones exactly as before ("a: ...").
TEST_F(ClientScriptTest, GroupAndPatternMessagesShowWhatTheyCameThrough) {
  Process listener, sender;
  start_registered(listener, "plant1.x.temp", {"--listen", "--join", "#ops"});
  ASSERT_TRUE(listener.wait_for_err("Joined #ops (1 member)")) << listener.err();
  start_registered(sender, "a");
  ASSERT_TRUE(sender.write("#ops hello\nplant1.*.temp ping\nplant1.x.temp Hello from A\n"));
  EXPECT_TRUE(listener.wait_for_out("a@#ops: hello\na@plant1.*.temp: ping\na: Hello from A\n")) << listener.out();
  sender.close_stdin();
  EXPECT_EQ(sender.wait_exit(), 0) << sender.err();
}

// A worker pool: every job reaches exactly one worker.
TEST_F(ClientScriptTest, AnycastJobsReachExactlyOneWorkerEach) {
  Process w1, w2, sender;
  start_registered(w1, "w1", {"--listen", "--join", "#workers"});
  start_registered(w2, "w2", {"--listen", "--join", "#workers"});
  ASSERT_TRUE(w2.wait_for_err("Joined #workers (2 members)")) << w2.err();
  start_registered(sender, "a");
  std::string jobs;
  for (int i = 0; i < 10; ++i) jobs += "~workers job " + std::to_string(i) + "\n";
  ASSERT_TRUE(sender.write(jobs));
  // The rotation alternates: five each.
  auto lines = [](const std::string& out) { return std::count(out.begin(), out.end(), '\n'); };
  ASSERT_TRUE(w1.wait_until([&] { return lines(w1.out()) >= 5; })) << w1.out();
  ASSERT_TRUE(w2.wait_until([&] { return lines(w2.out()) >= 5; })) << w2.out();
  const std::string all = w1.out() + w2.out();
  for (int i = 0; i < 10; ++i) {
    const std::string line = "a@~workers: job " + std::to_string(i) + "\n";
    size_t at = all.find(line);
    EXPECT_NE(at, std::string::npos) << line;
    EXPECT_EQ(all.find(line, at + 1), std::string::npos) << "twice: " << line;
  }
  sender.close_stdin();
  EXPECT_EQ(sender.wait_exit(), 0) << sender.err();
}

// --receipts: one "ok <copies>" or "error <code> <detail>" line per message line, in order.
TEST_F(ClientScriptTest, ReceiptsPrintOneResultPerMessageLine) {
  Process b, sender;
  start_registered(b, "b", {"--listen"});
  start_registered(sender, "a", {"--receipts"});
  ASSERT_TRUE(sender.write("b hi\nnosuch x\n#empty x\nbad/id x\n* all\n"));
  sender.close_stdin();
  EXPECT_EQ(sender.wait_exit(), 1) << sender.err();  // some lines failed
  EXPECT_EQ(sender.out(), "ok 1\nerror no-such-node nosuch\nerror no-receivers #empty\nerror bad-id bad/id\nok 1\n");
}

TEST_F(ClientScriptTest, ConnectionRefusedExitsOne) {
  TempDir other_dir;
  Process client;
  // A port nobody listens on: take the server's, after stopping it.
  ASSERT_NE(server_.stop(), -1);
  ASSERT_TRUE(client.start(client_args("a", {"--listen"})));
  EXPECT_EQ(client.wait_exit(), 1);
  EXPECT_NE(client.err().find("Error: cannot connect to the server"), std::string::npos) << client.err();
}

TEST_F(ClientScriptTest, ClientLogRecordsConnectRegisterSentReceivedAndDisconnect) {
  Process listener, sender;
  start_registered(listener, "b", {"--listen", "--log-level", "debug"});
  ASSERT_TRUE(sender.start(client_args("a", {"--log-level", "debug"})));
  ASSERT_TRUE(sender.write("b logged\nnobody x\n"));
  sender.close_stdin();
  EXPECT_EQ(sender.wait_exit(), 1);
  EXPECT_TRUE(listener.wait_for_out("a: logged\n"));
  listener.signal(SIGTERM);
  EXPECT_EQ(listener.wait_exit(), 0);
  std::string log = read_log();
  for (const char* want : {"event=connect ", "event=register node=a", "event=register node=b",
                           "event=sent target=b bytes=6", "event=received from=a bytes=6",
                           "event=error code=no-such-node detail=nobody", "event=disconnect"})
    EXPECT_NE(log.find(want), std::string::npos) << want << "\n" << log;
}


TEST_F(ClientScriptTest, KeepaliveKeepsAQuietListenerRegisteredPastTheIdleTimeout) {
  TempDir quiet_dir;
  ServerProcess strict({"--idle-timeout", "1"});
  ASSERT_TRUE(strict.ok()) << strict.error();
  Process listener;
  ASSERT_TRUE(listener.start({binary("switchboard-client"), "--port", std::to_string(strict.port()), "--id", "b",
                              "--listen", "--log-dir", quiet_dir.path(), "--log-level", "debug"}));
  ASSERT_TRUE(listener.wait_for_err("Connected to server as node 'b'"));
  // Six keepalives at a third of 1 s each: the idle timeout has passed twice over. Counted in
  // the client's own log, so the test waits for events, not for a clock.
  auto keepalives = [&] {
    std::ifstream in(quiet_dir.path() + "/client.log");
    std::string line;
    int n = 0;
    while (std::getline(in, line)) n += line.find("event=keepalive") != std::string::npos;
    return n;
  };
  ASSERT_TRUE(listener.wait_until([&] { return keepalives() >= 6; })) << listener.err();
  Process sender;
  ASSERT_TRUE(sender.start({binary("switchboard-client"), "--port", std::to_string(strict.port()), "--id", "a",
                            "--log-dir", dir_.path()}));
  ASSERT_TRUE(sender.write("b still here?\n"));
  sender.close_stdin();
  EXPECT_EQ(sender.wait_exit(), 0) << sender.err();
  EXPECT_TRUE(listener.wait_for_out("a: still here?\n")) << listener.err();
  listener.signal(SIGTERM);
  EXPECT_EQ(listener.wait_exit(), 0);
  // Read once it exited, so nothing it printed is still on its way.
  EXPECT_EQ(listener.err().find("idle"), std::string::npos) << listener.err();
}

TEST_F(ClientScriptTest, WithoutKeepaliveAQuietListenerIsEvictedAndExitsOne) {
  ServerProcess strict({"--idle-timeout", "1"});
  ASSERT_TRUE(strict.ok()) << strict.error();
  Process listener;
  ASSERT_TRUE(listener.start({binary("switchboard-client"), "--port", std::to_string(strict.port()), "--id", "b",
                              "--listen", "--no-keepalive", "--log-dir", dir_.path()}));
  EXPECT_EQ(listener.wait_exit(), 1);
  EXPECT_NE(listener.err().find("Error: the server disconnected us for being idle too long"), std::string::npos)
      << listener.err();
}

// Flags are checked before any connection is tried, so these need no server.
int run_client(const std::vector<std::string>& args, std::string* out, std::string* err,
               const std::string& stdin_text = "") {
  std::vector<std::string> argv = {binary("switchboard-client")};
  argv.insert(argv.end(), args.begin(), args.end());
  Process p;
  if (!p.start(argv)) return -1;
  p.write(stdin_text);
  p.close_stdin();
  std::optional<int> code = p.wait_exit();
  *out = p.out();
  *err = p.err();
  return code.value_or(-1);
}

TEST(ClientFlags, BadFlagsAndValuesExitTwoWithTheReasonAndUsage) {
  const std::vector<std::vector<std::string>> cases = {
      {"--bogus"}, {"--port", "http"}, {"--port", "70000"}, {"--port"}, {"--id", "bad id"},
      {"--log-level", "loud"}, {"--host", "two words"}, {"--join", "ops"}, {"--join"}, {"--connect-timeout", "soon"}, {"extra-argument", "--id", "a"},
      {},  // stdin is a pipe here, so --id is required
  };
  for (const auto& args : cases) {
    std::string out, err;
    EXPECT_EQ(run_client(args, &out, &err), 2) << testing::PrintToString(args) << err;
    EXPECT_NE(err.find("Usage:"), std::string::npos) << err;
    EXPECT_EQ(out, "");
  }
  std::string out, err;
  EXPECT_EQ(run_client({"--port", "http"}, &out, &err), 2);
  EXPECT_NE(err.find("--port must be a number from 1 to 65535, not 'http'"), std::string::npos) << err;
}

TEST(ClientFlags, HelpAndVersionExitZero) {
  std::string out, err;
  EXPECT_EQ(run_client({"--help"}, &out, &err), 0);
  for (const char* flag : {"--host", "--port", "--id", "--listen", "--raw", "--reconnect", "--no-keepalive",
                           "--log-dir", "--log-level", "--join", "--receipts", "Exit codes"})
    EXPECT_NE(out.find(flag), std::string::npos) << flag;
  EXPECT_EQ(run_client({"--version"}, &out, &err), 0);
  EXPECT_NE(out.find("switchboard-client"), std::string::npos);
}

}  // namespace
}  // namespace sb::test
