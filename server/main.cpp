// switchboard-server entry point: parse flags, start the logger, bind, announce, run the loop.
#include <signal.h>

#include <cstdio>
#include <string>

#include "common/log/logger.h"
#include "server/options.h"
#include "server/server.h"

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
  std::string error;
  if (!logger.start(log_options, &error)) {
    std::fprintf(stderr, "switchboard-server: cannot open the log in '%s': %s\n", options.log_dir.c_str(),
                 error.c_str());
    return 1;
  }

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
    std::printf("Server listening on %s\n", server.listen_address().c_str());
    std::fflush(stdout);
    rc = server.run();
  }
  logger.stop();
  return rc;
}
