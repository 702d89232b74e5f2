# Arkivar: one Makefile for the engine (lib/), the indexer, the server and the tests.
#   make            build bin/arkivar-indexer and bin/arkivar-server
#   make run        install what is missing to build and run, build, index corpus/, serve
#                   on 127.0.0.1:8080
#   make test       install what is missing, tests' tools too, build, run every test under prove
#   make SAN=1 …    the same with AddressSanitizer + UBSan (separate build dir)
#   make coverage   run the tests with gcov counters and print line coverage
#   make install    PREFIX=/usr/local DESTDIR=…: programs, man pages, data, systemd unit;
#   make uninstall  removes what install put there
#   make deb        the Debian package (debian/), into build/deb
#   make bench      Arkivar against Xapian, SQLite, PostgreSQL and Sphinx: one table
#                   (scripts/bench/run-all.sh; BENCH_CORPUS=synth-100MB, BENCH_ARGS=--peers ...)

# The one version of all three programs: --version, /health and /metrics print it.
VERSION := 0.9.0

SAN ?= 0
BUILD ?= build$(if $(filter 1,$(SAN)),-san,)
BIN := bin

CC ?= cc
CXX ?= c++
CSTD := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
WARN := -Wall -Wextra -Werror -Wstrict-prototypes -Wshadow -Wno-unused-parameter
CXXWARN := -Wall -Wextra -Werror -Wno-unused-parameter
OPT ?= -O2 -g
ifeq ($(SAN),1)
  OPT := -O1 -g -fno-omit-frame-pointer
  SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all
  BIN := $(BUILD)/bin
endif

DEPS_CFLAGS := $(shell pkg-config --cflags libmicrohttpd libutf8proc zlib libsodium poppler-glib libxml-2.0 libzip libsystemd inih 2>/dev/null) \
               $(shell xapian-config --cxxflags 2>/dev/null)
DEPS_LIBS := $(shell xapian-config --libs 2>/dev/null) \
             $(shell pkg-config --libs libmicrohttpd libutf8proc zlib libsodium poppler-glib libxml-2.0 libzip libsystemd inih 2>/dev/null) \
             -lstemmer -lpthread -lm

CFLAGS_ALL := $(CSTD) $(WARN) $(OPT) $(SANFLAGS) -Iinclude $(filter-out -DUTF8PROC_EXPORTS,$(DEPS_CFLAGS)) $(CFLAGS)
CXXFLAGS_ALL := -std=c++17 $(CXXWARN) $(OPT) $(SANFLAGS) -Iinclude $(shell xapian-config --cxxflags 2>/dev/null) $(CXXFLAGS)
LDFLAGS_ALL := $(SANFLAGS) $(LDFLAGS)

LIB_C := $(sort $(wildcard lib/*/*.c))
LIB_CC := $(sort $(wildcard lib/*/*.cc))
LIB_OBJ := $(LIB_C:%.c=$(BUILD)/%.o) $(LIB_CC:%.cc=$(BUILD)/%.o) $(BUILD)/lib/analysis/lemmas_text.o
LIBA := $(BUILD)/libarkivar.a

