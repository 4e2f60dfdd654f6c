// --pid-file: the server's process id in a file, for tools that signal it (logrotate's postrotate
// without systemd). Written once the server listens, removed when it exits normally.
#pragma once

#include <string>

namespace sb::server {

class PidFile {
 public:
  PidFile() = default;
  ~PidFile() { remove(); }
  PidFile(const PidFile&) = delete;
  PidFile& operator=(const PidFile&) = delete;

  // Writes getpid() and a newline to `path`, replacing a stale file. Refuses to follow a symlink
  // (the directory may be shared). False with *error.
  bool write(const std::string& path, std::string* error);
  // Deletes the file this object wrote, if any.
  void remove();

 private:
  std::string path_;
};

}  // namespace sb::server
