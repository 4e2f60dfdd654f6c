// The server's settings, described once in kSettings: the flag and config-file name, how a value
// is read (common/text/number.h's rules, an explicit range), how it is printed back, its help line,
// and whether a SIGHUP may change it live. getopt's table, --help, the config file, --check-config
// and the reload diff are all built from that one table.
#include "server/options.h"

#include <getopt.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <map>

#include "common/net/socket.h"
#include "server/cluster_names.h"
#include "common/text/number.h"
#include "common/version.h"
#include "server/setting_table.h"

namespace sb::server {

namespace {

constexpr double kMaxSeconds = 7 * 86400;  // a week: longer is a typo, not a timeout
constexpr size_t kMaxBytes = size_t{1} << 30;
constexpr size_t kMaxConnections = 10'000'000;  // far above any descriptor limit; catches typos
constexpr size_t kMaxConfigLine = 4096;
constexpr size_t kMaxConfigBytes = 1 << 20;

template <auto Member>
void copy_member(const ServerOptions& from, ServerOptions* to) {
  to->*Member = from.*Member;
}

// The minimum in milliseconds: clang 14 (the fuzz build) takes no floating-point template argument.
template <auto Member, uint64_t MinMs>
bool apply_seconds(std::string_view v, ServerOptions* o) {
  return text::parse_seconds(v, static_cast<double>(MinMs) / 1000.0, kMaxSeconds, &(o->*Member));
}

template <auto Member>
std::string show_seconds(const ServerOptions& o) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, o.*Member, std::chars_format::fixed);
  return ec == std::errc() ? std::string(buf, end) : "?";
}

template <auto Member, uint64_t Min, uint64_t Max>
bool apply_count(std::string_view v, ServerOptions* o) {
  using T = std::remove_reference_t<decltype(o->*Member)>;
  uint64_t n = 0;
  if (!text::parse_uint(v, Min, Max, &n)) return false;
  o->*Member = static_cast<T>(n);
  return true;
}

template <auto Member>
std::string show_count(const ServerOptions& o) {
  return std::to_string(o.*Member);
}

template <auto Member>
bool apply_text(std::string_view v, ServerOptions* o) {
  if (v.empty()) return false;
  o->*Member = std::string(v);
  return true;
}

template <auto Member>
std::string show_text(const ServerOptions& o) {
  return o.*Member;
}

template <auto Member>
bool apply_switch(std::string_view v, ServerOptions* o) {
  if (v != "true" && v != "false") return false;
  o->*Member = v == "true";
  return true;
}

template <auto Member>
std::string show_switch(const ServerOptions& o) {
  return o.*Member ? "true" : "false";
}

bool apply_bind(std::string_view v, ServerOptions* o) {
  net::Endpoint ep;
  if (!net::resolve(v, 0, &ep, nullptr)) return false;
  o->bind = std::string(v);
  return true;
}

bool apply_metrics(std::string_view v, ServerOptions* o) {
  std::string host;
  uint16_t port = 0;
  net::Endpoint ep;
  if (!net::parse_host_port(v, "127.0.0.1", &host, &port) || !net::resolve(host, port, &ep, nullptr)) return false;
  o->metrics = std::string(v);
  return true;
}

bool apply_port(std::string_view v, ServerOptions* o) { return net::parse_port(v, &o->port); }
std::string show_port(const ServerOptions& o) { return std::to_string(o.port); }
bool apply_level(std::string_view v, ServerOptions* o) { return log::parse_level(v, &o->log_level); }
std::string show_level(const ServerOptions& o) { return std::string(log::level_name(o.log_level)); }

template <auto Member, bool (*Valid)(std::string_view)>
bool apply_checked(std::string_view v, ServerOptions* o) {
  if (!Valid(v)) return false;
  o->*Member = std::string(v);
  return true;
}

using O = ServerOptions;

