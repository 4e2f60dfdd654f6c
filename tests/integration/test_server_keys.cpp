// The key directory through the real server binary: KEY SET / KEY GET, ERR no-key and
// no-such-node, keys dropped when the node leaves, keys pinned in --auth-file (ERR auth
// key-pinned), the server.log records (fingerprint, never the key), and bad input (ERR bad-command
// KEY, the connection stays usable).
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/support/line_client.h"
#include "tests/support/server_process.h"

namespace sb::test {
namespace {

// Two keys in the protocol's text form. kKeyA is the 32 bytes 0x00..0x1f; the logs record the
// first 32 hex digits of its SHA-256 fingerprint (computed independently with python3 hashlib).
const std::string kKeyA = "x25519:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
const std::string kKeyAFingerprint = "630dcd2966c4336691125448bbb25b4f";
const std::string kKeyB = "x25519:" + std::string(42, 'B') + "A";

// A fresh server per test, with the default flags (the pinned-key test writes its auth file first).
using ServerKeys = ServerTest;

TEST_F(ServerKeys, SetThenGetFromAnotherNode) {
  LineClient& a = join("a");
  LineClient& b = join("b");
  EXPECT_EQ(b.request("KEY GET a"), "ERR no-key a");
  EXPECT_EQ(a.request("KEY SET " + kKeyA), "KEY a " + kKeyA);
  EXPECT_EQ(b.request("KEY GET a"), "KEY a " + kKeyA);
  EXPECT_EQ(a.request("KEY GET a"), "KEY a " + kKeyA);  // its own, too
  // A second KEY SET replaces the first.
  EXPECT_EQ(a.request("KEY SET " + kKeyB), "KEY a " + kKeyB);
  EXPECT_EQ(b.request("KEY GET a"), "KEY a " + kKeyB);
  EXPECT_EQ(b.request("KEY GET nobody"), "ERR no-such-node nobody");
  expect_reply_then_usable(b, "KEY GET a@b", "ERR bad-id a@b");
  EXPECT_EQ(stop_server(), 0);
  // The log has the fingerprint, never the key itself.
  const std::string log = server().log();
  EXPECT_NE(log.find("event=key_published node=a fingerprint=" + kKeyAFingerprint), std::string::npos) << log;
  EXPECT_EQ(log.find(kKeyA.substr(7)), std::string::npos) << log;
  EXPECT_EQ(log.find(kKeyB.substr(7)), std::string::npos) << log;
}

TEST_F(ServerKeys, KeyIsDroppedWhenTheNodeLeaves) {
  LineClient& b = join("b");
  {
    LineClient a(port());
    ASSERT_EQ(a.hello("a"), "WELCOME a 60");
    ASSERT_EQ(a.request("KEY SET " + kKeyA), "KEY a " + kKeyA);
    EXPECT_EQ(a.request("QUIT"), "BYE");
  }
  EXPECT_TRUE(wait_until([&] { return b.request("KEY GET a") == "ERR no-such-node a"; }));
  // The same id back on a new connection (very likely the same slot) starts without a key.
  join("a");
  EXPECT_EQ(b.request("KEY GET a"), "ERR no-key a");
  {
    LineClient c(port());
    ASSERT_EQ(c.hello("c"), "WELCOME c 60");
    ASSERT_EQ(c.request("KEY SET " + kKeyB), "KEY c " + kKeyB);
    c.reset();  // an abrupt disconnect drops it too
  }
  EXPECT_TRUE(wait_until([&] { return b.request("KEY GET c") == "ERR no-such-node c"; }));
  join("c");
  EXPECT_EQ(b.request("KEY GET c"), "ERR no-key c");
}

TEST_F(ServerKeys, BadInputGetsBadCommandKeyAndTheConnectionStaysUsable) {
  LineClient& a = join("a");
  const std::string body = kKeyA.substr(7);
  const std::string cases[] = {
      "KEY",
      "KEY SET",
      "KEY GET",
      "KEY PUT " + kKeyA,
      "KEY set " + kKeyA,
      "KEY SET " + kKeyA + " extra",
      "KEY GET a b",
      "KEY SET x25519:" + body.substr(0, 42),  // 42 base64 characters
      "KEY SET x25519:" + body + "A",          // 44
      "KEY SET x25519:" + body + "=",
      "KEY SET ed25519:" + body,
      "KEY SET X25519:" + body,
      "KEY SET " + body,
      "KEY SET x25519:" + body.substr(0, 42) + "9",  // unused bits set: not the canonical form
      "KEY SET x25519:" + body.substr(0, 10) + "/" + body.substr(11),
      "KEY SET x25519:" + body.substr(0, 10) + std::string("\0\x01\xff", 3) + body.substr(13),
      "KEY SET \x80\x81\x82\x83",
  };
  for (const std::string& line : cases) expect_reply_then_usable(a, line, "ERR bad-command KEY");
  // Nothing was published by any of them.
  EXPECT_EQ(a.request("KEY GET a"), "ERR no-key a");
  EXPECT_EQ(a.request("KEY SET " + kKeyA), "KEY a " + kKeyA);
}

TEST_F(ServerKeys, KeyBeforeHelloIsNotRegistered) {
  LineClient a(port());
  EXPECT_EQ(a.request("KEY SET " + kKeyA), "ERR not-registered");
  EXPECT_EQ(a.request("KEY GET a"), "ERR not-registered");
  EXPECT_EQ(a.hello("a"), "WELCOME a 60");
  EXPECT_EQ(a.request("KEY GET a"), "ERR no-key a");
}

TEST(ServerKeysPinned, PinnedKeyIsAnsweredFromTheStartAndAnotherIsRefused) {
  TempDir dir;
  const std::string auth = dir.path() + "/auth.txt";
  {
    std::ofstream out(auth);
    out << "a token-a " << kKeyA << "\nb token-b\n";
  }
  ServerProcess server({"--auth-file", auth});
  ASSERT_TRUE(server.ok()) << server.error();
  LineClient a(server.port()), b(server.port());
  ASSERT_EQ(a.request("HELLO a token-a"), "WELCOME a 60");
  ASSERT_EQ(b.request("HELLO b token-b"), "WELCOME b 60");
  EXPECT_EQ(b.request("KEY GET a"), "KEY a " + kKeyA);  // pinned: before a published anything
  expect_reply_then_usable(a, "KEY SET " + kKeyB, "ERR auth key-pinned");
  EXPECT_EQ(b.request("KEY GET a"), "KEY a " + kKeyA);
  EXPECT_EQ(a.request("KEY SET " + kKeyA), "KEY a " + kKeyA);  // the pinned key itself is fine
  // b pins nothing: it publishes what it likes.
  EXPECT_EQ(b.request("KEY SET " + kKeyB), "KEY b " + kKeyB);
  EXPECT_EQ(a.request("KEY GET b"), "KEY b " + kKeyB);
  EXPECT_EQ(server.stop(), 0);
  const std::string log = server.log();
  EXPECT_NE(log.find("pinned_keys=1"), std::string::npos) << log;
  const size_t refused = log.find("event=key_refused");
  ASSERT_NE(refused, std::string::npos) << log;
  EXPECT_NE(log.rfind("level=warn", refused), std::string::npos) << log;
  EXPECT_NE(log.find("pinned=" + kKeyAFingerprint, refused), std::string::npos) << log;
  EXPECT_EQ(log.find(kKeyB.substr(7)), std::string::npos) << log;
}

}  // namespace
}  // namespace sb::test
