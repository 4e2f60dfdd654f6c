// HTTP request heads and responses for the metrics endpoint.
#include "server/metrics_http.h"

namespace sb::server {

HttpRequestHead parse_request_head(std::string_view received) {
  HttpRequestHead head;
  // The head ends at the first empty line; bare "\n" line ends are accepted as RFC 9112 allows.
  size_t end = received.find("\r\n\r\n");
  if (end == std::string_view::npos) end = received.find("\n\n");
  if (end == std::string_view::npos) return head;
  size_t eol = received.find('\n');
  std::string_view line = received.substr(0, eol);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || sp1 == 0 || sp2 == sp1 + 1 || line.find(' ', sp2 + 1) != std::string_view::npos ||
      line.substr(sp2 + 1, 7) != "HTTP/1." || line.size() != sp2 + 9) {
    head.status = HttpRequestHead::Status::malformed;
    return head;
  }
  head.method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  head.path = target.substr(0, target.find('?'));
  head.status = HttpRequestHead::Status::complete;
  return head;
}

HttpAnswer route_request(const HttpRequestHead& head) {
  if (head.status != HttpRequestHead::Status::complete) return {400, true};
  const bool get = head.method == "GET", only_head = head.method == "HEAD";
  if (head.path != "/metrics") return {404, !only_head};
  if (!get && !only_head) return {405, true};
  return {200, get};
}

namespace {

std::string_view reason_of(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 431: return "Request Header Fields Too Large";
    default: return "Error";
  }
}

}  // namespace

std::string http_response(int status, std::string_view content_type, std::string_view body, bool body_wanted) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason_of(status)) + "\r\n";
  out += "Content-Type: " + std::string(content_type) + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  if (status == 405) out += "Allow: GET, HEAD\r\n";
  out += "Connection: close\r\n\r\n";
  if (body_wanted) out.append(body);
  return out;
}

}  // namespace sb::server
