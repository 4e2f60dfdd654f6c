// Refused connections through the real server: the client reads its ERR line and then the end of
// the stream, even when its own first bytes were already waiting unread at the server (a plain
// close would answer them with an RST that destroys the ERR); the lingering list is bounded, and
// refusals beyond it are closed at once and counted in STATS as refused_unlingered.
#include <gtest/gtest.h>

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <memory>
#include <string>
#include <vector>

#include "tests/support/line_client.h"
#include "tests/support/server_process.h"

namespace sb::test {
namespace {

// Connects while the server is stopped, so that the client's HELLO is in the socket before the
// server accepts it: the case in which an immediate close would reset the connection.
std::unique_ptr<LineClient> connect_with_early_hello(ServerProcess& server, const std::string& id) {
  server.signal(SIGSTOP);
  auto c = std::make_unique<LineClient>(server.port());
  EXPECT_TRUE(c->send_all("HELLO " + id + "\nPING\n"));
  server.signal(SIGCONT);
  return c;
}

// After the ERR line: the stream ends with the server's FIN (recv says 0), not an RST (ECONNRESET),
// which on a real network may overtake the ERR and destroy it.
std::string how_it_ends(LineClient& c) {
  if (c.buffered() != 0) return "unread bytes";
  pollfd p{c.fd(), POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(kDefaultWait.count())) <= 0) return "timeout";
  char byte;
  ssize_t n = ::recv(c.fd(), &byte, 1, 0);
  if (n == 0) return "fin";
  return n < 0 ? std::string("error: ") + std::strerror(errno) : "more data";
}

// A fresh server per test, with the connection limit the suite is about.
constexpr const char* kMaxConns1[] = {"--max-conns", "1"};
using ServerRefusalsMaxConns1 = ServerTestWith<kMaxConns1>;
constexpr const char* kMaxConnsPerIp1[] = {"--max-conns-per-ip", "1"};
using ServerRefusalsMaxConnsPerIp1 = ServerTestWith<kMaxConnsPerIp1>;

TEST_F(ServerRefusalsMaxConns1, ServerFullIsReadBeforeTheClose) {
  LineClient& a = join("a");
  for (int i = 0; i < 3; ++i) {
    auto b = connect_with_early_hello(server(), "b");
    EXPECT_EQ(b->read_line(), "ERR server-full");
    EXPECT_EQ(how_it_ends(*b), "fin");
  }
  auto s = stats_of(a);
  EXPECT_EQ(s["refused"], 3u);
  EXPECT_EQ(s["refused_unlingered"], 0u);
}

TEST_F(ServerRefusalsMaxConnsPerIp1, PerAddressCapIsReadBeforeTheClose) {
  join("a");
  auto b = connect_with_early_hello(server(), "b");
  EXPECT_EQ(b->read_line(), "ERR server-full too-many-connections-from-address");
  EXPECT_EQ(how_it_ends(*b), "fin");
}

TEST_F(ServerRefusalsMaxConns1, TheLingeringListIsBounded) {
  LineClient& a = join("a");
  // 80 refused clients that never close: 64 linger (up to 1 s each), the rest are closed at once.
  std::vector<std::unique_ptr<LineClient>> refused;
  for (int i = 0; i < 80; ++i) refused.push_back(std::make_unique<LineClient>(port()));
  for (auto& c : refused) EXPECT_EQ(c->read_line(), "ERR server-full");
  auto s = stats_of(a);
  EXPECT_EQ(s["refused"], 80u);
  EXPECT_GE(s["refused_unlingered"], 1u);
  EXPECT_LE(s["refused_unlingered"], 16u);
  // Every one of them is closed in the end: lingering ends at the deadline.
  for (auto& c : refused) EXPECT_TRUE(c->read_until_eof());
}

}  // namespace
}  // namespace sb::test
