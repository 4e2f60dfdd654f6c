// Flag parsing with getopt_long, then cross-flag checks (sizes vs the stamp, nodes per process).
#include "bench/options.h"

#include <getopt.h>

#include <string_view>
#include <vector>

#include "common/net/socket.h"
#include "common/text/number.h"

namespace sb::bench {

namespace {

// Counts: the range checks with their own wording are in check(); here only the type's range.
bool parse_u32(std::string_view text, uint32_t* out) { return text::parse_uint<uint32_t>(text, 0, UINT32_MAX, out); }
bool parse_seconds(std::string_view text, double* out) { return text::parse_seconds(text, 0, kMaxSeconds, out); }

bool parse_size(std::string_view text, uint32_t* lo, uint32_t* hi) {
  size_t dash = text.find('-');
  if (dash == std::string_view::npos) {
    if (!parse_u32(text, lo)) return false;
    *hi = *lo;
    return true;
  }
  return parse_u32(text.substr(0, dash), lo) && parse_u32(text.substr(dash + 1), hi) && *lo <= *hi;
}

enum : int {
  kNodes = 256, kSenders, kPattern, kSize, kWindow, kRate, kDuration, kWarmup, kDrain, kHost, kPort,
  kProcs, kSources, kJson, kServerPid, kProto, kSeed, kBusyPoll, kServers, kHelp, kVersion, kGroups, kGroupSize,
};

constexpr option kLongOptions[] = {
    {"nodes", required_argument, nullptr, kNodes},       {"senders", required_argument, nullptr, kSenders},
    {"pattern", required_argument, nullptr, kPattern},   {"size", required_argument, nullptr, kSize},
    {"window", required_argument, nullptr, kWindow},     {"rate", required_argument, nullptr, kRate},
    {"duration", required_argument, nullptr, kDuration}, {"warmup", required_argument, nullptr, kWarmup},
    {"drain", required_argument, nullptr, kDrain},       {"host", required_argument, nullptr, kHost},
    {"port", required_argument, nullptr, kPort},         {"procs", required_argument, nullptr, kProcs},
    {"sources", required_argument, nullptr, kSources},   {"json", no_argument, nullptr, kJson},
    {"server-pid", required_argument, nullptr, kServerPid}, {"proto", required_argument, nullptr, kProto},
    {"seed", required_argument, nullptr, kSeed},         {"busy-poll", no_argument, nullptr, kBusyPoll},
    {"servers", required_argument, nullptr, kServers},
    {"help", no_argument, nullptr, kHelp},              {"version", no_argument, nullptr, kVersion},
    {"groups", required_argument, nullptr, kGroups},    {"group-size", required_argument, nullptr, kGroupSize},
    {nullptr, 0, nullptr, 0},
};

bool check(const Options& o, std::string* error) {
  auto fail = [&](std::string why) {
    *error = std::move(why);
    return false;
  };
  if (o.nodes < 2) return fail("--nodes must be at least 2");
  if (o.size_min < kMinPayload)
    return fail("--size must be at least " + std::to_string(kMinPayload) + " bytes (the payload carries a stamp)");
  if (o.size_max > (1u << 20)) return fail("--size above 1048576 exceeds the server's default --max-payload");
  if (o.window == 0) return fail("--window must be at least 1");
  if (o.duration_s <= 0) return fail("--duration must be positive");
  if (o.procs == 0 || o.procs > 64) return fail("--procs must be 1..64");
  if (o.sources == 0 || o.sources > 254) return fail("--sources must be 1..254");
  uint32_t per_proc = (o.nodes + o.procs - 1) / o.procs;
  if (per_proc > kMaxNodesPerProc)
    return fail("--nodes " + std::to_string(o.nodes) + " needs --procs " +
                std::to_string((o.nodes + kMaxNodesPerProc - 1) / kMaxNodesPerProc) +
                " or more: one process holds at most " + std::to_string(kMaxNodesPerProc) + " connections");
  if (o.nodes / o.procs < 2) return fail("each --procs worker needs at least 2 nodes");
  if (o.senders > o.nodes) return fail("--senders cannot exceed --nodes");
  if (uses_rows(o.pattern)) {
    if (o.group_size < 2) return fail("--group-size must be at least 2 (a sender and a receiver)");
    if (o.nodes % (o.procs * o.group_size) != 0)
      return fail("--nodes must be a multiple of --procs x --group-size: every worker holds whole rows");
    if (uint64_t{o.groups} * o.group_size != o.nodes) return fail("--groups x --group-size must equal --nodes");
    if (o.pattern == Pattern::subject && o.proto == Proto::nats)
      return fail("--pattern subject needs --proto switchboard: NATS publishes to no wildcard subject");
  }
  return true;
}

// --groups and --group-size each default from the other (10 per row when neither is given).
void settle_rows(Options& o) {
  if (!uses_rows(o.pattern)) return;
  if (o.group_size == 0) o.group_size = o.groups != 0 ? o.nodes / o.groups : 10;
  if (o.groups == 0 && o.group_size != 0) o.groups = o.nodes / o.group_size;
}

}  // namespace

const char* pattern_name(Pattern p) {
  switch (p) {
    case Pattern::random: return "random";
    case Pattern::ring: return "ring";
    case Pattern::pairs: return "pairs";
    case Pattern::fanin: return "fanin";
    case Pattern::broadcast: return "broadcast";
    case Pattern::group: return "group";
    case Pattern::anycast: return "anycast";
    case Pattern::subject: return "subject";
    case Pattern::members: return "members";
  }
  return "?";
}

uint64_t copies_per_message(const Options& o) {
  if (o.pattern == Pattern::broadcast) return o.nodes - 1;
  if (o.pattern == Pattern::group || o.pattern == Pattern::subject) return o.group_size - 1;
  return 1;
}

const char* proto_name(Proto p) { return p == Proto::nats ? "nats" : "switchboard"; }

uint32_t effective_senders(const Options& o) {
  // fanin: the sink of each worker only receives.
  uint32_t cap = o.pattern == Pattern::fanin ? o.nodes - o.procs : o.nodes;
  return o.senders == 0 || o.senders > cap ? cap : o.senders;
}

std::string usage() {
  return "usage: switchboard-bench [flags]\n"
         "  --nodes N            simulated nodes, each a TCP connection (default 1000)\n"
         "  --senders K          nodes that send (default: all; fanin: all but the sink)\n"
         "  --pattern P          random|ring|pairs|fanin|broadcast|group|anycast|subject|members\n"
         "                       (default random);\n"
         "                       group: each sender to its own #group of --group-size; anycast: to its\n"
         "                       ~group (one member each); subject: ids <p>s<w>.<row>.<k>, each sender to\n"
         "                       its row's patterns <p>s<w>.<row>.* and <p>s<w>.<row>.> in turn; members:\n"
         "                       direct messages to a random other member of the sender's row\n"
         "  --groups N           rows (groups) in all (default nodes / group-size)\n"
         "  --group-size M       nodes per row (default nodes / groups, else 10)\n"
         "  --size B | MIN-MAX   payload bytes, >= 16 (default 64)\n"
         "  --window W           messages in flight per sender (default 64)\n"
         "  --rate R             open loop: total msgs/s, latency from the intended send time (default 0: closed loop)\n"
         "  --duration S         measured seconds (default 5)\n"
         "  --warmup S           unmeasured seconds before (default 1)\n"
         "  --drain S            max seconds to wait for in-flight messages at the end (default 10)\n"
         "  --host H --port P    server (default 127.0.0.1, port 2004; nats 4222)\n"
         "  --servers H:P,H:P,...  servers of a cluster instead: node i connects to server i % count\n"
         "  --procs P            worker processes sharing the nodes (default 1; needed above 19000 nodes)\n"
         "  --sources S          spread source addresses over 127.0.0.1..127.0.0.S (default 50)\n"
         "  --proto switchboard|nats   wire protocol (nats: core NATS, SUB node.<id>, PUB node.<target>)\n"
         "  --server-pid PID     report the server's RSS (/proc/PID/status VmRSS)\n"
         "  --json               print one JSON object on stdout (the table goes to stderr)\n"
         "  --seed N             random seed (default 1)\n"
         "  --busy-poll          never sleep while sending: poll with a zero timeout, so open-loop sends leave\n"
         "                       on time and arrivals are stamped when they land (uses the driver's whole core)\n"
         "  --help, --version\n";
}

bool parse_options(int argc, char* const* argv, Options* out, std::string* error) {
  Options o;
  // getopt permutes argv and keeps global state; work on a copy and restart it (optind = 0).
  std::vector<char*> args(argv, argv + argc);
  args.push_back(nullptr);
  optind = 0;
  opterr = 0;
  bool port_given = false, host_given = false;
  for (;;) {
    int idx = 0;
    int c = getopt_long(argc, args.data(), ":h", kLongOptions, &idx);
    if (c == -1) break;
    std::string_view arg = optarg ? optarg : "";
    std::string flag = c >= kNodes && c <= kGroupSize ? std::string("--") + kLongOptions[c - kNodes].name : "";
    auto bad = [&] {
      *error = "bad value for " + flag + ": '" + std::string(arg) + "'";
      return false;
    };
    bool ok = true;
    switch (c) {
      case kNodes: ok = parse_u32(arg, &o.nodes); break;
      case kSenders: ok = parse_u32(arg, &o.senders); break;
      case kPattern:
        if (arg == "random") o.pattern = Pattern::random;
        else if (arg == "ring") o.pattern = Pattern::ring;
        else if (arg == "pairs") o.pattern = Pattern::pairs;
        else if (arg == "fanin") o.pattern = Pattern::fanin;
        else if (arg == "broadcast") o.pattern = Pattern::broadcast;
        else if (arg == "group") o.pattern = Pattern::group;
        else if (arg == "anycast") o.pattern = Pattern::anycast;
        else if (arg == "subject") o.pattern = Pattern::subject;
        else if (arg == "members") o.pattern = Pattern::members;
        else ok = false;
        break;
      case kSize: ok = parse_size(arg, &o.size_min, &o.size_max); break;
      case kWindow: ok = parse_u32(arg, &o.window); break;
      case kRate: ok = text::parse_decimal(arg, 0, kMaxRate, &o.rate); break;
      case kDuration: ok = parse_seconds(arg, &o.duration_s); break;
      case kWarmup: ok = parse_seconds(arg, &o.warmup_s); break;
      case kDrain: ok = parse_seconds(arg, &o.drain_s); break;
      case kHost: o.host = std::string(arg); ok = !arg.empty(); host_given = true; break;
      case kPort: ok = net::parse_port(arg, &o.port) && o.port != 0; port_given = true; break;
      case kProcs: ok = parse_u32(arg, &o.procs); break;
      case kSources: ok = parse_u32(arg, &o.sources); break;
      case kJson: o.json = true; break;
      case kServerPid: {
        uint32_t pid = 0;
        ok = parse_u32(arg, &pid) && pid > 0 && pid < (1u << 31);
        o.server_pid = static_cast<int>(pid);
        break;
      }
      case kProto:
        if (arg == "switchboard") o.proto = Proto::switchboard;
        else if (arg == "nats") o.proto = Proto::nats;
        else ok = false;
        break;
      case kSeed: {
        uint32_t s = 0;
        ok = parse_u32(arg, &s);
        o.seed = s;
        break;
      }
      case kBusyPoll: o.busy_poll = true; break;
      case kServers: {
        std::string why;
        if (!net::parse_server_list(arg, &o.servers, &why)) {
          *error = "bad value for --servers: " + why;
          return false;
        }
        break;
      }
      case kGroups: ok = parse_u32(arg, &o.groups) && o.groups > 0; break;
      case kGroupSize: ok = parse_u32(arg, &o.group_size) && o.group_size > 0; break;
      case kHelp:
      case 'h': o.help = true; break;
      case kVersion: o.version = true; break;
      case ':':
        *error = "missing value for " + std::string(args[optind - 1]);
        return false;
      default: {
        const char* bad_arg = optind >= 1 && optind <= argc ? args[optind - 1] : "?";
        *error = "unknown or incomplete flag '" + std::string(bad_arg ? bad_arg : "?") + "'";
        return false;
      }
    }
    if (!ok) return bad();
  }
  if (optind < argc) {
    *error = "unexpected argument '" + std::string(args[optind]) + "'";
    return false;
  }
  if (!port_given) o.port = o.proto == Proto::nats ? 4222 : 2004;
  if (!o.servers.empty() && (host_given || port_given)) {
    *error = "--servers cannot be combined with --host or --port";
    return false;
  }
  if (o.servers.empty()) o.servers.push_back({o.host, o.port});
  settle_rows(o);
  if (!o.help && !o.version && !check(o, error)) return false;
  *out = o;
  return true;
}

}  // namespace sb::bench
