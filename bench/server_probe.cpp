// /proc parsing: "VmRSS:\t   12345 kB" lines of status; utime and stime (fields 14, 15) of stat.
#include "bench/server_probe.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <string>

namespace sb::bench {

namespace {
int64_t field_kb(std::string_view text, std::string_view key) {
  size_t at = text.find(key);
  if (at == std::string_view::npos || (at > 0 && text[at - 1] != '\n')) return -1;
  size_t p = at + key.size();
  while (p < text.size() && (text[p] == ' ' || text[p] == '\t')) ++p;
  int64_t v = -1;
  auto [end, ec] = std::from_chars(text.data() + p, text.data() + text.size(), v);
  return ec == std::errc() ? v : -1;
}
}  // namespace

ServerMemory parse_proc_status(std::string_view text) {
  return {field_kb(text, "VmRSS:"), field_kb(text, "VmHWM:")};
}

namespace {
std::string read_proc(int pid, const char* file) {
  if (pid <= 0) return {};
  std::string path = "/proc/" + std::to_string(pid) + "/" + file;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  char buf[8192];
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}
}  // namespace

ServerMemory read_server_memory(int pid) {
  std::string text = read_proc(pid, "status");
  return text.empty() ? ServerMemory{} : parse_proc_status(text);
}

double parse_proc_stat_cpu_s(std::string_view text, long ticks_per_s) {
  // "pid (comm) state ppid ..." : count fields after the last ')', where field 3 (state) starts.
  size_t close = text.rfind(')');
  if (close == std::string_view::npos || ticks_per_s <= 0) return -1;
  std::string_view rest = text.substr(close + 1);
  uint64_t ticks = 0;
  int field = 2;  // the comm field just ended
  size_t p = 0;
  while (p < rest.size() && field < 15) {
    while (p < rest.size() && rest[p] == ' ') ++p;
    size_t start = p;
    while (p < rest.size() && rest[p] != ' ') ++p;
    ++field;
    if (field == 14 || field == 15) {
      uint64_t v = 0;
      auto [end, ec] = std::from_chars(rest.data() + start, rest.data() + p, v);
      if (ec != std::errc() || end != rest.data() + p) return -1;
      ticks += v;
    }
  }
  return field == 15 ? static_cast<double>(ticks) / static_cast<double>(ticks_per_s) : -1;
}

double read_process_cpu_s(int pid) {
  std::string text = read_proc(pid, "stat");
  return text.empty() ? -1 : parse_proc_stat_cpu_s(text, sysconf(_SC_CLK_TCK));
}

double own_cpu_s() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto secs = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; };
  return secs(ru.ru_utime) + secs(ru.ru_stime);
}

}  // namespace sb::bench
