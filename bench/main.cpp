// switchboard-bench: simulates many nodes against a running server and reports throughput,
// latency percentiles, loss and the connection phase. Exit 0 clean, 1 on any loss, duplicate,
// reordering, error or failure, 2 on bad flags.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "bench/fanout.h"
#include "bench/options.h"
#include "bench/report.h"
#include "bench/server_probe.h"
#include "common/version.h"

using namespace sb::bench;

namespace {
std::string run_prefix() {
  // Node ids differ per run so this run never meets the not-yet-closed nodes of the previous one.
  const char* digits = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string s;
  for (unsigned v = static_cast<unsigned>(getpid()); v > 0; v /= 36) s.insert(s.begin(), digits[v % 36]);
  return "b" + s + "-";
}
}  // namespace

int main(int argc, char** argv) {
  Options o;
  std::string error;
  if (!parse_options(argc, argv, &o, &error)) {
    std::fprintf(stderr, "switchboard-bench: %s\n(see --help)\n", error.c_str());
    return 2;
  }
  if (o.help) {
    std::fputs(usage().c_str(), stdout);
    return 0;
  }
  if (o.version) {
    std::fputs(sb::version_line("switchboard-bench").c_str(), stdout);
    return 0;
  }
  signal(SIGPIPE, SIG_IGN);

  RunInfo info;
  info.base = read_server_memory(o.server_pid);
  PhaseCallbacks cb;
  cb.all_connected = [&] { info.idle = read_server_memory(o.server_pid); };
  cb.all_drained = [&] { info.end = read_server_memory(o.server_pid); };
  WorkerResult r = run_workers(o, run_prefix(), isatty(2) == 1, cb);
  info.connect_s = static_cast<double>(r.connect_ns) / 1e9;

  Summary s = summarize(o, r, info);
  std::string table = format_table(o, r, info, s);
  if (o.json) {
    std::fputs(table.c_str(), stderr);
    std::fputs(format_json(o, r, info, s).c_str(), stdout);
  } else {
    std::fputs(table.c_str(), stdout);
  }
  auto issues = problems(r);
  for (const auto& p : issues) std::fprintf(stderr, "switchboard-bench: *** %s\n", p.c_str());
  return issues.empty() ? 0 : 1;
}
