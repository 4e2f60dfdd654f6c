// End to end: a real Prometheus (Debian's package) scrapes the real server's --metrics endpoint
// every second, both on loopback ports, and its HTTP API then answers for a switchboard series
// with the value the server's traffic set. Skipped when prometheus is not installed.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "tests/support/line_client.h"
#include "tests/support/loopback.h"
#include "tests/support/process.h"
#include "tests/support/server_process.h"

namespace sb::test {
namespace {

// Prometheus with a config and storage under `dir`, killed when the object dies.
class PrometheusProcess {
 public:
  PrometheusProcess(const std::string& dir, const std::string& target, uint16_t port) : dir_(dir) {
    std::ofstream(dir + "/prometheus.yml") << "global:\n"
                                              "  scrape_interval: 1s\n"
                                              "  scrape_timeout: 1s\n"
                                              "scrape_configs:\n"
                                              "  - job_name: switchboard\n"
                                              "    static_configs:\n"
                                              "      - targets: ['"
                                           << target << "']\n";
    Process::Options options;
    options.output_path = dir + "/prometheus.log";
    proc_.start({"/usr/bin/prometheus", "--config.file=" + dir + "/prometheus.yml",
                 "--storage.tsdb.path=" + dir + "/data", "--web.listen-address=127.0.0.1:" + std::to_string(port)},
                options);
    proc_.close_stdin();
  }
  ~PrometheusProcess() {
    proc_.signal(SIGTERM);
    if (!proc_.wait_exit(kDefaultWait)) proc_.kill();
  }
  std::string log() const { return read_file(dir_ + "/prometheus.log"); }

 private:
  std::string dir_;
  Process proc_;
};

TEST(Prometheus, ScrapesTheServerAndAnswersForItsSeries) {
  if (::access("/usr/bin/prometheus", X_OK) != 0 || ::access("/usr/bin/curl", X_OK) != 0)
    GTEST_SKIP() << "prometheus or curl is not installed (scripts/install-deps.sh installs them)";
  ServerProcess server({"--metrics", "127.0.0.1:0"});
  ASSERT_TRUE(server.ok()) << server.error();
  ASSERT_TRUE(server.wait_log_contains("event=metrics_listening addr="));
  const std::string log = server.log();
  const size_t at = log.find("event=metrics_listening addr=") + 29;
  const std::string target = log.substr(at, log.find('\n', at) - at);
  LineClient a(server.port()), b(server.port());
  ASSERT_EQ(a.hello("a"), "WELCOME a 60");
  ASSERT_EQ(b.hello("b"), "WELCOME b 60");
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(a.send_all(LineClient::send_frame("b", "scraped")));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(b.read_frame().ok());

  TempDir dir;
  const uint16_t port = free_port();
  PrometheusProcess prometheus(dir.path(), target, port);
  const std::string query = "http://127.0.0.1:" + std::to_string(port) +
                            "/api/v1/query?query=switchboard_msgs_out_total%7Bjob%3D%22switchboard%22%7D";
  std::string answer;
  // Prometheus starts, scrapes within a second, and the sample becomes queryable.
  const bool found = wait_until(
      [&] {
        ExitResult r = run_to_exit({"/usr/bin/curl", "-sS", "--max-time", "2", query});
        answer = r.out;
        return answer.find("\"__name__\":\"switchboard_msgs_out_total\"") != std::string::npos &&
               answer.find(",\"3\"]") != std::string::npos;
      },
      milliseconds(60000), milliseconds(250));
  EXPECT_TRUE(found) << "last answer: " << answer << "\nprometheus log:\n" << prometheus.log();
  EXPECT_NE(answer.find("\"instance\":\"" + target + "\""), std::string::npos) << answer;
  EXPECT_EQ(server.stop(), 0);
}

}  // namespace
}  // namespace sb::test
