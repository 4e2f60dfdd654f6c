// What ships around the binaries, checked against the binaries themselves: --version agreeing
// between the three, every --help flag in its man page (and the pages rendering without groff
// warnings), the flags table of docs/SERVER.md against --help and the option table, the example
// config holding every setting at its default, and `make install` / `make uninstall` into a
// DESTDIR, with the installed systemd unit passing `systemd-analyze verify` and its offline
// security review.
#include <gtest/gtest.h>

#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <map>
// GCC 12 with -fsanitize=address -O2 reports a false -Wmaybe-uninitialized inside libstdc++'s regex
// compiler (std::function in _NFA::_M_insert_lookahead); the warning is about the library's code.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>
#pragma GCC diagnostic pop
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "server/options.h"
#include "tests/support/server_process.h"
#include "tests/support/source_tree.h"

namespace sb::test {
namespace {

const char* const kPrograms[] = {"switchboard-server", "switchboard-client", "switchboard-bench"};

std::string absolute(const std::string& path) {
  char buf[PATH_MAX];
  return ::realpath(path.c_str(), buf) != nullptr ? buf : path;
}

// Every "--flag" word in a text.
std::set<std::string> flags_in(const std::string& text) {
  std::set<std::string> out;
  static const std::regex flag(R"(--[a-z][a-z0-9-]*)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), flag); it != std::sregex_iterator(); ++it)
    out.insert(it->str());
  return out;
}

std::string help_of(const std::string& program) {
  ExitResult r = run_to_exit({binary(program), "--help"});
  EXPECT_EQ(r.exit_code, 0) << program << r.err;
  return r.out;
}

// The files under `root` (relative paths), sorted.
std::vector<std::string> files_under(const std::string& root) {
  static std::vector<std::string>* sink;
  static size_t prefix;
  std::vector<std::string> out;
  sink = &out;
  prefix = root.size() + 1;
  nftw(
      root.c_str(),
      [](const char* p, const struct stat*, int type, FTW*) {
        if (type == FTW_F || type == FTW_SL) sink->push_back(std::string(p).substr(prefix));
        return 0;
      },
      16, FTW_PHYS);
  std::sort(out.begin(), out.end());
  return out;
}

// Every path under `root` (relative) whose name mentions switchboard.
std::vector<std::string> ours_under(const std::string& root) {
  static std::vector<std::string>* sink;
  static size_t prefix;
  std::vector<std::string> out;
  sink = &out;
  prefix = root.size();
  nftw(
      root.c_str(),
      [](const char* p, const struct stat*, int, FTW*) {
        std::string rel = std::string(p).substr(prefix);
        if (rel.find("switchboard") != std::string::npos) sink->push_back(rel);
        return 0;
      },
      16, FTW_PHYS);
  return out;
}

std::string which(const std::string& program) {
  for (const char* dir : {"/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin"}) {
    const std::string p = std::string(dir) + "/" + program;
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return "";
}

// =================================================================================================
// Versions and man pages
// =================================================================================================

TEST(Packaging, VersionsAgreeBetweenTheBinaries) {
  std::set<std::string> versions;
  for (const char* program : kPrograms) {
    ExitResult r = run_to_exit({binary(program), "--version"});
    ASSERT_EQ(r.exit_code, 0) << program << r.err;
    ASSERT_EQ(r.out.rfind(std::string(program) + " 1.", 0), 0u) << r.out;
    EXPECT_NE(r.out.find("(protocol v1"), std::string::npos) << r.out;
    versions.insert(r.out.substr(std::string(program).size()));  // " 1.0.0 (protocol v1, git ...)\n"
  }
  EXPECT_EQ(versions.size(), 1u) << testing::PrintToString(versions);
}

TEST(Packaging, EveryHelpFlagIsInTheManPage) {
  for (const char* program : kPrograms) {
    const std::string page = read_file(source_file(std::string("docs/man/") + program + ".1"));
    ASSERT_FALSE(page.empty()) << program;
    // In roff a literal '-' is written "\-".
    std::set<std::string> documented;
    for (const std::string& flag : flags_in(std::regex_replace(page, std::regex(R"(\\-)"), "-")))
      documented.insert(flag);
    for (const std::string& flag : flags_in(help_of(program)))
      EXPECT_TRUE(documented.count(flag)) << flag << " is in " << program << " --help but not in its man page";
  }
}

TEST(Packaging, ManPagesRenderWithoutWarnings) {
  const std::string groff = which("groff"), man = which("man");
  if (groff.empty() || man.empty()) GTEST_SKIP() << "groff/man not installed (scripts/install-deps.sh installs them)";
  ::setenv("MANWIDTH", "80", 1);
  for (const char* program : kPrograms) {
    const std::string page = source_file(std::string("docs/man/") + program + ".1");
    ExitResult r = run_to_exit({groff, "-man", "-ww", "-z", page});
    EXPECT_EQ(r.exit_code, 0) << page;
    EXPECT_EQ(r.err, "") << page;
    r = run_to_exit({man, "-l", "--warnings", page});
    EXPECT_EQ(r.exit_code, 0) << page;
    EXPECT_EQ(r.err, "") << page;
    EXPECT_NE(r.out.find("SYNOPSIS"), std::string::npos) << r.out;
  }
  ::unsetenv("MANWIDTH");
}

// =================================================================================================
// docs/SERVER.md's flags table
// =================================================================================================

struct Row {
  std::string flag, arg, default_text, range, bounds, reload;
};

std::vector<std::string> split_row(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  for (size_t i = 1; i < line.size(); ++i) {
    if (line[i] == '|') {
      size_t b = cell.find_first_not_of(' '), e = cell.find_last_not_of(' ');
      cells.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
      cell.clear();
    } else {
      cell += line[i];
    }
  }
  return cells;
}

std::map<std::string, Row> flags_table() {
  std::istringstream in(read_file(source_file("docs/SERVER.md")));
  std::map<std::string, Row> rows;
  bool in_section = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("## ", 0) == 0) in_section = line == "## Flags";
    if (!in_section || line.rfind("| `--", 0) != 0) continue;
    std::vector<std::string> c = split_row(line);
    if (c.size() != 5) {
      ADD_FAILURE() << "row without 5 cells: " << line;
      continue;
    }
    Row r;
    std::string spec = c[0].substr(1, c[0].size() - 2);  // strip the backquotes
    size_t space = spec.find(' ');
    r.flag = spec.substr(0, space);
    r.arg = space == std::string::npos ? "" : spec.substr(space + 1);
    r.default_text = c[1];
    r.range = c[2];
    r.bounds = c[3];
    r.reload = c[4];
    rows[r.flag] = r;
  }
  return rows;
}

TEST(Packaging, ServerFlagsTableMatchesHelp) {
  const std::map<std::string, Row> table = flags_table();
  ASSERT_FALSE(table.empty()) << "no '## Flags' table in docs/SERVER.md";
  const std::string help = help_of("switchboard-server");
  std::set<std::string> in_table;
  for (const auto& [flag, row] : table) in_table.insert(flag);
  EXPECT_EQ(in_table, flags_in(help)) << "the table and --help list different flags";

  for (const server::SettingInfo& s : server::settings()) {
    const std::string flag = "--" + std::string(s.name);
    auto it = table.find(flag);
    if (it == table.end()) continue;  // reported above
    const Row& row = it->second;
    EXPECT_EQ(row.arg, std::string(s.arg)) << flag;
    EXPECT_EQ(row.range, std::string(s.range)) << flag;
    EXPECT_EQ(row.reload, s.live ? "live" : "restart") << flag;
    EXPECT_FALSE(row.bounds.empty()) << flag;
    // The default: what --help says after the flag, else "none" (paths) or "off" (switches).
    // The space after the flag keeps --cluster from matching --cluster-heartbeat's line.
    std::regex line_re("\n  " + flag + R"( [^\n]*\(default ([^)]*)\))");
    std::smatch m;
    if (std::regex_search(help, m, line_re)) EXPECT_EQ(row.default_text, m[1].str()) << flag;
    else EXPECT_EQ(row.default_text, s.arg.empty() ? "off" : "none") << flag;
  }
}

// =================================================================================================
// The example config
// =================================================================================================

TEST(Packaging, ExampleConfigHasEverySettingAtItsDefault) {
  const std::string text = read_file(source_file("scripts/switchboard.conf"));
  ASSERT_FALSE(text.empty());
  // Shipped as-is, every line is a comment: the server runs on its defaults.
  server::ServerOptions shipped;
  std::string error;
  ASSERT_TRUE(server::parse_config(text, "switchboard.conf", &shipped, &error)) << error;
  EXPECT_EQ(server::format_settings(shipped), server::format_settings(server::ServerOptions{}));

  // Uncommented, each "#name value" line must be a known setting, once, at its default (paths
  // that have no default show an example instead).
  std::string uncommented;
  std::set<std::string> names;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    for (const server::SettingInfo& s : server::settings()) {
      if (line.rfind("#" + std::string(s.name) + " ", 0) == 0) {
        EXPECT_TRUE(names.insert(std::string(s.name)).second) << "twice: " << s.name;
        uncommented += line.substr(1) + "\n";
      }
    }
  }
  for (const server::SettingInfo& s : server::settings()) EXPECT_TRUE(names.count(std::string(s.name))) << s.name;
  server::ServerOptions all;
  ASSERT_TRUE(server::parse_config(uncommented, "uncommented", &all, &error)) << error;
  all.auth_file.clear();
  all.pid_file.clear();
  all.cluster.clear();
  all.server_name.clear();
  all.metrics.clear();
  EXPECT_EQ(server::format_settings(all), server::format_settings(server::ServerOptions{}));

