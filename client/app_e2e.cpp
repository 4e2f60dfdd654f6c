// App: the few places the loop hands over to the --e2e session (client/e2e_session.h).
#include "client/app.h"

namespace sb::client {

bool App::start_e2e(const std::string& id) {
  if (e2e_ && e2e_->node_id() == id) return true;
  std::string error;
  e2e_ = E2eSession::open(options_, id, session_, frontend_, log_, &error);
  if (e2e_) return true;
  SB_LOG(log_, error, "key_file_refused", {"error", error});
  frontend_.show_error("Error: " + error);
  finish(kExitFailure);
  return false;
}

void App::deliver_message(const ServerEvent& ev) {
  if (e2e_) {
    e2e_->on_message(ev.node, ev.via, ev.text);
  } else if (!options_.raw && e2e::is_envelope(ev.text)) {
    frontend_.show_status(E2eSession::locked_notice(ev.node));
  } else {
    frontend_.on_message(ev.node, ev.via, ev.text);
  }
}

void App::send_quit_when_drained() {
  if (!quitting_ || fd_ < 0) return;
  const Session::State state = session_.state();
  if (state == Session::State::quitting || state == Session::State::closed || state == Session::State::idle) return;
  if (e2e_ && e2e_->busy()) return;
  session_.quit();
  queued(now_ms());
}

}  // namespace sb::client
