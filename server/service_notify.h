// Tells the service manager how the server is doing, the sd_notify(3) protocol spoken directly: one
// datagram of "KEY=value" lines to the unix socket named by $NOTIFY_SOCKET (a path, or '@' for the
// abstract namespace). Without that variable (not started by systemd with Type=notify) every call
// does nothing, so the server needs no libsystemd and runs the same anywhere.
#pragma once

#include <string>
#include <string_view>

namespace sb::server {

// Sends `state`. True when sent, or when no service manager asked to be told; false with *error
// when $NOTIFY_SOCKET is set but unusable. Never blocks (MSG_DONTWAIT): safe from the loop.
bool notify_service(std::string_view state, std::string* error = nullptr);

// The states the server reports, spelled once (error as for notify_service):
// listening and serving ("READY=1", with a STATUS= line for `systemctl status`)
bool notify_ready(std::string_view status, std::string* error = nullptr);
// a SIGHUP reload has begun; send notify_ready() again when it is done. MONOTONIC_USEC is what
// systemd 253+ asks of Type=notify-reload services; older ones ignore it.
bool notify_reloading(std::string* error = nullptr);
// a graceful shutdown has begun
bool notify_stopping(std::string* error = nullptr);

}  // namespace sb::server
