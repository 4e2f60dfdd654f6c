// Menu-line and script-line syntax: m/q, @target text, slash commands, and their errors.
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "client/command.h"

namespace sb::client {
namespace {

using Kind = Command::Kind;

// Each menu line parses to its kind.
void expect_menu_kinds(std::initializer_list<std::pair<const char*, Kind>> cases) {
  for (const auto& [line, kind] : cases) EXPECT_EQ(parse_menu_line(line).kind, kind) << "'" << line << "'";
}

// The line is refused, with an error that says `why`.
void expect_invalid(const Command& c, std::string_view why) {
  EXPECT_EQ(c.kind, Kind::invalid);
  EXPECT_NE(c.error.find(why), std::string::npos) << c.error;
}

// A command of `kind` aimed at `target` (a send, /trust, /join, /who ...).
void expect_targeted(const Command& c, Kind kind, std::string_view target) {
  EXPECT_EQ(c.kind, kind);
  EXPECT_EQ(c.target, target);
}

TEST(ClientCommand, MenuLetters) {
  expect_menu_kinds({{"m", Kind::menu_message}, {" M ", Kind::menu_message}, {"q", Kind::quit},
                     {"Q", Kind::quit}, {"", Kind::empty}, {"   ", Kind::empty}});
}

TEST(ClientCommand, AtSendsTheRestOfTheLineVerbatim) {
  Command c = parse_menu_line("@b Hello from A");
  expect_targeted(c, Kind::send, "b");
  EXPECT_EQ(c.text, "Hello from A");
  c = parse_menu_line("@b  two  spaces ");
  EXPECT_EQ(c.text, " two  spaces ");
  c = parse_menu_line("@* everyone");
  expect_targeted(c, Kind::send, "*");
  c = parse_menu_line("@b");
  EXPECT_EQ(c.kind, Kind::send);
  EXPECT_EQ(c.text, "");
}

TEST(ClientCommand, AtWithABadTargetIsExplained) {
  Command c = parse_menu_line("@ hi");
  expect_invalid(c, "usage: @node message");
  c = parse_menu_line("@b/c hi");
  expect_invalid(c, "invalid node id 'b/c'");
}

TEST(ClientCommand, SlashCommands) {
  expect_menu_kinds({{"/who", Kind::who}, {"/stats", Kind::stats}, {"/ping", Kind::ping},
                     {"/quit", Kind::quit}, {"/help", Kind::help}});
  Command c = parse_menu_line("/nope");
  expect_invalid(c, "unknown command '/nope'");
}

TEST(ClientCommand, TrustAndFingerprint) {
  Command c = parse_menu_line("/trust b");
  expect_targeted(c, Kind::trust, "b");
  c = parse_menu_line("  /trust   node.2  ");
  expect_targeted(c, Kind::trust, "node.2");
  c = parse_menu_line("/trust");
  expect_invalid(c, "usage: /trust node");
  c = parse_menu_line("/trust b/c");
  expect_invalid(c, "invalid node id 'b/c'");
  c = parse_menu_line("/fingerprint");
  expect_targeted(c, Kind::fingerprint, "");
  c = parse_menu_line("/fingerprint b");
  expect_targeted(c, Kind::fingerprint, "b");
  EXPECT_EQ(parse_menu_line("/trustb").kind, Kind::invalid);
}

TEST(ClientCommand, AnythingElseAtTheMenuIsExplained) {
  Command c = parse_menu_line("hello");
  expect_invalid(c, "'m'");
}

TEST(ClientCommand, ScriptLines) {
  Command c = parse_script_line("b Hello from A");
  expect_targeted(c, Kind::send, "b");
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
  expect_invalid(c, "invalid node id 'b@x'");
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
  expect_targeted(c, Kind::join, "#ops");
  c = parse_menu_line("  /leave ~ops ");
  expect_targeted(c, Kind::leave, "~ops");
  EXPECT_EQ(parse_menu_line("/groups").kind, Kind::groups);
  EXPECT_EQ(parse_menu_line("/info").kind, Kind::info);
  c = parse_menu_line("/who #ops");
  expect_targeted(c, Kind::who, "#ops");
  c = parse_menu_line("/who plant1.>");
  expect_targeted(c, Kind::who, "plant1.>");
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
