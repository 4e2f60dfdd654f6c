// Flag parsing for switchboard-server. Bad values are reported with the flag name and the
// accepted range, and exit 2 (see main.cpp).
#include "server/options.h"

#include <getopt.h>

#include <charconv>
#include <cmath>
#include <string_view>

#include "common/net/socket.h"

namespace sb::server {

namespace {

constexpr const char* kVersion = "switchboard-server 1.0.0 (protocol v1)";

bool parse_size(std::string_view text, size_t min, size_t* out) {
  unsigned long long v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || v < min) return false;
  *out = static_cast<size_t>(v);
  return true;
}

bool parse_seconds(std::string_view text, double* out, double min = 0) {
  // from_chars for double is in libstdc++ 11+; reject nan/inf and negatives.
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || !std::isfinite(v) ||
      v <= 0 || v < min || v > 86400 * 7)
    return false;
  *out = v;
  return true;
}

}  // namespace

std::string usage_text() {
  return R"(usage: switchboard-server [options]
Routes messages between registered nodes over TCP (protocol v1, docs/PROTOCOL.md).

  --bind ADDR                  listen address (default 127.0.0.1; IPv6 like ::1 works)
  --port N                     listen port, 0 picks a free one (default 2004)
  --idle-timeout SEC           evict registered nodes silent this long (default 60)
  --handshake-timeout SEC      close connections without HELLO after this (default 10)
  --max-conns N                refuse connections beyond N with ERR server-full (default 100000)
  --max-payload BYTES          largest SEND payload (default 1048576)
  --max-outbuf BYTES           per-connection output bound (default 4194304)
  --slow-consumer-timeout SEC  evict a target over its output bound this long (default 10)
  --shutdown-grace SEC         on SIGINT/SIGTERM, flush output for up to this long (default 5)
  --log-dir DIR                where server.log goes (default .)
  --log-level LEVEL            debug|info|warn|error (default info)
  --log-workers N              log formatting threads (default 1)
  --log-stderr                 mirror the log to stderr
  --auth-file PATH             require HELLO <id> <token> to match PATH's "id token" lines
                               (token as sha256:<hex> or plain text; re-read on SIGHUP)
  --allow-unknown-ids          with --auth-file: ids not in the file register without a token
  --max-conns-per-ip N         refuse an address's connections beyond N (default 0: no limit)
  --help                       this text
  --version                    print the version
Seconds may be fractional (0.5). Signals: SIGINT/SIGTERM shut down gracefully, SIGHUP reopens the log.
)";
}

