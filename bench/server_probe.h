// The server's memory as the kernel reports it (/proc/<pid>/status), sampled by the bench before
// connecting, once every node is registered and idle, and after the run.
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

}  // namespace sb::bench
