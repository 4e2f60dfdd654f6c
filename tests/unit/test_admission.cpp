// Admission unit tests: peer text to address (IPv4, IPv6, garbage), per-address connection
// counting (admit/release, limits, many addresses), and authenticate() with injected time: verdicts,
// --allow-unknown-ids, the lockout numbers (5 failures, 30 s, doubling), reload keeping the old
// table on failure. No sockets: Admission is the socket-free policy the loop consults.
#include "server/admission.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <string>

namespace sb::server {
namespace {

using Verdict = Admission::Verdict;

class TempFile {
 public:
  TempFile() {
    char tmpl[] = "/tmp/sb-admission-XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0) throw std::runtime_error("mkstemp failed");
    ::close(fd);
    path_ = tmpl;
  }
  ~TempFile() { ::unlink(path_.c_str()); }
  void write(const std::string& text) const {
    std::FILE* f = std::fopen(path_.c_str(), "w");
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(AdmissionAddressOf, StripsThePortFromIpv4AndIpv6Peers) {
  EXPECT_EQ(Admission::address_of("127.0.0.1:5000"), "127.0.0.1");
  EXPECT_EQ(Admission::address_of("192.0.2.33:1"), "192.0.2.33");
  EXPECT_EQ(Admission::address_of("[::1]:5000"), "::1");
  EXPECT_EQ(Admission::address_of("[2001:db8::1]:65535"), "2001:db8::1");
  EXPECT_EQ(Admission::address_of("[::ffff:127.0.0.1]:80"), "::ffff:127.0.0.1");
  EXPECT_EQ(Admission::address_of("[fe80::1%eth0]:22"), "fe80::1%eth0");
}

TEST(AdmissionAddressOf, GarbageComesBackUnchangedOrCut) {
  // What format_endpoint() gives for a socket that is neither IPv4 nor IPv6.
  EXPECT_EQ(Admission::address_of("unknown"), "unknown");
  EXPECT_EQ(Admission::address_of(""), "");
  EXPECT_EQ(Admission::address_of("127.0.0.1"), "127.0.0.1");  // no port
  EXPECT_EQ(Admission::address_of("[::1"), "[::1");            // no closing bracket
  EXPECT_EQ(Admission::address_of("[]:1"), "");
  EXPECT_EQ(Admission::address_of("host:"), "host");
  // A colon-only string is cut at the last colon; never out of bounds.
  EXPECT_EQ(Admission::address_of(":"), "");
  EXPECT_EQ(Admission::address_of(":::"), "::");
}

TEST(AdmissionAddresses, NoLimitAdmitsEverything) {
  ServerOptions options;  // max_conns_per_ip = 0
  Admission admission(options);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(admission.admit_address("127.0.0.1"));
  for (int i = 0; i < 1000; ++i) admission.release_address("127.0.0.1");
  admission.release_address("never-admitted");  // harmless
  EXPECT_TRUE(admission.admit_address("127.0.0.1"));
}

TEST(AdmissionAddresses, CountsPerAddressUpToTheLimit) {
  ServerOptions options;
  options.max_conns_per_ip = 3;
  Admission admission(options);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(admission.admit_address("127.0.0.1")) << i;
  EXPECT_FALSE(admission.admit_address("127.0.0.1"));
  EXPECT_FALSE(admission.admit_address("127.0.0.1"));  // a refusal counts nothing
  EXPECT_TRUE(admission.admit_address("127.0.0.2"));
  EXPECT_TRUE(admission.admit_address("::1"));

  admission.release_address("127.0.0.1");
  EXPECT_TRUE(admission.admit_address("127.0.0.1"));
  EXPECT_FALSE(admission.admit_address("127.0.0.1"));

  // Releasing everything forgets the address; releasing more than was admitted does not
  // underflow into "room for 2^32 more" nor into "full forever".
  for (int i = 0; i < 3; ++i) admission.release_address("127.0.0.1");
  admission.release_address("127.0.0.1");
  admission.release_address("127.0.0.1");
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(admission.admit_address("127.0.0.1")) << i;
  EXPECT_FALSE(admission.admit_address("127.0.0.1"));
  admission.release_address("not-there");
}

TEST(AdmissionAddresses, LimitOfOne) {
  ServerOptions options;
  options.max_conns_per_ip = 1;
  Admission admission(options);
  EXPECT_TRUE(admission.admit_address("10.0.0.1"));
  EXPECT_FALSE(admission.admit_address("10.0.0.1"));
  admission.release_address("10.0.0.1");
  EXPECT_TRUE(admission.admit_address("10.0.0.1"));
}

TEST(AdmissionAddresses, ManyAddressesAreCountedApartAndForgotten) {
  ServerOptions options;
  options.max_conns_per_ip = 2;
  Admission admission(options);
  auto addr = [](int i) { return "10." + std::to_string(i / 65536) + "." + std::to_string(i / 256 % 256) + "." + std::to_string(i % 256); };
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 5000; ++i) {
      ASSERT_TRUE(admission.admit_address(addr(i))) << i;
      ASSERT_TRUE(admission.admit_address(addr(i))) << i;
      ASSERT_FALSE(admission.admit_address(addr(i))) << i;
    }
    for (int i = 0; i < 5000; ++i) {
      admission.release_address(addr(i));
      admission.release_address(addr(i));
    }
  }
}

class AdmissionAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    file_.write("a token-a\nb sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n");
    options_.auth_file = file_.path();
  }

