// The real switchboard-client in interactive mode, driven through a pseudo-terminal, against the
// real server: the original m/q flow with its prompts verbatim, the @ and / syntax, a message
// arriving while a line is half typed, line editing, and the terminal restored on every exit.
#include <gtest/gtest.h>

#include "tests/support/process.h"
#include "tests/support/process_probes.h"
#include "tests/support/server_process.h"

namespace sb::test {
namespace {

constexpr std::string_view kAskId = "Enter node ID:";
constexpr std::string_view kMenu = "Enter 'm' to send a message or 'q' to quit:";
constexpr std::string_view kAskTarget = "Enter target node (e.g., a, b, c):";
constexpr std::string_view kAskMessage = "Enter your message:";

class ClientTtyTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.ok()) << server_.error(); }

  std::vector<std::string> args(std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {binary("switchboard-client"), "--port", std::to_string(server_.port()),
                                     "--log-dir", dir_.path()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  }

  // A scripting-mode peer (pipes), registered as `id`.
  void start_peer(Process& p, const std::string& id) {
    ASSERT_TRUE(p.start(args({"--id", id}))) << p.error();
    ASSERT_TRUE(p.wait_for_err("Connected to server as node '" + id + "'")) << p.err();
  }

  // An interactive client registered as `id`, sitting at the menu prompt.
  void start_tty(Process& t, const std::string& id) {
    ASSERT_TRUE(t.start(args({"--id", id}), Process::Io::pty)) << t.error();
    ASSERT_TRUE(t.wait_for_out("Connected to server as node '" + id + "'")) << t.out();
    ASSERT_TRUE(t.wait_for_out(kMenu)) << t.out();
  }

  // Waits until `text` appears `n` times in the terminal output.
  static bool wait_count(Process& t, std::string_view text, size_t n) {
    return t.wait_until([&] { return count_of(t.out(), text) >= n; });
  }

  static void expect_terminal_restored(Process& t) {
    termios tio{};
    ASSERT_TRUE(t.tty_settings(&tio));
    EXPECT_TRUE(tio.c_lflag & ICANON) << "canonical mode not restored";
    EXPECT_TRUE(tio.c_lflag & ECHO) << "echo not restored";
  }

  TempDir dir_;
  ServerProcess server_;
};

TEST_F(ClientTtyTest, OriginalMenuFlowSendsAMessageAndQExitsZero) {
  Process b, a;
  start_peer(b, "b");
  ASSERT_TRUE(a.start(args(), Process::Io::pty)) << a.error();
  ASSERT_TRUE(a.wait_for_out(kAskId)) << a.out();
  termios tio{};
  ASSERT_TRUE(a.tty_settings(&tio));
  EXPECT_FALSE(tio.c_lflag & ICANON) << "the client should read keys one by one";
  EXPECT_FALSE(tio.c_lflag & ECHO) << "the client echoes through its own line editor";

  ASSERT_TRUE(type_and_expect(a, "a", "Connected to server as node 'a'"));
  ASSERT_TRUE(a.wait_for_out(kMenu)) << a.out();
  ASSERT_TRUE(type_and_expect(a, "m", kAskTarget));
  ASSERT_TRUE(type_and_expect(a, "b", kAskMessage));
  EXPECT_TRUE(type_and_expect(a, "Hello from A", b, "a: Hello from A\n"));
  ASSERT_TRUE(wait_count(a, kMenu, 2)) << a.out();  // back at the menu
  a.write("q\r");
  EXPECT_EQ(a.wait_exit(), 0) << a.out();
  expect_terminal_restored(a);
}

