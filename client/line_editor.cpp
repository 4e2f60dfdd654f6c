// Line editing in the style of a canonical-mode tty, redone in user space because canonical mode
// cannot redraw a half-typed line after we print an incoming message over it.
#include "client/line_editor.h"

namespace sb::client {

namespace {
bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }
size_t code_points(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += is_continuation(c) ? 0 : 1;
  return n;
}
}  // namespace

size_t LineEditor::display_width() const { return code_points(prompt_) + code_points(text_); }

std::string LineEditor::erase_sequence() const {
  // The cursor sits just after the last glyph. When the width is an exact multiple of the row
  // length the terminal has not wrapped yet (pending wrap), so it is still on the row above.
  size_t width = display_width();
  size_t rows_above = width == 0 ? 0 : (width - 1) / columns_;
  std::string out = "\r";
  if (rows_above > 0) out += "\x1b[" + std::to_string(rows_above) + "A";
  out += "\x1b[J";  // clear to end of screen: every row the line occupied
  return out;
}

std::string LineEditor::print_above(std::string_view line) const {
  std::string out = erase_sequence();
  out += line;
  out += '\n';
  out += draw_sequence();
  return out;
}

void LineEditor::erase_last_char() {
  while (!text_.empty() && is_continuation(text_.back())) text_.pop_back();
  if (!text_.empty()) text_.pop_back();
}

std::string LineEditor::take_line() {
  std::string line = std::move(text_);
  text_.clear();
  return line;
}

LineEditor::Action LineEditor::feed(char c, std::string* out) {
  unsigned char u = static_cast<unsigned char>(c);
  // Arrow keys, Home, F-keys... arrive as escape sequences; they are swallowed whole so their
  // bytes never land in a message. (No cursor movement inside the line: not worth the code.)
  switch (escape_) {
    case Escape::esc:
      escape_ = c == '[' ? Escape::csi : c == 'O' ? Escape::ss3 : Escape::none;
      return Action::none;
    case Escape::csi:
      if (u >= 0x40 && u <= 0x7E) escape_ = Escape::none;  // final byte
      return Action::none;
    case Escape::ss3:
      escape_ = Escape::none;
      return Action::none;
    case Escape::none:
      break;
  }

  switch (u) {
    case '\r':
    case '\n':
      *out += '\n';
      return Action::submit;
    case 0x1B:
      escape_ = Escape::esc;
      return Action::none;
    case 0x04:  // Ctrl-D: end of input on an empty line, as in a canonical tty
      return text_.empty() ? Action::eof : Action::none;
    case 0x7F:  // DEL, what most terminals send for Backspace
    case 0x08: {  // Ctrl-H
      if (text_.empty()) return Action::none;
      size_t before = display_width();
      if (before < columns_) {
        erase_last_char();
        // Within one row "\b \b" is exact; across a wrap it is not (a terminal in pending-wrap
        // state or at column 0 does not step back a row), so wrapped lines are redrawn.
        *out += "\b \b";
      } else {
        *out += erase_sequence();
        erase_last_char();
        *out += draw_sequence();
      }
      return Action::none;
    }
    case 0x15:  // Ctrl-U: kill the whole line
      *out += erase_sequence();
      text_.clear();
      *out += draw_sequence();
      return Action::none;
    case 0x17: {  // Ctrl-W: kill the previous word
      *out += erase_sequence();
      while (!text_.empty() && text_.back() == ' ') text_.pop_back();
      while (!text_.empty() && text_.back() != ' ') text_.pop_back();
      *out += draw_sequence();
      return Action::none;
    }
    case 0x0C:  // Ctrl-L: redraw
      *out += erase_sequence();
      *out += draw_sequence();
      return Action::none;
    case '\t':
      c = ' ';  // a tab's width depends on the column: keep the width arithmetic honest
      u = ' ';
      break;
    default:
      break;
  }
  if (u < 0x20) return Action::none;  // other control keys are ignored
  if (text_.size() >= kMaxLine) {
    *out += '\a';
    return Action::none;
  }
  text_ += c;
  *out += c;
  return Action::none;
}

}  // namespace sb::client
