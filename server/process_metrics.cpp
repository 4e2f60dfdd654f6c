// ProcessMetrics: the process's own figures from getrusage, getrlimit and /proc.
#include "server/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace sb::server {

namespace {

std::string read_small_file(const char* path) {
  std::string text;
  FILE* f = std::fopen(path, "re");
  if (f == nullptr) return text;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  std::fclose(f);
  return text;
}

uint64_t count_open_fds() {
  DIR* d = opendir("/proc/self/fd");
  if (d == nullptr) return 0;
  uint64_t n = 0;
  while (const dirent* e = readdir(d))
    if (e->d_name[0] != '.') ++n;
  closedir(d);
  return n > 0 ? n - 1 : 0;  // opendir's own descriptor is listed too
}

// Seconds since the epoch at which the process started: field 22 of /proc/self/stat (clock ticks
// since boot; the fields are counted after the command name's closing parenthesis, which may
// itself hold spaces) plus the boot time from /proc/stat.
double start_time_seconds() {
  const std::string stat = read_small_file("/proc/self/stat");
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return 0;
  const char* p = stat.c_str() + paren + 1;
  for (int field = 3; field < 22 && *p != '\0'; ++field) {
    while (*p == ' ') ++p;
    while (*p != ' ' && *p != '\0') ++p;
  }
  const double ticks = std::strtod(p, nullptr);
  const std::string proc_stat = read_small_file("/proc/stat");
  const size_t at = proc_stat.find("\nbtime ");
  if (at == std::string::npos) return 0;
  const double boot = std::strtod(proc_stat.c_str() + at + 7, nullptr);
  return boot + ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace

ProcessMetrics read_process_metrics() {
  ProcessMetrics m;
  rusage ru{};
  if (getrusage(RUSAGE_SELF, &ru) == 0)
    m.cpu_seconds = double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                    double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  const std::string statm = read_small_file("/proc/self/statm");
  const char* rss = std::strchr(statm.c_str(), ' ');
  if (rss != nullptr) m.resident_bytes = std::strtoull(rss + 1, nullptr, 10) * uint64_t(sysconf(_SC_PAGESIZE));
  m.open_fds = count_open_fds();
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) m.max_fds = rl.rlim_cur == RLIM_INFINITY ? 0 : rl.rlim_cur;
  m.start_time_s = start_time_seconds();
  return m;
}

}  // namespace sb::server
