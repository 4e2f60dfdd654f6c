// A minimal line editor for a terminal in non-canonical mode: typing, backspace, Ctrl-U/W, and the
// ability to print a line above the one being typed and redraw it. Pure: it turns keystrokes into
// the bytes to write to the terminal, so it is tested without a terminal.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sb::client {

class LineEditor {
 public:
  enum class Action { none, submit, eof };

  // Longest line kept; further keystrokes ring the bell (a paste cannot grow memory unbounded).
  static constexpr size_t kMaxLine = 1 << 20;

  void set_columns(unsigned columns) { columns_ = columns == 0 ? 80 : columns; }
  // Replaces the prompt; does not draw it (call draw_sequence()).
  void set_prompt(std::string_view prompt) { prompt_ = prompt; }
  const std::string& prompt() const { return prompt_; }
  const std::string& text() const { return text_; }

  // One key byte. Appends what the terminal must show to *out. After submit, take_line().
  Action feed(char c, std::string* out);
  // The typed line, leaving the editor empty (the prompt stays).
  std::string take_line();
  void clear_text() { text_.clear(); }

  // Bytes that erase the prompt and text on screen (however many rows they wrapped onto) and leave
  // the cursor at column 0 of the first row.
  std::string erase_sequence() const;
  // Bytes that draw the prompt and text from column 0.
  std::string draw_sequence() const { return prompt_ + text_; }
  // Print `line` above the edited line without losing it: erase, line + newline, redraw.
  std::string print_above(std::string_view line) const;

 private:
  enum class Escape { none, esc, csi, ss3 };
  size_t display_width() const;  // code points of prompt + text; a wide glyph counts as one
  void erase_last_char();

  std::string prompt_;
  std::string text_;
  unsigned columns_ = 80;
  Escape escape_ = Escape::none;
};

}  // namespace sb::client
