// LineEditor: keystrokes in, terminal bytes out. Checks the text kept, the echo, and that printing
// a line above the edited one erases the right number of rows and redraws prompt + typed text.
#include <gtest/gtest.h>

#include "client/line_editor.h"

namespace sb::client {
namespace {

using Action = LineEditor::Action;

// Feeds every key; returns the last non-none action (none if there was none).
Action type(LineEditor& e, std::string_view keys, std::string* out) {
  Action last = Action::none;
  for (char c : keys)
    if (Action a = e.feed(c, out); a != Action::none) last = a;
  return last;
}

TEST(ClientLineEditor, TypingEchoesAndEnterSubmits) {
  LineEditor e;
  std::string out;
  EXPECT_EQ(type(e, "hello", &out), Action::none);
  EXPECT_EQ(out, "hello");
  EXPECT_EQ(e.text(), "hello");
  EXPECT_EQ(type(e, "\n", &out), Action::submit);
  EXPECT_EQ(out, "hello\n");
  EXPECT_EQ(e.take_line(), "hello");
  EXPECT_EQ(e.text(), "");
}

TEST(ClientLineEditor, CarriageReturnAlsoSubmits) {
  LineEditor e;
  std::string out;
  EXPECT_EQ(type(e, "x\r", &out), Action::submit);
  EXPECT_EQ(e.take_line(), "x");
}

TEST(ClientLineEditor, BackspaceAndDelRemoveOneCharacter) {
  LineEditor e;
  std::string out;
  type(e, "helx\x7f" "lo", &out);
  EXPECT_EQ(e.text(), "hello");
  EXPECT_EQ(out, "helx\b \blo");
  out.clear();
  type(e, "\b", &out);  // Ctrl-H
  EXPECT_EQ(e.text(), "hell");
  EXPECT_EQ(out, "\b \b");
}

TEST(ClientLineEditor, BackspaceOnEmptyLineDoesNothing) {
  LineEditor e;
  std::string out;
  type(e, "\x7f\x7f", &out);
  EXPECT_EQ(out, "");
  EXPECT_EQ(e.text(), "");
}

TEST(ClientLineEditor, BackspaceRemovesAWholeUtf8Character) {
  LineEditor e;
  std::string out;
  type(e, "caf\xc3\xa9\x7f", &out);
  EXPECT_EQ(e.text(), "caf");
}

TEST(ClientLineEditor, CtrlUKillsTheLineAndCtrlWTheLastWord) {
  LineEditor e;
  e.set_prompt("> ");
  std::string out;
  type(e, "one two  ", &out);
  out.clear();
  type(e, "\x17", &out);
  EXPECT_EQ(e.text(), "one ");
  EXPECT_EQ(out, "\r\x1b[J> one ");
  type(e, "\x15", &out);
  EXPECT_EQ(e.text(), "");
}

TEST(ClientLineEditor, EscapeSequencesAreSwallowed) {
  LineEditor e;
  std::string out;
  type(e, "a\x1b[A\x1b[1;5Cb\x1bOPc", &out);  // up arrow, ctrl-right, F1
  EXPECT_EQ(e.text(), "abc");
  EXPECT_EQ(out, "abc");
}

TEST(ClientLineEditor, OtherControlKeysAreIgnoredAndTabIsASpace) {
  LineEditor e;
  std::string out;
  type(e, "a\x01\x02\tb", &out);
  EXPECT_EQ(e.text(), "a b");
}

TEST(ClientLineEditor, CtrlDIsEndOfInputOnlyOnAnEmptyLine) {
  LineEditor e;
  std::string out;
  EXPECT_EQ(type(e, "x\x04", &out), Action::none);
  EXPECT_EQ(e.text(), "x");
  type(e, "\x7f", &out);
  EXPECT_EQ(type(e, "\x04", &out), Action::eof);
}

TEST(ClientLineEditor, PrintAboveErasesThenRedrawsPromptAndTypedText) {
  LineEditor e;
  e.set_prompt("Enter your message: ");
  std::string out;
  type(e, "hel", &out);
  EXPECT_EQ(e.print_above("Server: b: hi"), "\r\x1b[JServer: b: hi\nEnter your message: hel");
  EXPECT_EQ(e.text(), "hel");  // nothing lost
}

TEST(ClientLineEditor, EraseClimbsEveryWrappedRow) {
  LineEditor e;
  e.set_columns(10);
  e.set_prompt("> ");  // 2 columns
  std::string out;
  type(e, "12345678", &out);  // width 10: exactly one row, pending wrap, still on row 0
  EXPECT_EQ(e.erase_sequence(), "\r\x1b[J");
  type(e, "9", &out);  // width 11: the cursor is on row 1
  EXPECT_EQ(e.erase_sequence(), "\r\x1b[1A\x1b[J");
  type(e, "0123456789", &out);  // width 21: row 2
  EXPECT_EQ(e.erase_sequence(), "\r\x1b[2A\x1b[J");
}

TEST(ClientLineEditor, BackspaceOnAWrappedLineRedrawsInsteadOfStepping) {
  LineEditor e;
  e.set_columns(10);
  e.set_prompt("> ");
  std::string out;
  type(e, "123456789", &out);  // width 11
  out.clear();
  type(e, "\x7f", &out);
  EXPECT_EQ(out, "\r\x1b[1A\x1b[J> 12345678");
  EXPECT_EQ(e.text(), "12345678");
}

TEST(ClientLineEditor, OverlongLinesRingTheBellInsteadOfGrowing) {
  LineEditor e;
  std::string out;
  std::string big(LineEditor::kMaxLine, 'x');
  type(e, big, &out);
  out.clear();
  type(e, "y", &out);
  EXPECT_EQ(out, "\a");
  EXPECT_EQ(e.text().size(), LineEditor::kMaxLine);
}

}  // namespace
}  // namespace sb::client
