// The node's end-to-end identity: an X25519 key pair kept in a key file that only its owner may
// read. The default place is $XDG_CONFIG_HOME/switchboard/<id>.key ($HOME/.config when the
// variable is unset), one file per node id; --key-file names another. First use creates the file
// (mode 0600; a missing directory 0700). A key file that its group or others may access is
// refused, as ssh refuses such a private key: it may already have been read.
#pragma once

#include <string>
#include <string_view>

#include "common/crypto/x25519.h"

namespace sb::client::e2e {

struct Identity {
  Identity() = default;
  Identity(const Identity&) = delete;
  Identity& operator=(const Identity&) = delete;
  ~Identity();

  std::string path;  // the key file
  crypto::X25519Key public_key{};
  crypto::X25519Key private_key{};
};

// The key file for node `id`: `key_file` when given, else the default place. False with *error
// when neither $XDG_CONFIG_HOME (absolute) nor $HOME gives a directory.
bool identity_path(const std::string& key_file, std::string_view id, std::string* path, std::string* error);

// The directory of `path` ("." for a bare file name): where known_nodes lives.
std::string directory_of(const std::string& path);

// Loads the key file, or creates it with a fresh key pair when it does not exist (*created true
// then). `make_dirs`: create the missing directories of the path with mode 0700 (the default
// place); otherwise the directory must exist. False with *error (naming the file) when the file
// is not a regular file owned by this user, its mode lets anyone else in, or it is malformed.
bool load_or_create_identity(const std::string& path, bool make_dirs, Identity* out, bool* created,
                             std::string* error);

}  // namespace sb::client::e2e
