// A small strict JSON reader (RFC 8259) for test data such as the Wycheproof vector files: no
// comments, no trailing commas, no duplicate keys, no control characters in strings, nothing after
// the top value. Errors throw json::ParseError with the byte offset. Test side only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb::test::json {

struct ParseError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Value {
 public:
  enum class Type { null, boolean, number, string, array, object };

  Type type() const { return type_; }
  bool is(Type t) const { return type_ == t; }

  bool as_bool() const {
    expect(Type::boolean);
    return bool_;
  }
  const std::string& as_string() const {
    expect(Type::string);
    return text_;
  }
  const std::vector<Value>& as_array() const {
    expect(Type::array);
    return array_;
  }
  const std::vector<std::pair<std::string, Value>>& as_object() const {
    expect(Type::object);
    return object_;
  }
  // Integral numbers only (Wycheproof's ids and sizes); a fraction or exponent throws.
  int64_t as_int() const {
    expect(Type::number);
    if (text_.find_first_of(".eE") != std::string::npos)
      throw std::logic_error("json: not an integer: " + text_);
    return std::stoll(text_);
  }

  // Object member by key: nullptr if absent (find) or an exception (at).
  const Value* find(std::string_view key) const {
    for (const auto& [k, v] : as_object())
      if (k == key) return &v;
    return nullptr;
  }
  const Value& at(std::string_view key) const {
    const Value* v = find(key);
    if (v == nullptr) throw std::logic_error("json: no member \"" + std::string(key) + "\"");
    return *v;
  }

 private:
  friend class Parser;
  void expect(Type t) const {
    if (type_ != t) throw std::logic_error("json: value has another type");
  }

  Type type_ = Type::null;
  bool bool_ = false;
  std::string text_;  // a string's decoded bytes (UTF-8), or a number's text
  std::vector<Value> array_;
  std::vector<std::pair<std::string, Value>> object_;
};

class Parser {
 public:
  explicit Parser(std::string_view in) : in_(in) {}

  Value parse_document() {
    skip_ws();
    Value v = parse_value(0);
    skip_ws();
    if (pos_ != in_.size()) fail("text after the top-level value");
    return v;
  }

 private:
  static constexpr int kMaxDepth = 64;

  [[noreturn]] void fail(const std::string& what) const {
    throw ParseError("json: " + what + " at byte " + std::to_string(pos_));
  }
  bool at_end() const { return pos_ >= in_.size(); }
  char peek() const { return at_end() ? '\0' : in_[pos_]; }
  void skip_ws() {
    while (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r') ++pos_;
  }
  void expect_char(char c) {
    if (peek() != c || at_end()) fail(std::string("expected '") + c + "'");
    ++pos_;
  }
  void expect_word(std::string_view w) {
    if (in_.substr(pos_, w.size()) != w) fail("bad literal");
    pos_ += w.size();
  }

  Value parse_value(int depth) {
    if (depth > kMaxDepth) fail("nesting too deep");
    Value v;
    switch (peek()) {
      case '{': parse_object(v, depth); break;
      case '[': parse_array(v, depth); break;
      case '"': v.type_ = Value::Type::string; v.text_ = parse_string(); break;
      case 't': expect_word("true"); v.type_ = Value::Type::boolean; v.bool_ = true; break;
      case 'f': expect_word("false"); v.type_ = Value::Type::boolean; break;
      case 'n': expect_word("null"); break;
      default: v.type_ = Value::Type::number; v.text_ = parse_number(); break;
    }
    return v;
  }

  // open item (, item)* close, or open close; whitespace around each item.
  template <typename ParseItem>
  void parse_list(char open, char close, ParseItem parse_item) {
    expect_char(open);
    skip_ws();
    if (peek() == close) { ++pos_; return; }
    for (;;) {
      skip_ws();
      parse_item();
      skip_ws();
      if (peek() == ',') { ++pos_; continue; }
      expect_char(close);
      return;
    }
  }

  void parse_object(Value& v, int depth) {
    v.type_ = Value::Type::object;
    parse_list('{', '}', [&] {
      if (peek() != '"') fail("expected a member name");
      std::string key = parse_string();
      for (const auto& member : v.object_)
        if (member.first == key) fail("duplicate key \"" + key + "\"");
      skip_ws();
      expect_char(':');
      skip_ws();
      v.object_.emplace_back(std::move(key), parse_value(depth + 1));
    });
  }

  void parse_array(Value& v, int depth) {
    v.type_ = Value::Type::array;
    parse_list('[', ']', [&] { v.array_.push_back(parse_value(depth + 1)); });
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  std::string parse_number() {
    const size_t start = pos_;
    auto digits = [&] {
      const size_t from = pos_;
      while (peek() >= '0' && peek() <= '9' && !at_end()) ++pos_;
      if (pos_ == from) fail("expected a digit");
    };
    if (peek() == '-') ++pos_;
    if (peek() == '0' && !at_end()) ++pos_;
    else digits();
    if (peek() == '.') { ++pos_; digits(); }
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      digits();
    }
    return std::string(in_.substr(start, pos_ - start));
  }

  unsigned parse_hex4() {
    unsigned v = 0;
    for (int i = 0; i < 4; ++i, ++pos_) {
      const char c = peek();
      if (at_end()) fail("short \\u escape");
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<unsigned>(c - 'A' + 10);
      else fail("bad \\u escape");
    }
    return v;
  }

  static void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | cp >> 6);
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | cp >> 12);
      out += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | cp >> 18);
      out += static_cast<char>(0x80 | (cp >> 12 & 0x3F));
      out += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::string parse_string() {
    expect_char('"');
    std::string out;
    for (;;) {
      if (at_end()) fail("unterminated string");
      const char c = in_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in a string");
      if (c != '\\') { out += c; continue; }
      if (at_end()) fail("unterminated escape");
      switch (in_[pos_++]) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          unsigned cp = parse_hex4();
          if (cp >= 0xD800 && cp <= 0xDBFF) {  // a high surrogate needs its low half
            if (in_.substr(pos_, 2) != "\\u") fail("lone surrogate");
            pos_ += 2;
            const unsigned lo = parse_hex4();
            if (lo < 0xDC00 || lo > 0xDFFF) fail("bad surrogate pair");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            fail("lone surrogate");
          }
          append_utf8(out, cp);
          break;
        }
        default: --pos_; fail("bad escape");
      }
    }
  }

  std::string_view in_;
  size_t pos_ = 0;
};

inline Value parse(std::string_view text) { return Parser(text).parse_document(); }

}  // namespace sb::test::json
