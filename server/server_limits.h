// Fixed tuning constants of the loop, each with the reason for its value.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sb::server {

// Timer resolution for idle/handshake/slow-consumer deadlines: coarse enough that the timerfd
// costs ~10 wakeups a second, fine enough that a 1 s timeout fires within 10%.
inline constexpr long kTickMs = 100;
// The first epoll_wait batch; it grows while waits fill it (EventLoop::wait).
inline constexpr size_t kInitialEvents = 1024;
// Descriptors of the loop's own beyond the connections: listener, timer, signals, wake, and
// room for the rooms that come (metrics, backbone).
inline constexpr size_t kLoopDescriptors = 16;
// Shared read buffer; also the per-wakeup read budget of one connection, so one flooding client
// gets at most this much parsed before every other ready connection had its turn.
inline constexpr size_t kScratchSize = 64 * 1024;
inline constexpr size_t kReadBudget = 64 * 1024;
// Accepts per wakeup before serving the connections already established.
inline constexpr int kAcceptBatch = 128;
inline constexpr int kListenBacklog = 4096;
// writev pieces per call (IOV_MAX is 1024; 128 x 16 KiB blocks is 2 MiB, more than a socket takes).
inline constexpr int kMaxIov = 128;
// A draining connection (QUIT, eviction, shutdown) whose output makes no progress this long is
// closed anyway: a peer that stopped reading must not pin the slot.
inline constexpr uint64_t kDrainStallTicks = 20;
// After the last reply is flushed, input is read and discarded for at most this long before the
// close (nginx's lingering close): closing a socket with unread input makes the kernel send an RST,
// which can destroy that last reply (ERR line-too-long, BYE) before the peer reads it.
inline constexpr uint64_t kLingerTicks = 10;
// Periodic stats line in the log.
inline constexpr uint64_t kSummaryTicks = 600;
// A target whose queue fell to this fraction of --max-outbuf resumes the senders it blocked.
inline constexpr size_t kLowWaterDivisor = 2;

}  // namespace sb::server
