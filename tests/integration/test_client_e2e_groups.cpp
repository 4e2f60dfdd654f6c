// End-to-end encryption of a group message through the real binaries: sealed once for the three
// members WHO #ops lists, all three decrypt; a node that joins afterwards, handed a copy by the
// proxy, cannot, and says so. A pattern is sealed for the ids WHO <pattern> lists. Anycast is
// refused before anything is sent.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/e2e_clients.h"
#include "tests/support/line_client.h"

namespace sb::test {
namespace {

class E2eGroups : public E2eTest {
 protected:
  // An interactive --e2e member of #ops, confirmed by the server's WHO #ops.
  void join(Process& member, const std::string& id) {
    ASSERT_TRUE(member.start(args(id), Process::Io::pty)) << member.error();
    ASSERT_TRUE(member.wait_for_out(kE2eOn)) << member.out();
    ASSERT_TRUE(member.wait_for_out("[e2e] Enter 'm'")) << member.out();
    member.write("/join #ops\r");
    LineClient observer(server_->port());
    ASSERT_EQ(observer.hello("observer-" + id), "WELCOME observer-" + id + " 60");
    ASSERT_TRUE(wait_until([&] {
      const std::string who = observer.request("WHO #ops");
      return who.find(" " + id) != std::string::npos;
    })) << member.out();
  }
};

TEST_F(E2eGroups, ThreeMembersDecryptAndALaterJoinerCannot) {
  Process b, c, d, a, late;
  join(b, "b");
  join(c, "c");
  join(d, "d");
  start(a, "a");
  ASSERT_TRUE(a.write("#ops to the whole group\n"));
  for (Process* member : {&b, &c, &d}) {
    EXPECT_TRUE(member->wait_for_out("to the whole group")) << member->out();
  }
  EXPECT_TRUE(a.wait_for_err("Sent to '#ops', encrypted for 3 recipients")) << a.err();

  // Joins after the message was sealed; the proxy hands it b's copy.
  join(late, "late");
  ASSERT_TRUE(proxy_->deliver_copy("b", "late"));
  EXPECT_TRUE(late.wait_for_out("Warning: dropped a message from 'a': it was not encrypted for this node"))
      << late.out();
  EXPECT_EQ(late.out().find("to the whole group"), std::string::npos);

  a.close_stdin();
  EXPECT_EQ(a.wait_exit(), 0) << a.err();
  EXPECT_EQ(proxy_->upstream().find("to the whole group"), std::string::npos);
  EXPECT_EQ(proxy_->downstream().find("to the whole group"), std::string::npos);
}

TEST_F(E2eGroups, PatternIsSealedForTheMatchingNodesOnly) {
  Process first, second, other, a;
  start(first, "plant1.a.temp");
  start(second, "plant1.b.temp");
  start(other, "plant2.a.temp");
  start(a, "a");
  ASSERT_TRUE(a.write("plant1.*.temp reading 17\n"));
  EXPECT_TRUE(first.wait_for_out("reading 17")) << first.out();
  EXPECT_TRUE(second.wait_for_out("reading 17")) << second.out();
  EXPECT_TRUE(a.wait_for_err("Sent to 'plant1.*.temp', encrypted for 2 recipients")) << a.err();

  a.close_stdin();
  EXPECT_EQ(a.wait_exit(), 0) << a.err();
  EXPECT_EQ(other.out().find("reading 17"), std::string::npos);
  EXPECT_EQ(proxy_->upstream().find("reading 17"), std::string::npos);
  EXPECT_EQ(proxy_->downstream().find("reading 17"), std::string::npos);
}

TEST_F(E2eGroups, AnycastIsRefusedAndNothingIsSent) {
  Process b, a;
  join(b, "b");
  start(a, "a");
  expect_send_refused(a, "~ops to one of you", "Error: not sent to '~ops': anycast cannot be end-to-end encrypted");
  EXPECT_EQ(proxy_->upstream().find("SEND ~ops"), std::string::npos);
  EXPECT_EQ(b.out().find("to one of you"), std::string::npos);
}

}  // namespace
}  // namespace sb::test
