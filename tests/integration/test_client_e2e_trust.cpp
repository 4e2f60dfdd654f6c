// Keys and trust through the real binaries: the identity key file (created 0600 under
// $XDG_CONFIG_HOME, refused when others can read it), trust on first use in known_nodes, a peer
// that comes back with a new key (shown unverified, sending refused until /trust, then fine), a
// key pinned in --auth-file that does not match (the client stops), and what client.log records.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>
#include <string>

#include "tests/support/e2e_clients.h"

namespace sb::test {
namespace {

mode_t mode_of(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0 ? st.st_mode & 07777 : 0;
}

using E2eTrust = E2eTest;

TEST_F(E2eTrust, FirstUseCreatesTheKeyUnderXdgConfigHome) {
  const std::string xdg = dir_.path() + "/xdg";
  ASSERT_EQ(::setenv("XDG_CONFIG_HOME", xdg.c_str(), 1), 0);
  Process a;
  ASSERT_TRUE(a.start({binary("switchboard-client"), "--port", proxy_->port_text(), "--log-dir", home("a"),
                       "--id", "a", "--e2e"}))
      << a.error();
  ::unsetenv("XDG_CONFIG_HOME");
  ASSERT_TRUE(a.wait_for_err(kE2eOn)) << a.err();
  EXPECT_NE(a.err().find("Created a new end-to-end key for 'a' in '" + xdg + "/switchboard/a.key'"), std::string::npos)
      << a.err();
  EXPECT_EQ(mode_of(xdg + "/switchboard/a.key"), 0600u);
  EXPECT_EQ(mode_of(xdg + "/switchboard"), 0700u);
  a.close_stdin();
  EXPECT_EQ(a.wait_exit(), 0) << a.err();
  const std::string log = client_log("a");
  EXPECT_NE(log.find("event=key_created node=a"), std::string::npos) << log;
}

TEST_F(E2eTrust, AKeyFileOthersCanReadIsRefused) {
  Process a;
  start(a, "a");
  a.close_stdin();
  ASSERT_EQ(a.wait_exit(), 0) << a.err();
  ASSERT_EQ(::chmod(key_file("a").c_str(), 0644), 0);
  Process again;
  ASSERT_TRUE(again.start(args("a"))) << again.error();
  again.close_stdin();
  EXPECT_EQ(again.wait_exit(), 1) << again.err();
  EXPECT_NE(again.err().find("Error: permissions 0644 for key file '" + key_file("a") + "' are too open"),
            std::string::npos)
      << again.err();
  EXPECT_EQ(again.err().find("Connected"), std::string::npos) << "refused before connecting: " << again.err();
}

TEST_F(E2eTrust, PeersAreTrustedOnFirstUseAndRecordedInKnownNodes) {
  Process a, b;
  start(a, "a");
  start(b, "b", {"--listen"});
  ASSERT_TRUE(a.write("b hi\n"));
  ASSERT_TRUE(b.wait_for_out("a: hi\n")) << b.err();
  a.close_stdin();
  ASSERT_EQ(a.wait_exit(), 0) << a.err();
  b.signal(SIGTERM);
  ASSERT_EQ(b.wait_exit(), 0) << b.err();
  const std::string a_known = read_file(home("a") + "/known_nodes");
  const std::string b_known = read_file(home("b") + "/known_nodes");
  EXPECT_NE(a_known.find("\nb x25519:"), std::string::npos) << a_known;
  EXPECT_NE(b_known.find("\na x25519:"), std::string::npos) << b_known;
  EXPECT_EQ(mode_of(home("a") + "/known_nodes"), 0600u);
  EXPECT_NE(client_log("a").find("event=key_trusted node=b"), std::string::npos) << client_log("a");
  EXPECT_NE(client_log("b").find("event=key_trusted node=a"), std::string::npos) << client_log("b");
}

TEST_F(E2eTrust, ANewKeyIsShownUnverifiedRefusedForSendingAndAcceptedWithTrust) {
  Process b1, a;
  start(b1, "b");
  ASSERT_TRUE(a.start(args("a"), Process::Io::pty)) << a.error();
  ASSERT_TRUE(a.wait_for_out("[e2e] Enter 'm'")) << a.out();
  ASSERT_TRUE(type_and_expect(a, "@b first", b1, "a: first\n"));
  b1.close_stdin();
  ASSERT_EQ(b1.wait_exit(), 0) << b1.err();

  // b comes back with another key file: another key.
  Process b2;
  ASSERT_TRUE(b2.start(args("b", {"--key-file", key_file("b", "b-new")}))) << b2.error();
  ASSERT_TRUE(b2.wait_for_err(kE2eOn)) << b2.err();
  ASSERT_TRUE(b2.write("a hello from the new b\n"));
  EXPECT_TRUE(a.wait_for_out("Server: b (unverified): hello from the new b")) << a.out();
  EXPECT_TRUE(a.wait_for_out("Warning: 'b' now uses a different key (trusted: ")) << a.out();
  EXPECT_TRUE(a.wait_for_out("/trust b")) << a.out();

  a.write("@b are you really b?\r");
  EXPECT_TRUE(a.wait_for_out("Error: not sent to 'b': its key has changed (trusted: ")) << a.out();
  EXPECT_TRUE(a.wait_for_out("accept it with /trust b")) << a.out();
  EXPECT_TRUE(type_and_expect(a, "/fingerprint b", "New key of 'b' (not trusted; /trust b accepts it): "));

  EXPECT_TRUE(type_and_expect(a, "/trust b", "Now trusting the new key of 'b': "));
  EXPECT_TRUE(type_and_expect(a, "@b after trust", b2, "a: after trust\n"));
  EXPECT_EQ(b2.out().find("really"), std::string::npos) << "the refused message was not sent";
  ASSERT_TRUE(b2.write("a verified again\n"));
  EXPECT_TRUE(a.wait_for_out("Server: b: verified again")) << a.out();
  a.write("q\r");
  EXPECT_EQ(a.wait_exit(), 0) << a.out();

  const std::string log = client_log("a");
  EXPECT_NE(log.find("event=key_changed node=b"), std::string::npos) << log;
  EXPECT_NE(log.find("event=send_refused target=b reason=key-changed"), std::string::npos) << log;
  EXPECT_NE(log.find("how=/trust"), std::string::npos) << log;
  EXPECT_EQ(log.find("really"), std::string::npos) << log;
  // The new key is what known_nodes holds now.
  std::ifstream key_text(key_file("b", "b-new"));
  std::string line, public_line;
  while (std::getline(key_text, line))
    if (line.rfind("public-key ", 0) == 0) public_line = line.substr(11);
  ASSERT_FALSE(public_line.empty());
  EXPECT_NE(read_file(home("a") + "/known_nodes").find("b " + public_line), std::string::npos);
  EXPECT_EQ(log.find(public_line), std::string::npos) << "client.log never holds a key";
}

class E2ePinnedKey : public E2eTest {
 protected:
  std::vector<std::string> server_flags() override {
    const std::string auth = dir_.path() + "/auth.txt";
    // a's pinned key is the 32 bytes 0x00..0x1f, which no key file of this test holds.
    std::ofstream(auth) << "a token-a x25519:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n"
                        << "b token-b\n";
    return {"--auth-file", auth};
  }
};

TEST_F(E2ePinnedKey, AClientWhoseKeyIsNotThePinnedOneStops) {
  Process a;
  ASSERT_TRUE(a.start(args("a", {"--token", "token-a"}))) << a.error();
  EXPECT_EQ(a.wait_exit(), 1) << a.err();
  EXPECT_NE(a.err().find("Error: the server has another key pinned for 'a'"), std::string::npos) << a.err();
  EXPECT_NE(client_log("a").find("event=key_publish_refused node=a code=auth detail=key-pinned"), std::string::npos)
      << client_log("a");
  // b pins nothing and publishes its own key.
  Process b;
  start(b, "b", {"--token", "token-b"});
  b.close_stdin();
  EXPECT_EQ(b.wait_exit(), 0) << b.err();
}

}  // namespace
}  // namespace sb::test
