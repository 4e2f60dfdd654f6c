// Credentials unit tests: the auth-file format (both token forms, comments, every malformed line
// kind, duplicates), all-or-nothing loading from real files, and check() verdicts.
#include "common/security/credentials.h"
#include "tests/support/process.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <string>

namespace sb::security {
namespace {

using Verdict = Credentials::Verdict;

// SHA-256("test"), i.e. `printf '%s' test | sha256sum`.
constexpr const char* kTestDigest =
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

// The tests' temporary directory (tests/support/process.h), with a file writer.
class TempDir : public sb::test::TempDir {
 public:
  TempDir() {
    if (path().empty()) throw std::runtime_error("mkdtemp failed");
  }
  std::string write(const std::string& name, const std::string& text) const {
    std::string p = path() + "/" + name;
    std::FILE* f = std::fopen(p.c_str(), "w");
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
    return p;
  }
};

// Parses text that must fail; returns the error. Also checks nothing was half-loaded.
std::string parse_error(const std::string& text) {
  Credentials c;
  EXPECT_TRUE(Credentials::parse("keep secret\n", "seed", &c, nullptr));
  std::string error;
  EXPECT_FALSE(Credentials::parse(text, "auth.txt", &c, &error)) << text;
  EXPECT_EQ(c.size(), 1u) << "a failed parse must leave the old table";
  EXPECT_EQ(c.check("keep", "secret"), Verdict::ok);
  return error;
}

TEST(Credentials, BothTokenFormsCommentsAndBlanks) {
  const std::string text =
      "# switchboard auth file\n"
      "\n"
      "   # indented comment\n"
      "sensor-1 sha256:" + std::string(kTestDigest) + "\n"
      "\tprinter.2 \t correct-horse#battery  \n"  // '#' inside a token is part of it
      "UPPER_id sha256:9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08\r\n"
      "last plain-no-newline";
  Credentials c;
  std::string error;
  ASSERT_TRUE(Credentials::parse(text, "auth.txt", &c, &error)) << error;
  EXPECT_EQ(c.size(), 4u);
  EXPECT_EQ(c.plaintext_count(), 2u);
  EXPECT_TRUE(c.contains("sensor-1"));
  EXPECT_FALSE(c.contains("sensor"));

  EXPECT_EQ(c.check("sensor-1", "test"), Verdict::ok);
  EXPECT_EQ(c.check("UPPER_id", "test"), Verdict::ok);
  EXPECT_EQ(c.check("printer.2", "correct-horse#battery"), Verdict::ok);
  EXPECT_EQ(c.check("last", "plain-no-newline"), Verdict::ok);
}

TEST(Credentials, CheckVerdicts) {
  Credentials c;
  ASSERT_TRUE(Credentials::parse("a sha256:" + std::string(kTestDigest) + "\nb hunter2\n", "t",
                                 &c, nullptr));
  EXPECT_EQ(c.check("a", "test"), Verdict::ok);
  EXPECT_EQ(c.check("b", "hunter2"), Verdict::ok);
  EXPECT_EQ(c.check("a", "hunter2"), Verdict::wrong_token);  // another node's token
  EXPECT_EQ(c.check("b", "test"), Verdict::wrong_token);
  EXPECT_EQ(c.check("a", ""), Verdict::wrong_token);  // missing token
  EXPECT_EQ(c.check("a", "tes"), Verdict::wrong_token);
  EXPECT_EQ(c.check("a", "testt"), Verdict::wrong_token);
  EXPECT_EQ(c.check("a", "TEST"), Verdict::wrong_token);
  EXPECT_EQ(c.check("a", "test\n"), Verdict::wrong_token);
  EXPECT_EQ(c.check("a", "te st"), Verdict::wrong_token);
  // The stored form is not a password: presenting the digest line itself gets nowhere.
  EXPECT_EQ(c.check("a", "sha256:" + std::string(kTestDigest)), Verdict::wrong_token);
  EXPECT_EQ(c.check("a", kTestDigest), Verdict::wrong_token);
  EXPECT_EQ(c.check("A", "test"), Verdict::unknown_id);  // ids are case-sensitive
  EXPECT_EQ(c.check("nobody", "test"), Verdict::unknown_id);
  EXPECT_EQ(c.check("nobody", ""), Verdict::unknown_id);
  EXPECT_EQ(c.check("", "test"), Verdict::unknown_id);

  EXPECT_EQ(verdict_name(Verdict::ok), "ok");
  EXPECT_EQ(verdict_name(Verdict::wrong_token), "wrong-token");
  EXPECT_EQ(verdict_name(Verdict::unknown_id), "unknown-id");
}

TEST(Credentials, TokenRules) {
  EXPECT_TRUE(Credentials::is_valid_token("a"));
  EXPECT_TRUE(Credentials::is_valid_token("!~#:/=+"));
  EXPECT_TRUE(Credentials::is_valid_token(std::string(Credentials::kMaxTokenLen, 'x')));
  EXPECT_FALSE(Credentials::is_valid_token(""));
  EXPECT_FALSE(Credentials::is_valid_token(std::string(Credentials::kMaxTokenLen + 1, 'x')));
  EXPECT_FALSE(Credentials::is_valid_token("a b"));
  EXPECT_FALSE(Credentials::is_valid_token("a\tb"));
  EXPECT_FALSE(Credentials::is_valid_token(std::string("a\0b", 3)));
  EXPECT_FALSE(Credentials::is_valid_token("caf\xc3\xa9"));
  EXPECT_FALSE(Credentials::is_valid_token("a\x7f"));

  // The longest token loads and checks; one byte more does not load.
  const std::string longest(Credentials::kMaxTokenLen, 'k');
  Credentials c;
  ASSERT_TRUE(Credentials::parse("n " + longest + "\n", "t", &c, nullptr));
  EXPECT_EQ(c.check("n", longest), Verdict::ok);
  EXPECT_EQ(c.check("n", longest + "k"), Verdict::wrong_token);
}

TEST(Credentials, MalformedLinesNameFileAndLine) {
  const std::string digest = std::string(kTestDigest);
  struct Case {
    std::string text;
    std::string want;  // the error must start with this
  } cases[] = {
      {"a tok\nlonely\n", "auth.txt:2: expected 'node_id token_spec [x25519:key]', found 1 field "},
      {"a tok with spaces\n", "auth.txt:1: expected 'node_id token_spec [x25519:key]', found 4 fields"},
      {"a tok with-space\n", "auth.txt:1: the third field for 'a' is not a pinned key"},
      {"a tok x25519:\n", "auth.txt:1: the third field for 'a' is not a pinned key"},
      {"a tok x25519:" + std::string(42, 'A') + "\n", "auth.txt:1: the third field for 'a' is not a pinned key"},
      {"a tok x25519:" + std::string(44, 'A') + "\n", "auth.txt:1: the third field for 'a' is not a pinned key"},
      {"a tok ed25519:" + std::string(43, 'A') + "\n", "auth.txt:1: the third field for 'a' is not a pinned key"},
      {"a bad\x01tok x25519:" + std::string(43, 'A') + "\n", "auth.txt:1: bad token for 'a'"},
      {"\n\nbad/id tok\n", "auth.txt:3: invalid node id"},
      {"caf\xc3\xa9 tok\n", "auth.txt:1: invalid node id"},
      {std::string(65, 'i') + " tok\n", "auth.txt:1: invalid node id (65 bytes"},
      {"a sha256:" + digest.substr(1) + "\n", "auth.txt:1: bad digest for 'a'"},
      {"a sha256:" + digest + "0\n", "auth.txt:1: bad digest for 'a'"},
      {"a sha256:" + digest.substr(0, 63) + "z\n", "auth.txt:1: bad digest for 'a'"},
      {"a sha256:\n", "auth.txt:1: bad digest for 'a'"},
      {"a sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n",
       "auth.txt:1: digest for 'a' is the SHA-256 of an empty token"},
      {"a " + std::string(Credentials::kMaxTokenLen + 1, 't') + "\n", "auth.txt:1: bad token"},
      {"a tok\x01\n", "auth.txt:1: bad token for 'a'"},
      {"a t\xc3\xa9\n", "auth.txt:1: bad token for 'a'"},
      {"a one\nb two\na three\n", "auth.txt:3: duplicate node id 'a'"},
  };
  for (const Case& c : cases) {
    std::string error = parse_error(c.text);
    EXPECT_EQ(error.substr(0, c.want.size()), c.want) << "input: " << c.text;
  }
  // A token-shaped field is never quoted back (errors go to logs).
  EXPECT_EQ(parse_error("a s3cr3t-value extra\n").find("s3cr3t"), std::string::npos);
  EXPECT_EQ(parse_error("a first-half s3cr3t-half\n").find("s3cr3t"), std::string::npos);
  EXPECT_EQ(parse_error("s3cr3t-value\n").find("s3cr3t"), std::string::npos);
  EXPECT_EQ(parse_error("a s3cr3t\x01value\n").find("s3cr3t"), std::string::npos);
  // An error later in the file still loads nothing from the lines before it.
  EXPECT_FALSE(parse_error("good1 t1\ngood2 t2\nbroken\n").empty());
}

TEST(Credentials, AThirdFieldPinsAKey) {
  // 32 bytes 0x00..0x1f in the protocol's text form.
  const std::string key = "x25519:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
  Credentials c;
  ASSERT_TRUE(Credentials::parse("a tok-a " + key + "\nb sha256:" + std::string(kTestDigest) + "\t" + key +
                                     "\r\nc tok-c\n",
                                 "t", &c, nullptr));
  EXPECT_EQ(c.size(), 3u);
  EXPECT_EQ(c.pinned_count(), 2u);
  ASSERT_NE(c.pinned_key("a"), nullptr);
  ASSERT_NE(c.pinned_key("b"), nullptr);
  for (size_t i = 0; i < 32; ++i) EXPECT_EQ((*c.pinned_key("a"))[i], i);
  EXPECT_EQ(*c.pinned_key("a"), *c.pinned_key("b"));
  EXPECT_EQ(c.pinned_key("c"), nullptr);
  EXPECT_EQ(c.pinned_key("zz"), nullptr);
  // The token still works as before.
  EXPECT_EQ(c.check("a", "tok-a"), Verdict::ok);
  EXPECT_EQ(c.check("b", "test"), Verdict::ok);
  EXPECT_EQ(c.plaintext_count(), 2u);
}

TEST(Credentials, EmptyFileLoadsEmptyTable) {
  Credentials c;
  ASSERT_TRUE(Credentials::parse("", "t", &c, nullptr));
  EXPECT_EQ(c.size(), 0u);
  ASSERT_TRUE(Credentials::parse("# only comments\n\n   \n", "t", &c, nullptr));
  EXPECT_EQ(c.size(), 0u);
  EXPECT_EQ(c.check("a", "t"), Verdict::unknown_id);
}

TEST(Credentials, LoadFromFile) {
  TempDir dir;
  std::string path = dir.write("auth", "a sha256:" + std::string(kTestDigest) + "\nb plain\n");
  Credentials c;
  std::string error;
  ASSERT_TRUE(Credentials::load(path, &c, &error)) << error;
  EXPECT_EQ(c.size(), 2u);
  EXPECT_EQ(c.check("a", "test"), Verdict::ok);
  EXPECT_EQ(c.check("b", "plain"), Verdict::ok);

  // A failed reload (the SIGHUP case) keeps the previous table and names file and line.
  std::string bad = dir.write("bad", "a x\nc y\na z\n");
  EXPECT_FALSE(Credentials::load(bad, &c, &error));
  EXPECT_EQ(error, bad + ":3: duplicate node id 'a'");
  EXPECT_EQ(c.size(), 2u);
  EXPECT_EQ(c.check("b", "plain"), Verdict::ok);
  EXPECT_EQ(c.check("c", "y"), Verdict::unknown_id);

  // A good reload replaces the table entirely.
  std::string next = dir.write("next", "c y\n");
  ASSERT_TRUE(Credentials::load(next, &c, &error)) << error;
  EXPECT_EQ(c.size(), 1u);
  EXPECT_EQ(c.check("a", "test"), Verdict::unknown_id);
  EXPECT_EQ(c.check("c", "y"), Verdict::ok);

  // A null error pointer is allowed.
  EXPECT_FALSE(Credentials::load(bad, &c, nullptr));
}

TEST(Credentials, MissingFileAndDirectory) {
  TempDir dir;
  Credentials c;
  ASSERT_TRUE(Credentials::parse("a b\n", "t", &c, nullptr));
  std::string error;
  std::string missing = dir.path() + "/nope";
  EXPECT_FALSE(Credentials::load(missing, &c, &error));
  EXPECT_EQ(error, missing + ": cannot open: No such file or directory");
  EXPECT_FALSE(Credentials::load(dir.path(), &c, &error));
  EXPECT_EQ(error.rfind(dir.path() + ": cannot", 0), 0u) << error;
  EXPECT_EQ(c.check("a", "b"), Verdict::ok);
}

}  // namespace
}  // namespace sb::security