  // And the real binary agrees.
  ExitResult r = run_to_exit({binary("switchboard-server"), "--check-config", "--config",
                              source_file("scripts/switchboard.conf")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// =================================================================================================
// make install / make uninstall
// =================================================================================================

ExitResult make(const std::string& target, const std::string& destdir, const std::string& prefix) {
  return run_to_exit({"make", "--no-print-directory", "-C", source_root(), target, "DESTDIR=" + destdir,
                      "PREFIX=" + prefix, "BIN_DIR=" + absolute(bin_dir())},
                     milliseconds(120000));
}

TEST(Packaging, InstallPutsEverythingInPlaceAndUninstallRemovesIt) {
  TempDir dest;
  ExitResult r = make("install", dest.path(), "/usr");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(files_under(dest.path()),
            (std::vector<std::string>{"etc/logrotate.d/switchboard", "etc/switchboard/switchboard.conf",
                                      "usr/bin/switchboard-bench", "usr/bin/switchboard-client",
                                      "usr/bin/switchboard-server", "usr/lib/systemd/system/switchboard.service",
                                      "usr/share/man/man1/switchboard-bench.1",
                                      "usr/share/man/man1/switchboard-client.1",
                                      "usr/share/man/man1/switchboard-server.1"}));
  const std::string root = dest.path();
  for (const char* program : kPrograms) {
    ExitResult v = run_to_exit({root + "/usr/bin/" + program, "--version"});
    EXPECT_EQ(v.exit_code, 0) << program;
  }
  EXPECT_EQ(read_file(root + "/etc/switchboard/switchboard.conf"), read_file(source_file("scripts/switchboard.conf")));
  EXPECT_EQ(read_file(root + "/etc/logrotate.d/switchboard"), read_file(source_file("scripts/logrotate.conf")));
  ExitResult check = run_to_exit({root + "/usr/bin/switchboard-server", "--check-config", "--config",
                                  root + "/etc/switchboard/switchboard.conf"});
  EXPECT_EQ(check.exit_code, 0) << check.err;

  const std::string unit = read_file(root + "/usr/lib/systemd/system/switchboard.service");
  EXPECT_NE(unit.find("\nExecStart=/usr/bin/switchboard-server --config /etc/switchboard/switchboard.conf "),
            std::string::npos)
      << unit;
  EXPECT_FALSE(std::regex_search(unit, std::regex("@[A-Z]+@"))) << "a placeholder was left unfilled";

  const std::string analyze = which("systemd-analyze");
  if (analyze.empty()) {
    ADD_FAILURE() << "systemd-analyze not installed (scripts/install-deps.sh installs it)";
  } else {
    // verify resolves ExecStart= and the man page of Documentation= on this machine: point them at
    // the staged tree.
    TempDir units;
    std::ofstream(units.path() + "/switchboard.service")
        << std::regex_replace(unit, std::regex("/usr/bin/switchboard-server"), root + "/usr/bin/switchboard-server");
    ::setenv("MANPATH", (root + "/usr/share/man").c_str(), 1);
    ExitResult v = run_to_exit({analyze, "verify", units.path() + "/switchboard.service"});
    ::unsetenv("MANPATH");
    EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
    EXPECT_EQ(v.err, "");
    ExitResult s = run_to_exit({analyze, "security", "--offline=yes", units.path() + "/switchboard.service"});
    std::smatch m;
    ASSERT_TRUE(std::regex_search(s.out, m, std::regex(R"(Overall exposure level for switchboard.service: ([0-9.]+))")))
        << s.out << s.err;
    // 0 is a fully locked-down service, 10 an unprotected one; a network daemon keeps its network.
    EXPECT_LE(std::stod(m[1].str()), 2.0) << s.out;
  }

  r = make("uninstall", dest.path(), "/usr");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(files_under(dest.path()), std::vector<std::string>{});
  EXPECT_EQ(ours_under(dest.path()), std::vector<std::string>{});
}

TEST(Packaging, TheDefaultPrefixKeepsEverythingUnderIt) {
  TempDir dest;
  ExitResult r = make("install", dest.path(), "/usr/local");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const std::string& f : files_under(dest.path())) EXPECT_EQ(f.rfind("usr/local/", 0), 0u) << f;
  const std::string unit = read_file(dest.path() + "/usr/local/lib/systemd/system/switchboard.service");
  EXPECT_NE(unit.find("ExecStart=/usr/local/bin/switchboard-server --config /usr/local/etc/switchboard/switchboard.conf"),
            std::string::npos)
      << unit;
  r = make("uninstall", dest.path(), "/usr/local");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(files_under(dest.path()), std::vector<std::string>{});
}

TEST(Packaging, AnEditedConfigSurvivesInstallAndUninstall) {
  TempDir dest;
  ASSERT_EQ(make("install", dest.path(), "/usr").exit_code, 0);
  const std::string conf = dest.path() + "/etc/switchboard/switchboard.conf";
  std::ofstream(conf) << "port 2100\n";
  ExitResult r = make("install", dest.path(), "/usr");  // an upgrade
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_file(conf), "port 2100\n");
  r = make("uninstall", dest.path(), "/usr");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("kept " + conf), std::string::npos) << r.out;
  EXPECT_EQ(files_under(dest.path()), std::vector<std::string>{"etc/switchboard/switchboard.conf"});
}

}  // namespace
}  // namespace sb::test
