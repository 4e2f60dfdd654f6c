// What the event loop (App) needs from the user-facing side. Two implementations: the interactive
// terminal (interactive.h) and the pipe/script one (scripting.h). The App owns the connection and
// the wording of status lines; a front end decides how lines are shown and what stdin means.
#pragma once

#include <string_view>

#include "common/protocol/frame.h"

namespace sb::client {

class App;

class Frontend {
 public:
  virtual ~Frontend() = default;

  // Called once, before the loop; typically asks for an id or calls app.register_as().
  // Returns false if the front end cannot run (a message was already shown).
  virtual bool start(App& app) = 0;

  // Whether stdin should be polled now (back-pressure: not while the socket backlog is large).
  virtual bool wants_input() const = 0;
  virtual void on_input(std::string_view bytes) = 0;
  virtual void on_input_end() = 0;  // EOF or an unreadable stdin

  virtual void on_registered() = 0;
  // HELLO was refused (bad-id, id-taken, auth, server-full); the connection is closed.
  virtual void on_registration_refused(proto::ErrorCode code) = 0;
  // The connection is gone; if `reconnecting`, the App will try again by itself.
  virtual void on_disconnected(bool reconnecting) = 0;
  // `via` names the group or pattern a message came through ("#ops"); empty for a direct one.
  virtual void on_message(std::string_view from, std::string_view via, std::string_view payload) = 0;
  // The server refused a message we sent (no-such-node, too-large, bad-id, no-receivers; `detail`
  // is the ERR's detail as it came), or the --e2e session would not send it (code none: no usable
  // key, anycast); already shown.
  virtual void on_refused(proto::ErrorCode, std::string_view /*detail*/) {}
  // With receipts on: a message was queued for `copies` nodes.
  virtual void on_receipt(size_t /*copies*/) {}

  // One line from the App: connection status, replies to /who etc., errors (already worded).
  virtual void show_status(std::string_view line) = 0;
  virtual void show_error(std::string_view line) = 0;

  // The loop is over (any reason); undo what start() did to the terminal.
  virtual void stop() {}

  // SIGINT/SIGTERM/SIGHUP: default is a clean quit.
  virtual void on_interrupt();
  // Terminal-only hooks (Ctrl-Z and window size); no-ops elsewhere.
  virtual bool owns_terminal() const { return false; }
  virtual void on_suspend() {}
  virtual void on_resize() {}

 protected:
  App* app_ = nullptr;
};

}  // namespace sb::client
