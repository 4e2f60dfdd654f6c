// The reload plan (SIGHUP): the settings built again as a start would build them, which of the
// changed ones apply live and which wait for a restart, and the merge of the live ones.
#include "server/options.h"
#include "server/setting_table.h"

namespace sb::server {

bool reread_options(const ServerOptions& running, ServerOptions* next, std::string* error) {
  ServerOptions fresh;
  if (!running.config_file.empty() && !load_config_file(running.config_file, &fresh, error)) return false;
  for (const auto& [name, value] : running.command_line) {
    const Setting* s = find_setting(name);
    if (s == nullptr || !s->apply(value, &fresh)) {  // cannot happen: they were checked at start
      *error = "command-line setting --" + name + " no longer applies";
      return false;
    }
  }
  fresh.config_file = running.config_file;
  fresh.command_line = running.command_line;
  if (!validate_settings(fresh, error)) return false;
  *next = std::move(fresh);
  return true;
}

ReloadPlan diff_reloadable(const ServerOptions& running, const ServerOptions& next) {
  ReloadPlan plan;
  for (const Setting& s : setting_table()) {
    if (s.show(running) == s.show(next)) continue;
    (s.live ? plan.live : plan.restart).emplace_back(s.name);
  }
  return plan;
}

std::string ReloadPlan::names(const std::vector<std::string>& list) {
  std::string out;
  for (const std::string& name : list) out += (out.empty() ? "" : ",") + name;
  return out;
}

ServerOptions apply_reloadable(const ServerOptions& running, const ServerOptions& next) {
  ServerOptions merged = running;
  for (const Setting& s : setting_table())
    if (s.live) s.copy(next, &merged);
  return merged;
}

}  // namespace sb::server
