// What an OutputQueue would hand to writev, as text, for tests that check the bytes a reply or a
// routed message queued.
#pragma once

#include <sys/uio.h>

#include <string>
#include <vector>

#include "common/buffer/output_queue.h"

namespace sb::test {

// Everything gather() would hand to writev, concatenated. Uses as many iovecs as there are segments.
inline std::string gathered(const OutputQueue& q) {
  std::vector<iovec> iov(4096);
  const int n = q.gather(iov.data(), static_cast<int>(iov.size()));
  std::string out;
  for (int i = 0; i < n; ++i) out.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
  return out;
}

}  // namespace sb::test
