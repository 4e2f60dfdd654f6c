// The settings the server's command line and its config file both set, checked as one: the
// option tests (defaults, every flag) and the config-file test compare the same fields.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/log/logger.h"
#include "server/options.h"

namespace sb::test {

struct CoreSettings {
  std::string bind;
  uint16_t port;
  double idle_timeout_s;
  double handshake_timeout_s;
  size_t max_conns;
  size_t max_payload;
  size_t max_outbuf;
  double slow_consumer_timeout_s;
  double shutdown_grace_s;
  std::string log_dir;
  log::Level log_level;
  unsigned log_workers;
  bool log_stderr;
};

inline void expect_core_settings(const server::ServerOptions& o, const CoreSettings& want) {
  EXPECT_EQ(o.bind, want.bind);
  EXPECT_EQ(o.port, want.port);
  EXPECT_EQ(o.idle_timeout_s, want.idle_timeout_s);
  EXPECT_EQ(o.handshake_timeout_s, want.handshake_timeout_s);
  EXPECT_EQ(o.max_conns, want.max_conns);
  EXPECT_EQ(o.max_payload, want.max_payload);
  EXPECT_EQ(o.max_outbuf, want.max_outbuf);
  EXPECT_EQ(o.slow_consumer_timeout_s, want.slow_consumer_timeout_s);
  EXPECT_EQ(o.shutdown_grace_s, want.shutdown_grace_s);
  EXPECT_EQ(o.log_dir, want.log_dir);
  EXPECT_EQ(o.log_level, want.log_level);
  EXPECT_EQ(o.log_workers, want.log_workers);
  EXPECT_EQ(o.log_stderr, want.log_stderr);
}

}  // namespace sb::test
