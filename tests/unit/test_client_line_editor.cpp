// LineEditor: keystrokes in, terminal bytes out. Checks the text kept, the echo, and that printing
// a line above the edited one erases the right number of rows and redraws prompt + typed text.
#include <gtest/gtest.h>

#include "client/line_editor.h"

namespace sb::client {
namespace {

using Action = LineEditor::Action;

// An editor and the terminal bytes it has written.
class ClientLineEditor : public ::testing::Test {
 protected:
  // Feeds every key; returns the last non-none action (none if there was none).
  Action type(std::string_view keys) {
    Action last = Action::none;
    for (char c : keys)
      if (Action a = e.feed(c, &out); a != Action::none) last = a;
    return last;
  }

  LineEditor e;
  std::string out;
};

TEST_F(ClientLineEditor, TypingEchoesAndEnterSubmits) {
  EXPECT_EQ(type("hello"), Action::none);
  EXPECT_EQ(out, "hello");
  EXPECT_EQ(e.text(), "hello");
  EXPECT_EQ(type("\n"), Action::submit);
  EXPECT_EQ(out, "hello\n");
  EXPECT_EQ(e.take_line(), "hello");
  EXPECT_EQ(e.text(), "");
}

TEST_F(ClientLineEditor, CarriageReturnAlsoSubmits) {
  EXPECT_EQ(type("x\r"), Action::submit);
  EXPECT_EQ(e.take_line(), "x");
}

TEST_F(ClientLineEditor, BackspaceAndDelRemoveOneCharacter) {
  type("helx\x7f" "lo");
  EXPECT_EQ(e.text(), "hello");
  EXPECT_EQ(out, "helx\b \blo");
  out.clear();
  type("\b");  // Ctrl-H
  EXPECT_EQ(e.text(), "hell");
  EXPECT_EQ(out, "\b \b");
}

TEST_F(ClientLineEditor, BackspaceOnEmptyLineDoesNothing) {
  type("\x7f\x7f");
  EXPECT_EQ(out, "");
  EXPECT_EQ(e.text(), "");
}

TEST_F(ClientLineEditor, BackspaceRemovesAWholeUtf8Character) {
  type("caf\xc3\xa9\x7f");
  EXPECT_EQ(e.text(), "caf");
}

TEST_F(ClientLineEditor, CtrlUKillsTheLineAndCtrlWTheLastWord) {
  e.set_prompt("> ");
  type("one two  ");
  out.clear();
  type("\x17");
  EXPECT_EQ(e.text(), "one ");
  EXPECT_EQ(out, "\r\x1b[J> one ");
  type("\x15");
  EXPECT_EQ(e.text(), "");
}

TEST_F(ClientLineEditor, EscapeSequencesAreSwallowed) {
  type("a\x1b[A\x1b[1;5Cb\x1bOPc");  // up arrow, ctrl-right, F1
  EXPECT_EQ(e.text(), "abc");
  EXPECT_EQ(out, "abc");
}

TEST_F(ClientLineEditor, OtherControlKeysAreIgnoredAndTabIsASpace) {
  type("a\x01\x02\tb");
  EXPECT_EQ(e.text(), "a b");
}

TEST_F(ClientLineEditor, CtrlDIsEndOfInputOnlyOnAnEmptyLine) {
  EXPECT_EQ(type("x\x04"), Action::none);
  EXPECT_EQ(e.text(), "x");
  type("\x7f");
  EXPECT_EQ(type("\x04"), Action::eof);
}

TEST_F(ClientLineEditor, PrintAboveErasesThenRedrawsPromptAndTypedText) {
  e.set_prompt("Enter your message: ");
  type("hel");
  EXPECT_EQ(e.print_above("Server: b: hi"), "\r\x1b[JServer: b: hi\nEnter your message: hel");
  EXPECT_EQ(e.text(), "hel");  // nothing lost
}

TEST_F(ClientLineEditor, EraseClimbsEveryWrappedRow) {
  e.set_columns(10);
  e.set_prompt("> ");  // 2 columns
  type("12345678");  // width 10: exactly one row, pending wrap, still on row 0
  EXPECT_EQ(e.erase_sequence(), "\r\x1b[J");
  type("9");  // width 11: the cursor is on row 1
  EXPECT_EQ(e.erase_sequence(), "\r\x1b[1A\x1b[J");
  type("0123456789");  // width 21: row 2
  EXPECT_EQ(e.erase_sequence(), "\r\x1b[2A\x1b[J");
}

TEST_F(ClientLineEditor, BackspaceOnAWrappedLineRedrawsInsteadOfStepping) {
  e.set_columns(10);
  e.set_prompt("> ");
  type("123456789");  // width 11
  out.clear();
  type("\x7f");
  EXPECT_EQ(out, "\r\x1b[1A\x1b[J> 12345678");
  EXPECT_EQ(e.text(), "12345678");
}

TEST_F(ClientLineEditor, OverlongLinesRingTheBellInsteadOfGrowing) {
  std::string big(LineEditor::kMaxLine, 'x');
  type(big);
  out.clear();
  type("y");
  EXPECT_EQ(out, "\a");
  EXPECT_EQ(e.text().size(), LineEditor::kMaxLine);
}

}  // namespace
}  // namespace sb::client
