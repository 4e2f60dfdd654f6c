// read_events (a template, so the per-frame callback inlines into the worker's hot loop).
#pragma once

#include <unistd.h>

#include <cerrno>

namespace sb::bench {

template <typename F>
IoStatus read_events(Node& node, Proto proto, char* scratch, size_t cap, int* err, F&& on_event) {
  for (;;) {
    // The unparsed tail of the last read goes first so frames stay contiguous for the parser.
    size_t have = node.in.size();
    if (have > 0) std::memcpy(scratch, node.in.view().data(), have);
    node.in.clear();
    ssize_t n = ::read(node.fd, scratch + have, cap - have);
    if (n < 0) {
      if (errno == EINTR) {
        node.in.append({scratch, have});
        continue;
      }
      node.in.append({scratch, have});
      if (errno == EAGAIN || errno == EWOULDBLOCK) return IoStatus::ok;
      *err = errno;
      return IoStatus::failed;
    }
    if (n == 0) return IoStatus::closed;
    size_t total = have + static_cast<size_t>(n), off = 0;
    for (;;) {
      WireEvent ev = wire_next(proto, node.parser, {scratch + off, total - off});
      off += ev.consumed;
      if (ev.kind == WireEvent::Kind::need_more) {
        if (ev.consumed == 0) break;
        continue;
      }
      on_event(ev);
      if (ev.fatal) {
        *err = 0;
        return IoStatus::failed;
      }
    }
    node.in.append({scratch + off, total - off});
    // A short read means the socket was empty at that moment; with EPOLLET any later data
    // raises a new edge, so stopping here loses nothing and saves the EAGAIN syscall.
    if (static_cast<size_t>(n) < cap - have) return IoStatus::ok;
  }
}

}  // namespace sb::bench
