// Helpers both floor modes share: pinning a process to one core, and reading a process's CPU clock.
#pragma once

#include <sched.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

namespace sb::floor {

// The relay takes core 0 and the driver core 1, as the switchboard server and bench do in
// scripts/bench.sh; on a single-core host both share it.
inline void pin_to(int cpu) {
  if (sysconf(_SC_NPROCESSORS_ONLN) < 2) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  sched_setaffinity(0, sizeof set, &set);
}

// CPU seconds (user + system) `pid` has used so far (0 means this process); -1 when the kernel
// will not say.
inline double cpu_seconds(pid_t pid) {
  clockid_t clock = CLOCK_PROCESS_CPUTIME_ID;
  if (pid != 0 && clock_getcpuclockid(pid, &clock) != 0) return -1;
  timespec ts;
  if (clock_gettime(clock, &ts) != 0) return -1;
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace sb::floor
