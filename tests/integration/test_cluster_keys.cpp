// KEY GET across a cluster (real nats-server, two or three switchboard servers): a key published
// on one server is answered on the others from their mirror of the sb_keys bucket, replaced by a
// later KEY SET and gone when the node leaves; a key pinned by the auth file wins; a later holder
// of the id never gets an earlier holder's key, not even the record a crashed server left behind;
// with the backbone down KEY GET answers ERR unavailable for nodes elsewhere and the key published
// meanwhile arrives once it is back; and two --e2e clients on different servers talk.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <tuple>

#include "tests/support/cluster_fixture.h"
#include "tests/support/e2e_clients.h"

namespace sb::test {
namespace {

const std::string kPinnedKey = "x25519:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
const std::string kKey1 = "x25519:" + std::string(42, 'B') + "A";
const std::string kKey2 = "x25519:" + std::string(42, 'C') + "A";

std::unique_ptr<LineClient> connect(ClusterRig& rig, size_t server, const std::string& id,
                                    const std::string& token = "") {
  auto c = std::make_unique<LineClient>(rig.server(server).port());
  EXPECT_EQ(c->request("HELLO " + id + (token.empty() ? "" : " " + token)), welcome(id));
  return c;
}

// Asks until the answer is `want`; every answer on the way must differ from `never`.
bool answers(LineClient& asker, const std::string& id, const std::string& want, const std::string& never = "") {
  return wait_until([&] {
    const std::string got = asker.request("KEY GET " + id);
    if (!never.empty()) {
      EXPECT_NE(got, never) << "KEY GET " << id;
    }
    return got == want;
  });
}

std::string key_reply(const std::string& id, const std::string& key) { return "KEY " + id + " " + key; }

class ClusterKeyGet : public ::testing::Test {
 protected:
  std::string auth_file() {
    const std::string path = dir_.path() + "/auth.txt";
    std::ofstream(path) << "pinned token-p " << kPinnedKey << "\nfree token-f\nquiet token-q\nasker token-a\n";
    return path;
  }
  // Two servers with the auth file: "pinned" and "free" on s0, free published kKey1, and "asker"
  // on s1 already gets it.
  void start_with_a_published_key() {
    rig_ = std::make_unique<ClusterRig>(1, 2, "1", std::vector<std::string>{"--auth-file", auth_file()});
    ASSERT_TRUE(rig_->ok()) << rig_->error();
    pinned_ = connect(*rig_, 0, "pinned", "token-p");
    free_ = connect(*rig_, 0, "free", "token-f");
    asker_ = connect(*rig_, 1, "asker", "token-a");
    ASSERT_EQ(free_->request("KEY SET " + kKey1), key_reply("free", kKey1));
    ASSERT_TRUE(answers(*asker_, "free", key_reply("free", kKey1)));
  }

