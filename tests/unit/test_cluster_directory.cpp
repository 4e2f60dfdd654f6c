// The cluster's Directory (server/directory.h): records in stream order win over older ones,
// releases, liveness by heartbeat age, the remote listing for WHO; and the cluster settings'
// value checks (server/cluster_names.h).
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "server/cluster_names.h"
#include "server/directory.h"

using namespace sb::server;

TEST(ClusterDirectory, NewerRecordsWinAndReleasesStay) {
  Directory d;
  d.set_self("me");
  d.claimed("a", 5, "other");
  ASSERT_NE(d.find("a"), nullptr);
  EXPECT_TRUE(d.find("a")->held);
  EXPECT_EQ(d.server_name(d.find("a")->server), "other");
  d.claimed("a", 3, "me");  // older: ignored
  EXPECT_EQ(d.server_name(d.find("a")->server), "other");
  d.released("a", 7);
  EXPECT_FALSE(d.find("a")->held);
  EXPECT_EQ(d.find("a")->seq, 7u);
  d.claimed("a", 6, "other");  // older than the release
  EXPECT_FALSE(d.find("a")->held);
  d.claimed("b", 8, "me");
  EXPECT_EQ(d.find("b")->server, d.self());
  EXPECT_EQ(d.held_by_self(), std::vector<std::string>{"b"});
  EXPECT_EQ(d.find("zz"), nullptr);
}

TEST(ClusterDirectory, LivenessByHeartbeatAge) {
  Directory d;
  d.set_self("me");
  d.claimed("x", 1, "s2");
  const uint32_t s2 = d.find("x")->server;
  EXPECT_TRUE(d.alive(d.self(), 0, 1000));
  EXPECT_FALSE(d.alive(s2, 0, 1000));  // never heard
  d.heard_from("s2", 5000);
  EXPECT_TRUE(d.alive(s2, 5999, 1000));
  EXPECT_FALSE(d.alive(s2, 6000, 1000));
  EXPECT_EQ(d.servers_alive(5500, 1000), 2u);
  std::set<std::string> remote;
  d.claimed("y", 2, "me");
  d.for_each_remote(5500, 1000, [&](std::string_view id) { remote.insert(std::string(id)); });
  EXPECT_EQ(remote, std::set<std::string>{"x"});
  remote.clear();
  d.for_each_remote(7000, 1000, [&](std::string_view id) { remote.insert(std::string(id)); });
  EXPECT_TRUE(remote.empty());
}

TEST(ClusterNames, UrlsAndServerNames) {
  EXPECT_TRUE(valid_cluster_urls("nats://127.0.0.1:4222"));
  EXPECT_TRUE(valid_cluster_urls("nats://a:1,b:2"));
  EXPECT_FALSE(valid_cluster_urls(""));
  EXPECT_FALSE(valid_cluster_urls("nats://a:1,"));
  EXPECT_FALSE(valid_cluster_urls("nats://"));
  EXPECT_FALSE(valid_cluster_urls("a:1, b:2"));
  EXPECT_TRUE(valid_server_name("127.0.0.1:2004"));
  EXPECT_TRUE(valid_server_name("sb-1_a"));
  EXPECT_FALSE(valid_server_name(""));
  EXPECT_FALSE(valid_server_name("a b"));
  EXPECT_FALSE(valid_server_name("a*"));
  EXPECT_FALSE(valid_server_name(std::string(65, 'a')));
}

TEST(ClusterDirectory, ServerIndexesAndSubjects) {
  Directory d;
  d.set_self("me.here");
  EXPECT_EQ(d.server_index("me.here"), d.self());
  const uint32_t other = d.server_index("other.one");
  EXPECT_EQ(d.server_index("other.one"), other);
  EXPECT_NE(other, d.self());
  EXPECT_EQ(d.subject(other), "sb.srv.other_one");
  EXPECT_EQ(d.subject(d.self()), "sb.srv.me_here");
}