  Verdict check(Admission& admission, std::string_view address, std::string_view id, std::string_view token,
                uint64_t now_ms, std::string* reason_out = nullptr) {
    std::string_view reason;
    Verdict v = admission.authenticate(address, id, token, now_ms, &reason);
    if (reason_out != nullptr) *reason_out = std::string(reason);
    return v;
  }

  TempFile file_;
  ServerOptions options_;
};

TEST_F(AdmissionAuthTest, DisabledWithoutAuthFile) {
  ServerOptions options;
  Admission admission(options);
  std::string error;
  EXPECT_TRUE(admission.load(&error)) << error;
  EXPECT_FALSE(admission.auth_enabled());
  EXPECT_TRUE(admission.reload(&error));
  std::string reason;
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(check(admission, "127.0.0.1", "anyone", i % 2 ? "x" : "", 0, &reason), Verdict::ok);
  EXPECT_EQ(reason, "ok");
}

TEST_F(AdmissionAuthTest, Verdicts) {
  Admission admission(options_);
  std::string error;
  ASSERT_TRUE(admission.load(&error)) << error;
  EXPECT_TRUE(admission.auth_enabled());
  EXPECT_EQ(admission.credential_count(), 2u);
  EXPECT_EQ(admission.plaintext_count(), 1u);

  std::string reason;
  EXPECT_EQ(check(admission, "127.0.0.1", "a", "token-a", 0, &reason), Verdict::ok);
  EXPECT_EQ(reason, "ok");
  EXPECT_EQ(check(admission, "127.0.0.1", "b", "abc", 0, &reason), Verdict::ok);
  EXPECT_EQ(check(admission, "127.0.0.2", "a", "token-b", 0, &reason), Verdict::refused);
  EXPECT_EQ(reason, "wrong-token");
  EXPECT_EQ(check(admission, "127.0.0.3", "a", "", 0, &reason), Verdict::refused);
  EXPECT_EQ(reason, "wrong-token");
  EXPECT_EQ(check(admission, "127.0.0.4", "zz", "token-a", 0, &reason), Verdict::refused);
  EXPECT_EQ(reason, "unknown-id");
}

