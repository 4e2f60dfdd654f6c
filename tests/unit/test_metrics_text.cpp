// The Prometheus exposition writer, the metrics endpoint's HTTP helpers and the counters table:
// pure functions checked line by line against the text format 0.0.4 and HTTP/1.1.
#include <gtest/gtest.h>

#include <string>

#include "common/stats/latency_histogram.h"
#include "server/metrics_http.h"
#include "server/metrics_text.h"
#include "server/stats_table.h"

namespace sb::server {
namespace {

TEST(MetricsText, CountersAndGaugesHaveHelpAndType) {
  ExpositionWriter w;
  w.counter("x_total", "Things.\nMore \\ things.", uint64_t{18446744073709551615u});
  w.gauge("y", "A level.", 2.5);
  EXPECT_EQ(w.text(),
            "# HELP x_total Things.\\nMore \\\\ things.\n"
            "# TYPE x_total counter\n"
            "x_total 18446744073709551615\n"
            "# HELP y A level.\n"
            "# TYPE y gauge\n"
            "y 2.5\n");
}

TEST(MetricsText, ValuesAreFormattedAsTheFormatReadsThem) {
  EXPECT_EQ(format_value(0), "0");
  EXPECT_EQ(format_value(12345), "12345");
  EXPECT_EQ(format_value(0.25), "0.25");
  EXPECT_EQ(format_value(1e-6), "1e-06");
  EXPECT_EQ(format_value(1.0 / 0.0), "+Inf");
  EXPECT_EQ(format_value(-1.0 / 0.0), "-Inf");
  EXPECT_EQ(format_value(0.0 / 0.0), "NaN");
}

TEST(MetricsText, HistogramBucketsAreCumulativeInSeconds) {
  stats::LatencyHistogram h;
  h.record(500);        // 0.5 us
  h.record(2'000);      // 2 us
  h.record(2'000);
  h.record(3'000'000);  // 3 ms
  const double bounds[] = {1e-6, 1e-3};
  ExpositionWriter w;
  w.histogram_seconds("loop_seconds", "Loop.", h, bounds, 2);
  EXPECT_EQ(w.text(),
            "# HELP loop_seconds Loop.\n"
            "# TYPE loop_seconds histogram\n"
            "loop_seconds_bucket{le=\"1e-06\"} 1\n"
            "loop_seconds_bucket{le=\"0.001\"} 3\n"
            "loop_seconds_bucket{le=\"+Inf\"} 4\n"
            "loop_seconds_sum 0.0030045\n"
            "loop_seconds_count 4\n");
}

TEST(MetricsText, EveryStatsFieldIsNamedAndCountersEndInTotal) {
  ServerStats s;
  s.copies = 5;
  s.msgs_out = 3;
  s.dropped = 1;
  size_t seen = 0;
  s.msgs_in = 10;
  s.rejected = 2;
  s.msgs_group = 3;
  s.msgs_pattern = 1;
  for (const StatField& f : stat_fields(s, {1, 2, 3, 4, 5, 6})) {
    ++seen;
    EXPECT_FALSE(f.key.empty());
    EXPECT_FALSE(f.help.empty()) << f.key;
    EXPECT_EQ(f.metric.rfind("switchboard_", 0), 0u) << f.key;
    const bool total = f.metric.size() > 6 && f.metric.substr(f.metric.size() - 6) == "_total";
    EXPECT_EQ(total, f.counter) << f.metric;
    if (f.key == "queued") {
      EXPECT_EQ(f.value, 1u);
    }
    if (f.key == "uptime_s") {
      EXPECT_EQ(f.value, 4u);
    }
    if (f.key == "memberships") {
      EXPECT_EQ(f.value, 6u);
    }
    if (f.key == "msgs_direct") {  // the accepted rest: 10 - 2 refused - 3 group - 1 pattern
      EXPECT_EQ(f.value, 4u);
    }
  }
  EXPECT_EQ(seen, kStatFieldCount);
}

TEST(MetricsHttp, RequestHeads) {
  using S = HttpRequestHead::Status;
  EXPECT_EQ(parse_request_head("GET /metrics HTTP/1.1\r\nHost: x\r\n").status, S::incomplete);
  HttpRequestHead h = parse_request_head("GET /metrics?x=1 HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(h.status, S::complete);
  EXPECT_EQ(h.method, "GET");
  EXPECT_EQ(h.path, "/metrics");
  EXPECT_EQ(parse_request_head("GET /metrics HTTP/1.0\n\n").status, S::complete);
  for (const char* bad : {"GET\r\n\r\n", "GET /metrics\r\n\r\n", "GET  /metrics HTTP/1.1\r\n\r\n",
                          "GET /metrics HTTP/2.0\r\n\r\n", "GET /metrics HTTP/1.1 x\r\n\r\n", " / HTTP/1.1\r\n\r\n"})
    EXPECT_EQ(parse_request_head(bad).status, S::malformed) << bad;
}

TEST(MetricsHttp, OnlyGetAndHeadOfMetricsAreServed) {
  auto answer = [](const char* request) { return route_request(parse_request_head(request)); };
  EXPECT_EQ(answer("GET /metrics HTTP/1.1\r\n\r\n").status, 200);
  EXPECT_TRUE(answer("GET /metrics HTTP/1.1\r\n\r\n").body_wanted);
  EXPECT_EQ(answer("HEAD /metrics HTTP/1.1\r\n\r\n").status, 200);
  EXPECT_FALSE(answer("HEAD /metrics HTTP/1.1\r\n\r\n").body_wanted);
  EXPECT_EQ(answer("POST /metrics HTTP/1.1\r\n\r\n").status, 405);
  EXPECT_EQ(answer("GET / HTTP/1.1\r\n\r\n").status, 404);
  EXPECT_EQ(answer("GET /metricsx HTTP/1.1\r\n\r\n").status, 404);
  EXPECT_EQ(answer("junk\r\n\r\n").status, 400);
}

TEST(MetricsHttp, Responses) {
  EXPECT_EQ(http_response(200, "text/plain", "abc", true),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc");
  EXPECT_EQ(http_response(200, "text/plain", "abc", false),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\n");
  EXPECT_NE(http_response(405, "text/plain", "x", true).find("\r\nAllow: GET, HEAD\r\n"), std::string::npos);
}

}  // namespace
}  // namespace sb::server
