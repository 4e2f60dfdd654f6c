// Escaping of received payloads and the wording of every ERR code.
#include <gtest/gtest.h>

#include "client/text.h"

namespace sb::client {
namespace {

using namespace std::string_literals;
using proto::ErrorCode;

TEST(ClientText, PrintableAsciiPassesThrough) {
  EXPECT_EQ(escape_payload("Hello from A ~!@#$%^&*()"), "Hello from A ~!@#$%^&*()");
  EXPECT_EQ(escape_payload(""), "");
}

TEST(ClientText, ControlBytesAreEscaped) {
  EXPECT_EQ(escape_payload("a\nb\rc\td\0e"s), "a\\nb\\rc\\td\\0e");
  EXPECT_EQ(escape_payload("\x1b[2J\x07\x7f"), "\\x1b[2J\\x07\\x7f");
  EXPECT_EQ(escape_payload("back\\slash"), "back\\\\slash");  // so "\n" typed literally is not ambiguous
}

TEST(ClientText, WellFormedUtf8PassesThrough) {
  EXPECT_EQ(escape_payload("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
}

TEST(ClientText, MalformedUtf8AndC1ControlsAreEscaped) {
  EXPECT_EQ(escape_payload("\xff\xfe"), "\\xff\\xfe");
  EXPECT_EQ(escape_payload("\xc3"), "\\xc3");                  // truncated
  EXPECT_EQ(escape_payload("\xc0\xaf"), "\\xc0\\xaf");         // overlong '/'
  EXPECT_EQ(escape_payload("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // surrogate
  EXPECT_EQ(escape_payload("\xc2\x9b" "2J"), "\\xc2\\x9b2J");  // C1 CSI: a terminal would act on it
  EXPECT_EQ(escape_payload("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // past U+10FFFF
}

TEST(ClientText, NodesAreSortedCountedAndEscaped) {
  EXPECT_EQ(describe_nodes("c a b"), "Nodes (3): a, b, c");
  EXPECT_EQ(describe_nodes(""), "Nodes (0):");
  EXPECT_EQ(describe_nodes(" solo  "), "Nodes (1): solo");
  EXPECT_EQ(describe_nodes("b \x1b[2J"), "Nodes (2): \\x1b[2J, b");
}

TEST(ClientText, EveryErrorCodeHasWords) {
  EXPECT_EQ(describe_error(ErrorCode::no_such_node, "x"), "no such node 'x'");
  EXPECT_EQ(describe_error(ErrorCode::id_taken, "a"), "node id 'a' is already taken");
  EXPECT_EQ(describe_error(ErrorCode::bad_id, "a b"), "invalid node id 'a b' (use 1-64 of A-Z a-z 0-9 _ . -)");
  EXPECT_EQ(describe_error(ErrorCode::too_large, "b"), "message to 'b' is too large for the server");
  EXPECT_EQ(describe_error(ErrorCode::bad_command, "FOO"), "the server did not understand 'FOO'");
  EXPECT_EQ(describe_error(ErrorCode::auth, ""), "the server refused our credentials");
  EXPECT_EQ(describe_error(ErrorCode::not_registered, ""), "not registered with the server yet");
  EXPECT_EQ(describe_error(ErrorCode::line_too_long, ""), "a command was too long for the server");
  EXPECT_EQ(describe_error(ErrorCode::slow_consumer, ""),
            "the server disconnected us because we read messages too slowly");
  EXPECT_EQ(describe_error(ErrorCode::idle_timeout, ""), "the server disconnected us for being idle too long");
  EXPECT_EQ(describe_error(ErrorCode::server_full, ""), "the server is full");
  EXPECT_EQ(describe_error(ErrorCode::shutting_down, ""), "the server is shutting down");
  // No code is left without words, and none leaks the wire spelling.
  for (int c = 1; c <= static_cast<int>(ErrorCode::shutting_down); ++c) {
    auto code = static_cast<ErrorCode>(c);
    std::string text = describe_error(code, "x");
    EXPECT_EQ(text.find("server error"), std::string::npos) << text;
    EXPECT_EQ(text.find(proto::error_code_name(code)), std::string::npos) << text;
  }
}

TEST(ClientText, WireSpellingIsTranslatedAndUnknownCodesShownEscaped) {
  EXPECT_EQ(describe_error("no-such-node", "zz"), "no such node 'zz'");
  EXPECT_EQ(describe_error("brand-new-code", "d\x1b"), "server error: brand-new-code d\\x1b");
}

TEST(ClientText, DetailsAreEscaped) {
  EXPECT_EQ(describe_error(ErrorCode::no_such_node, "x\x1b[2J"), "no such node 'x\\x1b[2J'");
}

}  // namespace
}  // namespace sb::client
