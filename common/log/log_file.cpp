// Opening, reopening, writing and syncing the log file. O_APPEND makes every write land at the
// current end even if someone truncated the file; O_CLOEXEC keeps it out of child processes.
#include "common/log/log_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sb::log {
namespace {

int open_append(const std::string& path) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

bool write_all(int fd, const char* data, size_t len) {
  while (len > 0) {
    const ssize_t n = ::write(fd, data, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    len -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

bool LogFile::open(const std::string& dir, const std::string& name, bool mirror_stderr,
                   std::string* error) {
  close();
  path_ = dir.empty() ? name : dir + "/" + name;
  mirror_stderr_ = mirror_stderr;
  fd_ = open_append(path_);
  if (fd_ < 0) {
    if (error != nullptr) *error = "open " + path_ + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

bool LogFile::reopen(std::string* error) {
  const int fd = open_append(path_);
  if (fd < 0) {
    if (error != nullptr) *error = std::strerror(errno);
    return false;
  }
  // Whatever was written to the old file is already in the kernel; sync it so a rotated file
  // that is compressed right after is complete on disk too.
  if (fd_ >= 0) {
    ::fdatasync(fd_);
    ::close(fd_);
  }
  fd_ = fd;
  return true;
}

bool LogFile::write(const char* data, size_t len) {
  // The mirror is best effort: a closed or full stderr must not stop the file from being written.
  if (mirror_stderr_) write_all(STDERR_FILENO, data, len);
  return fd_ >= 0 && write_all(fd_, data, len);
}

void LogFile::sync() {
  if (fd_ >= 0) ::fsync(fd_);
}

void LogFile::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

}  // namespace sb::log
