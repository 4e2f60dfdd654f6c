// Probes of a process by pid, read from /proc: its open descriptors, CPU time, descriptor limit
// and run state. Header-only, like the other helpers.
#pragma once

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "tests/support/process.h"

namespace sb::test {

// Open descriptors of `pid` (entries of /proc/PID/fd), or -1.
inline int count_fds(pid_t pid) {
  std::string path = "/proc/" + std::to_string(pid) + "/fd";
  DIR* d = opendir(path.c_str());
  if (d == nullptr) return -1;
  int n = 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(d);
  return n;
}

// The fields of /proc/PID/stat from field 3 (the state) on, at most `max` of them; empty if the
// file cannot be read. The command name (field 2) may contain spaces and parentheses, so the split
// starts after its last ')'.
inline std::vector<std::string> stat_fields(pid_t pid, size_t max) {
  std::vector<std::string> fields;
  std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  size_t close_paren = stat.rfind(')');
  if (close_paren == std::string::npos) return fields;
  size_t pos = close_paren + 2;
  while (pos < stat.size() && fields.size() < max) {
    size_t end = stat.find(' ', pos);
    if (end == std::string::npos) end = stat.size();
    fields.push_back(stat.substr(pos, end - pos));
    pos = end + 1;
  }
  return fields;
}

// utime + stime of `pid` in seconds (fields 14 and 15 of /proc/PID/stat), or -1.
inline double cpu_seconds(pid_t pid) {
  std::vector<std::string> fields = stat_fields(pid, 13);
  if (fields.size() < 13) return -1;
  // fields[0] is field 3 (state); utime is field 14, stime field 15.
  double ticks = std::strtod(fields[11].c_str(), nullptr) + std::strtod(fields[12].c_str(), nullptr);
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// The run state of `pid` (field 3 of /proc/PID/stat: 'T' when stopped), or '?'.
inline char process_state(pid_t pid) {
  std::vector<std::string> fields = stat_fields(pid, 1);
  return fields.empty() || fields[0].empty() ? '?' : fields[0][0];
}

// The soft RLIMIT_NOFILE of `pid` ("Max open files" in /proc/PID/limits), or 0.
inline long fd_limit_of(pid_t pid) {
  std::string limits = read_file("/proc/" + std::to_string(pid) + "/limits");
  size_t at = limits.find("Max open files");
  if (at == std::string::npos) return 0;
  return std::strtol(limits.c_str() + at + 14, nullptr, 10);
}

}  // namespace sb::test
