// The standard process_* metrics every Prometheus exporter reports, read from the kernel when a
// scrape asks (never on the loop's regular path): CPU time, resident memory, descriptors open and
// allowed, and the process's start time.
#pragma once

#include <cstdint>

namespace sb::server {

struct ProcessMetrics {
  double cpu_seconds = 0;       // user + system (getrusage)
  uint64_t resident_bytes = 0;  // /proc/self/statm
  uint64_t open_fds = 0;        // entries of /proc/self/fd
  uint64_t max_fds = 0;         // RLIMIT_NOFILE soft limit
  double start_time_s = 0;      // since the Unix epoch: /proc/self/stat starttime + /proc/stat btime
};

ProcessMetrics read_process_metrics();

}  // namespace sb::server
