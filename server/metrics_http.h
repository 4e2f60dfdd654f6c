// The little HTTP/1.1 that GET /metrics needs, as pure functions: find and read a request head,
// decide the answer, and write a complete response (status line, headers, body). One request per
// connection ("Connection: close"), which every scraper supports.
#pragma once

#include <string>
#include <string_view>

namespace sb::server {

struct HttpRequestHead {
  enum class Status { incomplete, complete, malformed };
  Status status = Status::incomplete;
  std::string_view method;
  std::string_view path;  // the request target without its query string
};

// Looks for a complete head (request line and headers, ending in an empty line) at the start of
// `received`. Headers are not needed and not parsed.
HttpRequestHead parse_request_head(std::string_view received);

struct HttpAnswer {
  int status;               // 200, 400, 404, 405, 431
  bool body_wanted;         // false for HEAD
};
// GET or HEAD of /metrics is served; another path is 404, another method 405.
HttpAnswer route_request(const HttpRequestHead& head);

// "HTTP/1.1 <status> <reason>" with Content-Type, Content-Length, Connection: close (and Allow
// for 405); the body follows unless `body_wanted` is false (HEAD). Error bodies are one text line.
std::string http_response(int status, std::string_view content_type, std::string_view body, bool body_wanted);

}  // namespace sb::server
