// The server's command line: every tunable with its default, parsed with getopt_long.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/log/logger.h"

namespace sb::server {

struct ServerOptions {
  std::string bind = "127.0.0.1";
  uint16_t port = 2004;
  double idle_timeout_s = 60;
  double handshake_timeout_s = 10;
  size_t max_conns = 100000;
  size_t max_payload = 1 << 20;
  size_t max_outbuf = 4 << 20;
  double slow_consumer_timeout_s = 10;
  double shutdown_grace_s = 5;
  std::string log_dir = ".";
  log::Level log_level = log::Level::info;
  unsigned log_workers = 1;
  bool log_stderr = false;
  std::string auth_file;         // empty: no authentication (any valid id may register)
  bool allow_unknown_ids = false;  // with auth: ids absent from the file register without a token
  size_t max_conns_per_ip = 0;   // 0: no per-address limit
};

enum class ParseOutcome { run, exit_ok, exit_usage };

// Parses argv. On exit_ok (--help, --version) the text is in *message for stdout; on exit_usage
// *message holds the reason followed by the usage text, for stderr.
ParseOutcome parse_options(int argc, char** argv, ServerOptions* out, std::string* message);

std::string usage_text();

}  // namespace sb::server
