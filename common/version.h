// The version all three binaries print for --version, so they always agree: one number, the
// protocol, and the git revision the build came from (when built from a checkout).
#pragma once

#include <string>
#include <string_view>

namespace sb {

inline constexpr std::string_view kVersion = "1.0.0";
inline constexpr std::string_view kProtocolName = "protocol v1";

// "git describe" of the build's checkout ("a8285af", "a8285af-dirty"); empty outside one.
std::string_view git_revision();
// "switchboard-server 1.0.0 (protocol v1, git a8285af)\n"; "(protocol v1)" outside a checkout.
std::string version_line(std::string_view program);

}  // namespace sb
