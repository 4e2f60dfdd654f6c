// The --metrics endpoint through the real server and real peers: curl scrapes it, promtool checks
// the exposition format, the counters follow the traffic, anything but GET/HEAD /metrics gets
// 404/405/400, an oversized request 431, and scrapers that are silent, too many or too big cost
// the routing nothing. A real Prometheus scraping it end to end is in test_server_prometheus.cpp.
#include <gtest/gtest.h>

#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/support/line_client.h"
#include "tests/support/server_process.h"

namespace sb::test {
namespace {

bool installed(const char* path) { return ::access(path, X_OK) == 0; }

// The endpoint's "ADDR:PORT", from the server's log.
std::string metrics_address(const ServerProcess& server) {
  static constexpr std::string_view kKey = "event=metrics_listening addr=";
  if (!server.wait_log_contains(kKey)) return "";
  const std::string log = server.log();
  const size_t at = log.find(kKey) + kKey.size();
  return log.substr(at, log.find('\n', at) - at);
}

// curl's output (-i: with the status line and headers), or "" if curl failed.
std::string curl(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"/usr/bin/curl", "-sS", "--max-time", "10"};
  argv.insert(argv.end(), args.begin(), args.end());
  ExitResult r = run_to_exit(argv);
  return r.exit_code == 0 ? r.out : "";
}

// The value of the sample line "name value" in an exposition, or -1.
double sample(const std::string& text, const std::string& name) {
  const size_t at = text.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stod(text.substr(at + name.size() + 2));
}

class MetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!installed("/usr/bin/curl")) GTEST_SKIP() << "curl is not installed (scripts/install-deps.sh installs it)";
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{"--metrics", "127.0.0.1:0"});
    ASSERT_TRUE(server_->ok()) << server_->error();
    addr_ = metrics_address(*server_);
    ASSERT_FALSE(addr_.empty()) << server_->log();
  }
  std::string url(const std::string& path = "/metrics") const { return "http://" + addr_ + path; }

  std::unique_ptr<ServerProcess> server_;
  std::string addr_;
};

