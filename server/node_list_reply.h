// Writes a "NODES <count> <id> ..." reply into a connection's output queue without taking the
// queue past its bound: a reply counts against --max-outbuf like any output, so on a big server
// the list stops at the first id that would not fit. <count> always says how many nodes match,
// so a client sees that the list was cut (fewer ids than <count>) and can narrow it with a
// pattern. WHO and its variants share it.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/buffer/output_queue.h"

namespace sb::server {

class NodeListReply {
 public:
  // `room`: bytes the queue may still take under its bound (the header is written regardless).
  NodeListReply(OutputQueue& out, size_t room, uint64_t count) : out_(out), room_(room) {
    char buf[24];
    const auto len = static_cast<size_t>(std::to_chars(buf, buf + sizeof buf, count).ptr - buf);
    out_.append({"NODES ", std::string_view(buf, len)});
    used_ = 6 + len + 1;  // the header and the final newline
  }

  // Lists `id`; false (and nothing written) once it would not fit: the list is complete as cut.
  bool add(std::string_view id) {
    if (full_ || used_ + 1 + id.size() > room_) {
      full_ = true;
      return false;
    }
    out_.append({" ", id});
    used_ += 1 + id.size();
    ++listed_;
    return true;
  }
  void finish() { out_.append({"\n"}); }
  uint64_t listed() const { return listed_; }

 private:
  OutputQueue& out_;
  size_t room_;
  size_t used_ = 0;
  uint64_t listed_ = 0;
  bool full_ = false;
};

}  // namespace sb::server
