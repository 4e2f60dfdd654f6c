// E2eSession: the client's --e2e mode between the App and the protocol Session. It publishes our
// key on registration, turns each outgoing text into an envelope once the recipients' keys are
// known (KEY GET, kept PeerKeys::kFreshMs; WHO for a group, pattern or broadcast, asked just
// before sending), opens incoming envelopes, drops replays, keeps the trust rules (first use,
// changed keys never used silently, /trust), and says in words what went wrong. It writes to the
// Session and the Frontend and never touches a socket. Wording of every line is here.
//
// Files: e2e_session.cpp (setup, server replies, /trust, /fingerprint), e2e_outbox.cpp (sending),
// e2e_inbox.cpp (receiving).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "client/e2e_identity.h"
#include "client/e2e_keyring.h"
#include "client/e2e_known_nodes.h"
#include "client/e2e_peers.h"
#include "client/e2e_requests.h"
#include "client/frontend.h"
#include "client/session.h"
#include "common/log/logger.h"

namespace sb::client {

struct Options;

class E2eSession {
 public:
  // Loads (or creates) the identity of node `id` and the known_nodes beside it. Null with *error
  // when the key file is refused or unreadable, or known_nodes is malformed.
  static std::unique_ptr<E2eSession> open(const Options& options, const std::string& id, Session& session,
                                          Frontend& frontend, log::Logger& log, std::string* error);

  const std::string& node_id() const { return node_id_; }

  // --- from the App ---
  void on_registered();  // WELCOME: publish our key
  // An answer to one of our requests (or a marker): consumed, the App must not show it.
  bool on_reply(const ServerEvent& ev);
  void on_message(std::string_view from, std::string_view via, std::string_view payload);
  void on_disconnected();  // messages still waiting for keys are not sent

  // Queues `text` for `target`; it goes out once the keys are known, in order.
  void send(std::string_view target, std::string_view text);
  // Messages waiting (QUIT waits for them) and their bytes (stdin back-pressure).
  bool busy() const { return !outbox_.empty(); }
  size_t backlog() const { return outbox_bytes_; }

  // --- user commands ---
  void trust(std::string_view id);
  void fingerprint(std::string_view id);  // empty: our own key

  // What a non---e2e client shows for an envelope.
  static std::string locked_notice(std::string_view from);

 private:
  enum class Fanout : uint8_t { none, all, group, pattern };
  struct Outgoing {
    uint64_t seq = 0;
    std::string target;
    std::string text;
    Fanout fanout = Fanout::none;
    bool members_asked = false;
    bool members_known = false;
    std::vector<std::string> recipients;
    std::string failure;  // set when the message cannot go: shown when it reaches the head
  };

  E2eSession(Session& session, Frontend& frontend, log::Logger& log);

  // e2e_session.cpp
  void on_answer(const e2e::Requests::Request& req, const ServerEvent& ev);
  void on_key_answer(std::string_view id, const ServerEvent& ev);
  void on_published(const ServerEvent& ev);
  void on_members(uint64_t tag, const ServerEvent& ev);
  void note_learned(std::string_view id, const security::PublicKey& key, e2e::PeerKeys::Learned learned,
                    const std::string& write_error, const char* how);
  void show_fingerprints();
  static int64_t now_ms();

  // e2e_outbox.cpp
  void pump();
  // Queues (in batch_) the questions `m` still needs answered; flush_requests() sends them.
  void ask_for(Outgoing& m);
  void ask_key(std::string_view id);
  void flush_requests();
  bool ready(const Outgoing& m) const;
  void deliver(const Outgoing& m);
  void deliver_direct(const Outgoing& m);
  void deliver_fanout(const Outgoing& m);
  void refuse(std::string_view target, const std::string& why, const char* reason);
  std::string key_change_text(std::string_view id, const e2e::PeerKeys::Lookup& found) const;
  e2e::Inner inner_for_now();

  // e2e_inbox.cpp
  void warn_dropped(std::string_view from, const std::string& why, const char* reason);
  bool check_replay(std::string_view from, const crypto::X25519Key& sender, const e2e::Inner& inner);
  void show_opened(std::string_view from, std::string_view via, const security::PublicKey& sender,
                   std::string_view text);

  Session& session_;
  Frontend& frontend_;
  log::Logger& log_;
  std::string node_id_;
  e2e::Identity identity_;
  std::unique_ptr<e2e::Keyring> keyring_;
  e2e::KnownNodes known_;
  e2e::PeerKeys peers_{known_};
  std::unique_ptr<e2e::ReplayGuard> replay_;
  e2e::Requests requests_;
  std::vector<e2e::Requests::Request> batch_;  // questions to send together

  std::deque<Outgoing> outbox_;
  size_t outbox_bytes_ = 0;
  uint64_t next_seq_ = 0;
  std::set<std::string, std::less<>> keys_asked_;     // KEY GET in flight
  std::set<std::string, std::less<>> fingerprints_;   // /fingerprint waiting for a key
  std::set<std::string, std::less<>> warned_changed_;  // "<id> <fingerprint>" already warned about
  std::string opened_;                                 // plaintext buffer, reused
  std::string sealed_;                                 // envelope buffer, reused
};

}  // namespace sb::client