// What may change live, and why the others may not:
//   idle-timeout     WELCOME told every node its timeout; they keep-alive by it
//   max-payload      frames being read were checked against the old bound
//   max-outbuf       paused senders resume at half the bound they were paused at
//   max-conns        the connection slab is reserved to it at start (connections never move)
//   max-groups, max-groups-per-node: the group table is built with them at start, and a lower
//                    bound could not take back memberships already granted
//   bind, port, log-dir, log-workers, log-stderr, pid-file, metrics: set up once at start
// The live ones are read when they are used (at accept, at HELLO, per tick, at shutdown).
const Setting kSettings[] = {
    {"bind", "ADDR", "a numeric IPv4 or IPv6 address", false, apply_bind, show_text<&O::bind>,
     copy_member<&O::bind>, "listen address; IPv6 like ::1 works"},
    {"port", "N", "a port 0..65535", false, apply_port, show_port, copy_member<&O::port>,
     "listen port, 0 picks a free one"},
    {"idle-timeout", "SEC", "seconds 1..604800", false, apply_seconds<&O::idle_timeout_s, 1000>,
     show_seconds<&O::idle_timeout_s>, copy_member<&O::idle_timeout_s>, "evict registered nodes silent this long"},
    {"handshake-timeout", "SEC", "seconds 0.001..604800", true, apply_seconds<&O::handshake_timeout_s, 1>,
     show_seconds<&O::handshake_timeout_s>, copy_member<&O::handshake_timeout_s>,
     "close connections without HELLO after this"},
    {"max-conns", "N", "an integer 1..10000000", false, apply_count<&O::max_conns, 1, kMaxConnections>,
     show_count<&O::max_conns>, copy_member<&O::max_conns>, "refuse connections beyond N with ERR server-full"},
    {"max-payload", "BYTES", "bytes 0..1073741824", false, apply_count<&O::max_payload, 0, kMaxBytes>,
     show_count<&O::max_payload>, copy_member<&O::max_payload>, "largest SEND payload"},
    {"max-outbuf", "BYTES", "bytes 1024..1073741824", false, apply_count<&O::max_outbuf, 1024, kMaxBytes>,
     show_count<&O::max_outbuf>, copy_member<&O::max_outbuf>, "per-connection output bound"},
    {"slow-consumer-timeout", "SEC", "seconds 0.001..604800", true,
     apply_seconds<&O::slow_consumer_timeout_s, 1>, show_seconds<&O::slow_consumer_timeout_s>,
     copy_member<&O::slow_consumer_timeout_s>, "evict a target over its output bound this long"},
    {"shutdown-grace", "SEC", "seconds 0.001..604800", true, apply_seconds<&O::shutdown_grace_s, 1>,
     show_seconds<&O::shutdown_grace_s>, copy_member<&O::shutdown_grace_s>,
     "on SIGINT/SIGTERM, flush output for up to this long"},
    {"log-dir", "DIR", "a directory", false, apply_text<&O::log_dir>, show_text<&O::log_dir>,
     copy_member<&O::log_dir>, "where server.log goes"},
    {"log-level", "LEVEL", "debug, info, warn or error", true, apply_level, show_level,
     copy_member<&O::log_level>, "debug|info|warn|error"},
    {"log-workers", "N", "an integer 1..64", false, apply_count<&O::log_workers, 1, 64>,
     show_count<&O::log_workers>, copy_member<&O::log_workers>, "log formatting threads"},
    {"log-stderr", nullptr, "true or false", false, apply_switch<&O::log_stderr>, show_switch<&O::log_stderr>,
     copy_member<&O::log_stderr>, "mirror the log to stderr"},
    {"auth-file", "PATH", "a file path", true, apply_text<&O::auth_file>, show_text<&O::auth_file>,
     copy_member<&O::auth_file>,
     "require HELLO <id> <token> to match PATH's \"id token\" lines\n"
     "(token as sha256:<hex> or plain text; re-read on SIGHUP)"},
    {"allow-unknown-ids", nullptr, "true or false", true, apply_switch<&O::allow_unknown_ids>,
     show_switch<&O::allow_unknown_ids>, copy_member<&O::allow_unknown_ids>,
     "with --auth-file: ids not in the file register without a token"},
    {"max-conns-per-ip", "N", "an integer 0..10000000", true, apply_count<&O::max_conns_per_ip, 0, kMaxConnections>,
     show_count<&O::max_conns_per_ip>, copy_member<&O::max_conns_per_ip>,
     "refuse an address's connections beyond N; 0: no limit"},
    {"pid-file", "PATH", "a file path", false, apply_text<&O::pid_file>, show_text<&O::pid_file>,
     copy_member<&O::pid_file>, "write the process id here once listening; removed at exit"},
    {"cluster", "URLS", "nats://HOST:PORT[,nats://HOST:PORT...]", false, apply_checked<&O::cluster, valid_cluster_urls>, show_text<&O::cluster>,
     copy_member<&O::cluster>, "join the servers of this NATS cluster into one id space\n(docs/CLUSTER.md)"},
    {"server-name", "NAME", "1..64 bytes of [A-Za-z0-9_.:-]", false, apply_checked<&O::server_name, valid_server_name>,
     show_text<&O::server_name>,
     copy_member<&O::server_name>, "this server's name in the cluster (default: its HOST:PORT)"},
    {"cluster-heartbeat", "SEC", "seconds 0.5..3600", false, apply_seconds<&O::cluster_heartbeat_s, 500>,
     show_seconds<&O::cluster_heartbeat_s>, copy_member<&O::cluster_heartbeat_s>,
     "a server silent this long is gone: its ids may be claimed"},
    {"metrics", "ADDR:PORT", "a numeric address and a port, or a port (on 127.0.0.1)", false, apply_metrics,
     show_text<&O::metrics>, copy_member<&O::metrics>,
     "serve Prometheus metrics at http://ADDR:PORT/metrics; off unless given"},
    {"max-groups", "N", "an integer 1..10000000", false, apply_count<&O::max_groups, 1, 10'000'000>,
     show_count<&O::max_groups>, copy_member<&O::max_groups>, "groups that may exist at once"},
    {"max-groups-per-node", "N", "an integer 1..65536", false, apply_count<&O::max_groups_per_node, 1, 65536>,
     show_count<&O::max_groups_per_node>, copy_member<&O::max_groups_per_node>, "groups one node may be in"},
};

