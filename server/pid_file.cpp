// The pid file: open with O_NOFOLLOW, write, close; unlink at exit.
#include "server/pid_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sb::server {

bool PidFile::write(const std::string& path, std::string* error) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) {
    *error = "cannot write --pid-file '" + path + "': " + std::strerror(errno);
    return false;
  }
  const std::string text = std::to_string(::getpid()) + "\n";
  ssize_t n;
  do {
    n = ::write(fd, text.data(), text.size());
  } while (n < 0 && errno == EINTR);
  const int write_errno = n < 0 ? errno : EIO;
  const bool closed = ::close(fd) == 0;
  if (n != static_cast<ssize_t>(text.size()) || !closed) {
    *error = "cannot write --pid-file '" + path + "': " + std::strerror(closed ? write_errno : errno);
    ::unlink(path.c_str());
    return false;
  }
  path_ = path;
  return true;
}

void PidFile::remove() {
  if (path_.empty()) return;
  ::unlink(path_.c_str());
  path_.clear();
}

}  // namespace sb::server
