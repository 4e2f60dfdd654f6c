// Reading a small text file (a key file, a known-nodes list, a credentials file) line by line, with
// the line numbers its error messages cite.
#pragma once

#include <cstddef>
#include <string_view>

namespace sb::text {

class LineReader {
 public:
  explicit LineReader(std::string_view text) : rest_(text) {}

  // The next line without its '\n' (the last line may lack one); false at the end of the text.
  bool next(std::string_view* line) {
    if (rest_.empty()) return false;
    ++line_no_;
    const size_t nl = rest_.find('\n');
    *line = rest_.substr(0, nl);
    rest_.remove_prefix(nl == std::string_view::npos ? rest_.size() : nl + 1);
    return true;
  }

  // The next line that says something: a trailing '\r' is dropped (a file saved on Windows), and
  // empty lines and '#' comments are passed over.
  bool next_content(std::string_view* line) {
    while (next(line)) {
      if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
      if (!line->empty() && line->front() != '#') return true;
    }
    return false;
  }

  // The 1-based number of the line next() or next_content() returned last.
  size_t line_no() const { return line_no_; }

 private:
  std::string_view rest_;
  size_t line_no_ = 0;
};

}  // namespace sb::text
