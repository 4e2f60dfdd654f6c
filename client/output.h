// Writing whole buffers to stdout/stderr/the terminal: retries EINTR and short writes, and waits
// out EAGAIN should a parent have left the descriptor non-blocking.
#pragma once

#include <string_view>

namespace sb::client {

// False if the descriptor is gone (EPIPE, EIO...); errno tells why.
bool write_all(int fd, std::string_view bytes);

}  // namespace sb::client