TEST_F(AdmissionAuthTest, AllowUnknownIds) {
  options_.allow_unknown_ids = true;
  Admission admission(options_);
  ASSERT_TRUE(admission.load(nullptr));
  std::string reason;
  // Admitted, but the token proved nothing: such a HELLO may not take an id over.
  EXPECT_EQ(check(admission, "127.0.0.1", "zz", "", 0, &reason), Verdict::ok_unverified);
  EXPECT_EQ(check(admission, "127.0.0.1", "zz", "anything", 0, &reason), Verdict::ok_unverified);
  EXPECT_FALSE(admission.proves_identity(Verdict::ok_unverified));
  EXPECT_EQ(check(admission, "127.0.0.1", "a", "", 0, &reason), Verdict::refused);
  EXPECT_EQ(reason, "wrong-token");
  EXPECT_EQ(check(admission, "127.0.0.1", "a", "token-a", 0, &reason), Verdict::ok);
  EXPECT_TRUE(admission.proves_identity(Verdict::ok));
}

TEST_F(AdmissionAuthTest, WithoutAuthFileNothingProvesAnIdentity) {
  ServerOptions options;
  Admission admission(options);
  ASSERT_TRUE(admission.load(nullptr));
  std::string reason;
  EXPECT_EQ(check(admission, "127.0.0.1", "a", "token-a", 0, &reason), Verdict::ok);
  EXPECT_FALSE(admission.proves_identity(Verdict::ok));
}

TEST_F(AdmissionAuthTest, ReloadTurnsAuthenticationOnAndOff) {
  ServerOptions options;
  Admission admission(options);
  ASSERT_TRUE(admission.load(nullptr));
  EXPECT_FALSE(admission.auth_enabled());
  options.auth_file = options_.auth_file;  // a reload of the settings named a file
  std::string error;
  ASSERT_TRUE(admission.reload(&error)) << error;
  EXPECT_TRUE(admission.auth_enabled());
  EXPECT_EQ(admission.credential_count(), 2u);
  options.auth_file = options_.auth_file + ".missing";  // a bad file keeps what is in force
  EXPECT_FALSE(admission.reload(&error));
  EXPECT_TRUE(admission.auth_enabled());
  EXPECT_EQ(admission.credential_count(), 2u);
  options.auth_file.clear();
  ASSERT_TRUE(admission.reload(&error));
  EXPECT_FALSE(admission.auth_enabled());
}