TEST_F(ClientTtyTest, AtSyntaxSlashCommandsAndIncomingLines) {
  Process b, a;
  start_peer(b, "b");
  start_tty(a, "a");

  EXPECT_TRUE(type_and_expect(a, "@b hi there", b, "a: hi there\n"));
  b.write("a Hello from B\n");
  EXPECT_TRUE(a.wait_for_out("Server: b: Hello from B")) << a.out();

  EXPECT_TRUE(type_and_expect(a, "/who", "Nodes (2): a, b"));
  EXPECT_TRUE(type_and_expect(a, "/ping", "Pong from server in "));
  EXPECT_TRUE(type_and_expect(a, "/stats", "Server stats: "));
  EXPECT_TRUE(a.wait_for_out("nodes=2")) << a.out();
  EXPECT_TRUE(type_and_expect(a, "/help", "@* text"));
  EXPECT_TRUE(type_and_expect(a, "@zz hello?", "Error: no such node 'zz'"));
  EXPECT_TRUE(type_and_expect(a, "/nope", "Error: unknown command '/nope'"));

  EXPECT_TRUE(type_and_expect(a, "@* to all", b, "a: to all\n"));
  a.write("/quit\r");
  EXPECT_EQ(a.wait_exit(), 0) << a.out();
  expect_terminal_restored(a);
  b.close_stdin();
  EXPECT_EQ(b.wait_exit(), 0) << b.err();
}

// Protocol v2 at the terminal: /join, /groups, /who #group, a group message shown with what it
// came through, the m flow taking a group as its target, /leave.
TEST_F(ClientTtyTest, GroupCommandsAndGroupMessages) {
  Process b, a;
  start_tty(a, "a");
  EXPECT_TRUE(type_and_expect(a, "/join #ops", "Joined #ops (1 member)"));
  ASSERT_TRUE(b.start(args({"--id", "b", "--join", "#ops"}))) << b.error();
  ASSERT_TRUE(b.wait_for_err("Joined #ops (2 members)")) << b.err();
  EXPECT_TRUE(type_and_expect(a, "/groups", "Groups (1): #ops=2"));
  EXPECT_TRUE(type_and_expect(a, "/who #ops", "Nodes (2): a, b"));
  b.write("#ops hello\n");
  EXPECT_TRUE(a.wait_for_out("Server: b@#ops: hello")) << a.out();
  b.write("a Hello from B\n");
  EXPECT_TRUE(a.wait_for_out("Server: b: Hello from B")) << a.out();  // plain: as the seed printed it
  ASSERT_TRUE(type_and_expect(a, "m", kAskTarget));
  ASSERT_TRUE(type_and_expect(a, "#ops", kAskMessage));
  EXPECT_TRUE(type_and_expect(a, "via the menu", b, "a@#ops: via the menu\n"));
  EXPECT_TRUE(type_and_expect(a, "@~ops one of you", b, "a@~ops: one of you\n"));
  EXPECT_TRUE(type_and_expect(a, "/leave #ops", "Left #ops (1 member now)"));
  EXPECT_TRUE(type_and_expect(a, "/join ops", "Error: usage: /join #group"));
  a.write("/quit\r");
  EXPECT_EQ(a.wait_exit(), 0) << a.out();
  b.close_stdin();
  EXPECT_EQ(b.wait_exit(), 0) << b.err();
}

TEST_F(ClientTtyTest, AMessageArrivingMidTypingDoesNotLoseTheTypedText) {
  Process b, a;
  start_peer(b, "b");
  start_tty(a, "a");
  ASSERT_TRUE(type_and_expect(a, "m", kAskTarget));
  ASSERT_TRUE(type_and_expect(a, "b", kAskMessage));
  a.write("Hel");
  ASSERT_TRUE(a.wait_for_out("Enter your message: Hel")) << a.out();
  size_t mark = a.out().size();

  b.write("a interrupting\n");
  ASSERT_TRUE(a.wait_until([&] {
    std::string since = a.out_since(mark);
    size_t line = since.find("Server: b: interrupting\r\n");
    return line != std::string::npos && since.find("Enter your message: Hel", line) != std::string::npos;
  })) << a.out_since(mark);
  // The incoming line starts at column 0 of a cleared row, not after "Hel".
  EXPECT_NE(a.out_since(mark).find("\r\x1b[JServer: b: interrupting"), std::string::npos) << a.out_since(mark);

  EXPECT_TRUE(type_and_expect(a, "lo", b, "a: Hello\n"));
  a.write("q\r");
  EXPECT_EQ(a.wait_exit(), 0);
}

