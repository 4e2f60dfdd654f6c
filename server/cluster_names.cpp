// Checks of the cluster settings' values.
#include "server/cluster_names.h"

#include <algorithm>
#include <cctype>

namespace sb::server {

bool valid_cluster_urls(std::string_view v) {
  if (v.empty() || v.find_first_of(" \t") != std::string_view::npos) return false;
  for (size_t start = 0; start <= v.size();) {
    size_t comma = std::min(v.find(',', start), v.size());
    std::string_view url = v.substr(start, comma - start);
    if (url.substr(0, 7) == "nats://") url.remove_prefix(7);
    if (url.empty()) return false;
    start = comma + 1;
  }
  return true;
}

bool valid_server_name(std::string_view v) {
  if (v.empty() || v.size() > 64) return false;
  return std::all_of(v.begin(), v.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == ':' || c == '-';
  });
}

std::string subject_token(std::string_view name) {
  std::string t(name);
  for (char& c : t)
    if (c == '.') c = '_';
  return t;
}

}  // namespace sb::server
