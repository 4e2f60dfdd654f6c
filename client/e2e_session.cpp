// E2eSession: setup, our key's publication, the server's answers, /trust and /fingerprint.
#include "client/e2e_session.h"

#include <time.h>

#include "client/options.h"
#include "client/text.h"
#include "common/timing/clock.h"

namespace sb::client {

using e2e::PeerKeys;
using e2e::Requests;

namespace {

uint64_t wall_clock_ms() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000u + static_cast<uint64_t>(ts.tv_nsec) / 1'000'000u;
}

std::string quoted(std::string_view id) { return "'" + escape_payload(id) + "'"; }

}  // namespace

E2eSession::E2eSession(Session& session, Frontend& frontend, log::Logger& log)
    : session_(session), frontend_(frontend), log_(log) {}

int64_t E2eSession::now_ms() { return static_cast<int64_t>(monotonic_ns() / 1'000'000u); }

std::unique_ptr<E2eSession> E2eSession::open(const Options& options, const std::string& id, Session& session,
                                             Frontend& frontend, log::Logger& log, std::string* error) {
  std::string path;
  if (!e2e::identity_path(options.key_file, id, &path, error)) return nullptr;
  std::unique_ptr<E2eSession> s(new E2eSession(session, frontend, log));
  bool created = false;
  if (!e2e::load_or_create_identity(path, options.key_file.empty(), &s->identity_, &created, error)) return nullptr;
  if (!s->known_.load(e2e::directory_of(path) + "/known_nodes", error)) return nullptr;
  s->node_id_ = id;
  s->keyring_ = std::make_unique<e2e::Keyring>(s->identity_.private_key);
  s->replay_ = std::make_unique<e2e::ReplayGuard>(wall_clock_ms());
  const std::string fingerprint = security::fingerprint_log_text(s->identity_.public_key);
  // A call site per event: a CallSite holds one event (what SB_LOG's static would be).
  static sb::log::CallSite created_site, loaded_site;
  if (log.enabled(sb::log::Level::info)) {
    log.write(created ? created_site : loaded_site, sb::log::Level::info, created ? "key_created" : "key_loaded",
              {{"node", std::string_view(id)}, {"path", std::string_view(path)},
               {"fingerprint", std::string_view(fingerprint)}, {"known_nodes", s->known_.size()}});
  }
  if (created) frontend.show_status("Created a new end-to-end key for " + quoted(id) + " in '" + path + "'");
  return s;
}

std::string E2eSession::locked_notice(std::string_view from) {
  return "[encrypted message from " + escape_payload(from) + ": start the client with --e2e]";
}

void E2eSession::on_registered() {
  requests_.submit(session_, {{Requests::Kind::key_set, security::public_key_text(identity_.public_key), 0}});
}

bool E2eSession::on_reply(const ServerEvent& ev) {
  Requests::Request req;
  switch (requests_.match(ev, &req)) {
    case Requests::Match::none: return false;
    case Requests::Match::marker: return true;
    case Requests::Match::answer: break;
  }
  on_answer(req, ev);
  return true;
}

void E2eSession::on_answer(const Requests::Request& req, const ServerEvent& ev) {
  switch (req.kind) {
    case Requests::Kind::key_set: on_published(ev); return;
    case Requests::Kind::key_get: on_key_answer(req.arg, ev); break;
    case Requests::Kind::members: on_members(req.tag, ev); break;
  }
  pump();
  show_fingerprints();
}

void E2eSession::on_published(const ServerEvent& ev) {
  if (ev.kind == ServerEvent::Kind::key) {
    const std::string fingerprint = security::fingerprint_log_text(identity_.public_key);
    SB_LOG(log_, info, "key_published", {"node", std::string_view(node_id_)},
           {"fingerprint", std::string_view(fingerprint)});
    frontend_.show_status("End-to-end encryption is on. Your key fingerprint: " +
                          security::fingerprint_groups(identity_.public_key));
    return;
  }
  SB_LOG(log_, warn, "key_publish_refused", {"node", std::string_view(node_id_)}, {"code", ev.code_text},
         {"detail", ev.text});
  if (ev.code == proto::ErrorCode::auth) {
    frontend_.show_error("Error: the server has another key pinned for " + quoted(node_id_) + ": the key in '" +
                         identity_.path + "' is not the one it expects, so end-to-end encryption cannot work");
    frontend_.on_registration_refused(ev.code);
    return;
  }
  frontend_.show_error("Error: the server did not take our end-to-end key (" + describe_error(ev.code_text, ev.text) +
                       "); nobody can send us encrypted messages");
}

void E2eSession::on_key_answer(std::string_view id, const ServerEvent& ev) {
  if (auto it = keys_asked_.find(id); it != keys_asked_.end()) keys_asked_.erase(it);
  security::PublicKey key;
  if (ev.kind == ServerEvent::Kind::key && ev.node == id && security::parse_public_key(ev.text, &key)) {
    std::string write_error;
    const PeerKeys::Learned learned = peers_.on_key(id, key, now_ms(), &write_error);
    note_learned(id, key, learned, write_error, "first-use");
    return;
  }
  using proto::ErrorCode;
  if (ev.kind == ServerEvent::Kind::error && ev.code == ErrorCode::no_key) {
    peers_.on_missing(id, PeerKeys::State::no_key, {}, now_ms());
  } else if (ev.kind == ServerEvent::Kind::error && ev.code == ErrorCode::no_such_node) {
    peers_.on_missing(id, PeerKeys::State::no_such_node, {}, now_ms());
  } else {
    const std::string what = ev.kind == ServerEvent::Kind::error ? describe_error(ev.code_text, ev.text)
                                                                 : "the server's answer was not a key";
    peers_.on_missing(id, PeerKeys::State::failed, what, now_ms());
  }
}

