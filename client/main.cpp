// switchboard-client: flags, the log, and the choice of front end; the loop is in client/app.
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include "client/app.h"
#include "client/interactive.h"
#include "client/loop_signals.h"
#include "client/options.h"
#include "client/output.h"
#include "client/scripting.h"
#include "common/log/logger.h"

namespace {

int usage_error(const char* program, const std::string& message) {
  sb::client::write_all(STDERR_FILENO, std::string(program) + ": " + message + "\n" +
                                           sb::client::usage_text(program));
  return sb::client::kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace sb::client;
  const char* program = argc > 0 ? argv[0] : "switchboard-client";
  Options options;
  ParseOutcome outcome = parse_options(argc, argv, &options);
  switch (outcome.action) {
    case ParseOutcome::Action::usage_error: return usage_error(program, outcome.error);
    case ParseOutcome::Action::help: write_all(STDOUT_FILENO, usage_text(program)); return kExitOk;
    case ParseOutcome::Action::version: write_all(STDOUT_FILENO, version_text()); return kExitOk;
    case ParseOutcome::Action::run: break;
  }

  std::string token_error;
  if (!resolve_token(&options, &token_error)) return usage_error(program, token_error);

  const bool interactive = !options.listen && isatty(STDIN_FILENO) == 1;
  if (!interactive && options.id.empty())
    return usage_error(program, options.listen ? "--listen needs --id"
                                               : "--id is required when stdin is not a terminal");
  if (interactive && options.raw)
    return usage_error(program, "--raw is for scripting mode (stdin not a terminal, or --listen)");

  std::string error;
  if (!LoopSignals::block(interactive, &error)) {
    write_all(STDERR_FILENO, std::string(program) + ": " + error + "\n");
    return kExitFailure;
  }
  sb::log::Logger logger;
  sb::log::LoggerOptions log_options{options.log_dir, "client.log", options.log_level, 1, false};
  // A client that cannot log is still useful: say so once and carry on (the server, by contrast,
  // treats this as fatal).
  if (!logger.start(log_options, &error))
    write_all(STDERR_FILENO, std::string(program) + ": warning: no client.log: " + error + "\n");

  std::unique_ptr<Frontend> frontend;
  if (interactive) frontend = std::make_unique<InteractiveFrontend>();
  else frontend = std::make_unique<ScriptFrontend>();
  int code;
  {
    App app(options, logger, *frontend);
    code = app.run();
  }
  frontend.reset();  // restores the terminal before the log's final fsync
  logger.stop();
  return code;
}
