// known_nodes: parse, read, and the locked read-merge-write-rename of a change.
#include "client/e2e_known_nodes.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/protocol/frame.h"
#include "common/text/lines.h"

namespace sb::client::e2e {
namespace {

constexpr std::string_view kHeader =
    "# switchboard known nodes: <node id> x25519:<key>. Trust on first use; /trust <id> replaces a line.\n";

bool read_all(int fd, std::string* out) {
  char buf[16384];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    out->append(buf, static_cast<size_t>(n));
  }
}

bool write_all_fd(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    text.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Holds an exclusive flock on the lock file beside known_nodes for the life of the object.
class FileLock {
 public:
  explicit FileLock(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ >= 0) {
      while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
      }
    }
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

}  // namespace

bool KnownNodes::parse(std::string_view text, const std::string& path, Map* out, std::string* error) {
  Map keys;
  sb::text::LineReader lines(text);
  std::string_view line;
  while (lines.next_content(&line)) {
    const size_t space = line.find(' ');
    std::string_view id = line.substr(0, space);
    security::PublicKey key;
    if (space == std::string_view::npos || !proto::is_valid_node_id(id) ||
        !security::parse_public_key(line.substr(space + 1), &key)) {
      *error = path + ":" + std::to_string(lines.line_no()) + ": expected '<node id> x25519:<key>'";
      return false;
    }
    keys[std::string(id)] = key;  // a later line for the same id wins
  }
  *out = std::move(keys);
  return true;
}

bool KnownNodes::read(const std::string& path, Map* out, std::string* error) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    out->clear();
    return true;
  }
  std::string text;
  const bool ok = fd >= 0 && read_all(fd, &text);
  const int saved = errno;
  if (fd >= 0) ::close(fd);
  if (!ok) {
    *error = "cannot read '" + path + "': " + std::strerror(saved);
    return false;
  }
  return parse(text, path, out, error);
}

bool KnownNodes::load(const std::string& path, std::string* error) {
  path_ = path;
  return read(path, &keys_, error);
}

const security::PublicKey* KnownNodes::find(std::string_view id) const {
  auto it = keys_.find(id);
  return it == keys_.end() ? nullptr : &it->second;
}

bool KnownNodes::remember(std::string_view id, const security::PublicKey& key, std::string* error) {
  keys_[std::string(id)] = key;
  FileLock lock(path_ + ".lock");
  if (!lock.ok()) {
    *error = "cannot lock '" + path_ + ".lock': " + std::strerror(errno);
    return false;
  }
  // Another client of this user may have trusted other nodes since we read the file: keep those.
  Map on_disk;
  if (!read(path_, &on_disk, error)) return false;
  for (const auto& [other, other_key] : on_disk) {
    if (other != id) keys_[other] = other_key;
  }
  on_disk[std::string(id)] = key;
  return write(on_disk, error);
}

bool KnownNodes::write(const Map& keys, std::string* error) const {
  std::string text(kHeader);
  for (const auto& [id, key] : keys) text += id + " " + security::public_key_text(key) + "\n";
  const std::string tmp = path_ + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  bool ok = fd >= 0 && write_all_fd(fd, text) && ::fsync(fd) == 0;
  int saved = errno;
  if (fd >= 0) ::close(fd);
  if (ok && ::rename(tmp.c_str(), path_.c_str()) != 0) {
    ok = false;
    saved = errno;
  }
  if (!ok) {
    *error = "cannot write '" + path_ + "': " + std::strerror(saved);
    ::unlink(tmp.c_str());
  }
  return ok;
}

}  // namespace sb::client::e2e