void E2eSession::note_learned(std::string_view id, const security::PublicKey& key, PeerKeys::Learned learned,
                              const std::string& write_error, const char* how) {
  const std::string fingerprint = security::fingerprint_log_text(key);
  if (learned == PeerKeys::Learned::first_use) {
    SB_LOG(log_, info, "key_trusted", {"node", id}, {"fingerprint", std::string_view(fingerprint)}, {"how", how});
  } else if (learned == PeerKeys::Learned::changed) {
    const security::PublicKey* known = peers_.known(id);
    const std::string known_text = known != nullptr ? security::fingerprint_log_text(*known) : std::string();
    SB_LOG(log_, warn, "key_changed", {"node", id}, {"known", std::string_view(known_text)},
           {"offered", std::string_view(fingerprint)});
  }
  if (!write_error.empty()) {
    SB_LOG(log_, warn, "known_nodes_write_failed", {"error", std::string_view(write_error)});
    frontend_.show_error("Warning: " + write_error + "; the key of " + quoted(id) + " is trusted for this session only");
  }
}

void E2eSession::on_members(uint64_t tag, const ServerEvent& ev) {
  for (Outgoing& m : outbox_) {
    if (m.seq != tag) continue;
    m.members_known = true;
    if (ev.kind != ServerEvent::Kind::nodes) {
      // "ERR no-receivers #g" and the like: the server's own words, as for a plain message.
      m.failure = describe_error(ev.code_text, ev.text);
      return;
    }
    std::set<std::string_view> seen;
    std::string_view ids = ev.text;
    while (!ids.empty()) {
      const size_t space = ids.find(' ');
      const std::string_view id = ids.substr(0, space);
      ids.remove_prefix(space == std::string_view::npos ? ids.size() : space + 1);
      if (!id.empty() && id != node_id_ && seen.insert(id).second) m.recipients.emplace_back(id);
    }
    ask_for(m);
    return;
  }
}

void E2eSession::trust(std::string_view id) {
  security::PublicKey key;
  std::string write_error;
  if (!peers_.trust(id, &key, &write_error)) {
    const security::PublicKey* known = peers_.known(id);
    frontend_.show_status(known != nullptr ? "Nothing to trust: the key of " + quoted(id) +
                                                 " has not changed (" + security::fingerprint_groups(*known) + ")"
                                           : "Nothing to trust: no key of " + quoted(id) + " has been seen yet");
    return;
  }
  note_learned(id, key, PeerKeys::Learned::first_use, write_error, "/trust");
  warned_changed_.erase(std::string(id) + " " + security::fingerprint_hex(key));
  frontend_.show_status("Now trusting the new key of " + quoted(id) + ": " + security::fingerprint_groups(key));
}

void E2eSession::fingerprint(std::string_view id) {
  if (id.empty()) {
    frontend_.show_status("Your key fingerprint (" + escape_payload(node_id_) +
                          "): " + security::fingerprint_groups(identity_.public_key));
    return;
  }
  fingerprints_.emplace(id);
  if (peers_.known(id) == nullptr) {
    ask_key(id);  // the answer shows it (and records it: first use)
    flush_requests();
    return;
  }
  show_fingerprints();
}

void E2eSession::show_fingerprints() {
  for (auto it = fingerprints_.begin(); it != fingerprints_.end();) {
    const std::string& id = *it;
    const security::PublicKey* known = peers_.known(id);
    const PeerKeys::Lookup now = peers_.lookup(id, now_ms());
    if (known == nullptr && (now.state == PeerKeys::State::unknown || keys_asked_.count(id) > 0)) {
      ++it;  // still waiting for the server
      continue;
    }
    if (known != nullptr) {
      frontend_.show_status("Key of " + quoted(id) + " (trusted): " + security::fingerprint_groups(*known));
      if (const security::PublicKey* offered = peers_.offered(id))
        frontend_.show_status("New key of " + quoted(id) + " (not trusted; /trust " + escape_payload(id) +
                              " accepts it): " + security::fingerprint_groups(*offered));
    } else {
      const char* why = now.state == PeerKeys::State::no_key ? "it has published none" : "it is not connected";
      frontend_.show_error("Error: no key known for " + quoted(id) + ": " +
                           (now.state == PeerKeys::State::failed ? std::string(now.detail) : why));
    }
    it = fingerprints_.erase(it);
  }
}

void E2eSession::on_disconnected() {
  requests_.clear();
  batch_.clear();
  keys_asked_.clear();
  peers_.clear();
  for (const Outgoing& m : outbox_) {
    frontend_.show_error("Error: not sent to " + quoted(m.target) + ": the connection was lost");
    frontend_.on_refused(proto::ErrorCode::none, {});
  }
  outbox_.clear();
  outbox_bytes_ = 0;
  fingerprints_.clear();
}

}  // namespace sb::client