TEST_F(ClientTtyTest, BackspaceEditsTheLineBeforeItIsSent) {
  Process b, a;
  start_peer(b, "b");
  start_tty(a, "a");
  a.write("@b Hellx\x7fo wrld\x7f\x7f\x7f" "orld\r");
  EXPECT_TRUE(b.wait_for_out("a: Hello world\n")) << b.out();
  a.write("\x15");  // Ctrl-U on an empty line is harmless
  a.write("q\r");
  EXPECT_EQ(a.wait_exit(), 0);
}

TEST_F(ClientTtyTest, ATakenIdGetsTheReasonAndTheIdPromptAgain) {
  Process b, a;
  start_peer(b, "b");
  ASSERT_TRUE(a.start(args(), Process::Io::pty));
  ASSERT_TRUE(a.wait_for_out(kAskId));
  EXPECT_TRUE(type_and_expect(a, "b", "Error: node id 'b' is already taken"));
  ASSERT_TRUE(wait_count(a, kAskId, 2)) << a.out();
  EXPECT_TRUE(type_and_expect(a, "not valid!", "Error: invalid node id 'not valid!'"));
  ASSERT_TRUE(wait_count(a, kAskId, 3)) << a.out();
  EXPECT_TRUE(type_and_expect(a, "a", "Connected to server as node 'a'"));
  ASSERT_TRUE(a.wait_for_out(kMenu));
  a.write("q\r");
  EXPECT_EQ(a.wait_exit(), 0);
}

TEST_F(ClientTtyTest, ServerGoingAwayIsExplainedExitsOneAndRestoresTheTerminal) {
  Process a;
  start_tty(a, "a");
  server_.signal(SIGTERM);
  EXPECT_EQ(a.wait_exit(), 1) << a.out();
  EXPECT_NE(a.out().find("Error: the server is shutting down"), std::string::npos) << a.out();
  EXPECT_NE(a.out().find("Error: lost connection to the server"), std::string::npos) << a.out();
  expect_terminal_restored(a);
}

TEST_F(ClientTtyTest, CtrlCQuitsCleanlyAndRestoresTheTerminal) {
  Process a;
  start_tty(a, "a");
  a.write("half typed");
  ASSERT_TRUE(a.wait_for_out("half typed"));
  a.write("\x03");  // the tty turns it into SIGINT for the foreground process group
  EXPECT_EQ(a.wait_exit(), 0) << a.out();
  expect_terminal_restored(a);
}

TEST_F(ClientTtyTest, CtrlDOnAnEmptyLineQuits) {
  Process a;
  start_tty(a, "a");
  a.write("\x04");
  EXPECT_EQ(a.wait_exit(), 0) << a.out();
  expect_terminal_restored(a);
}


TEST_F(ClientTtyTest, CtrlZGivesTheTerminalBackAndFgRedrawsTheLine) {
  Process a;
  start_tty(a, "a");
  a.write("typed");
  ASSERT_TRUE(a.wait_for_out("typed"));
  auto canonical = [&] {
    termios tio{};
    return a.tty_settings(&tio) && (tio.c_lflag & ICANON) && (tio.c_lflag & ECHO);
  };
  a.write("\x1a");  // Ctrl-Z: SIGTSTP
  ASSERT_TRUE(a.wait_until(canonical)) << "terminal not restored before stopping";
  // The client restores the terminal, then stops itself: a SIGCONT sent in between would be lost
  // and the client would stay stopped, so wait for the stop the way a shell sees it.
  ASSERT_TRUE(a.wait_until([&] { return process_state(a.pid()) == 'T'; })) << "the client did not stop";
  size_t mark = a.out().size();
  ::kill(a.pid(), SIGCONT);  // what `fg` does
  ASSERT_TRUE(a.wait_until([&] { return !canonical(); })) << "raw mode not re-entered";
  EXPECT_TRUE(a.wait_until([&] { return a.out_since(mark).find(std::string(kMenu) + " typed") != std::string::npos; }))
      << a.out_since(mark);
  a.write("\x15q\r");
  EXPECT_EQ(a.wait_exit(), 0) << a.out();
  expect_terminal_restored(a);
}

}  // namespace
}  // namespace sb::test
