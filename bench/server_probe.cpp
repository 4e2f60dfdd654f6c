// /proc/<pid>/status parsing: "VmRSS:\t   12345 kB" lines.
#include "bench/server_memory.h"

#include <fcntl.h>
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

ServerMemory read_server_memory(int pid) {
  if (pid <= 0) return {};
  std::string path = "/proc/" + std::to_string(pid) + "/status";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  char buf[8192];
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  if (n <= 0) return {};
  return parse_proc_status({buf, static_cast<size_t>(n)});
}

}  // namespace sb::bench
