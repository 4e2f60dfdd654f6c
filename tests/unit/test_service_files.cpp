// Unit tests for the two small things the server does for its service manager: sd_notify
// datagrams (server/service_notify.*) to a path or abstract socket, nothing without
// $NOTIFY_SOCKET, an error for an unusable one; and the pid file (server/pid_file.*), written,
// removed, and never written through a symlink.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "server/pid_file.h"
#include "server/service_notify.h"
#include "tests/support/notify_socket.h"
#include "tests/support/process.h"

namespace sb::server {
namespace {

using sb::test::TempDir;
using sb::test::NotifySocket;

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ServiceNotify, WithoutNotifySocketNothingIsSent) {
  ::unsetenv("NOTIFY_SOCKET");
  std::string error;
  EXPECT_TRUE(notify_service("READY=1", &error));
  EXPECT_TRUE(notify_stopping());
  EXPECT_EQ(error, "");
}

TEST(ServiceNotify, PathSocketGetsEachState) {
  TempDir dir;
  NotifySocket r(dir.path() + "/notify");
  ASSERT_TRUE(r.bound());
  std::string error;
  ASSERT_TRUE(notify_ready("listening on [::1]:2004", &error)) << error;
  EXPECT_EQ(r.receive(), "READY=1\nSTATUS=listening on [::1]:2004");
  ASSERT_TRUE(notify_reloading(&error)) << error;
  const std::string reloading = r.receive();
  EXPECT_EQ(reloading.rfind("RELOADING=1\nMONOTONIC_USEC=", 0), 0u) << reloading;
  EXPECT_GT(std::strtoull(reloading.c_str() + reloading.find('=', 12) + 1, nullptr, 10), 0u) << reloading;
  ASSERT_TRUE(notify_stopping(&error)) << error;
  EXPECT_EQ(r.receive(), "STOPPING=1");
}

TEST(ServiceNotify, AbstractSocket) {
  NotifySocket r("@sb-notify-unit-" + std::to_string(::getpid()));
  ASSERT_TRUE(r.bound());
  ASSERT_TRUE(notify_service("READY=1"));
  EXPECT_EQ(r.receive(), "READY=1");
}

TEST(ServiceNotify, UnusableSocketIsAnErrorNotACrash) {
  std::string error;
  ::setenv("NOTIFY_SOCKET", "relative/path", 1);
  EXPECT_FALSE(notify_service("READY=1", &error));
  EXPECT_NE(error.find("relative/path"), std::string::npos) << error;
  ::setenv("NOTIFY_SOCKET", ("/" + std::string(200, 'x')).c_str(), 1);
  EXPECT_FALSE(notify_service("READY=1", &error));
  ::setenv("NOTIFY_SOCKET", "/nonexistent-dir/notify", 1);
  EXPECT_FALSE(notify_service("READY=1", &error));
  EXPECT_NE(error.find("sendto"), std::string::npos) << error;
  ::unsetenv("NOTIFY_SOCKET");
}

TEST(PidFile, WrittenThenRemoved) {
  TempDir dir;
  const std::string path = dir.path() + "/server.pid";
  {
    PidFile pid;
    std::string error;
    ASSERT_TRUE(pid.write(path, &error)) << error;
    EXPECT_EQ(read_all(path), std::to_string(::getpid()) + "\n");
  }
  EXPECT_NE(::access(path.c_str(), F_OK), 0) << "the destructor removes it";
}

TEST(PidFile, ReplacesAStaleFile) {
  TempDir dir;
  const std::string path = dir.path() + "/server.pid";
  std::ofstream(path) << "999999999 and more\n";
  PidFile pid;
  std::string error;
  ASSERT_TRUE(pid.write(path, &error)) << error;
  EXPECT_EQ(read_all(path), std::to_string(::getpid()) + "\n");
}

TEST(PidFile, RefusesToFollowASymlink) {
  TempDir dir;
  const std::string target = dir.path() + "/victim", link = dir.path() + "/server.pid";
  std::ofstream(target) << "keep me\n";
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  PidFile pid;
  std::string error;
  EXPECT_FALSE(pid.write(link, &error));
  EXPECT_NE(error.find("cannot write --pid-file"), std::string::npos) << error;
  EXPECT_EQ(read_all(target), "keep me\n");
}

}  // namespace
}  // namespace sb::server