TEST_F(MetricsTest, CountersFollowTheTrafficAndPromtoolAcceptsTheFormat) {
  LineClient a(server_->port()), b(server_->port());
  ASSERT_EQ(a.hello("a"), "WELCOME a 60");
  ASSERT_EQ(b.hello("b"), "WELCOME b 60");
  ASSERT_TRUE(a.send_all(LineClient::send_frame("b", "hello")));
  ASSERT_TRUE(b.read_frame().ok());
  EXPECT_EQ(a.request("MSG nobody x"), "ERR no-such-node nobody");

  const std::string response = curl({"-i", url()});
  ASSERT_EQ(response.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << response;
  EXPECT_NE(response.find("\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"), std::string::npos);
  const std::string body = curl({url()});
  EXPECT_EQ(sample(body, "switchboard_msgs_in_total"), 2);
  EXPECT_EQ(sample(body, "switchboard_rejected_total"), 1);
  EXPECT_EQ(sample(body, "switchboard_copies_total"), 1);
  EXPECT_EQ(sample(body, "switchboard_nodes"), 2);
  EXPECT_EQ(sample(body, "switchboard_accepted_total"), 2);  // the scrapers are not client connections
  EXPECT_NE(body.find("# TYPE switchboard_msgs_in_total counter\n"), std::string::npos) << body;
  EXPECT_NE(body.find("# HELP switchboard_msgs_in_total "), std::string::npos) << body;
  EXPECT_GT(sample(body, "process_resident_memory_bytes"), 0);
  EXPECT_GT(sample(body, "process_open_fds"), 0);
  EXPECT_GT(sample(body, "process_max_fds"), 0);
  EXPECT_GT(sample(body, "process_start_time_seconds"), 1.6e9);
  EXPECT_GE(sample(body, "process_cpu_seconds_total"), 0);
  EXPECT_GT(sample(body, "switchboard_loop_iteration_seconds_count"), 0);
  EXPECT_NE(body.find("switchboard_loop_iteration_seconds_bucket{le=\"+Inf\"} "), std::string::npos);

  // Every STATS key has its metric.
  for (const auto& [key, value] : stats_of(a)) {
    const std::string gauge = "switchboard_" + (key == "uptime_s" ? std::string("uptime_seconds") : key);
    EXPECT_TRUE(sample(body, gauge) >= 0 || sample(body, gauge + "_total") >= 0) << key;
  }

  if (!installed("/usr/bin/promtool")) GTEST_SKIP() << "promtool is not installed (package prometheus)";
  TempDir dir;
  const std::string file = dir.path() + "/metrics.txt";
  FILE* f = std::fopen(file.c_str(), "w");
  std::fwrite(body.data(), 1, body.size(), f);
  std::fclose(f);
  ExitResult check = run_to_exit({"/bin/sh", "-c", "/usr/bin/promtool check metrics < " + file});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_EQ(check.out + check.err, "") << "promtool found problems";
  EXPECT_EQ(server_->stop(), 0);
}

TEST_F(MetricsTest, AnythingButGetOrHeadOfMetricsIsRefused) {
  EXPECT_EQ(curl({"-i", url("/")}).rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u);
  EXPECT_EQ(curl({"-i", url("/metrics/extra")}).rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u);
  const std::string post = curl({"-i", "-X", "POST", "--data", "x", url()});
  EXPECT_EQ(post.rfind("HTTP/1.1 405 Method Not Allowed\r\n", 0), 0u) << post;
  EXPECT_NE(post.find("\r\nAllow: GET, HEAD\r\n"), std::string::npos) << post;
  const std::string head = curl({"-I", url()});
  EXPECT_EQ(head.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << head;
  // Not HTTP at all.
  LineClient raw(static_cast<uint16_t>(std::stoi(addr_.substr(addr_.rfind(':') + 1))));
  ASSERT_TRUE(raw.send_all("HELLO a\n\n"));
  EXPECT_EQ(raw.read_line(), "HTTP/1.1 400 Bad Request\r");
  EXPECT_TRUE(raw.read_until_eof());
  EXPECT_EQ(server_->stop(), 0);
}

TEST_F(MetricsTest, BadScrapersCannotHurtRouting) {
  const auto port = static_cast<uint16_t>(std::stoi(addr_.substr(addr_.rfind(':') + 1)));
  // An oversized request head: 431, then closed.
  LineClient big(port);
  ASSERT_TRUE(big.send_all("GET /metrics HTTP/1.1\r\nX-Padding: " + std::string(9000, 'x')));
  EXPECT_EQ(big.read_line(), "HTTP/1.1 431 Request Header Fields Too Large\r");
  EXPECT_TRUE(big.read_until_eof());
  // Eight silent connections fill the endpoint's table; a ninth is closed at once.
  std::vector<std::unique_ptr<LineClient>> silent;
  for (int i = 0; i < 8; ++i) silent.push_back(std::make_unique<LineClient>(port));
  LineClient ninth(port);
  EXPECT_TRUE(ninth.read_until_eof());
  EXPECT_TRUE(server_->wait_log_contains("event=metrics_refused reason=too-many-connections")) << server_->log();
  // Meanwhile, routing is untouched.
  LineClient a(server_->port()), b(server_->port());
  ASSERT_EQ(a.hello("a"), "WELCOME a 60");
  ASSERT_EQ(b.hello("b"), "WELCOME b 60");
  ASSERT_TRUE(a.send_all(LineClient::send_frame("b", "routed while scrapers stall")));
  FromFrame f = b.read_frame();
  ASSERT_TRUE(f.ok()) << f;
  EXPECT_EQ(f.payload, "routed while scrapers stall");
  // The silent ones are closed at their deadline, and scraping works again.
  for (auto& c : silent) EXPECT_TRUE(c->read_until_eof());
  EXPECT_EQ(curl({"-i", url()}).rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
  EXPECT_EQ(server_->stop(), 0);
}

TEST(Metrics, OffByDefaultAndABadAddressIsAUsageError) {
  ServerProcess server;
  ASSERT_TRUE(server.ok()) << server.error();
  LineClient a(server.port());
  ASSERT_EQ(a.hello("a"), "WELCOME a 60");
  EXPECT_EQ(server.stop(), 0);
  EXPECT_EQ(server.log().find("metrics_listening"), std::string::npos);
  for (const char* bad : {"example.com:9464", "::1:9464", "127.0.0.1:", "127.0.0.1:99999", "x"}) {
    ExitResult r = run_server_to_exit({"--port", "0", "--metrics", bad});
    EXPECT_EQ(r.exit_code, 2) << bad << r.err;
    EXPECT_NE(r.err.find("invalid value '" + std::string(bad) + "' for --metrics"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace sb::test