INDEXER_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(sort $(wildcard indexer/*.c)))
# The site's style sheet, script and icon, and the API's OpenAPI document, are files
# (server/static/), compiled in.
ASSETS := server/static/arkivar.css server/static/arkivar.js server/static/arkivar.svg \
	server/static/openapi.json
SERVER_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(sort $(wildcard server/*.c))) $(BUILD)/server/assets.o

TEST_SRC := $(sort $(wildcard tests/test_*.c))
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TEST_SCRIPTS := $(sort $(wildcard tests/t_*.sh))

KEYS_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(sort $(wildcard keys/*.c)))

PROGRAMS := $(BIN)/arkivar-indexer $(if $(SERVER_OBJ),$(BIN)/arkivar-server,) $(BIN)/arkivar-keys

.PHONY: all deps deps-test deps-deb deb run test coverage clean index bench bench-arkivar bench-smoke install uninstall FORCE
all: $(PROGRAMS) $(TEST_BIN)

# What is missing from Debian: deps the build and run set (make run, make index), deps-deb
# also the packaging tools (make deb), deps-test also what only the tests use (chromium,
# node, clang, lintian …; scripts/install-deps.sh).
deps:
	@sh scripts/install-deps.sh

deps-test:
	@sh scripts/install-deps.sh --test

deps-deb:
	@sh scripts/install-deps.sh --deb

# The version reaches only the objects that print it (an object that uses ARK_VERSION
# without being listed does not compile). make does not see a changed flag, so they
# depend on a stamp named after the version: a new VERSION rebuilds them, and only them.
VERSION_OBJ := $(BUILD)/indexer/main.o $(BUILD)/server/main.o $(BUILD)/server/api.o \
               $(BUILD)/server/metrics.o $(BUILD)/keys/main.o $(BUILD)/tests/test_routes.o
$(VERSION_OBJ): CFLAGS_ALL += -DARK_VERSION='"$(VERSION)"'
$(VERSION_OBJ): $(BUILD)/version-$(VERSION).stamp
$(BUILD)/version-$(VERSION).stamp:
	@mkdir -p $(dir $@)
	@rm -f $(BUILD)/version-*.stamp
	@touch $@

# Where the server looks for its data files (acronyms.txt) when no flag names one,
# compiled in (ARK_DATADIR): the checkout's data/ for the programs in bin/, so `make run`
# and the tests read the tree's files from any directory and never an installed copy;
# PREFIX/share/arkivar for the installed server, whose main.o is built apart (below).
# The value is kept in a file rewritten only when it changes, so a new PREFIX or a moved
# checkout recompiles main.o and nothing else.
$(BUILD)/server/main.o: CFLAGS_ALL += -DARK_DATADIR='"$(CURDIR)/data"'
$(BUILD)/server/main.o: $(BUILD)/datadir
$(BUILD)/datadir: FORCE
	@mkdir -p $(dir $@)
	@echo '$(CURDIR)/data' | cmp -s - $@ || echo '$(CURDIR)/data' > $@

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/server/assets.c: $(ASSETS) scripts/embed.sh
	@mkdir -p $(dir $@)
	sh scripts/embed.sh ark_assets_css server/static/arkivar.css ark_assets_js \
		server/static/arkivar.js ark_assets_icon server/static/arkivar.svg \
		ark_assets_openapi server/static/openapi.json > $@.tmp && mv $@.tmp $@

$(BUILD)/server/assets.o: $(BUILD)/server/assets.c server/assets.h
	$(CC) $(CFLAGS_ALL) -Iserver -c $< -o $@

# The e-dropping inflections (data/lemmas.txt, made by scripts/mk-lemmas.sh from
# hunspell-da) are compiled into the analyzer, so the indexer and the server agree.
$(BUILD)/lib/analysis/lemmas_text.c: data/lemmas.txt scripts/embed.sh
	@mkdir -p $(dir $@)
	EMBED_INCLUDE=an_int.h sh scripts/embed.sh ark_lemmas_text data/lemmas.txt > $@.tmp && mv $@.tmp $@

$(BUILD)/lib/analysis/lemmas_text.o: $(BUILD)/lib/analysis/lemmas_text.c lib/analysis/an_int.h
	$(CC) $(CFLAGS_ALL) -Ilib/analysis -c $< -o $@

$(LIBA): $(LIB_OBJ)
	@rm -f $@.tmp
	ar rcs $@.tmp $^ && mv $@.tmp $@

$(BIN)/arkivar-indexer: $(INDEXER_OBJ) $(LIBA)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS_ALL) -o $@.tmp $^ $(DEPS_LIBS) && mv $@.tmp $@

$(BIN)/arkivar-server: $(SERVER_OBJ) $(LIBA)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS_ALL) -o $@.tmp $^ $(DEPS_LIBS) && mv $@.tmp $@

$(BIN)/arkivar-keys: $(KEYS_OBJ) $(LIBA)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS_ALL) -o $@.tmp $^ $(DEPS_LIBS) && mv $@.tmp $@

# ---- make install / uninstall ------------------------------------------------------------
# The server goes to sbin and its page to section 8: it is a daemon that systemd starts,
# not a command people run (as Debian keeps sshd and nginx); the indexer and arkivar-keys
# are commands an operator types, in bin and section 1.
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR := $(PREFIX)/bin
SBINDIR := $(PREFIX)/sbin
DATADIR := $(PREFIX)/share/arkivar
MANDIR := $(PREFIX)/share/man
# systemd reads units from /usr/local/lib/systemd/system as from /usr/lib/systemd/system.
UNITDIR ?= $(PREFIX)/lib/systemd/system
# The installed server reads SYSCONFDIR/arkivar/arkivar.conf when it is there, and
# serves the unit's state directory by default (the checkout's: var/index, no file).
SYSCONFDIR ?= /etc
CONFIG := $(SYSCONFDIR)/arkivar/arkivar.conf
INSTALLED_INDEX := /var/lib/arkivar/index
# The files the programs read at run time: only the server's acronyms (data/lemmas.txt
# is compiled in, the word list is wdanish's /usr/share/dict/danish).
DATA_FILES := data/acronyms.txt
MAN1 := man/arkivar-indexer.1 man/arkivar-keys.1
MAN8 := man/arkivar-server.8
INST := $(BUILD)/install

$(INST)/server/main.o: CFLAGS_ALL += -DARK_VERSION='"$(VERSION)"' -DARK_DATADIR='"$(DATADIR)"' \
	-DARK_DEFAULT_CONFIG='"$(CONFIG)"' -DARK_DEFAULT_INDEX='"$(INSTALLED_INDEX)"'
$(INST)/server/main.o: server/main.c $(INST)/paths $(BUILD)/version-$(VERSION).stamp
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@
$(INST)/paths: FORCE
	@mkdir -p $(dir $@)
	@echo '$(DATADIR) $(SBINDIR) $(UNITDIR) $(CONFIG)' | cmp -s - $@ || \
		echo '$(DATADIR) $(SBINDIR) $(UNITDIR) $(CONFIG)' > $@

# The installed pages and example name the installed paths.
INST_SED := sed -e 's|@DATADIR@|$(DATADIR)|g' -e 's|@UNITDIR@|$(UNITDIR)|g' -e 's|@CONFIG@|$(CONFIG)|g'
$(INST)/man/%: man/% $(INST)/paths
	@mkdir -p $(dir $@)
	$(INST_SED) $< > $@.tmp && mv $@.tmp $@
$(INST)/arkivar.conf.example: dist/arkivar.conf $(INST)/paths
	$(INST_SED) $< > $@.tmp && mv $@.tmp $@

$(INST)/arkivar-server: $(INST)/server/main.o $(filter-out $(BUILD)/server/main.o,$(SERVER_OBJ)) $(LIBA)
	$(CXX) $(LDFLAGS_ALL) -o $@.tmp $^ $(DEPS_LIBS) && mv $@.tmp $@

$(INST)/arkivar.service: dist/arkivar.service.in $(INST)/paths
	$(INST_SED) -e 's|@SBINDIR@|$(SBINDIR)|g' $< > $@.tmp && mv $@.tmp $@

install: $(BIN)/arkivar-indexer $(BIN)/arkivar-keys $(INST)/arkivar-server $(addprefix $(INST)/,$(MAN1) $(MAN8)) $(INST)/arkivar.service \
	$(INST)/arkivar.conf.example
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(DATADIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR)
	install -m 0755 $(BIN)/arkivar-indexer $(BIN)/arkivar-keys $(DESTDIR)$(BINDIR)/
	install -m 0755 $(INST)/arkivar-server $(DESTDIR)$(SBINDIR)/
	install -m 0644 $(DATA_FILES) $(INST)/arkivar.conf.example $(DESTDIR)$(DATADIR)/
	install -m 0644 $(addprefix $(INST)/,$(MAN1)) $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(addprefix $(INST)/,$(MAN8)) $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 $(INST)/arkivar.service $(DESTDIR)$(UNITDIR)/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/arkivar-indexer $(DESTDIR)$(BINDIR)/arkivar-keys \
		$(DESTDIR)$(SBINDIR)/arkivar-server $(DESTDIR)$(UNITDIR)/arkivar.service \
		$(addprefix $(DESTDIR)$(DATADIR)/,$(notdir $(DATA_FILES)) arkivar.conf.example) \
		$(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN1))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(MAN8)))
	rmdir $(DESTDIR)$(DATADIR) 2>/dev/null || true

# ---- make deb ---------------------------------------------------------------------------
# The Debian package (debian/): dpkg-buildpackage runs debian/rules, which builds in
# build/deb/obj with Debian's hardening flags and stages `make install PREFIX=/usr`. The
# .deb, .buildinfo and .changes go to build/deb (dpkg-buildpackage's default, the parent
# folder, is outside the tree); --post-clean removes dh's staging from debian/ after (its
# clean leaves build/deb/obj alone). The changelog's version must be VERSION: the package
# would otherwise say another version than the programs it holds.
DEB_OUT := build/deb
DEB_ARCH = $(shell dpkg-architecture -qDEB_HOST_ARCH 2>/dev/null)
DEB_FILE = $(DEB_OUT)/arkivar_$(VERSION)_$(DEB_ARCH).deb
DEB_JOBS ?= $(shell nproc 2>/dev/null || echo 1)
deb: deps-deb
	@v=$$(dpkg-parsechangelog -S Version) && [ "$$v" = "$(VERSION)" ] || \
		{ echo "make deb: debian/changelog is at $$v, the Makefile's VERSION at $(VERSION): add an entry (dch -v $(VERSION))" >&2; exit 1; }
	@mkdir -p $(DEB_OUT)
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL DEB_BUILD_OPTIONS="parallel=$(DEB_JOBS) $$DEB_BUILD_OPTIONS" \
		dpkg-buildpackage -b --no-sign --post-clean \
		--buildinfo-option=-u$(DEB_OUT) --buildinfo-file=$(DEB_OUT)/arkivar_$(VERSION)_$(DEB_ARCH).buildinfo \
		--changes-option=-u$(DEB_OUT) --changes-file=$(DEB_OUT)/arkivar_$(VERSION)_$(DEB_ARCH).changes
	@echo "make deb: $(DEB_FILE)"

# The route test runs the server's routes without its socket: every server object but main.
$(BUILD)/tests/test_routes: $(BUILD)/tests/test_routes.o $(filter-out $(BUILD)/server/main.o,$(SERVER_OBJ)) $(LIBA)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS_ALL) -o $@ $^ $(DEPS_LIBS)

# The access-log test runs the server's log module alone (and the UTF-8 reader it uses).
$(BUILD)/tests/test_accesslog: $(BUILD)/tests/test_accesslog.o $(BUILD)/server/accesslog.o \
		$(BUILD)/server/json.o $(LIBA)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS_ALL) -o $@ $^ $(DEPS_LIBS)

# The fault test drives the path of one file into the index (lib/ingest), and C++'s
# operator new through its malloc (tests/faults_new.cc).
$(BUILD)/tests/test_faults: $(BUILD)/tests/test_faults.o $(BUILD)/tests/faults_new.o $(LIBA)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS_ALL) -o $@ $^ $(DEPS_LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(LIBA)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS_ALL) -o $@ $^ $(DEPS_LIBS)

# The run command: everything from a fresh machine to a listening server.
INDEX ?= var/index
LISTEN ?= 127.0.0.1:8080
index: deps
	@$(MAKE) --no-print-directory $(PROGRAMS)
	$(BIN)/arkivar-indexer --index $(INDEX) corpus

run: index
	$(BIN)/arkivar-server --index $(INDEX) --listen $(LISTEN)

# The test command: unit tests (C, TAP) and integration tests (shell, TAP) under prove.
test: deps-test
	@$(MAKE) --no-print-directory all
	ARK_BIN=$(BIN) ARK_BUILD=$(BUILD) prove -f --timer $(TEST_BIN) $(TEST_SCRIPTS)

# Line coverage of the engine by the unit tests and the indexer/server tests, from a
# separate build (build-cov/), so the normal build is left alone.
coverage: deps-test
	@$(MAKE) --no-print-directory BUILD=build-cov BIN=build-cov/bin OPT="-O0 -g --coverage" \
		LDFLAGS="--coverage" all build-cov/bin/arkivar-indexer build-cov/bin/arkivar-server
	ARK_BIN=build-cov/bin ARK_BUILD=build-cov prove -f $(TEST_SRC:tests/%.c=build-cov/tests/%) \
		tests/t_indexer.sh tests/t_server.sh
	@for d in $(sort $(dir $(LIB_C) $(LIB_CC))); do gcov -n -o build-cov/$$d $$d*.c* 2>/dev/null; done | \
		awk -F"'" '/^File/ { f = $$2 } /^Lines executed/ && f ~ /^lib\// { sub("Lines executed:", ""); \
		printf "%-26s %s\n", f, $$0; f = "" }'

# The peer benchmark (docs/performance.md); bench-arkivar: Arkivar's own indexing and load
# figures (README.md, "Measured figures"); bench-smoke: the short runs of both that make test runs.
BENCH_CORPUS ?= synth-10MB
BENCH_ARGS ?=
bench: all
	scripts/bench/run-all.sh $(BENCH_ARGS) $(BENCH_CORPUS)

bench-arkivar: all
	scripts/bench-index.sh && scripts/bench-load.sh

bench-smoke: all
	scripts/bench-index.sh --smoke && scripts/bench-load.sh --smoke && bash tests/t_benchpeers.sh

clean:
	rm -rf build build-san build-cov bin
	rm -rf debian/arkivar debian/.debhelper debian/debhelper-build-stamp debian/files \
		debian/*.substvars debian/*.debhelper debian/*.debhelper.log

-include $(LIB_OBJ:.o=.d) $(INDEXER_OBJ:.o=.d) $(SERVER_OBJ:.o=.d) $(KEYS_OBJ:.o=.d) $(TEST_BIN:=.d) \
	$(INST)/server/main.d
