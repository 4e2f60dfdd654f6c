// getopt_long over the client's flags, with strict value checks so a typo is a usage error
// (exit 2) instead of a silently different behaviour.
#include "client/options.h"

#include <getopt.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "common/net/socket.h"
#include "common/protocol/frame.h"
#include "common/protocol/target.h"
#include "common/text/number.h"
#include "common/version.h"

namespace sb::client {

namespace {

enum LongOnly : int {
  kHost = 1000, kPort, kId, kLogDir, kLogLevel, kNoKeepalive, kReconnect, kListen, kRaw, kVersion,
  kToken, kTokenFile, kConnectTimeout, kServer, kE2e, kKeyFile, kReceipts, kJoin,
};

const option kLongOptions[] = {
    {"host", required_argument, nullptr, kHost},
    {"port", required_argument, nullptr, kPort},
    {"server", required_argument, nullptr, kServer},
    {"connect-timeout", required_argument, nullptr, kConnectTimeout},
    {"id", required_argument, nullptr, kId},
    {"log-dir", required_argument, nullptr, kLogDir},
    {"log-level", required_argument, nullptr, kLogLevel},
    {"no-keepalive", no_argument, nullptr, kNoKeepalive},
    {"reconnect", no_argument, nullptr, kReconnect},
    {"listen", no_argument, nullptr, kListen},
    {"raw", no_argument, nullptr, kRaw},
    {"receipts", no_argument, nullptr, kReceipts},
    {"join", required_argument, nullptr, kJoin},
    {"token", required_argument, nullptr, kToken},
    {"token-file", required_argument, nullptr, kTokenFile},
    {"e2e", no_argument, nullptr, kE2e},
    {"key-file", required_argument, nullptr, kKeyFile},
    {"help", no_argument, nullptr, 'h'},
    {"version", no_argument, nullptr, kVersion},
    {nullptr, 0, nullptr, 0},
};

ParseOutcome usage_error(std::string message) {
  return {ParseOutcome::Action::usage_error, std::move(message)};
}

// getopt_long's ':' (an option without its value) or '?' (an unknown option) in words. optopt is
// the character of a short option, 0 for a long one (then argv[optind - 1] names it).
ParseOutcome getopt_error(int c, char* const argv[]) {
  const bool short_option = optopt > 0 && optopt < 256;
  const std::string name = short_option ? std::string("-") + static_cast<char>(optopt) : argv[optind - 1];
  return usage_error(c == ':' ? "option '" + name + "' needs a value" : "unknown option '" + name + "'");
}

// A host as typed: no blank or control character (a name is resolved only when connecting).
bool is_host_text(const std::string& value) {
  for (unsigned char ch : value) {
    if (ch <= ' ' || ch == 0x7f) return false;
  }
  return true;
}

}  // namespace

// The flags' dispatch: one case per flag, each checking its value, then the cross-flag rules.
ParseOutcome parse_options(int argc, char* const argv[], Options* out) {
  optind = 0;  // 0 (not 1) makes glibc reinitialise fully, so repeated calls (tests) work
  opterr = 0;  // we word the errors ourselves
  ParseOutcome result;
  bool host_or_port = false;
  for (;;) {
    int long_index = 0;
    // The leading ':' makes a missing argument return ':' instead of '?'.
    int c = getopt_long(argc, argv, ":h", kLongOptions, &long_index);
    if (c == -1) break;
    std::string value = optarg != nullptr ? optarg : "";
    switch (c) {
      case kHost:
        // Only the spelling is checked here: a name is resolved when connecting (a failure then
        // is a connection error, exit 1), so parsing stays free of I/O.
        if (value.empty()) return usage_error("--host needs a non-empty address");
        if (!is_host_text(value)) return usage_error("--host must be an address or a host name, not '" + value + "'");
        out->host = value;
        host_or_port = true;
        break;
      case kServer: {
        std::string error;
        if (!net::parse_server_list(value, &out->servers, &error)) return usage_error("--server: " + error);
        break;
      }
      case kConnectTimeout:
        if (!text::parse_seconds(value, kMinConnectTimeout, kMaxConnectTimeout, &out->connect_timeout_s))
          return usage_error("--connect-timeout must be seconds from 0.001 to 3600, not '" + value + "'");
        break;
      case kPort:
        if (!net::parse_port(value, &out->port) || out->port == 0)
          return usage_error("--port must be a number from 1 to 65535, not '" + value + "'");
        host_or_port = true;
        break;
      case kId:
        if (!proto::is_valid_node_id(value))
          return usage_error("--id must be 1-64 characters of A-Z a-z 0-9 _ . -, not '" + value + "'");
        out->id = value;
        break;
      case kLogDir:
        if (value.empty()) return usage_error("--log-dir needs a directory");
        out->log_dir = value;
        break;
      case kLogLevel:
        if (!log::parse_level(value, &out->log_level))
          return usage_error("--log-level must be debug, info, warn or error, not '" + value + "'");
        break;
      case kNoKeepalive: out->keepalive = false; break;
      case kReconnect: out->reconnect = true; break;
      case kListen: out->listen = true; break;
      case kRaw: out->raw = true; break;
      case kReceipts: out->receipts = true; break;
      case kJoin:
        if (!proto::is_group_target(value))
          return usage_error("--join must be #group (1-64 of A-Z a-z 0-9 _ . -), not '" + value + "'");
        out->joins.push_back(value);
        break;
      case kToken:
        if (value.empty()) return usage_error("--token needs a value");
        out->token = value;
        break;
      case kTokenFile:
        if (value.empty()) return usage_error("--token-file needs a path");
        out->token_file = value;
        break;
      case kE2e: out->e2e = true; break;
      case kKeyFile:
        if (value.empty()) return usage_error("--key-file needs a path");
        out->key_file = value;
        break;
      case 'h': result.action = ParseOutcome::Action::help; break;
      case kVersion: result.action = ParseOutcome::Action::version; break;
      default:  // ':' (a value missing) or '?' (an unknown option)
        return getopt_error(c, argv);
    }
  }
  if (result.action != ParseOutcome::Action::run) return result;
  if (host_or_port && !out->servers.empty()) return usage_error("--server cannot be combined with --host or --port");
  if (optind < argc) return usage_error(std::string("unexpected argument '") + argv[optind] + "'");
  if (!out->key_file.empty() && !out->e2e) return usage_error("--key-file is for --e2e");
  return result;
}

bool resolve_token(Options* options, std::string* error) {
  std::string token = options->token;
  if (token.empty() && !options->token_file.empty()) {
    FILE* f = std::fopen(options->token_file.c_str(), "r");
    if (f == nullptr) {
      *error = "cannot read --token-file '" + options->token_file + "': " + std::strerror(errno);
      return false;
    }
    char line[512] = "";
    if (std::fgets(line, sizeof line, f) == nullptr) line[0] = '\0';
    std::fclose(f);
    token = line;
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
    if (token.empty()) {
      *error = "--token-file '" + options->token_file + "' is empty";
      return false;
    }
  }
  if (token.empty()) {
    if (const char* env = std::getenv("SWITCHBOARD_TOKEN")) token = env;
  }
  for (unsigned char ch : token) {
    if (ch <= ' ' || ch == 0x7f) {  // HELLO is space-separated: the token must be one word
      *error = "the token must not contain spaces or control characters";
      return false;
    }
  }
  options->token = token;
  return true;
}

net::HostPort server_at(const Options& options, size_t i) {
  if (options.servers.empty()) return {options.host, options.port};
  return options.servers[i % options.servers.size()];
}

size_t server_count(const Options& options) { return options.servers.empty() ? 1 : options.servers.size(); }

std::string usage_text(const char* program) {
  return std::string("Usage: ") + program + " [options]\n" +
         "Talk to a switchboard server. Interactive when stdin is a terminal; otherwise each stdin\n"
         "line 'target message text' is sent and received messages are printed as 'source: text'\n"
         "('source@via: text' for a message to a #group, ~group or pattern). A target is a node id,\n"
         "* (everyone), #group, ~group (one member) or an id pattern such as plant1.*.temp.\n"
         "\n"
         "  --host HOST       server address or host name; IPv6 works (default 127.0.0.1)\n"
         "  --port N          server port (default 2004)\n"
         "  --server H:P,H:P,...\n"
         "                    servers of one cluster, instead of --host/--port: the first is tried\n"
         "                    first; --reconnect moves on to the next one in turn ([::1]:P for IPv6)\n"
         "  --connect-timeout SEC\n"
         "                    give up connecting after this long (default 10)\n"
         "  --id ID           node id to register (asked for when interactive; required otherwise)\n"
         "  --listen          only print received messages; do not read stdin\n"
         "  --raw             write received payloads byte-exact, nothing added (non-interactive)\n"
         "  --reconnect       when the server goes away, reconnect with backoff as the same id\n"
         "                    (to the next server of --server's list)\n"
         "  --join #GROUP     join this group once registered (again after a reconnect); repeatable\n"
         "  --receipts        (non-interactive) print 'ok <copies>' or 'error <code> <detail>' on\n"
         "                    stdout for every message line, in order, so a script can check delivery\n"
         "  --token T         token sent with HELLO (servers with --auth-file); prefer the next two,\n"
         "                    since a flag's value shows in the process list\n"
         "  --token-file F    read the token from the first line of F\n"
         "                    (otherwise $SWITCHBOARD_TOKEN is used when set)\n"
         "  --e2e             end-to-end encryption: messages are sealed for their recipients and\n"
         "                    the server relays what it cannot read (docs/E2E.md)\n"
         "  --key-file PATH   the --e2e identity key file (default\n"
         "                    $XDG_CONFIG_HOME/switchboard/<id>.key, else ~/.config/switchboard/)\n"
         "  --no-keepalive    do not send PING to stay under the server's idle timeout\n"
         "  --log-dir DIR     where client.log goes (default .)\n"
         "  --log-level L     debug, info, warn or error (default info)\n"
         "  --help, --version\n"
         "\n"
         "Exit codes: 0 ok, 1 connection or server error, 2 usage error.\n";
}

std::string version_text() { return version_line("switchboard-client"); }

}  // namespace sb::client
