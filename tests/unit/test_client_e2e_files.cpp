// The --e2e files: the identity key file (created 0600 in a 0700 directory, refused when others
// may read it, when it is not ours or not a regular file, or malformed; read back the same) and
// known_nodes (missing is empty, malformed is an error, changes merged with what another client
// wrote meanwhile).
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "client/e2e_identity.h"
#include "client/e2e_known_nodes.h"
#include "common/crypto/x25519.h"

namespace sb::client::e2e {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/sb-e2e-files-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void spit(const std::string& path, const std::string& text, mode_t mode = 0600) {
  std::ofstream(path) << text;
  ::chmod(path.c_str(), mode);
}

mode_t mode_of(const std::string& path) {
  struct stat st{};
  ::stat(path.c_str(), &st);
  return st.st_mode & 07777;
}

const std::string kKeyText = "x25519:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

TEST(E2eIdentity, DefaultPathFollowsXdgThenHome) {
  const char* saved_xdg = std::getenv("XDG_CONFIG_HOME");
  const char* saved_home = std::getenv("HOME");
  const std::string xdg = saved_xdg ? saved_xdg : "", home = saved_home ? saved_home : "";
  std::string path, error;
  ::setenv("XDG_CONFIG_HOME", "/x/conf", 1);
  ASSERT_TRUE(identity_path("", "node.1", &path, &error));
  EXPECT_EQ(path, "/x/conf/switchboard/node.1.key");
  ::setenv("XDG_CONFIG_HOME", "relative", 1);  // ignored, as the XDG spec says
  ::setenv("HOME", "/h", 1);
  ASSERT_TRUE(identity_path("", "a", &path, &error));
  EXPECT_EQ(path, "/h/.config/switchboard/a.key");
  ::unsetenv("XDG_CONFIG_HOME");
  ::unsetenv("HOME");
  EXPECT_FALSE(identity_path("", "a", &path, &error));
  EXPECT_NE(error.find("--key-file"), std::string::npos);
  ASSERT_TRUE(identity_path("/k/mine.key", "a", &path, &error));
  EXPECT_EQ(path, "/k/mine.key");
  EXPECT_EQ(directory_of("/k/mine.key"), "/k");
  EXPECT_EQ(directory_of("mine.key"), ".");
  EXPECT_EQ(directory_of("/mine.key"), "/");
  if (saved_xdg) ::setenv("XDG_CONFIG_HOME", xdg.c_str(), 1);
  if (saved_home) ::setenv("HOME", home.c_str(), 1);
}

TEST(E2eIdentity, FirstUseCreatesThenLoadsTheSameKey) {
  TempDir dir;
  const std::string path = dir.path() + "/conf/switchboard/a.key";
  Identity first;
  bool created = false;
  std::string error;
  ASSERT_TRUE(load_or_create_identity(path, true, &first, &created, &error)) << error;
  EXPECT_TRUE(created);
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(mode_of(dir.path() + "/conf/switchboard"), 0700u);
  EXPECT_EQ(mode_of(dir.path() + "/conf"), 0700u);
  crypto::X25519Key derived;
  crypto::x25519_public_key(first.private_key, derived);
  EXPECT_EQ(derived, first.public_key);

  Identity again;
  ASSERT_TRUE(load_or_create_identity(path, true, &again, &created, &error)) << error;
  EXPECT_FALSE(created);
  EXPECT_EQ(again.private_key, first.private_key);
  EXPECT_EQ(again.public_key, first.public_key);
  const std::string text = slurp(path);
  EXPECT_EQ(text.rfind("# ", 0), 0u);
  EXPECT_NE(text.find("\nprivate-key x25519:"), std::string::npos);
  EXPECT_NE(text.find("\npublic-key x25519:"), std::string::npos);
}

TEST(E2eIdentity, AnExplicitPathNeedsItsDirectory) {
  TempDir dir;
  Identity id;
  bool created = false;
  std::string error;
  EXPECT_FALSE(load_or_create_identity(dir.path() + "/missing/a.key", false, &id, &created, &error));
  EXPECT_NE(error.find("cannot open key file"), std::string::npos) << error;
  ASSERT_TRUE(load_or_create_identity(dir.path() + "/a.key", false, &id, &created, &error)) << error;
  EXPECT_TRUE(created);
}

TEST(E2eIdentity, RefusesAKeyFileOthersCanRead) {
  TempDir dir;
  const std::string path = dir.path() + "/a.key";
  spit(path, "private-key " + kKeyText + "\n", 0644);
  Identity id;
  bool created = false;
  std::string error;
  EXPECT_FALSE(load_or_create_identity(path, false, &id, &created, &error));
  EXPECT_NE(error.find("permissions 0644"), std::string::npos) << error;
  EXPECT_NE(error.find("too open"), std::string::npos) << error;
  EXPECT_EQ(error.find(kKeyText.substr(7)), std::string::npos) << "never quote the key";
  for (mode_t mode : {0640, 0604, 0620, 0601, 0700 | 0010}) {
    ::chmod(path.c_str(), mode);
    EXPECT_FALSE(load_or_create_identity(path, false, &id, &created, &error)) << std::oct << mode;
  }
  ::chmod(path.c_str(), 0400);
  EXPECT_TRUE(load_or_create_identity(path, false, &id, &created, &error)) << error;
  for (size_t i = 0; i < 32; ++i) EXPECT_EQ(id.private_key[i], i);
}

TEST(E2eIdentity, RefusesWhatIsNotAKeyFile) {
  TempDir dir;
  Identity id;
  bool created = false;
  std::string error;
  EXPECT_FALSE(load_or_create_identity(dir.path(), false, &id, &created, &error));  // a directory
  const std::string path = dir.path() + "/a.key";
  const std::string bad[] = {
      "",                                                   // no key
      "# only a comment\n",
      "private-key x25519:short\n",
      "private-key " + kKeyText + "\nprivate-key " + kKeyText + "\n",  // twice
      "private-key " + kKeyText + "\nsomething else\n",
      "private-key " + kKeyText + "\npublic-key " + kKeyText + "\n",  // not its public key
  };
  for (const std::string& text : bad) {
    spit(path, text);
    EXPECT_FALSE(load_or_create_identity(path, false, &id, &created, &error)) << text;
    EXPECT_EQ(error.find(kKeyText.substr(7)), std::string::npos) << error;
  }
  spit(path, std::string(5000, '#'));
  EXPECT_FALSE(load_or_create_identity(path, false, &id, &created, &error));
  EXPECT_NE(error.find("larger than"), std::string::npos) << error;
}

TEST(E2eKnownNodes, MissingIsEmptyAndChangesAreWrittenAndMerged) {
  TempDir dir;
  const std::string path = dir.path() + "/known_nodes";
  KnownNodes mine, theirs;
  std::string error;
  ASSERT_TRUE(mine.load(path, &error)) << error;
  ASSERT_TRUE(theirs.load(path, &error)) << error;
  EXPECT_EQ(mine.size(), 0u);
  security::PublicKey kb{}, kc{}, kb2{};
  kb[0] = 1;
  kc[0] = 2;
  kb2[0] = 3;
  ASSERT_TRUE(mine.remember("b", kb, &error)) << error;
  EXPECT_EQ(mode_of(path), 0600u);
  // Another client of the same user trusts c meanwhile; its write keeps our b.
  ASSERT_TRUE(theirs.remember("c", kc, &error)) << error;
  // Our next change keeps their c, and we learn it.
  ASSERT_TRUE(mine.remember("b", kb2, &error)) << error;
  ASSERT_NE(mine.find("c"), nullptr);
  EXPECT_EQ(*mine.find("c"), kc);
  KnownNodes fresh;
  ASSERT_TRUE(fresh.load(path, &error)) << error;
  EXPECT_EQ(fresh.size(), 2u);
  EXPECT_EQ(*fresh.find("b"), kb2);
  EXPECT_EQ(*fresh.find("c"), kc);
  EXPECT_EQ(fresh.find("d"), nullptr);
  EXPECT_NE(slurp(path).find("b " + security::public_key_text(kb2) + "\n"), std::string::npos);
}

TEST(E2eKnownNodes, MalformedFileIsAnErrorNamingTheLine) {
  TempDir dir;
  const std::string path = dir.path() + "/known_nodes";
  for (const std::string& text : {std::string("# fine\nb x25519:nope\n"), std::string("\nb\n"),
                                  "# x\nbad/id " + kKeyText + "\n", "# x\nb  " + kKeyText + "\n"}) {
    spit(path, text);
    KnownNodes k;
    std::string error;
    EXPECT_FALSE(k.load(path, &error)) << text;
    EXPECT_EQ(error.rfind(path + ":2:", 0), 0u) << error;
  }
  spit(path, "# comment\r\nb " + kKeyText + "\r\n");
  KnownNodes k;
  std::string error;
  EXPECT_TRUE(k.load(path, &error)) << error;
  EXPECT_NE(k.find("b"), nullptr);
}

}  // namespace
}  // namespace sb::client::e2e
