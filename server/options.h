// The server's settings: every tunable with its default, from the command line (getopt_long) and
// the --config file (one "name value" per line, names exactly the long flags), plus what a SIGHUP
// reload may change while running. One table in options.cpp describes every setting once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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
  std::string pid_file;          // empty: none; else written after listening, removed at exit
  std::string cluster;           // "nats://H:P,..." of the NATS backbone; empty: a server alone
  std::string server_name;       // this server's name in the cluster; empty: its listen address
  double cluster_heartbeat_s = 3;  // a server whose heartbeat is older than this is gone
  std::string metrics;           // empty: off; else "ADDR:PORT" (or "PORT" on 127.0.0.1) for GET /metrics
  size_t max_groups_per_node = 64;  // groups one node may be in at once
  size_t max_groups = 65536;        // groups that may exist at once

  // Where the settings came from, so that a reload builds them again the same way.
  std::string config_file;  // --config; empty: flags only
  std::vector<std::pair<std::string, std::string>> command_line;  // (name, value) of each setting flag, in order
};

enum class ParseOutcome { run, check_config, exit_ok, exit_usage };

// Parses argv: the --config file first (when given), then every flag over it. On exit_ok (--help,
// --version) the text is in *message for stdout; on exit_usage *message holds the reason (with the
// usage text after it for a bad flag), for stderr; check_config: --check-config was given and the
// settings are valid (main loads the auth file too, then prints format_settings()).
ParseOutcome parse_options(int argc, char** argv, ServerOptions* out, std::string* message);

std::string usage_text();
std::string version_text();

// Applies the settings in the file at `path` over *options. False with *error ("PATH:LINE: why",
// or "cannot read config file ...") on the first unknown name, bad value, duplicate or unreadable
// file; *options is then unchanged.
bool load_config_file(const std::string& path, ServerOptions* options, std::string* error);
// The same over text already read; `source` names it in errors.
bool parse_config(std::string_view text, std::string_view source, ServerOptions* options, std::string* error);

// Every setting as config-file lines ("port 2004"), defaults included: what --check-config prints,
// and itself a valid config file. A path setting that is not set is a comment line.
std::string format_settings(const ServerOptions& options);

// ---- Reload (SIGHUP) ----
// The settings a restart would get now: the defaults, then running.config_file read again, then
// running.command_line applied again (flags still win over the file). False with *error when the
// file is unreadable or invalid: the server keeps running as it is and logs *error.
bool reread_options(const ServerOptions& running, ServerOptions* next, std::string* error);

struct ReloadPlan {
  std::vector<std::string> live;     // changed settings that take effect now
  std::vector<std::string> restart;  // changed settings that keep their running value until a restart
  // "log-level,auth-file" (empty when none), for one log field.
  static std::string names(const std::vector<std::string>& list);
};
// Which settings differ between `running` and `next`, split by whether they may change live.
// Live: log-level, auth-file, allow-unknown-ids, max-conns-per-ip, handshake-timeout,
// slow-consumer-timeout, shutdown-grace. Everything else needs a restart (see options.cpp for why).
ReloadPlan diff_reloadable(const ServerOptions& running, const ServerOptions& next);
// `running` with the live settings taken from `next`: what the server runs with after the reload.
ServerOptions apply_reloadable(const ServerOptions& running, const ServerOptions& next);

// One row per setting, for the docs and their tests.
struct SettingInfo {
  std::string_view name;   // the long flag without "--", and the config-file name
  std::string_view arg;    // "SEC", "N", ...; empty for a switch
  std::string_view range;  // what values are accepted
  bool live;               // changes on SIGHUP without a restart
};
std::vector<SettingInfo> settings();

}  // namespace sb::server