  TempDir dir_;
  std::unique_ptr<ClusterRig> rig_;
  std::unique_ptr<LineClient> pinned_, free_, asker_;
};

TEST_F(ClusterKeyGet, APublishedKeyIsAnsweredOnTheOtherServerUntilTheNodeLeaves) {
  ASSERT_NO_FATAL_FAILURE(start_with_a_published_key());
  ClusterRig& rig = *rig_;
  auto quiet = connect(rig, 0, "quiet", "token-q");
  // The pinned key wins though the node published none; a node elsewhere without a key: no-key.
  EXPECT_EQ(asker_->request("KEY GET pinned"), key_reply("pinned", kPinnedKey));
  EXPECT_TRUE(answers(*asker_, "quiet", "ERR no-key quiet"));
  EXPECT_EQ(asker_->request("KEY GET nobody"), "ERR no-such-node nobody");
  // A later KEY SET replaces the key everywhere.
  ASSERT_EQ(free_->request("KEY SET " + kKey2), key_reply("free", kKey2));
  EXPECT_TRUE(answers(*asker_, "free", key_reply("free", kKey2)));
  EXPECT_EQ(pinned_->request("KEY GET free"), key_reply("free", kKey2));
  // The node leaves: its id is gone, and so is its key.
  free_->close();
  EXPECT_TRUE(answers(*asker_, "free", "ERR no-such-node free"));
  // A new holder of the id on the same server has published nothing: never the old key.
  auto successor = connect(rig, 0, "free", "token-f");
  EXPECT_TRUE(answers(*asker_, "free", "ERR no-key free", key_reply("free", kKey2)));
  ASSERT_EQ(successor->request("KEY SET " + kKey1), key_reply("free", kKey1));
  EXPECT_TRUE(answers(*asker_, "free", key_reply("free", kKey1)));
  expect_usable(*asker_);

  EXPECT_EQ(rig.server(0).stop(), 0) << rig.server(0).stderr_text();
  const std::string log = rig.server(0).log();
  EXPECT_NE(log.find("event=cluster_keys_ready"), std::string::npos) << log;
  EXPECT_EQ(log.find(kKey1.substr(7)), std::string::npos) << "server.log holds a key";
}

// The record of a node whose server was killed stays in the bucket (nobody deletes it); the
// node that claims the id after the heartbeat expired must not be answered with that key.
TEST_F(ClusterKeyGet, AKeyLeftByACrashedServerIsNeverServedForTheNextHolder) {
  ClusterRig rig(1, 3, "1");
  ASSERT_TRUE(rig.ok()) << rig.error();
  auto old_holder = connect(rig, 0, "x");
  auto asker = connect(rig, 2, "asker");
  ASSERT_EQ(old_holder->request("KEY SET " + kKey1), key_reply("x", kKey1));
  ASSERT_TRUE(answers(*asker, "x", key_reply("x", kKey1)));
  EXPECT_EQ(rig.server(0).stop(SIGKILL), 128 + SIGKILL);
  std::unique_ptr<LineClient> next_holder;
  ASSERT_TRUE(wait_until([&] {
    std::string reply;
    next_holder = hello(rig.server(1).port(), "x", &reply);
    return reply == welcome("x");
  }));
  EXPECT_TRUE(answers(*asker, "x", "ERR no-key x"));
  ASSERT_EQ(next_holder->request("KEY SET " + kKey2), key_reply("x", kKey2));
  EXPECT_TRUE(answers(*asker, "x", key_reply("x", kKey2)));
}

TEST_F(ClusterKeyGet, WithoutTheBackboneKeysElsewhereAreUnavailableAndArriveWhenItIsBack) {
  ASSERT_NO_FATAL_FAILURE(start_with_a_published_key());
  ClusterRig& rig = *rig_;
  rig.nats()[0].kill_now();
  EXPECT_TRUE(answers(*asker_, "free", "ERR unavailable free"));
  EXPECT_EQ(asker_->request("KEY GET pinned"), key_reply("pinned", kPinnedKey));
  // On the node's own server the key is local and answered as always; a new one stays local.
  ASSERT_EQ(free_->request("KEY SET " + kKey2), key_reply("free", kKey2));
  EXPECT_EQ(pinned_->request("KEY GET free"), key_reply("free", kKey2));
  ASSERT_TRUE(rig.nats().start_member(0));
  EXPECT_TRUE(answers(*asker_, "free", key_reply("free", kKey2)));
  expect_usable(*asker_);
}

// Two --e2e clients on different servers: each finds the other's key through its own server and
// the sealed messages cross the backbone both ways.
TEST_F(ClusterKeyGet, EndToEndClientsOnDifferentServersExchangeMessages) {
  ClusterRig rig(1, 2, "1");
  ASSERT_TRUE(rig.ok()) << rig.error();
  Process a, b;
  for (auto [p, id, server] : {std::tuple{&a, "a", 0}, std::tuple{&b, "b", 1}}) {
    const std::string home = dir_.path() + "/" + id;
    ASSERT_EQ(::mkdir(home.c_str(), 0700), 0);
    ASSERT_TRUE(p->start(client_args(std::to_string(rig.server(server).port()), home, id, home + "/" + id + ".key")))
        << p->error();
    ASSERT_TRUE(p->wait_for_err(kE2eOn)) << p->err();
  }
  // Each server's mirror has the other node's key before the first message asks for it.
  auto probe0 = connect(rig, 0, "probe0");
  auto probe1 = connect(rig, 1, "probe1");
  ASSERT_TRUE(wait_until([&] { return probe0->request("KEY GET b").rfind("KEY b x25519:", 0) == 0; }));
  ASSERT_TRUE(wait_until([&] { return probe1->request("KEY GET a").rfind("KEY a x25519:", 0) == 0; }));
  ASSERT_TRUE(a.write("b Hello across servers\n"));
  EXPECT_TRUE(b.wait_for_out("a: Hello across servers\n")) << b.out() << b.err();
  ASSERT_TRUE(b.write("a And back\n"));
  EXPECT_TRUE(a.wait_for_out("b: And back\n")) << a.out() << a.err();
  close_inputs_and_expect_exit_zero({a, b});
  EXPECT_EQ(a.out(), "b: And back\n");
  EXPECT_EQ(b.out(), "a: Hello across servers\n");
}

}  // namespace
}  // namespace sb::test
