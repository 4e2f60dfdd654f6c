// MetricsReport: the server's counters, the process's figures and the loop histogram as text.
#include "server/metrics_report.h"

#include "server/metrics_text.h"
#include "server/process_metrics.h"

namespace sb::server {

namespace {

// From a microsecond (an idle iteration) to a second (something is badly wrong).
constexpr double kIterationBounds[] = {1e-6,   2.5e-6, 5e-6,   1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3,
                                       2.5e-3, 5e-3,   1e-2,   2.5e-2, 5e-2, 0.1,  0.25, 0.5,    1.0};

}  // namespace

std::string MetricsReport::render() const {
  ExpositionWriter w;
  for (const StatField& f : stat_fields(stats_, readings_())) {
    if (f.counter) {
      w.counter(f.metric, f.help, f.value);
    } else {
      w.gauge(f.metric, f.help, double(f.value));
    }
  }
  w.histogram_seconds("switchboard_loop_iteration_seconds",
                      "Time one event-loop iteration spent working (dispatch, pending input, flush, reap).",
                      iterations_, kIterationBounds, std::size(kIterationBounds));
  const ProcessMetrics p = read_process_metrics();
  w.counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", p.cpu_seconds);
  w.gauge("process_resident_memory_bytes", "Resident memory size in bytes.", double(p.resident_bytes));
  w.gauge("process_open_fds", "Number of open file descriptors.", double(p.open_fds));
  w.gauge("process_max_fds", "Maximum number of open file descriptors.", double(p.max_fds));
  w.gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", p.start_time_s);
  return w.text();
}

}  // namespace sb::server
