// Commands: KEY SET and KEY GET, the directory of end-to-end public keys. The server only stores
// and hands out public keys; it never sees a private key and never looks inside a payload.
#include "server/commands.h"

#include "common/security/public_key.h"
#include "server/cluster.h"

namespace sb::server {

using proto::ErrorCode;

void Commands::key(Connection& c, const proto::Frame& f) {
  if (f.argc == 2 && f.args[0] == "SET") {
    key_set(c, f.args[1]);
  } else if (f.argc == 2 && f.args[0] == "GET") {
    key_get(c, f.args[1]);
  } else {
    io_.reply_error(c, ErrorCode::bad_command, f.verb_text);
  }
}

void Commands::key_set(Connection& c, std::string_view text) {
  security::PublicKey key;
  if (!security::parse_public_key(text, &key)) {
    io_.reply_error(c, ErrorCode::bad_command, "KEY");
    return;
  }
  const std::string fingerprint = security::fingerprint_log_text(key);
  if (const security::PublicKey* pinned = admission_.pinned_key(c.node_id()); pinned != nullptr && *pinned != key) {
    SB_LOG(*log_, warn, "key_refused", {"node", c.node_id()}, {"reason", "key-pinned"},
           {"fingerprint", std::string_view(fingerprint)},
           {"pinned", std::string_view(security::fingerprint_log_text(*pinned))});
    io_.reply_error(c, ErrorCode::auth, "key-pinned");
    return;
  }
  keys_.publish(c.slot, key);
  if (cluster_ != nullptr) cluster_->key_published(c.node_id(), key);
  SB_LOG(*log_, info, "key_published", {"node", c.node_id()}, {"fingerprint", std::string_view(fingerprint)});
  c.out.append({"KEY ", c.node_id(), " ", text, "\n"});
  io_.reply_queued(c);
}

void Commands::key_get(Connection& c, std::string_view id) {
  if (!proto::is_valid_node_id(id)) {
    io_.reply_error(c, ErrorCode::bad_id, id);
    return;
  }
  const uint32_t* slot = router_.table().find(id);
  const security::PublicKey* key = admission_.pinned_key(id);
  if (slot == nullptr) {
    // A node on another server of the cluster: the key its holder published, from the mirror of
    // the cluster's key bucket (docs/CLUSTER.md); a pinned key still wins.
    using Remote = Cluster::RemoteKey;
    const security::PublicKey* published = nullptr;
    const Remote remote = cluster_ == nullptr ? Remote::no_such_node : cluster_->remote_key(id, &published);
    if (remote == Remote::no_such_node) {
      io_.reply_error(c, ErrorCode::no_such_node, id);
      return;
    }
    if (key == nullptr && remote == Remote::unavailable) {
      io_.reply_error(c, ErrorCode::unavailable, id);
      return;
    }
    if (key == nullptr) key = published;
  } else if (key == nullptr) {
    key = keys_.find(*slot);
  }
  if (key == nullptr) {
    io_.reply_error(c, ErrorCode::no_key, id);
    return;
  }
  const std::string text = security::public_key_text(*key);
  c.out.append({"KEY ", id, " ", text, "\n"});
  io_.reply_queued(c);
}

void Commands::node_left(Connection& c) { keys_.forget(c.slot); }

}  // namespace sb::server
