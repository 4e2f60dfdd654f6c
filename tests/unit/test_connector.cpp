// Unit tests for net::resolve_all and net::Connector over loopback only: host names through
// getaddrinfo ("localhost"), IPv6 (::1), a refused port, and the timeout, made real by a listener
// whose accept queue is full (the kernel then drops the SYN, so the connect hangs as it would to a
// silent host) instead of by sending anything off the machine.
#include "common/net/connector.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/net/socket.h"
#include "common/timing/clock.h"
#include "tests/support/silent_listener.h"

namespace sb::net {
namespace {

int64_t now_ms() { return static_cast<int64_t>(monotonic_ns() / 1000000); }

Endpoint endpoint(const char* host, uint16_t port) {
  Endpoint ep;
  EXPECT_TRUE(resolve(host, port, &ep, nullptr)) << host;
  return ep;
}

// A listening socket on `host` with the given backlog; closed at destruction.
struct Listener {
  int fd = -1;
  uint16_t port = 0;
  Listener(const char* host, int backlog) {
    std::string error;
    fd = listen_tcp(endpoint(host, 0), backlog, &error);
    if (fd >= 0) port = local_port(fd);
  }
  ~Listener() {
    if (fd >= 0) ::close(fd);
  }
};

// Drives the connector the way a poll loop would, until it leaves `connecting`.
Connector::Status drive(Connector& c) {
  while (c.status() == Connector::Status::connecting) {
    pollfd p{c.fd(), POLLOUT, 0};
    int wait = static_cast<int>(std::max<int64_t>(0, c.deadline() - now_ms()));
    int rc = ::poll(&p, 1, wait);
    if (rc > 0) c.on_writable(now_ms());
    else c.on_timer(now_ms());
  }
  return c.status();
}

bool has_family(const std::vector<Endpoint>& list, int family) {
  for (const auto& ep : list)
    if (ep.addr.ss_family == family) return true;
  return false;
}

TEST(ResolveAll, NumericAndNamedHosts) {
  std::vector<Endpoint> list;
  std::string error;
  ASSERT_TRUE(resolve_all("127.0.0.1", 2004, &list, &error)) << error;
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(format_endpoint(reinterpret_cast<const sockaddr*>(&list[0].addr), list[0].len), "127.0.0.1:2004");

  ASSERT_TRUE(resolve_all("::1", 2004, &list, &error)) << error;
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(format_endpoint(reinterpret_cast<const sockaddr*>(&list[0].addr), list[0].len), "[::1]:2004");
  ASSERT_TRUE(resolve_all("[::1]", 7, &list, &error)) << error;
  EXPECT_TRUE(has_family(list, AF_INET6));

  // A name, through /etc/hosts: every answer is a loopback address.
  ASSERT_TRUE(resolve_all("localhost", 2004, &list, &error)) << error;
  ASSERT_FALSE(list.empty());
  for (const auto& ep : list) {
    const std::string text = format_endpoint(reinterpret_cast<const sockaddr*>(&ep.addr), ep.len);
    EXPECT_TRUE(text == "127.0.0.1:2004" || text == "[::1]:2004") << text;
  }
}

TEST(ResolveAll, EmptyHostIsRefusedWithoutAskingTheResolver) {
  std::vector<Endpoint> list;
  std::string error;
  EXPECT_FALSE(resolve_all("", 2004, &list, &error));
  EXPECT_FALSE(resolve_all("[]", 2004, &list, &error));
  EXPECT_NE(error.find("empty"), std::string::npos) << error;
}

TEST(Connector, ConnectsOverIPv4ByName) {
  Listener l("127.0.0.1", 16);
  ASSERT_GE(l.fd, 0);
  Connector c;
  c.start("localhost", l.port, 5000, now_ms());
  ASSERT_EQ(drive(c), Connector::Status::connected) << c.error();
  int fd = c.release();
  ASSERT_GE(fd, 0);
  EXPECT_EQ(c.fd(), -1);
  EXPECT_EQ(c.status(), Connector::Status::idle);
  // The socket is non-blocking and really connected.
  EXPECT_NE(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
  int accepted = ::accept(l.fd, nullptr, nullptr);
  EXPECT_GE(accepted, 0);
  EXPECT_EQ(::write(fd, "x", 1), 1);
  ::close(accepted);
  ::close(fd);
}

TEST(Connector, ConnectsOverIPv6) {
  Listener l("::1", 16);
  if (l.fd < 0) GTEST_SKIP() << "no IPv6 loopback on this machine";
  Connector c;
  c.start("::1", l.port, 5000, now_ms());
  ASSERT_EQ(drive(c), Connector::Status::connected) << c.error();
  EXPECT_EQ(c.peer(), "[::1]:" + std::to_string(l.port));
  int fd = c.release();
  sockaddr_storage peer{};
  socklen_t len = sizeof peer;
  ASSERT_EQ(getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len), 0);
  EXPECT_EQ(peer.ss_family, AF_INET6);
  ::close(fd);
}

TEST(Connector, RefusedPortFailsWithTheReason) {
  uint16_t port;
  {
    Listener l("127.0.0.1", 1);  // learn a free port, then free it
    port = l.port;
  }
  Connector c;
  c.start("127.0.0.1", port, 5000, now_ms());
  ASSERT_EQ(drive(c), Connector::Status::failed);
  EXPECT_NE(c.error().find("Connection refused"), std::string::npos) << c.error();
  EXPECT_NE(c.error().find("127.0.0.1:" + std::to_string(port)), std::string::npos) << c.error();
  EXPECT_EQ(c.fd(), -1);
  EXPECT_EQ(c.release(), -1);
}

TEST(Connector, TimesOutWhenNobodyAnswers) {
  sb::test::SilentListener l;
  if (!l.silent()) GTEST_SKIP() << "this kernel completes connects beyond the backlog";
  Connector c;
  const int64_t t0 = now_ms();
  c.start("127.0.0.1", l.port(), 300, t0);
  ASSERT_EQ(c.status(), Connector::Status::connecting);
  EXPECT_LE(c.deadline(), t0 + 300);
  ASSERT_EQ(drive(c), Connector::Status::failed);
  EXPECT_GE(now_ms() - t0, 290);
  EXPECT_NE(c.error().find("timed out"), std::string::npos) << c.error();
}

TEST(Connector, ASilentAddressLeavesTimeForTheNext) {
  sb::test::SilentListener silent;
  if (!silent.silent()) GTEST_SKIP() << "this kernel completes connects beyond the backlog";
  Listener good("127.0.0.1", 16);
  Connector c;
  const int64_t t0 = now_ms();
  c.start({endpoint("127.0.0.1", silent.port()), endpoint("127.0.0.1", good.port)}, 1000, t0);
  // Two addresses: the first gets half the time, the second the rest.
  EXPECT_LE(c.deadline(), t0 + 500);
  ASSERT_EQ(drive(c), Connector::Status::connected) << c.error();
  EXPECT_EQ(c.peer(), "127.0.0.1:" + std::to_string(good.port));
  ::close(c.release());
}

TEST(Connector, ResetAbandonsAnAttempt) {
  sb::test::SilentListener silent;
  if (!silent.silent()) GTEST_SKIP() << "this kernel completes connects beyond the backlog";
  Connector c;
  c.start("127.0.0.1", silent.port(), 5000, now_ms());
  ASSERT_EQ(c.status(), Connector::Status::connecting);
  c.reset();
  EXPECT_EQ(c.status(), Connector::Status::idle);
  EXPECT_EQ(c.fd(), -1);
  EXPECT_EQ(c.deadline(), -1);
}

}  // namespace
}  // namespace sb::net
