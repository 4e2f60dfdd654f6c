// Menu-line and script-line syntax: m/q, @target text, slash commands, and their errors.
#include <gtest/gtest.h>

#include "client/command.h"

namespace sb::client {
namespace {

using Kind = Command::Kind;

TEST(ClientCommand, MenuLetters) {
  EXPECT_EQ(parse_menu_line("m").kind, Kind::menu_message);
  EXPECT_EQ(parse_menu_line(" M ").kind, Kind::menu_message);
  EXPECT_EQ(parse_menu_line("q").kind, Kind::quit);
  EXPECT_EQ(parse_menu_line("Q").kind, Kind::quit);
  EXPECT_EQ(parse_menu_line("").kind, Kind::empty);
  EXPECT_EQ(parse_menu_line("   ").kind, Kind::empty);
}

TEST(ClientCommand, AtSendsTheRestOfTheLineVerbatim) {
  Command c = parse_menu_line("@b Hello from A");
  EXPECT_EQ(c.kind, Kind::send);
  EXPECT_EQ(c.target, "b");
  EXPECT_EQ(c.text, "Hello from A");
  c = parse_menu_line("@b  two  spaces ");
  EXPECT_EQ(c.text, " two  spaces ");
  c = parse_menu_line("@* everyone");
  EXPECT_EQ(c.kind, Kind::send);
  EXPECT_EQ(c.target, "*");
  c = parse_menu_line("@b");
  EXPECT_EQ(c.kind, Kind::send);
  EXPECT_EQ(c.text, "");
}

TEST(ClientCommand, AtWithABadTargetIsExplained) {
  Command c = parse_menu_line("@ hi");
  EXPECT_EQ(c.kind, Kind::invalid);
  EXPECT_NE(c.error.find("usage: @node message"), std::string::npos);
  c = parse_menu_line("@b/c hi");
  EXPECT_EQ(c.kind, Kind::invalid);
  EXPECT_NE(c.error.find("invalid node id 'b/c'"), std::string::npos);
}

TEST(ClientCommand, SlashCommands) {
  EXPECT_EQ(parse_menu_line("/who").kind, Kind::who);
  EXPECT_EQ(parse_menu_line("/stats").kind, Kind::stats);
  EXPECT_EQ(parse_menu_line("/ping").kind, Kind::ping);
  EXPECT_EQ(parse_menu_line("/quit").kind, Kind::quit);
  EXPECT_EQ(parse_menu_line("/help").kind, Kind::help);
  Command c = parse_menu_line("/nope");
  EXPECT_EQ(c.kind, Kind::invalid);
  EXPECT_NE(c.error.find("unknown command '/nope'"), std::string::npos);
}

TEST(ClientCommand, TrustAndFingerprint) {
  Command c = parse_menu_line("/trust b");
  EXPECT_EQ(c.kind, Kind::trust);
  EXPECT_EQ(c.target, "b");
  c = parse_menu_line("  /trust   node.2  ");
  EXPECT_EQ(c.kind, Kind::trust);
  EXPECT_EQ(c.target, "node.2");
  c = parse_menu_line("/trust");
  EXPECT_EQ(c.kind, Kind::invalid);
  EXPECT_NE(c.error.find("usage: /trust node"), std::string::npos);
  c = parse_menu_line("/trust b/c");
  EXPECT_EQ(c.kind, Kind::invalid);
  EXPECT_NE(c.error.find("invalid node id 'b/c'"), std::string::npos);
  c = parse_menu_line("/fingerprint");
  EXPECT_EQ(c.kind, Kind::fingerprint);
  EXPECT_EQ(c.target, "");
  c = parse_menu_line("/fingerprint b");
  EXPECT_EQ(c.kind, Kind::fingerprint);
  EXPECT_EQ(c.target, "b");
  EXPECT_EQ(parse_menu_line("/trustb").kind, Kind::invalid);
}

TEST(ClientCommand, AnythingElseAtTheMenuIsExplained) {
  Command c = parse_menu_line("hello");
  EXPECT_EQ(c.kind, Kind::invalid);
  EXPECT_NE(c.error.find("'m'"), std::string::npos);
}

TEST(ClientCommand, ScriptLines) {
  Command c = parse_script_line("b Hello from A");
  EXPECT_EQ(c.kind, Kind::send);
  EXPECT_EQ(c.target, "b");
  EXPECT_EQ(c.text, "Hello from A");
  c = parse_script_line("b  spaced \r");  // CRLF input
  EXPECT_EQ(c.text, " spaced ");
  c = parse_script_line("b");
  EXPECT_EQ(c.kind, Kind::send);
  EXPECT_EQ(c.text, "");
  EXPECT_EQ(parse_script_line("* all").target, "*");
  EXPECT_EQ(parse_script_line("").kind, Kind::empty);
  EXPECT_EQ(parse_script_line("\r").kind, Kind::empty);
  c = parse_script_line(" b leading space");
  EXPECT_EQ(c.kind, Kind::invalid);
  c = parse_script_line("b@x hi");
  EXPECT_EQ(c.kind, Kind::invalid);
  EXPECT_NE(c.error.find("invalid node id 'b@x'"), std::string::npos);
}

TEST(ClientCommand, Targets) {
  EXPECT_TRUE(is_valid_target("*"));
  EXPECT_TRUE(is_valid_target("a-b_c.d9"));
  EXPECT_FALSE(is_valid_target("**"));
  EXPECT_FALSE(is_valid_target(""));
  EXPECT_FALSE(is_valid_target(std::string(65, 'a')));
}

// Protocol v2: every target form after @, in scripting lines and in /who.
TEST(ClientCommand, GroupAnycastAndPatternTargets) {
  for (const char* t : {"#ops", "~workers", "plant1.*.temp", "plant1.>", ">", "a..b"}) {
    EXPECT_TRUE(is_valid_target(t)) << t;
    const std::string menu_line = std::string("@") + t + " job 17", script_line = std::string(t) + " job 17";
    Command c = parse_menu_line(menu_line);  // views into the line
    EXPECT_EQ(c.kind, Kind::send) << t;
    EXPECT_EQ(c.target, t);
    EXPECT_EQ(c.text, "job 17");
    c = parse_script_line(script_line);
    EXPECT_EQ(c.kind, Kind::send) << t;
    EXPECT_EQ(c.target, t);
  }
  for (const char* t : {"#", "#a!", "a*", "a..*", ">.a"}) {
    EXPECT_FALSE(is_valid_target(t)) << t;
    EXPECT_EQ(parse_script_line(std::string(t) + " x").kind, Kind::invalid) << t;
  }
}

TEST(ClientCommand, GroupSlashCommands) {
  Command c = parse_menu_line("/join #ops");
  EXPECT_EQ(c.kind, Kind::join);
  EXPECT_EQ(c.target, "#ops");
  c = parse_menu_line("  /leave ~ops ");
  EXPECT_EQ(c.kind, Kind::leave);
  EXPECT_EQ(c.target, "~ops");
  EXPECT_EQ(parse_menu_line("/groups").kind, Kind::groups);
  EXPECT_EQ(parse_menu_line("/info").kind, Kind::info);
  c = parse_menu_line("/who #ops");
  EXPECT_EQ(c.kind, Kind::who);
  EXPECT_EQ(c.target, "#ops");
  c = parse_menu_line("/who plant1.>");
  EXPECT_EQ(c.kind, Kind::who);
  EXPECT_EQ(c.target, "plant1.>");
  EXPECT_EQ(parse_menu_line("/who").target, "");
  c = parse_menu_line("/join ops");
  EXPECT_EQ(c.kind, Kind::invalid);
  EXPECT_NE(c.error.find("usage: /join #group"), std::string::npos) << c.error;
  EXPECT_EQ(parse_menu_line("/leave").kind, Kind::invalid);
  EXPECT_EQ(parse_menu_line("/who a*").kind, Kind::invalid);
  EXPECT_EQ(parse_menu_line("/groups x").kind, Kind::invalid);
}

TEST(ClientCommand, HelpMentionsEveryCommand) {
  std::string_view h = help_text();
  for (const char* cmd : {"@node", "@*", "@#group", "@~group", "/who", "/stats", "/ping", "/help", "/quit", "m ",
                          "/join", "/leave", "/groups", "/info", "/trust", "/fingerprint"})
    EXPECT_NE(h.find(cmd), std::string_view::npos) << cmd;
}

}  // namespace
}  // namespace sb::client
