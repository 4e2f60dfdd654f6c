// The log's output file: opened append-only by name, reopened by name after logrotate moved it,
// written with whole-buffer write(2) calls (optionally mirrored to stderr) and fsync'ed at stop.
// Only the worker that holds the commit turn touches it, so it needs no locking of its own.
#pragma once

#include <cstddef>
#include <string>

namespace sb::log {

class LogFile {
 public:
  LogFile() = default;
  ~LogFile() { close(); }
  LogFile(const LogFile&) = delete;
  LogFile& operator=(const LogFile&) = delete;

  // False with *error ("open <path>: <reason>") if the file cannot be opened for appending.
  bool open(const std::string& dir, const std::string& name, bool mirror_stderr, std::string* error);
  // Opens the path again and switches to it; on failure keeps writing to the old file.
  bool reopen(std::string* error);
  // Writes all of it, retrying short writes and EINTR. False (errno kept) on a real I/O error.
  bool write(const char* data, size_t len);
  void sync();
  void close();
  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  bool mirror_stderr_ = false;
  std::string path_;
};

}  // namespace sb::log
