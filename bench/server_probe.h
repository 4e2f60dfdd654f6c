// The server process as the kernel reports it: memory (/proc/<pid>/status), sampled before
// connecting, once every node is registered and idle, and after the run; and CPU time
// (/proc/<pid>/stat, all threads), sampled around the measured phase. On a shared machine the
// CPU time turns wall-clock throughput into a contention-independent cost per message.
#pragma once

#include <cstdint>
#include <string_view>

namespace sb::bench {

struct ServerMemory {
  int64_t rss_kb = -1;  // VmRSS; -1 when unknown
  int64_t hwm_kb = -1;  // VmHWM: the peak RSS
};

ServerMemory read_server_memory(int pid);
// Parses the text of a status file (split out for tests).
ServerMemory parse_proc_status(std::string_view text);

// User + system CPU seconds the process has used so far (10 ms resolution); -1 when unknown.
double read_process_cpu_s(int pid);
// Parses /proc/<pid>/stat text; the command name may hold spaces and parentheses.
double parse_proc_stat_cpu_s(std::string_view text, long ticks_per_s);
// This process's own user + system CPU seconds.
double own_cpu_s();

}  // namespace sb::bench