ParseOutcome parse_options(int argc, char** argv, ServerOptions* out, std::string* message) {
  enum {
    kBind = 1000, kPort, kIdle, kHandshake, kMaxConns, kMaxPayload, kMaxOutbuf, kSlow, kGrace,
    kLogDir, kLogLevel, kLogWorkers, kLogStderr, kAuthFile, kAllowUnknown, kPerIp, kHelp, kVersion_,
  };
  static const option kLong[] = {
      {"bind", required_argument, nullptr, kBind},
      {"port", required_argument, nullptr, kPort},
      {"idle-timeout", required_argument, nullptr, kIdle},
      {"handshake-timeout", required_argument, nullptr, kHandshake},
      {"max-conns", required_argument, nullptr, kMaxConns},
      {"max-payload", required_argument, nullptr, kMaxPayload},
      {"max-outbuf", required_argument, nullptr, kMaxOutbuf},
      {"slow-consumer-timeout", required_argument, nullptr, kSlow},
      {"shutdown-grace", required_argument, nullptr, kGrace},
      {"log-dir", required_argument, nullptr, kLogDir},
      {"log-level", required_argument, nullptr, kLogLevel},
      {"log-workers", required_argument, nullptr, kLogWorkers},
      {"log-stderr", no_argument, nullptr, kLogStderr},
      {"auth-file", required_argument, nullptr, kAuthFile},
      {"allow-unknown-ids", no_argument, nullptr, kAllowUnknown},
      {"max-conns-per-ip", required_argument, nullptr, kPerIp},
      {"help", no_argument, nullptr, kHelp},
      {"version", no_argument, nullptr, kVersion_},
      {nullptr, 0, nullptr, 0},
  };
  auto fail = [&](const std::string& why) {
    *message = "switchboard-server: " + why + "\n" + usage_text();
    return ParseOutcome::exit_usage;
  };
  optind = 0;   // getopt keeps global state; reset so parse_options can be called more than once
  opterr = 0;   // we print our own messages
  for (;;) {
    int index = -1;
    int c = getopt_long(argc, argv, ":", kLong, &index);  // leading ":" reports a missing value as ':'
    if (c == -1) break;
    std::string_view arg = optarg ? optarg : "";
    // Name the flag from the table: argv[optind - 1] is the value itself for "--port abc" and
    // "--port=abc" for the joined form. getopt_long sets `index` only for a recognized option with
    // its value; on errors it has just stepped past the offending argument, so that names it.
    std::string flag = index >= 0                     ? std::string("--") + kLong[index].name
                       : optind > 0 && optind <= argc ? argv[optind - 1]
                                                      : "";
    auto bad = [&](const char* expect) {
      return fail("invalid value '" + std::string(arg) + "' for " + flag + ": expected " + expect);
    };
    size_t n = 0;
    switch (c) {
      case kBind: {
        net::Endpoint ep;
        if (!net::resolve(arg, 0, &ep, nullptr)) return bad("a numeric IPv4 or IPv6 address");
        out->bind = std::string(arg);
        break;
      }
      case kPort:
        if (!net::parse_port(arg, &out->port)) return bad("a port 0..65535");
        break;
      case kIdle:
        // WELCOME advertises whole seconds, so the idle timeout is at least one.
        if (!parse_seconds(arg, &out->idle_timeout_s, 1)) return bad("seconds >= 1");
        break;
      case kHandshake:
        if (!parse_seconds(arg, &out->handshake_timeout_s)) return bad("seconds > 0");
        break;
      case kSlow:
        if (!parse_seconds(arg, &out->slow_consumer_timeout_s)) return bad("seconds > 0");
        break;
      case kGrace:
        if (!parse_seconds(arg, &out->shutdown_grace_s)) return bad("seconds > 0");
        break;
      case kMaxConns:
        if (!parse_size(arg, 1, &out->max_conns)) return bad("an integer >= 1");
        break;
      case kMaxPayload:
        if (!parse_size(arg, 0, &n) || n > (1u << 30)) return bad("bytes 0..1073741824");
        out->max_payload = n;
        break;
      case kMaxOutbuf:
        if (!parse_size(arg, 1024, &n) || n > (1u << 30)) return bad("bytes 1024..1073741824");
        out->max_outbuf = n;
        break;
      case kLogDir:
        if (arg.empty()) return bad("a directory");
        out->log_dir = std::string(arg);
        break;
      case kLogLevel:
        if (!log::parse_level(arg, &out->log_level)) return bad("debug, info, warn or error");
        break;
      case kLogWorkers:
        if (!parse_size(arg, 1, &n) || n > 64) return bad("an integer 1..64");
        out->log_workers = static_cast<unsigned>(n);
        break;
      case kLogStderr:
        out->log_stderr = true;
        break;
      case kAuthFile:
        if (arg.empty()) return bad("a file path");
        out->auth_file = std::string(arg);
        break;
      case kAllowUnknown:
        out->allow_unknown_ids = true;
        break;
      case kPerIp:
        if (!parse_size(arg, 0, &out->max_conns_per_ip)) return bad("an integer >= 0");
        break;
      case kHelp:
        *message = usage_text();
        return ParseOutcome::exit_ok;
      case kVersion_:
        *message = std::string(kVersion) + "\n";
        return ParseOutcome::exit_ok;
      case ':':
        return fail("option " + flag + " needs a value");
      default:
        return fail("unknown option '" + flag + "'");
    }
  }
  if (optind < argc) return fail("unexpected argument '" + std::string(argv[optind]) + "'");
  if (out->allow_unknown_ids && out->auth_file.empty()) return fail("--allow-unknown-ids needs --auth-file");
  return ParseOutcome::run;
}

}  // namespace sb::server