TEST_F(AdmissionAuthTest, FiveFailuresLockTheAddressForThirtySecondsThenSixty) {
  Admission admission(options_);
  ASSERT_TRUE(admission.load(nullptr));
  std::string reason;
  uint64_t t = 1000;
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(check(admission, "198.51.100.7", i % 2 ? "a" : "zz", "bad", t, &reason), Verdict::refused) << i;
    t += 1000;
  }
  // Locked: even the right token, and the reason says so.
  EXPECT_EQ(check(admission, "198.51.100.7", "a", "token-a", t, &reason), Verdict::locked_out);
  EXPECT_EQ(reason, "locked");
  // Another address, and the IPv6 loopback, are unaffected.
  EXPECT_EQ(check(admission, "198.51.100.8", "a", "token-a", t, &reason), Verdict::ok);
  EXPECT_EQ(check(admission, "::1", "a", "token-a", t, &reason), Verdict::ok);
  // The same IPv4 address in its IPv4-mapped IPv6 spelling is the same key.
  EXPECT_EQ(check(admission, "::ffff:198.51.100.7", "a", "token-a", t, &reason), Verdict::locked_out);

  const uint64_t locked_at = t - 1000;  // the fifth failure
  EXPECT_EQ(check(admission, "198.51.100.7", "a", "token-a", locked_at + 29'999, &reason), Verdict::locked_out);
  EXPECT_EQ(check(admission, "198.51.100.7", "a", "token-a", locked_at + 30'000, &reason), Verdict::ok);

  // A second lockout lasts twice as long; a success in between did not reset anything.
  t = locked_at + 31'000;
  for (int i = 0; i < 5; ++i) EXPECT_EQ(check(admission, "198.51.100.7", "a", "bad", t + i, &reason), Verdict::refused);
  const uint64_t second = t + 4;
  EXPECT_EQ(check(admission, "198.51.100.7", "a", "token-a", second + 59'999, &reason), Verdict::locked_out);
  EXPECT_EQ(check(admission, "198.51.100.7", "a", "token-a", second + 60'000, &reason), Verdict::ok);
}

TEST_F(AdmissionAuthTest, FailuresOutsideTheSixtySecondWindowDoNotLock) {
  Admission admission(options_);
  ASSERT_TRUE(admission.load(nullptr));
  std::string reason;
  // Five failures spread over more than 60 s: never five inside one window.
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(check(admission, "203.0.113.1", "a", "bad", uint64_t(i) * 15'001, &reason), Verdict::refused);
  EXPECT_EQ(check(admission, "203.0.113.1", "a", "token-a", 4 * 15'001 + 1, &reason), Verdict::ok);
}

TEST_F(AdmissionAuthTest, IPv6NeighboursInOneSlash64ShareALockout) {
  Admission admission(options_);
  ASSERT_TRUE(admission.load(nullptr));
  std::string reason;
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(check(admission, "2001:db8:1:2::" + std::to_string(i + 1), "a", "bad", 10, &reason), Verdict::refused);
  EXPECT_EQ(check(admission, "2001:db8:1:2::ffff", "a", "token-a", 10, &reason), Verdict::locked_out);
  EXPECT_EQ(check(admission, "2001:db8:1:3::1", "a", "token-a", 10, &reason), Verdict::ok);
}

TEST_F(AdmissionAuthTest, ReloadReplacesTheTableOrKeepsTheOldOne) {
  Admission admission(options_);
  ASSERT_TRUE(admission.load(nullptr));
  std::string error, reason;
  file_.write("a new-a\nc token-c\nd token-d\n");
  ASSERT_TRUE(admission.reload(&error)) << error;
  EXPECT_EQ(admission.credential_count(), 3u);
  EXPECT_EQ(admission.plaintext_count(), 3u);
  EXPECT_EQ(check(admission, "10.0.0.1", "a", "new-a", 0, &reason), Verdict::ok);
  EXPECT_EQ(check(admission, "10.0.0.2", "a", "token-a", 0, &reason), Verdict::refused);
  EXPECT_EQ(check(admission, "10.0.0.3", "b", "abc", 0, &reason), Verdict::refused);
  EXPECT_EQ(reason, "unknown-id");

  file_.write("a newer-a\nc\n");
  EXPECT_FALSE(admission.reload(&error));
  EXPECT_NE(error.find(file_.path() + ":2:"), std::string::npos) << error;
  EXPECT_EQ(admission.credential_count(), 3u);
  EXPECT_EQ(check(admission, "10.0.0.4", "a", "new-a", 0, &reason), Verdict::ok);
  EXPECT_EQ(check(admission, "10.0.0.5", "a", "newer-a", 0, &reason), Verdict::refused);
  EXPECT_TRUE(admission.auth_enabled());

  ::unlink(file_.path().c_str());
  EXPECT_FALSE(admission.reload(&error));
  EXPECT_NE(error.find("cannot open"), std::string::npos) << error;
  EXPECT_EQ(check(admission, "10.0.0.6", "c", "token-c", 0, &reason), Verdict::ok);
}

TEST_F(AdmissionAuthTest, LoadFailsOnAMissingOrMalformedFile) {
  {
    ServerOptions options;
    options.auth_file = "/nonexistent/sb-auth";
    Admission admission(options);
    std::string error;
    EXPECT_FALSE(admission.load(&error));
    EXPECT_NE(error.find("/nonexistent/sb-auth: cannot open"), std::string::npos) << error;
    EXPECT_FALSE(admission.auth_enabled());
  }
  file_.write("a token-a\n\n# c\nbad id here\n");
  Admission admission(options_);
  std::string error;
  EXPECT_FALSE(admission.load(&error));
  EXPECT_NE(error.find(file_.path() + ":4:"), std::string::npos) << error;
}

}  // namespace
}  // namespace sb::server
