// End-to-end encryption through the real binaries: clients with --e2e behind a recording,
// tampering TCP proxy (tests/support/tcp_proxy.h). The receiver shows the plaintext in the plain
// client's format while no plaintext crosses the wire in either direction or reaches the server's
// debug log; a flipped byte, a truncation, a replay, a swapped source or a copy handed to another
// node is each dropped with its one-line warning and nothing else breaks; broadcast is sealed for
// every node with a key; clients without --e2e see a notice, not bytes.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/e2e_clients.h"

namespace sb::test {
namespace {

// No plaintext anywhere the server or the network could see it.
void expect_not_on_the_wire(TcpProxy& proxy, const std::string& server_log, std::string_view secret) {
  EXPECT_EQ(proxy.upstream().find(secret), std::string::npos) << "client -> server carries '" << secret << "'";
  EXPECT_EQ(proxy.downstream().find(secret), std::string::npos) << "server -> client carries '" << secret << "'";
  EXPECT_EQ(server_log.find(secret), std::string::npos) << "server.log has '" << secret << "'";
}

using E2eExchange = E2eTest;

TEST_F(E2eExchange, ScriptingClientsExchangeSealedMessagesBothWays) {
  Process a, b;
  start(a, "a");
  start(b, "b");
  ASSERT_TRUE(a.write("b Hello from A\n"));
  ASSERT_TRUE(b.write("a Hello from B, with \xc3\xa9 and \\ kept\n"));
  EXPECT_TRUE(b.wait_for_out("a: Hello from A\n")) << b.out() << b.err();
  EXPECT_TRUE(a.wait_for_out("b: Hello from B, with \xc3\xa9 and \\\\ kept\n")) << a.out() << a.err();
  close_inputs_and_expect_exit_zero({a, b});
  EXPECT_EQ(a.out(), "b: Hello from B, with \xc3\xa9 and \\\\ kept\n");
  EXPECT_EQ(b.out(), "a: Hello from A\n");

  const std::string log = stopped_server_log();
  // The messages did cross the proxy, as envelopes.
  EXPECT_NE(proxy_->upstream().find("SEND b "), std::string::npos);
  EXPECT_NE(proxy_->downstream().find("FROM a "), std::string::npos);
  EXPECT_NE(proxy_->downstream().find("\xff" "SBE\x01\x01"), std::string::npos);
  EXPECT_NE(log.find("event=route from=a to=b"), std::string::npos) << "the debug log was on";
  expect_not_on_the_wire(*proxy_, log, "Hello from A");
  expect_not_on_the_wire(*proxy_, log, "Hello from B");
  // The client logs hold neither the text nor a key.
  for (const char* id : {"a", "b"}) {
    const std::string clog = client_log(id);
    EXPECT_NE(clog.find("event=key_published"), std::string::npos) << clog;
    EXPECT_EQ(clog.find("Hello from"), std::string::npos) << clog;
    EXPECT_EQ(clog.find("x25519:"), std::string::npos) << clog;
  }
}

TEST_F(E2eExchange, InteractiveClientShowsTheSeedFormatAndAnEncryptedPrompt) {
  Process b, a;
  start(b, "b");
  ASSERT_TRUE(a.start(args("a"), Process::Io::pty)) << a.error();
  ASSERT_TRUE(a.wait_for_out(kE2eOn)) << a.out();
  ASSERT_TRUE(a.wait_for_out("[e2e] Enter 'm' to send a message or 'q' to quit:")) << a.out();
  ASSERT_TRUE(b.write("a Hello from B\n"));
  EXPECT_TRUE(a.wait_for_out("Server: b: Hello from B")) << a.out();
  ASSERT_TRUE(type_and_expect(a, "m", "[e2e] Enter target node (e.g., a, b, c):"));
  ASSERT_TRUE(type_and_expect(a, "b", "[e2e] Enter your message:"));
  EXPECT_TRUE(type_and_expect(a, "Hello from A", b, "a: Hello from A\n"));
  EXPECT_TRUE(type_and_expect(a, "@b second one", b, "a: second one\n"));
  EXPECT_TRUE(type_and_expect(a, "/fingerprint", "Your key fingerprint (a): "));
  EXPECT_TRUE(type_and_expect(a, "/fingerprint b", "Key of 'b' (trusted): "));
  a.write("q\r");
  EXPECT_EQ(a.wait_exit(), 0) << a.out();
  const std::string log = stopped_server_log();
  for (const char* secret : {"Hello from A", "Hello from B", "second one"}) expect_not_on_the_wire(*proxy_, log, secret);
}

TEST_F(E2eExchange, EofSendsEveryMessageInOrderEvenWhileKeysAreFetched) {
  Process listener, sender;
  start(listener, "b", {"--listen"});
  ASSERT_TRUE(sender.start(args("a"))) << sender.error();
  std::string input, expected;
  for (int i = 0; i < 2000; ++i) {
    input += "b sealed message " + std::to_string(i) + "\n";
    expected += "a: sealed message " + std::to_string(i) + "\n";
  }
  // Written and closed before the sender has registered: QUIT must wait for every sealed SEND.
  ASSERT_TRUE(sender.write(input));
  sender.close_stdin();
  EXPECT_EQ(sender.wait_exit(), 0) << sender.err();
  EXPECT_TRUE(listener.wait_until([&] { return listener.out().size() >= expected.size(); })) << listener.err();
  EXPECT_EQ(listener.out(), expected);
  EXPECT_EQ(proxy_->upstream().find("sealed message"), std::string::npos);
}

TEST_F(E2eExchange, TamperingIsDroppedWithAWarningAndNothingElseBreaks) {
  Process a, b;
  start(a, "a");
  start(b, "b", {"--listen"});
  ASSERT_TRUE(a.write("b one\n"));
  ASSERT_TRUE(b.wait_for_out("a: one\n")) << b.err();

  proxy_->tamper_next("b", TcpProxy::Tamper::flip_byte);
  ASSERT_TRUE(a.write("b two\n"));
  EXPECT_TRUE(b.wait_for_err("Warning: dropped a message from 'a': it failed verification")) << b.err();

  proxy_->tamper_next("b", TcpProxy::Tamper::truncate);
  ASSERT_TRUE(a.write("b three\n"));
  EXPECT_TRUE(b.wait_for_err("Warning: dropped a message from 'a': it is damaged")) << b.err();

  ASSERT_TRUE(a.write("b four\n"));
  ASSERT_TRUE(b.wait_for_out("a: four\n")) << b.err();
  const size_t delivered = proxy_->frames_to("b");
  ASSERT_TRUE(proxy_->replay_last("b"));
  EXPECT_TRUE(b.wait_for_err("Warning: dropped a replayed message from 'a'")) << b.err();
  EXPECT_EQ(proxy_->frames_to("b"), delivered + 1);

  proxy_->tamper_next("b", TcpProxy::Tamper::swap_source, "c");
  ASSERT_TRUE(a.write("b five\n"));
  EXPECT_TRUE(b.wait_for_err("Warning: dropped a message from 'c': it failed verification")) << b.err();

  ASSERT_TRUE(a.write("b six\n"));
  EXPECT_TRUE(b.wait_for_out("a: six\n")) << b.err();
  // Only the genuine messages were shown, each once; every warning is one line naming the sender.
  EXPECT_EQ(b.out(), "a: one\na: four\na: six\n");
  EXPECT_EQ(count_of(b.err(), "Warning: "), 4u) << b.err();
  a.close_stdin();
  EXPECT_EQ(a.wait_exit(), 0) << a.err();
  b.signal(SIGTERM);  // client.log is complete once b has exited
  EXPECT_EQ(b.wait_exit(), 0) << b.err();
  const std::string blog = client_log("b");
  EXPECT_EQ(count_of(blog, "event=decrypt_failed"), 3u) << blog;
  EXPECT_NE(blog.find("event=replay_dropped from=a reason=counter"), std::string::npos) << blog;
  for (const char* secret : {"one", "two", "three", "four", "five", "six"}) {
    EXPECT_EQ(blog.find(std::string(" ") + secret + "\n"), std::string::npos) << blog;
    EXPECT_EQ(proxy_->upstream().find(std::string("\n") + secret), std::string::npos) << secret;
  }
}

TEST_F(E2eExchange, ACopyHandedToAnotherNodeCannotBeRead) {
  Process a, b, c;
  start(a, "a");
  start(b, "b", {"--listen"});
  start(c, "c", {"--listen"});
  ASSERT_TRUE(a.write("b for b only\n"));
  ASSERT_TRUE(b.wait_for_out("a: for b only\n")) << b.err();
  ASSERT_TRUE(proxy_->deliver_copy("b", "c"));
  EXPECT_TRUE(c.wait_for_err("Warning: dropped a message from 'a': it failed verification")) << c.err();
  EXPECT_EQ(c.out(), "");
}

TEST_F(E2eExchange, BroadcastIsSealedOnceForEveryNodeWithAKey) {
  Process a, b, c, d;
  start(a, "a");
  start(b, "b", {"--listen"});
  start(c, "c", {"--listen"});
  start(d, "d", {"--listen"}, /*e2e=*/false);
  ASSERT_TRUE(a.write("* to everyone\n"));
  EXPECT_TRUE(b.wait_for_out("a: to everyone\n")) << b.err();
  EXPECT_TRUE(c.wait_for_out("a: to everyone\n")) << c.err();
  EXPECT_TRUE(a.wait_for_err("Sent to '*', encrypted for 2 recipients; not for d (no key)")) << a.err();
  // A client without --e2e is told what it got, never shown the bytes.
  EXPECT_TRUE(d.wait_for_err("[encrypted message from a: start the client with --e2e]")) << d.err();
  EXPECT_EQ(d.out(), "");
  EXPECT_EQ(count_of(proxy_->upstream(), "SEND * "), 1u);
  expect_not_on_the_wire(*proxy_, "", "to everyone");
}

TEST_F(E2eExchange, UnencryptedMessagesAreNotShownUnderE2e) {
  Process a, b;
  start(a, "a", {}, /*e2e=*/false);
  start(b, "b", {"--listen"});
  ASSERT_TRUE(a.write("b plain words\n"));
  EXPECT_TRUE(b.wait_for_err("Warning: dropped a message from 'a': it was not end-to-end encrypted")) << b.err();
  EXPECT_EQ(b.out(), "");
  // And sending to a node without a key is refused, not sent in clear.
  Process s;
  start(s, "s");
  expect_send_refused(s, "a secret", "Error: not sent to 'a': it has published no end-to-end key");
  ASSERT_TRUE(s.wait_exit().has_value());
  EXPECT_EQ(proxy_->upstream().find("secret"), std::string::npos);
  EXPECT_EQ(a.out(), "");
}

TEST_F(E2eExchange, MessagesToAMissingNodeAreRefusedInWords) {
  Process a;
  start(a, "a");
  expect_send_refused(a, "zz anyone there?", "Error: not sent to 'zz': no such node");
}

}  // namespace
}  // namespace sb::test
