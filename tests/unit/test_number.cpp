// Unit tests for common/text/number.*: the one grammar for numbers in flags and the config file
// (whole string, plain decimal, no sign, explicit range, overflow refused) that the server, the
// client and the bench share.
#include "common/text/number.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace sb::text {
namespace {

TEST(ParseUint, AcceptsPlainDecimalInRange) {
  uint64_t v = 0;
  EXPECT_TRUE(parse_uint("0", 0, 10, &v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(parse_uint("10", 0, 10, &v));
  EXPECT_EQ(v, 10u);
  EXPECT_TRUE(parse_uint("007", 0, 10, &v));  // leading zeros are still the same number
  EXPECT_EQ(v, 7u);
  EXPECT_TRUE(parse_uint("18446744073709551615", 0, UINT64_MAX, &v));
  EXPECT_EQ(v, UINT64_MAX);
}

TEST(ParseUint, RefusesAnythingElse) {
  for (const char* bad : {"", " ", "5x", "x5", " 5", "5 ", "+5", "-5", "-0", "0x10", "1e3", "1.0",
                          "1,000", "5\n", "\t5", "inf", "nan", "٣"}) {
    uint64_t v = 42;
    EXPECT_FALSE(parse_uint(bad, 0, UINT64_MAX, &v)) << "'" << bad << "'";
    EXPECT_EQ(v, 42u) << "a refused value must leave the output alone: '" << bad << "'";
  }
  uint64_t v = 0;
  EXPECT_FALSE(parse_uint(std::string_view("5\0", 2), 0, 10, &v));  // an embedded NUL is junk too
}

TEST(ParseUint, RefusesOverflow) {
  uint64_t v = 0;
  EXPECT_FALSE(parse_uint("18446744073709551616", 0, UINT64_MAX, &v));
  EXPECT_FALSE(parse_uint("99999999999999999999999999", 0, UINT64_MAX, &v));
}

TEST(ParseUint, RangeIsInclusiveAndExplicit) {
  uint64_t v = 0;
  EXPECT_FALSE(parse_uint("0", 1, 64, &v));
  EXPECT_TRUE(parse_uint("1", 1, 64, &v));
  EXPECT_TRUE(parse_uint("64", 1, 64, &v));
  EXPECT_FALSE(parse_uint("65", 1, 64, &v));
}

TEST(ParseUint, NarrowTypesCheckTheirRange) {
  uint16_t port = 1;
  EXPECT_TRUE(parse_uint<uint16_t>("65535", 0, 65535, &port));
  EXPECT_EQ(port, 65535);
  EXPECT_FALSE(parse_uint<uint16_t>("65536", 0, 65535, &port));
  EXPECT_EQ(port, 65535);

  uint32_t n = 0;
  EXPECT_TRUE(parse_uint<uint32_t>("4294967295", 0, UINT32_MAX, &n));
  EXPECT_EQ(n, UINT32_MAX);
  EXPECT_FALSE(parse_uint<uint32_t>("4294967296", 0, UINT32_MAX, &n));
  size_t s = 0;
  EXPECT_TRUE(parse_uint("1048576", 0, 1u << 30, &s));
  EXPECT_EQ(s, 1u << 20);
}

TEST(ParseDecimal, AcceptsWholeAndFractional) {
  double v = 0;
  EXPECT_TRUE(parse_decimal("5", 0, 100, &v));
  EXPECT_DOUBLE_EQ(v, 5);
  EXPECT_TRUE(parse_decimal("0.25", 0, 100, &v));
  EXPECT_DOUBLE_EQ(v, 0.25);
  EXPECT_TRUE(parse_decimal("0", 0, 100, &v));
  EXPECT_DOUBLE_EQ(v, 0);
  EXPECT_TRUE(parse_decimal("1.500", 0, 100, &v));
  EXPECT_DOUBLE_EQ(v, 1.5);
  EXPECT_TRUE(parse_decimal("604800", 0, 604800, &v));
  EXPECT_DOUBLE_EQ(v, 604800);
  EXPECT_TRUE(parse_decimal("0.001", 0.001, 1, &v));
  EXPECT_DOUBLE_EQ(v, 0.001);
}

TEST(ParseDecimal, RefusesAnythingElse) {
  for (const char* bad : {"", ".", ".5", "5.", "1.2.3", "-1", "-0", "+1", " 1", "1 ", "1s", "5x",
                          "1e2", "1E2", "0x1p3", "inf", "-inf", "nan", "infinity", "1,5", "1..5"}) {
    double v = 42;
    EXPECT_FALSE(parse_decimal(bad, 0, 1e12, &v)) << "'" << bad << "'";
    EXPECT_EQ(v, 42) << "'" << bad << "'";
  }
}

TEST(ParseDecimal, RangeIsInclusive) {
  double v = 0;
  EXPECT_FALSE(parse_decimal("0", 0.001, 10, &v));
  EXPECT_FALSE(parse_decimal("0.0009", 0.001, 10, &v));
  EXPECT_FALSE(parse_decimal("10.5", 0.001, 10, &v));
  EXPECT_TRUE(parse_decimal("10.0", 0.001, 10, &v));
  EXPECT_FALSE(parse_decimal(std::string(400, '9'), 0, 1e300, &v));  // past a double's range
}

// The protocol parsers' lengths: digits only, and at most max_digits of them (leading zeros count).
TEST(ParseDigits, DigitsOnlyUpToTheLimit) {
  size_t v = 42;
  for (const char* bad : {"", "+1", "-1", "1 ", " 1", "0x1", "1.0", "1234"}) {
    EXPECT_FALSE(parse_digits(bad, 3, &v)) << "'" << bad << "'";
    EXPECT_EQ(v, 42u) << "a refused value must leave the output alone: '" << bad << "'";
  }
  EXPECT_TRUE(parse_digits("007", 3, &v));
  EXPECT_EQ(v, 7u);
  EXPECT_TRUE(parse_digits("999999999999999999", 18, &v));
  EXPECT_EQ(v, 999999999999999999u);
  EXPECT_FALSE(parse_digits("0000000000000000001", 18, &v));
}

TEST(ParseSeconds, IsTheDecimalRule) {
  double v = 0;
  EXPECT_TRUE(parse_seconds("1.5", 1, 60, &v));
  EXPECT_DOUBLE_EQ(v, 1.5);
  EXPECT_FALSE(parse_seconds("0.5", 1, 60, &v));
  EXPECT_FALSE(parse_seconds("1e1", 1, 60, &v));
}

}  // namespace
}  // namespace sb::text