// The flags that are not settings: they steer this run and have no place in a config file.
enum : int { kSettingBase = 1000, kConfig = 2000, kCheckConfig, kHelp, kVersion };

const std::vector<option>& long_options() {
  static const std::vector<option> table = [] {
    std::vector<option> t;
    int i = 0;
    for (const Setting& s : kSettings)
      t.push_back({s.name, s.arg != nullptr ? required_argument : no_argument, nullptr, kSettingBase + i++});
    t.push_back({"config", required_argument, nullptr, kConfig});
    t.push_back({"check-config", no_argument, nullptr, kCheckConfig});
    t.push_back({"help", no_argument, nullptr, kHelp});
    t.push_back({"version", no_argument, nullptr, kVersion});
    t.push_back({nullptr, 0, nullptr, 0});
    return t;
  }();
  return table;
}

// One help entry: the flag and its value name in a 29-column field, then the text; continuation
// lines of the text line up under it.
void add_help_line(std::string* out, const std::string& flag, std::string_view help) {
  std::string line = "  " + flag;
  if (line.size() < 31) line.resize(31, ' ');
  else line += ' ';
  size_t start = 0;
  for (;;) {
    size_t nl = help.find('\n', start);
    *out += line;
    *out += help.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    *out += '\n';
    if (nl == std::string_view::npos) break;
    start = nl + 1;
    line.assign(31, ' ');
  }
}

std::string_view trim(std::string_view s) {
  const char* ws = " \t\r";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

}  // namespace

std::span<const Setting> setting_table() { return kSettings; }

const Setting* find_setting(std::string_view name) {
  for (const Setting& s : kSettings)
    if (name == s.name) return &s;
  return nullptr;
}

bool validate_settings(const ServerOptions& o, std::string* why) {
  if (o.allow_unknown_ids && o.auth_file.empty()) {
    *why = "--allow-unknown-ids needs --auth-file";
    return false;
  }
  return true;
}

std::string usage_text() {
  std::string u =
      "usage: switchboard-server [options]\n"
      "Routes messages between registered nodes over TCP (protocol v1, docs/PROTOCOL.md).\n\n";
  const ServerOptions defaults;
  for (const Setting& s : kSettings) {
    std::string help = s.help;
    std::string value = s.show(defaults);
    if (s.arg != nullptr && !value.empty()) help += " (default " + value + ")";
    add_help_line(&u, std::string("--") + s.name + (s.arg != nullptr ? std::string(" ") + s.arg : ""), help);
  }
  add_help_line(&u, "--config FILE", "read settings from FILE, one \"name value\" per line (names as\n"
                                     "these flags); flags given here override the file");
  add_help_line(&u, "--check-config", "check the settings (and the auth file), print them, exit");
  add_help_line(&u, "--help", "this text");
  add_help_line(&u, "--version", "print the version");
  u += "Seconds may be fractional (0.5). Signals: SIGINT/SIGTERM shut down gracefully; SIGHUP reopens\n"
       "the log, re-reads --auth-file and the --config file, applies the settings that may change live\n"
       "and logs those that need a restart (an invalid file changes nothing).\n";
  return u;
}

std::string version_text() { return version_line("switchboard-server"); }

