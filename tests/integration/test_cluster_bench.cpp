// switchboard-bench --servers over two clustered servers (real nats-server): the nodes are spread
// over both, so with --pattern random about half the messages cross the backbone, and every one
// is delivered once and in order. Correctness only; numbers are never asserted.
#include <gtest/gtest.h>

#include <csignal>
#include <string>

#include "tests/support/cluster_fixture.h"
#include "tests/support/json.h"

namespace sb::test {
namespace {

TEST(ClusterBench, RandomOverTwoServersLosesNothing) {
  raise_fd_limit();
  ClusterRig rig(1, 2);
  ASSERT_TRUE(rig.ok()) << rig.error();
  const std::string servers = "127.0.0.1:" + std::to_string(rig.server(0).port()) + ",127.0.0.1:" +
                              std::to_string(rig.server(1).port());
  ExitResult r = run_to_exit({bin_dir() + "/switchboard-bench", "--servers", servers, "--nodes", "300", "--pattern",
                              "random", "--duration", "1", "--warmup", "0.2", "--json"},
                             milliseconds(60000));
  ASSERT_FALSE(r.timed_out);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  json::Value j = json::parse(r.out);
  EXPECT_TRUE(j.at("ok").as_bool()) << r.out;
  EXPECT_EQ(j.at("nodes").as_int(), 300);
  EXPECT_GT(j.at("sent").as_int(), 0) << r.out;
  EXPECT_EQ(j.at("delivered").as_int(), j.at("expected").as_int()) << r.out;
  for (const char* zero : {"lost", "duplicated", "reordered", "corrupt", "server_errors"})
    EXPECT_EQ(j.at(zero).as_int(), 0) << zero << ": " << r.out;

  // Round robin: each server registered half of the nodes (its log is complete once it stopped).
  for (size_t s = 0; s < 2; ++s) {
    EXPECT_EQ(rig.server(s).stop(SIGTERM), 0);
    EXPECT_EQ(count_of(rig.server(s).log(), "event=register "), 150u) << "server " << s;
  }
}

}  // namespace
}  // namespace sb::test
