# stockbars: small Unix filter tools for stock-market bars.
# make            build bin/*
# make test       install missing packages, build, run the whole suite
# make demo       the pipeline once, offline, into a private PostgreSQL
# make asan       the suite under AddressSanitizer and UBSan
# make fuzz       install clang, fuzz each target FUZZ_SECONDS (default 600)
# make install    PREFIX=/usr/local DESTDIR=   (make uninstall: the same, removed)

VERSION   = 0.1.0
PREFIX   ?= /usr/local
BINDIR    = $(PREFIX)/bin
SHAREDIR  = $(PREFIX)/share/stockbars
MANDIR    = $(PREFIX)/share/man/man1

BUILD    ?= build
BIN      ?= bin
CC       ?= cc
CFLAGS   ?= -O2 -g
PKGS      = libcurl libpq libmicrohttpd yajl
WARN      = -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
CPPFLAGS += -Ilib -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L \
            -DVERSION='"$(VERSION)"' -DSHAREDIR='"$(SHAREDIR)"' \
            $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lm

TOOLS    = $(sort $(patsubst tools/%.c,%,$(wildcard tools/*.c)))
BINS     = $(TOOLS:%=$(BIN)/%)
LIBOBJ   = $(patsubst %.c,$(BUILD)/%.o,$(wildcard lib/*.c))
UNITSRC  = $(wildcard tests/unit/*.c)
UNITBINS = $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNITSRC))

all: $(BINS)

$(BUILD)/%.o: %.c lib/*.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

$(BUILD)/libbars.a: $(LIBOBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(BIN)/%: $(BUILD)/tools/%.o $(BUILD)/libbars.a
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libbars.a $(LDLIBS)

$(BUILD)/unit/%: tests/unit/%.c tests/unit/unit.h $(BUILD)/libbars.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(WARN) -o $@ $< $(BUILD)/libbars.a $(LDLIBS)

units: $(UNITBINS)

deps:
	scripts/deps

test: deps
	$(MAKE) all units
	BIN=$(abspath $(BIN)) BUILD=$(abspath $(BUILD)) FUZZ_SECONDS=10 tests/run

asan: deps
	$(MAKE) BUILD=build/asan BIN=build/asan/bin \
	  CFLAGS='-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all' \
	  LDFLAGS='-fsanitize=address,undefined' all units
	BIN=$(abspath build/asan/bin) BUILD=$(abspath build/asan) tests/run

# Fuzzing (tests/fuzz/): the only target that installs clang and its
# libFuzzer runtime; make test runs the targets briefly when they are there.
FUZZ_SECONDS ?= 600
fuzz:
	scripts/deps fuzz
	BUILD=$(abspath $(BUILD)) scripts/fuzz $(FUZZ_SECONDS)

demo: deps all
	scripts/demo

run: all
	scripts/run-pipeline examples/config.json

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR) $(DESTDIR)$(SHAREDIR)/providers
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)
	install -m 755 scripts/stockbars-cron $(DESTDIR)$(BINDIR)
	install -m 644 man/*.1 $(DESTDIR)$(MANDIR)
	install -m 644 share/providers/* $(DESTDIR)$(SHAREDIR)/providers

# The mirror of install: every file it put there, then its empty folders.
uninstall:
	rm -f $(TOOLS:%=$(DESTDIR)$(BINDIR)/%) $(DESTDIR)$(BINDIR)/stockbars-cron
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/%,$(wildcard man/*.1))
	rm -f $(patsubst share/providers/%,$(DESTDIR)$(SHAREDIR)/providers/%,$(wildcard share/providers/*))
	-rmdir $(DESTDIR)$(SHAREDIR)/providers $(DESTDIR)$(SHAREDIR) 2>/dev/null

clean:
	rm -rf $(BUILD) $(BIN)

.PHONY: all units deps test asan fuzz demo run install uninstall clean
.SECONDARY:
