# switchboard build. GNU make only; every source is found by wildcard so adding a file needs no edit here.
#   make            build server, client, bench and the micro-benchmarks into build/
#   make test       install missing test deps, build, run the unit and integration tests (< 3 min)
#   make test-long  the long runs, tests/long/test_*.cpp (the 30 s chaos test; cluster faults and
#                   races with real nats-server); .ci/run runs them
#   make test-asan  the same tests under AddressSanitizer + UndefinedBehaviorSanitizer (build/asan/)
#   make test-tsan  the threaded (logging) tests under ThreadSanitizer (build/tsan/)
#   make test-ct    the constant-time check of the crypto code under valgrind memcheck (build/ct/)
#   make run-server build and run the server in the foreground with defaults
#   make install    the three binaries, man pages, example config, systemd unit and logrotate policy
#                   under $(DESTDIR)$(PREFIX) (default /usr/local); make uninstall removes them
# O=dir puts everything under another root (parallel work trees); MODE=asan|tsan selects a sanitizer.

O    ?= build
MODE ?=
CXX  ?= g++
JOBS ?= $(shell nproc)

ifeq ($(MODE),asan)
  OUT      := $(O)/asan
  SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else ifeq ($(MODE),tsan)
  OUT      := $(O)/tsan
  SANFLAGS := -fsanitize=thread
else
  OUT      := $(O)
  SANFLAGS :=
endif

CXXFLAGS ?= -O2 -g
CXXFLAGS += -std=c++20 -Wall -Wextra -Werror -pthread -I. $(SANFLAGS) -MMD -MP
LDFLAGS  += -pthread $(SANFLAGS)
GTEST_LIBS := -lgtest -lgtest_main
BENCH_LIBS := -lbenchmark -lbenchmark_main

# Libraries: everything but a directory's main.cpp is a library, so tests can link the real code.
COMMON_SRCS := $(shell find common -name '*.cpp' | sort)
SERVER_SRCS := $(filter-out server/main.cpp,$(wildcard server/*.cpp))
CLIENT_SRCS := $(filter-out client/main.cpp,$(wildcard client/*.cpp))
BENCH_SRCS  := $(filter-out bench/main.cpp,$(wildcard bench/*.cpp))
MICRO_SRCS  := $(wildcard bench/micro/*.cpp)
TEST_SRCS   := $(wildcard tests/unit/test_*.cpp tests/integration/test_*.cpp)
# Long runs (faults with real timeouts, races, scale, the 30 s chaos test): `make test-long`, not
# `make test` (a test file goes here when it takes more than a few seconds on purpose).
LONG_TEST_SRCS := $(wildcard tests/long/test_*.cpp)
# Tests whose subject runs threads; these also run under ThreadSanitizer.
TSAN_TEST_SRCS := $(wildcard tests/unit/test_log*.cpp)

objs = $(patsubst %.cpp,$(OUT)/obj/%.o,$(1))

LIBCOMMON := $(OUT)/lib/libcommon.a
LIBSERVER := $(OUT)/lib/libserver.a
LIBCLIENT := $(OUT)/lib/libclient.a
LIBBENCH  := $(OUT)/lib/libbench.a
ALL_LIBS  := $(LIBSERVER) $(LIBCLIENT) $(LIBBENCH) $(LIBCOMMON)

SERVER_BIN := $(OUT)/switchboard-server
CLIENT_BIN := $(OUT)/switchboard-client
BENCH_BIN  := $(OUT)/switchboard-bench
MICRO_BIN  := $(OUT)/switchboard-micro
FLOOR_BIN  := $(OUT)/switchboard-relay-floor
BINS := $(SERVER_BIN) $(if $(wildcard client/main.cpp),$(CLIENT_BIN)) $(if $(wildcard bench/main.cpp),$(BENCH_BIN) $(FLOOR_BIN))

TEST_BINS      := $(patsubst %.cpp,$(OUT)/%,$(TEST_SRCS))
LONG_TEST_BINS := $(patsubst %.cpp,$(OUT)/%,$(LONG_TEST_SRCS))
TSAN_TEST_BINS := $(patsubst %.cpp,$(O)/tsan/%,$(TSAN_TEST_SRCS))

.PHONY: all deps deps-bench test test-long test-asan test-tsan test-ct test-valgrind run-server bench micro fuzz clean install uninstall
all: $(BINS) $(if $(MICRO_SRCS),$(MICRO_BIN))

# Each target installs what it needs (scripts/install-deps.sh names the groups): the tests g++, make
# and GoogleTest; the micro-benchmarks Google Benchmark; test-ct and test-valgrind valgrind; and
# `make fuzz` clang (scripts/fuzz.sh does that itself).
deps:
	@scripts/install-deps.sh build test
deps-bench:
	@scripts/install-deps.sh build bench

$(OUT)/obj/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c $< -o $@

# The git revision for --version (common/version.cpp). The header is rewritten only when the
# revision changes, so a commit recompiles one file and a plain `make` recompiles nothing.
GIT_REVISION := $(shell git describe --always --dirty 2>/dev/null)
REVISION_HEADER := $(OUT)/gen/git_revision.h
$(REVISION_HEADER): FORCE
	@mkdir -p $(dir $@)
	@printf '#define SB_GIT_REVISION "%s"\n' '$(GIT_REVISION)' > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
$(OUT)/obj/common/version.o: $(REVISION_HEADER)
$(OUT)/obj/common/version.o: CXXFLAGS += -I$(OUT)/gen
.PHONY: FORCE
FORCE:

$(OUT)/lib/%.a:
	@mkdir -p $(dir $@)
	@rm -f $@
	ar rcs $@ $^
$(LIBCOMMON): $(call objs,$(COMMON_SRCS))
$(LIBSERVER): $(call objs,$(SERVER_SRCS))
$(LIBCLIENT): $(call objs,$(CLIENT_SRCS))
$(LIBBENCH):  $(call objs,$(BENCH_SRCS))

$(SERVER_BIN): $(call objs,server/main.cpp) $(LIBSERVER) $(LIBCOMMON)
	$(CXX) $^ -o $@ $(LDFLAGS)
$(CLIENT_BIN): $(call objs,client/main.cpp) $(LIBCLIENT) $(LIBCOMMON)
	$(CXX) $^ -o $@ $(LDFLAGS)
$(BENCH_BIN): $(call objs,bench/main.cpp) $(LIBBENCH) $(LIBCOMMON)
	$(CXX) $^ -o $@ $(LDFLAGS)
# The machine's floors (relays with no parsing: latency, and throughput over many connections),
# for docs/PERFORMANCE.md; every bench/floor/*.cpp is part of it.
$(FLOOR_BIN): $(call objs,$(wildcard bench/floor/*.cpp)) $(LIBBENCH) $(LIBCOMMON)
	$(CXX) $^ -o $@ $(LDFLAGS)
$(MICRO_BIN): $(call objs,$(MICRO_SRCS)) $(ALL_LIBS)
	$(CXX) $^ -o $@ $(LDFLAGS) $(BENCH_LIBS)

# Keep the test objects: as intermediates of the rule below make would delete them after the first
# build, and rebuild every one of them on the next (their .d files then name them as targets).
.SECONDARY:

$(OUT)/tests/%: $(OUT)/obj/tests/%.o $(ALL_LIBS)
	@mkdir -p $(dir $@)
	$(CXX) $^ -o $@ $(LDFLAGS) $(GTEST_LIBS)

# Integration tests exec the real binaries; they find them through SWITCHBOARD_BIN_DIR, and the
# files they check the binaries against (docs, man pages, scripts) through SWITCHBOARD_SOURCE_DIR.
test: deps
	@$(MAKE) --no-print-directory -j$(JOBS) all-tests MODE=$(MODE)
	@SWITCHBOARD_BIN_DIR=$(abspath $(OUT)) SWITCHBOARD_SOURCE_DIR=$(CURDIR) scripts/run-tests.sh $(TEST_BINS)

.PHONY: all-tests
all-tests: $(BINS) $(TEST_BINS)

# MODE=asan runs them under the sanitizers, as for `make test`.
test-long: deps
	@$(MAKE) --no-print-directory -j$(JOBS) $(BINS) $(LONG_TEST_BINS) MODE=$(MODE)
	@SWITCHBOARD_BIN_DIR=$(abspath $(OUT)) SWITCHBOARD_SOURCE_DIR=$(CURDIR) scripts/run-tests.sh $(LONG_TEST_BINS)

test-asan: deps
	@$(MAKE) --no-print-directory test MODE=asan

test-tsan: deps
	@$(MAKE) --no-print-directory -j$(JOBS) $(TSAN_TEST_BINS) MODE=tsan
	@scripts/run-tests.sh $(TSAN_TEST_BINS)

# Constant-time check (tests/ct/): the crypto code built with the release flags plus SB_CT_VALGRIND
# (which turns declassify() into a memcheck request), run under memcheck with the secrets marked
# undefined. A branch or a memory index on a secret is a memcheck error, and fails the target.
CT_DIR   := $(O)/ct
CT_SRCS  := tests/ct/ct_check.cpp $(wildcard common/crypto/*.cpp) client/e2e_envelope.cpp common/security/sha256.cpp
CT_BIN   := $(CT_DIR)/ct_check
CT_FLAGS := $(filter-out $(SANFLAGS),$(CXXFLAGS)) -DSB_CT_VALGRIND

$(CT_DIR)/obj/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CT_FLAGS) -c $< -o $@
$(CT_BIN): $(patsubst %.cpp,$(CT_DIR)/obj/%.o,$(CT_SRCS))
	$(CXX) $^ -o $@ -pthread

test-ct:
	@scripts/install-deps.sh build valgrind
	@$(MAKE) --no-print-directory $(CT_BIN) MODE=
	valgrind -q --error-exitcode=1 --track-origins=yes $(CT_BIN)

run-server: $(SERVER_BIN)
	$(SERVER_BIN) $(ARGS)

micro: deps-bench
	@$(MAKE) --no-print-directory -j$(JOBS) $(MICRO_BIN)
	$(MICRO_BIN) $(ARGS)

# The standard load + micro-benchmark suite (docs/PERFORMANCE.md); writes build/results/<timestamp>/
# (RESULTS_DIR=dir for elsewhere); scripts/publish-perf.sh puts a run's charts into docs/perf/.
bench: deps-bench
	@$(MAKE) --no-print-directory -j$(JOBS) all
	scripts/bench.sh

# libFuzzer targets (clang, which scripts/fuzz.sh installs when missing); each runs FUZZ_SECONDS.
# Crashes land in build/fuzz/ and become regression inputs under tests/fuzz/regressions/.
FUZZ_SECONDS ?= 60
fuzz:
	scripts/fuzz.sh $(FUZZ_SECONDS)

# The integration tests with the server under valgrind memcheck (slow; not in CI).
test-valgrind:
	@scripts/install-deps.sh build test valgrind
	@$(MAKE) --no-print-directory -j$(JOBS) all-tests
	@SWITCHBOARD_BIN_DIR=$(abspath $(OUT)) SWITCHBOARD_SOURCE_DIR=$(CURDIR) SWITCHBOARD_SERVER_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite" scripts/run-tests.sh $(filter $(OUT)/tests/integration/test_server%,$(TEST_BINS))

clean:
	rm -rf $(O)

# ---- install / uninstall (docs/OPERATIONS.md) --------------------------------------------------
# PREFIX=/usr puts the config and the logrotate policy under /etc, as a distribution package would;
# any other prefix keeps them under $(PREFIX)/etc. DESTDIR stages the whole tree elsewhere.
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
UNITDIR    ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
INSTALL    ?= install
MAN_PAGES  := docs/man/switchboard-server.1 docs/man/switchboard-client.1 docs/man/switchboard-bench.1
CONF_FILE  := $(SYSCONFDIR)/switchboard/switchboard.conf
INSTALLED  := $(addprefix $(BINDIR)/,switchboard-server switchboard-client switchboard-bench) \
              $(addprefix $(MANDIR)/man1/,$(notdir $(MAN_PAGES))) \
              $(UNITDIR)/switchboard.service $(SYSCONFDIR)/logrotate.d/switchboard

# BIN_DIR=dir installs the binaries already built there and builds nothing (the packaging test
# installs the build under test this way, whatever MODE made it).
BIN_DIR    ?=
INSTALL_FROM := $(if $(BIN_DIR),$(BIN_DIR),$(OUT))

# An existing config file is the operator's: install never overwrites it, and uninstall removes it
# only while it is still the shipped example.
install: $(if $(BIN_DIR),,$(SERVER_BIN) $(CLIENT_BIN) $(BENCH_BIN))
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(UNITDIR) \
	  $(DESTDIR)$(SYSCONFDIR)/switchboard $(DESTDIR)$(SYSCONFDIR)/logrotate.d
	$(INSTALL) -m 0755 $(addprefix $(INSTALL_FROM)/,switchboard-server switchboard-client switchboard-bench) \
	  $(DESTDIR)$(BINDIR)/
	$(INSTALL) -m 0644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man1/
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' scripts/switchboard.service \
	  > $(DESTDIR)$(UNITDIR)/switchboard.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/switchboard.service
	$(INSTALL) -m 0644 scripts/logrotate.conf $(DESTDIR)$(SYSCONFDIR)/logrotate.d/switchboard
	@if [ -e $(DESTDIR)$(CONF_FILE) ]; then \
	  echo "install: kept the existing $(DESTDIR)$(CONF_FILE)"; \
	else \
	  echo "$(INSTALL) -m 0644 scripts/switchboard.conf $(DESTDIR)$(CONF_FILE)"; \
	  $(INSTALL) -m 0644 scripts/switchboard.conf $(DESTDIR)$(CONF_FILE); \
	fi

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	@if cmp -s scripts/switchboard.conf $(DESTDIR)$(CONF_FILE); then \
	  echo "rm -f $(DESTDIR)$(CONF_FILE)"; rm -f $(DESTDIR)$(CONF_FILE); \
	elif [ -e $(DESTDIR)$(CONF_FILE) ]; then \
	  echo "uninstall: kept $(DESTDIR)$(CONF_FILE): it was changed after install"; \
	fi
	@rmdir $(DESTDIR)$(SYSCONFDIR)/switchboard 2>/dev/null || true

-include $(shell find $(OUT)/obj $(CT_DIR)/obj -name '*.d' 2>/dev/null)
