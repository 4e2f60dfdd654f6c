// switchboard-server entry point: settings (flags over the --config file), the logger, bind,
// announce (stdout, --pid-file, the service manager), run the loop.
#include <signal.h>

#include <cstdio>
#include <string>

#include "common/log/logger.h"
#include "server/admission.h"
#include "server/options.h"
#include "server/pid_file.h"
#include "server/server.h"
#include "server/service_notify.h"

namespace {

// --check-config: the settings parsed (else we would not be here) and the auth file loads as the
// server would load it. Prints the effective settings, in config-file form, on success.
int check_config(const sb::server::ServerOptions& options) {
  std::string error;
  sb::server::Admission admission(options);
  if (!admission.load(&error)) {
    std::fprintf(stderr, "switchboard-server: %s\n", error.c_str());
    return 2;
  }
  std::printf("# switchboard-server settings: %s%s\n",
              options.config_file.empty() ? "defaults" : options.config_file.c_str(),
              options.command_line.empty() ? "" : ", then the command line");
  std::fputs(sb::server::format_settings(options).c_str(), stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  sb::server::ServerOptions options;
  std::string message;
  switch (sb::server::parse_options(argc, argv, &options, &message)) {
    case sb::server::ParseOutcome::exit_ok:
      std::fputs(message.c_str(), stdout);
      return 0;
    case sb::server::ParseOutcome::exit_usage:
      std::fputs(message.c_str(), stderr);
      return 2;
    case sb::server::ParseOutcome::check_config:
      return check_config(options);
    case sb::server::ParseOutcome::run:
      break;
  }

  // Block the signals we handle before the logger starts its threads, so they inherit the mask
  // and only the loop's signalfd ever sees them.
  sigset_t handled;
  sigemptyset(&handled);
  sigaddset(&handled, SIGINT);
  sigaddset(&handled, SIGTERM);
  sigaddset(&handled, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &handled, nullptr);
  signal(SIGPIPE, SIG_IGN);  // sends use MSG_NOSIGNAL; this also covers anything else

  sb::log::Logger logger;
  sb::log::LoggerOptions log_options;
  log_options.dir = options.log_dir;
  log_options.file_name = "server.log";
  log_options.level = options.log_level;
  log_options.workers = options.log_workers;
  log_options.mirror_stderr = options.log_stderr;
  log_options.single_producer = true;  // only the loop's thread logs
  // 65,536 records (20 MiB, on huge pages): with a record per message at 2-3 M messages/s and
  // the worker sharing the loop's core, the ring must cover the scheduler's time slices (a few
  // ms each) during which the worker does not run; 16,384 covered too few, and dropped ~2%.
  log_options.queue_capacity = 65536;
  std::string error;
  if (!logger.start(log_options, &error)) {
    std::fprintf(stderr, "switchboard-server: cannot open the log in '%s': %s\n", options.log_dir.c_str(),
                 error.c_str());
    return 1;
  }
  if (!options.config_file.empty())
    SB_LOG(logger, info, "config_loaded", {"file", std::string_view(options.config_file)},
           {"flags", uint64_t(options.command_line.size())});

  int rc;
  {
    sb::server::Server server(options, &logger, /*handle_signals=*/true);
    bool in_use = false;
    if (!server.open(&error, &in_use)) {
      std::fprintf(stderr, "switchboard-server: %s\n", error.c_str());
      if (in_use) std::fprintf(stderr, "switchboard-server: choose another --port, or stop the other server\n");
      logger.stop();
      return 1;
    }
    sb::server::PidFile pid_file;
    if (!options.pid_file.empty() && !pid_file.write(options.pid_file, &error)) {
      std::fprintf(stderr, "switchboard-server: %s\n", error.c_str());
      logger.stop();
      return 1;
    }
    std::printf("Server listening on %s\n", server.listen_address().c_str());
    if (!server.metrics_address().empty())
      std::printf("Metrics at http://%s/metrics\n", server.metrics_address().c_str());
    std::fflush(stdout);
    // A service manager that cannot be told is worth a log line, not an exit: the server works.
    if (!sb::server::notify_ready("listening on " + server.listen_address(), &error))
      SB_LOG(logger, warn, "notify_failed", {"error", std::string_view(error)});
    rc = server.run();  // STOPPING=1 is sent when the graceful shutdown begins
  }
  logger.stop();
  return rc;
}
