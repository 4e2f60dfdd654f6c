// Command-line options of switchboard-bench: the workload (nodes, pattern, sizes, window, rate),
// the target server and the output. parse_options never exits, so tests can feed it bad flags.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/net/server_list.h"

namespace sb::bench {

// group, anycast and subject (protocol v2) split each worker's nodes into rows of --group-size:
// a row is a group (#g: every other member gets each message; ~g: exactly one does), or, for
// subject, the ids <prefix>s<w>.<row>.<k> that the patterns <prefix>s<w>.<row>.* and .> reach.
// members sends direct messages to a random other member of the row: the same copies a group
// message makes, one SEND each (the baseline group fan-out is measured against).
enum class Pattern : uint8_t { random, ring, pairs, fanin, broadcast, group, anycast, subject, members };
enum class Proto : uint8_t { switchboard, nats };

struct Options {
  uint32_t nodes = 1000;
  uint32_t senders = 0;  // 0 = every node that can send under the pattern (fanin: all but the sink)
  Pattern pattern = Pattern::random;
  uint32_t size_min = 64;
  uint32_t size_max = 64;
  uint32_t window = 64;     // messages in flight per sender
  uint32_t groups = 0;      // group/anycast/subject: rows in all; 0 = nodes / group_size
  uint32_t group_size = 0;  // nodes per row; 0 = nodes / groups, or 10 when neither is given
  double rate = 0;          // total msgs/s across senders; 0 = closed loop (as fast as the window allows)
  double duration_s = 5;    // measured phase
  double warmup_s = 1;      // sent but not measured
  double drain_s = 10;      // after sending stops, how long to wait for messages still in flight
  std::string host = "127.0.0.1";
  uint16_t port = 0;        // 0 = the protocol's default (2004 or 4222)
  // Node i connects to servers[i % size]: --servers' list, else the one of --host and --port.
  std::vector<net::HostPort> servers;
  uint32_t procs = 1;
  uint32_t sources = 50;    // source addresses 127.0.0.1 .. 127.0.0.<sources> (IPv4 loopback only)
  bool json = false;
  int server_pid = 0;
  Proto proto = Proto::switchboard;
  uint64_t seed = 1;
  bool busy_poll = false;   // never sleep while sending: poll epoll with a zero timeout
  bool help = false;
  bool version = false;
};

// Smallest payload: it must hold the stamp (send time, sender, sequence).
inline constexpr uint32_t kMinPayload = 16;
// Above this a single process runs out of file descriptors (limit 20000 per process here).
inline constexpr uint32_t kMaxNodesPerProc = 19000;

// The ceilings of the bench's decimal flags (values are read with common/text/number.h, as the
// server's and the client's are): a week of run time, a billion messages a second.
inline constexpr double kMaxSeconds = 604800;
inline constexpr double kMaxRate = 1e9;

// Returns false and sets *error to one sentence on a bad flag or value. argv is not modified.
bool parse_options(int argc, char* const* argv, Options* out, std::string* error);
std::string usage();

const char* pattern_name(Pattern p);
const char* proto_name(Proto p);
// Senders the run really uses after defaults and the pattern's limits.
uint32_t effective_senders(const Options& o);
// group, anycast and subject: each sender sends to its own row.
inline bool row_pattern(Pattern p) { return p == Pattern::group || p == Pattern::anycast || p == Pattern::subject; }
// The patterns laid out in rows of --group-size.
inline bool uses_rows(Pattern p) { return row_pattern(p) || p == Pattern::members; }
// Copies one message makes: nodes - 1 for broadcast, group_size - 1 for group and subject, else 1.
uint64_t copies_per_message(const Options& o);

}  // namespace sb::bench
