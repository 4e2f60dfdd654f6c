// The --e2e side's questions to the server (KEY SET, KEY GET, WHO) and the matching of their
// answers. Replies come in command order, but the App's own commands (PING, WHO, STATS) and failed
// SENDs interleave with ours, and "ERR no-such-node b" may answer a SEND b as well as a KEY GET b.
// So each batch goes out behind a marker, "PING e2e-<n>": once its PONG is back, every earlier
// command has had its reply, and the next replies answer the batch, one per request, in order.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "client/session.h"

namespace sb::client::e2e {

class Requests {
 public:
  enum class Kind : uint8_t { key_set, key_get, members };
  struct Request {
    Kind kind = Kind::key_get;
    std::string arg;   // KEY SET: the key text; KEY GET: the id; members: the WHO target ("" for all)
    uint64_t tag = 0;  // members: the outgoing message it is for
  };

  static constexpr std::string_view kMarkerPrefix = "e2e-";

  // Writes the marker and the batch's commands to the session.
  void submit(Session& session, std::vector<Request> batch);

  enum class Match { none, marker, answer };
  // `ev` answers one of ours (*answered says which), is one of our markers (to be swallowed), or
  // is none of our business.
  Match match(const ServerEvent& ev, Request* answered);

  // The connection is gone: nothing in flight will be answered.
  void clear() { batches_.clear(); }
  bool idle() const { return batches_.empty(); }

 private:
  struct Batch {
    std::string marker;
    std::deque<Request> pending;
    bool started = false;  // the marker's PONG came back
  };
  std::deque<Batch> batches_;
  uint64_t next_marker_ = 0;
};

}  // namespace sb::client::e2e