ParseOutcome parse_options(int argc, char** argv, ServerOptions* out, std::string* message) {
  auto fail = [&](const std::string& why) {
    *message = "switchboard-server: " + why + "\n" + usage_text();
    return ParseOutcome::exit_usage;
  };
  const std::vector<option>& table = long_options();
  std::vector<std::pair<const Setting*, std::string>> given;
  std::string config_file;
  bool check = false;
  ServerOptions scratch;  // values are checked as they come, so the first bad flag is the one named

  optind = 0;   // getopt keeps global state; reset so parse_options can be called more than once
  opterr = 0;   // we print our own messages
  for (;;) {
    int index = -1;
    int c = getopt_long(argc, argv, ":", table.data(), &index);  // leading ":" reports a missing value as ':'
    if (c == -1) break;
    std::string_view arg = optarg ? optarg : "";
    // Name the flag from the table: argv[optind - 1] is the value itself for "--port abc" and
    // "--port=abc" for the joined form. getopt_long sets `index` only for a recognized option with
    // its value; on errors it has just stepped past the offending argument, so that names it.
    std::string flag = index >= 0                     ? std::string("--") + table[index].name
                       : optind > 0 && optind <= argc ? argv[optind - 1]
                                                      : "";
    auto bad = [&](const char* expect) {
      return fail("invalid value '" + std::string(arg) + "' for " + flag + ": expected " + expect);
    };
    if (c >= kSettingBase && c < kSettingBase + static_cast<int>(std::size(kSettings))) {
      const Setting& s = kSettings[c - kSettingBase];
      std::string value = s.arg != nullptr ? std::string(arg) : "true";
      if (!s.apply(value, &scratch)) return bad(s.range);
      given.emplace_back(&s, std::move(value));
      continue;
    }
    switch (c) {
      case kConfig:
        if (arg.empty()) return bad("a file path");
        config_file = std::string(arg);
        break;
      case kCheckConfig:
        check = true;
        break;
      case kHelp:
        *message = usage_text();
        return ParseOutcome::exit_ok;
      case kVersion:
        *message = version_text();
        return ParseOutcome::exit_ok;
      case ':':
        return fail("option " + flag + " needs a value");
      default:
        return fail("unknown option '" + flag + "'");
    }
  }
  if (optind < argc) return fail("unexpected argument '" + std::string(argv[optind]) + "'");

  ServerOptions result;
  std::string error;
  if (!config_file.empty() && !load_config_file(config_file, &result, &error)) {
    *message = "switchboard-server: " + error + "\n";
    return ParseOutcome::exit_usage;
  }
  for (const auto& [setting, value] : given) {
    setting->apply(value, &result);  // checked above
    result.command_line.emplace_back(setting->name, value);
  }
  result.config_file = config_file;
  if (!validate_settings(result, &error)) return fail(error);
  *out = std::move(result);
  return check ? ParseOutcome::check_config : ParseOutcome::run;
}

bool parse_config(std::string_view text, std::string_view source, ServerOptions* options, std::string* error) {
  ServerOptions next = *options;
  std::map<std::string_view, size_t> seen;  // name -> line it was set on
  size_t line_no = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    std::string_view raw = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    auto fail = [&](const std::string& why) {
      *error = std::string(source) + ":" + std::to_string(line_no) + ": " + why;
      return false;
    };
    if (raw.size() > kMaxConfigLine) return fail("line longer than " + std::to_string(kMaxConfigLine) + " bytes");
    std::string_view line = trim(raw);
    // Comments are whole lines: a value may itself hold '#' (a path), so nothing is cut after it.
    if (line.empty() || line.front() == '#') continue;
    size_t gap = line.find_first_of(" \t");
    std::string_view name = line.substr(0, gap);
    std::string_view value = gap == std::string_view::npos ? std::string_view() : trim(line.substr(gap));
    const Setting* s = find_setting(name);
    if (s == nullptr) {
      if (name == "config" || name == "check-config" || name == "help" || name == "version")
        return fail("'" + std::string(name) + "' is a command-line flag, not a setting");
      return fail("unknown setting '" + std::string(name) + "'");
    }
    if (auto it = seen.find(s->name); it != seen.end())
      return fail("'" + std::string(name) + "' is already set on line " + std::to_string(it->second));
    seen.emplace(s->name, line_no);
    if (value.empty()) return fail("'" + std::string(name) + "' needs a value (" + s->range + ")");
    if (!s->apply(value, &next))
      return fail("invalid value '" + std::string(value) + "' for " + s->name + ": expected " + s->range);
  }
  *options = std::move(next);
  return true;
}

bool load_config_file(const std::string& path, ServerOptions* options, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot read config file '" + path + "': " + std::strerror(errno);
    return false;
  }
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxConfigBytes) {
      *error = "config file '" + path + "' is larger than " + std::to_string(kMaxConfigBytes) + " bytes";
      return false;
    }
  }
  if (in.bad()) {
    *error = "cannot read config file '" + path + "': " + std::strerror(errno);
    return false;
  }
  return parse_config(text, path, options, error);
}

std::string format_settings(const ServerOptions& options) {
  std::string out;
  for (const Setting& s : kSettings) {
    std::string value = s.show(options);
    if (value.empty()) out += std::string("# ") + s.name + " (not set)\n";
    else out += std::string(s.name) + " " + value + "\n";
  }
  return out;
}

std::vector<SettingInfo> settings() {
  std::vector<SettingInfo> out;
  for (const Setting& s : kSettings) out.push_back({s.name, s.arg != nullptr ? s.arg : "", s.range, s.live});
  return out;
}

}  // namespace sb::server
