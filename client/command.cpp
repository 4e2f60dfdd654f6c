// Line syntax of both front ends. The text of a message is never trimmed or rewritten: what the
// user typed after the separator is the payload.
#include "client/command.h"

#include "common/protocol/frame.h"

namespace sb::client {

namespace {

Command invalid(std::string error) {
  Command c;
  c.kind = Command::Kind::invalid;
  c.error = std::move(error);
  return c;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// "target text" -> target, text (split at the first space; text may be empty).
void split_target(std::string_view line, Command* c) {
  size_t space = line.find(' ');
  c->target = line.substr(0, space);
  c->text = space == std::string_view::npos ? std::string_view{} : line.substr(space + 1);
}

std::string bad_target_message(std::string_view target) {
  return "invalid node id '" + std::string(target) + "' (use 1-64 of A-Z a-z 0-9 _ . - or *)";
}

}  // namespace

bool is_valid_target(std::string_view target) {
  return target == "*" || proto::is_valid_node_id(target);
}

Command parse_menu_line(std::string_view line) {
  std::string_view word = trim(line);
  Command c;
  if (word.empty()) return c;
  if (word.front() == '@') {
    // Text is taken from the untrimmed line so leading/trailing spaces in a message survive.
    std::string_view rest = line.substr(line.find('@') + 1);
    if (!rest.empty() && rest.back() == '\r') rest.remove_suffix(1);
    split_target(rest, &c);
    if (c.target.empty()) return invalid("usage: @node message (or @* message to everyone)");
    if (!is_valid_target(c.target)) return invalid(bad_target_message(c.target));
    c.kind = Command::Kind::send;
    return c;
  }
  const std::string_view verb = word.substr(0, word.find(' '));
  if (verb == "/trust" || verb == "/fingerprint") {
    c.kind = verb == "/trust" ? Command::Kind::trust : Command::Kind::fingerprint;
    c.target = trim(word.substr(verb.size()));
    if (c.kind == Command::Kind::trust && c.target.empty()) return invalid("usage: /trust node");
    if (!c.target.empty() && !proto::is_valid_node_id(c.target))
      return invalid("invalid node id '" + std::string(c.target) + "' (use 1-64 of A-Z a-z 0-9 _ . -)");
    return c;
  }
  if (word == "m" || word == "M") c.kind = Command::Kind::menu_message;
  else if (word == "q" || word == "Q" || word == "/quit") c.kind = Command::Kind::quit;
  else if (word == "/who") c.kind = Command::Kind::who;
  else if (word == "/stats") c.kind = Command::Kind::stats;
  else if (word == "/ping") c.kind = Command::Kind::ping;
  else if (word == "/help" || word == "?") c.kind = Command::Kind::help;
  else if (word.front() == '/')
    return invalid("unknown command '" + std::string(word) + "' (type /help)");
  else
    return invalid("type 'm' to send a message, 'q' to quit, or /help for more");
  return c;
}

Command parse_script_line(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  Command c;
  if (line.empty()) return c;
  split_target(line, &c);
  if (!is_valid_target(c.target)) return invalid(bad_target_message(c.target));
  c.kind = Command::Kind::send;
  return c;
}

std::string_view help_text() {
  return "Commands:\n"
         "  m               send a message (asks for the target, then the text)\n"
         "  @node text      send text to node\n"
         "  @* text         send text to every other node\n"
         "  /who            list connected nodes\n"
         "  /stats          show server statistics\n"
         "  /ping           measure the round trip to the server\n"
         "  /fingerprint [node]  with --e2e: your key's fingerprint, or node's, to compare\n"
         "  /trust node     with --e2e: accept node's new key after checking its fingerprint\n"
         "  /help           this list\n"
         "  q or /quit      leave (Ctrl-D on an empty line too)\n";
}

}  // namespace sb::client
