// Command-line flags of switchboard-client. Parsing is pure (no I/O, no exit) so it can be unit
// tested; main() prints the message and picks the exit code.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/log/logger.h"
#include "common/net/server_list.h"

namespace sb::client {

// Exit codes, documented in docs/CLIENT.md.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // connection lost/refused, server refused us or a message
inline constexpr int kExitUsage = 2;    // bad flag or value

// Bounds of --connect-timeout, in seconds.
inline constexpr double kMinConnectTimeout = 0.001;
inline constexpr double kMaxConnectTimeout = 3600;

struct Options {
  std::string host = "127.0.0.1";  // a numeric IPv4/IPv6 address or a name (resolved at connect)
  uint16_t port = 2004;
  // --server: the servers tried in turn (round robin) by --reconnect; empty: host:port alone.
  std::vector<net::HostPort> servers;
  double connect_timeout_s = 10;   // for the whole connect, over every address the host has
  std::string id;          // empty: ask (interactive) / usage error (scripting)
  std::string log_dir = ".";
  log::Level log_level = log::Level::info;
  bool keepalive = true;
  bool reconnect = false;
  bool listen = false;     // only print what arrives; stdin is not read
  bool raw = false;        // payloads written byte-exact, nothing added
  bool receipts = false;   // scripting: OPT receipts on, one "ok <copies>" / "error ..." per line
  std::vector<std::string> joins;  // --join #group (repeatable): joined at every registration
  std::string token;       // sent with HELLO when the server uses --auth-file
  std::string token_file;  // --token-file: read by resolve_token(), not by the pure parser
  bool e2e = false;        // end-to-end encryption (docs/E2E.md)
  std::string key_file;    // --key-file: the identity key file; empty: the default place
};

struct ParseOutcome {
  enum class Action { run, help, version, usage_error };
  Action action = Action::run;
  std::string error;  // for usage_error: one sentence, without the usage text
};

// Parses argv with getopt_long. Resets getopt's global state first so it can be called repeatedly.
ParseOutcome parse_options(int argc, char* const argv[], Options* out);

// Settles the token: --token, else the first line of --token-file, else $SWITCHBOARD_TOKEN, else
// none. False with *error when the file cannot be read or the token has a space or control byte.
bool resolve_token(Options* options, std::string* error);

// The i-th server to try (i modulo the list's length): --server's list, else --host and --port.
net::HostPort server_at(const Options& options, size_t i);
size_t server_count(const Options& options);

std::string usage_text(const char* program);
std::string version_text();

}  // namespace sb::client
