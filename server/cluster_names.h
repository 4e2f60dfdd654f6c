// The shapes of the cluster settings' values, checked when the settings are read; the members'
// addresses are resolved later, when the server starts (Backbone::configure).
#pragma once

#include <string>
#include <string_view>

namespace sb::server {

// "nats://H:P[,nats://H:P...]" (the scheme may be left out): non-empty items, no blanks.
bool valid_cluster_urls(std::string_view urls);
// A server name becomes one NATS subject token ('.' is written '_' there), a KV value and a log
// field: 1..64 bytes of [A-Za-z0-9_.:-].
bool valid_server_name(std::string_view name);
// A server name as one subject token: '.' written '_'.
std::string subject_token(std::string_view name);

}  // namespace sb::server
