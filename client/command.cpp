// Line syntax of both front ends. The text of a message is never trimmed or rewritten: what the
// user typed after the separator is the payload.
#include "client/command.h"

#include "common/protocol/frame.h"
#include "common/protocol/target.h"

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
  return "invalid node id '" + std::string(target) +
         "' (use 1-64 of A-Z a-z 0-9 _ . -, or *, #group, ~group, a pattern like a.*.c or a.>)";
}

// "/join #ops", "/who plant1.>": the slash command and its one argument (may be empty).
Command slash_command(std::string_view word) {
  size_t space = word.find(' ');
  std::string_view name = word.substr(0, space);
  std::string_view arg = space == std::string_view::npos ? std::string_view{} : word.substr(space + 1);
  while (!arg.empty() && arg.front() == ' ') arg.remove_prefix(1);
  Command c;
  c.target = arg;
  if (name == "/join" || name == "/leave") {
    if (!proto::is_group_target(arg)) return invalid("usage: " + std::string(name) + " #group");
    c.kind = name == "/join" ? Command::Kind::join : Command::Kind::leave;
  } else if (name == "/who") {
    if (!arg.empty() && !is_valid_target(arg)) return invalid(bad_target_message(arg));
    c.kind = Command::Kind::who;
  } else if (arg.empty() && (name == "/groups" || name == "/info" || name == "/stats" || name == "/ping" ||
                             name == "/help" || name == "/quit")) {
    if (name == "/groups") c.kind = Command::Kind::groups;
    else if (name == "/info") c.kind = Command::Kind::info;
    else if (name == "/stats") c.kind = Command::Kind::stats;
    else if (name == "/ping") c.kind = Command::Kind::ping;
    else if (name == "/help") c.kind = Command::Kind::help;
    else c.kind = Command::Kind::quit;
  } else {
    return invalid("unknown command '" + std::string(word) + "' (type /help)");
  }
  return c;
}

}  // namespace

bool is_valid_target(std::string_view target) {
  return proto::classify_target(target) != proto::TargetKind::invalid;
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
    if (c.target.empty()) return invalid("usage: @node message (or @* everyone, @#group, @~group, @a.*.c a pattern)");
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
  else if (word == "q" || word == "Q") c.kind = Command::Kind::quit;
  else if (word == "?") c.kind = Command::Kind::help;
  else if (word.front() == '/') return slash_command(word);
  else
    return invalid("type 'm' to send a message, 'q' to quit, or /help for more");
  return c;
}

Command parse_script_line(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  Command c;
  if (line.empty()) return c;
  split_target(line, &c);
  if (!is_valid_target(c.target)) {
    Command bad = invalid(bad_target_message(c.target));
    bad.target = c.target;  // for the --receipts line
    return bad;
  }
  c.kind = Command::Kind::send;
  return c;
}

std::string_view help_text() {
  return "Commands:\n"
         "  m               send a message (asks for the target, then the text)\n"
         "  @node text      send text to node\n"
         "  @* text         send text to every other node\n"
         "  @#group text    send text to every other member of a group\n"
         "  @~group text    send text to one member of a group (in rotation)\n"
         "  @a.*.c text     send text to every node whose id matches (* one token, > the rest)\n"
         "  /join #group    join a group (/leave #group leaves it)\n"
         "  /groups         list the groups and their sizes\n"
         "  /who            list connected nodes (/who #group, /who a.>: who a target reaches)\n"
         "  /info           show the server's facts and limits\n"
         "  /stats          show server statistics\n"
         "  /ping           measure the round trip to the server\n"
         "  /fingerprint [node]  with --e2e: your key's fingerprint, or node's, to compare\n"
         "  /trust node     with --e2e: accept node's new key after checking its fingerprint\n"
         "  /help           this list\n"
         "  q or /quit      leave (Ctrl-D on an empty line too)\n";
}

}  // namespace sb::client
