// Key files: where they are, how they are checked, read and created. The file is text:
//
//   # switchboard end-to-end identity (X25519). Secret: keep this file mode 0600.
//   private-key x25519:<43 base64url characters>
//   public-key x25519:<43 base64url characters>
//
// The public key line is informative; when present it must match the private key.
#include "client/e2e_identity.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "common/crypto/box.h"
#include "common/crypto/bytes.h"
#include "common/security/public_key.h"
#include "common/text/lines.h"

namespace sb::client::e2e {
namespace {

constexpr size_t kMaxKeyFile = 4096;
constexpr std::string_view kPrivateTag = "private-key ";
constexpr std::string_view kPublicTag = "public-key ";

std::string quoted(const std::string& path) { return "'" + path + "'"; }

// mkdir -p, each created component mode 0700.
bool make_directories(const std::string& dir, std::string* error) {
  if (dir.empty() || dir == "/" || dir == ".") return true;
  struct stat st{};
  if (::stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return true;
    *error = quoted(dir) + " is not a directory";
    return false;
  }
  if (!make_directories(directory_of(dir), error)) return false;
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    *error = "cannot create " + quoted(dir) + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

bool check_file(int fd, const std::string& path, std::string* error) {
  struct stat st{};
  if (::fstat(fd, &st) != 0) {
    *error = "cannot inspect " + quoted(path) + ": " + std::strerror(errno);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    *error = "key file " + quoted(path) + " is not a regular file";
    return false;
  }
  if (st.st_uid != ::geteuid()) {
    *error = "key file " + quoted(path) + " belongs to uid " + std::to_string(st.st_uid) + ", not to you";
    return false;
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    *error = "permissions " + std::string(mode) + " for key file " + quoted(path) +
             " are too open: a private key must be readable by you only (chmod 600 " + quoted(path) + ")";
    return false;
  }
  return true;
}

bool parse_key_file(std::string_view text, const std::string& path, Identity* out, std::string* error) {
  bool have_private = false, have_public = false;
  security::PublicKey listed_public{};
  sb::text::LineReader lines(text);
  std::string_view line;
  while (lines.next_content(&line)) {
    bool ok = false;
    if (line.substr(0, kPrivateTag.size()) == kPrivateTag && !have_private) {
      ok = have_private = security::parse_public_key(line.substr(kPrivateTag.size()), &out->private_key);
    } else if (line.substr(0, kPublicTag.size()) == kPublicTag && !have_public) {
      ok = have_public = security::parse_public_key(line.substr(kPublicTag.size()), &listed_public);
    }
    if (!ok) {  // the line is not quoted: it may hold key material
      *error = "key file " + quoted(path) + " line " + std::to_string(lines.line_no()) + " is not understood";
      return false;
    }
  }
  if (!have_private) {
    *error = "key file " + quoted(path) + " holds no 'private-key x25519:...' line";
    return false;
  }
  crypto::x25519_public_key(out->private_key, out->public_key);
  if (have_public && listed_public != out->public_key) {
    *error = "key file " + quoted(path) + ": its public-key line does not belong to its private key";
    return false;
  }
  return true;
}

bool load(int fd, const std::string& path, Identity* out, std::string* error) {
  if (!check_file(fd, path, error)) return false;
  char buf[kMaxKeyFile + 1];
  size_t have = 0;
  for (;;) {
    const ssize_t n = ::read(fd, buf + have, sizeof buf - have);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *error = "cannot read " + quoted(path) + ": " + std::strerror(errno);
      return false;
    }
    if (n == 0) break;
    have += static_cast<size_t>(n);
    if (have == sizeof buf) {
      *error = "key file " + quoted(path) + " is larger than " + std::to_string(kMaxKeyFile) + " bytes";
      return false;
    }
  }
  const bool ok = parse_key_file(std::string_view(buf, have), path, out, error);
  crypto::detail::wipe(buf, sizeof buf);
  return ok;
}

bool write_new(int fd, const std::string& path, Identity* out, std::string* error) {
  crypto::box_keypair(out->public_key, out->private_key);
  std::string text = "# switchboard end-to-end identity (X25519). Secret: keep this file mode 0600.\n";
  text += kPrivateTag;
  text += security::public_key_text(out->private_key);
  text += "\n";
  text += kPublicTag;
  text += security::public_key_text(out->public_key);
  text += "\n";
  bool ok = ::fchmod(fd, 0600) == 0;
  for (size_t done = 0; ok && done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  if (!ok) *error = "cannot write " + quoted(path) + ": " + std::strerror(errno);
  crypto::detail::wipe(text.data(), text.size());
  return ok;
}

}  // namespace

Identity::~Identity() { crypto::detail::wipe(private_key.data(), private_key.size()); }

bool identity_path(const std::string& key_file, std::string_view id, std::string* path, std::string* error) {
  if (!key_file.empty()) {
    *path = key_file;
    return true;
  }
  std::string base;
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  const char* home = std::getenv("HOME");
  if (xdg != nullptr && xdg[0] == '/') {  // the XDG spec ignores a relative value
    base = xdg;
  } else if (home != nullptr && home[0] != '\0') {
    base = std::string(home) + "/.config";
  } else {
    *error = "no place for the key file: $HOME is not set (give --key-file PATH)";
    return false;
  }
  *path = base + "/switchboard/" + std::string(id) + ".key";
  return true;
}

std::string directory_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

bool load_or_create_identity(const std::string& path, bool make_dirs, Identity* out, bool* created,
                             std::string* error) {
  *created = false;
  out->path = path;
  if (make_dirs && !make_directories(directory_of(path), error)) return false;
  for (int attempt = 0; attempt < 2; ++attempt) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      const bool ok = load(fd, path, out, error);
      ::close(fd);
      return ok;
    }
    if (errno != ENOENT) break;
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 && errno == EEXIST) continue;  // another client created it just now: read theirs
    if (fd < 0) break;
    const bool ok = write_new(fd, path, out, error);
    ::close(fd);
    if (!ok) ::unlink(path.c_str());
    *created = ok;
    return ok;
  }
  *error = "cannot open key file " + quoted(path) + ": " + std::strerror(errno);
  return false;
}

}  // namespace sb::client::e2e
