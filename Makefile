# binlogd - see README.md.  `make` builds build/binlogd; `make check` installs
# what is missing, builds and runs every test; `make demo` shows it working.

CC      ?= gcc
PKGS    := libmariadb jansson libzstd zlib rdkafka inih libsystemd libmicrohttpd libcurl check
CSTD    := -std=c11 -D_GNU_SOURCE
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-missing-field-initializers
OPT     ?= -O3 -g
BUILD   ?= build
SAN     ?=

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs libmariadb libzstd zlib jansson rdkafka inih libsystemd libmicrohttpd libcurl 2>/dev/null)
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null)

# -pthread: the daemon and the live source run threads of their own
CFLAGS_ALL = $(CSTD) $(WARN) $(OPT) $(SAN) -pthread -Iinclude $(PKG_CFLAGS) $(CFLAGS)
# libev ships no pkg-config file
LDLIBS_ALL = $(PKG_LIBS) -lev -lpthread -lm $(LDLIBS)

LIB_SRC    := $(sort $(wildcard lib/*.c))
LIB_OBJ    := $(LIB_SRC:%.c=$(BUILD)/%.o)
DAEMON_SRC := $(sort $(wildcard daemon/*.c))
DAEMON_OBJ := $(DAEMON_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC   := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
UNIT_COMMON := tests/unit/testutil.c

.PHONY: all check demo fuzz bench clean deps unit suites format
all: $(BUILD)/binlogd

$(BUILD)/%.o: %.c $(wildcard include/binlogd/*.h) $(wildcard lib/*.h) $(wildcard daemon/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/libbinlogd.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/binlogd: $(DAEMON_OBJ) $(BUILD)/libbinlogd.a
	$(CC) $(CFLAGS_ALL) -o $@ $(DAEMON_OBJ) $(BUILD)/libbinlogd.a $(LDLIBS_ALL)

$(BUILD)/tests/test_%: tests/unit/test_%.c $(UNIT_COMMON) tests/unit/testutil.h $(BUILD)/libbinlogd.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests/unit -DFIXTURES=\"$(CURDIR)/tests/fixtures\" -o $@ $< $(UNIT_COMMON) \
	    $(UNIT_EXTRA) $(BUILD)/libbinlogd.a $(CHECK_LIBS) $(LDLIBS_ALL)

# daemon/*.c is not in libbinlogd.a: a suite of a daemon module links its object
$(BUILD)/tests/test_http: $(BUILD)/daemon/http.o
$(BUILD)/tests/test_http: UNIT_EXTRA = $(BUILD)/daemon/http.o

INTEG_SRC  := $(sort $(wildcard tests/integ/integ_*.c))
INTEG_BIN  := $(INTEG_SRC:tests/integ/%.c=$(BUILD)/tests/%)

# Real-server test programs: they talk to the MariaDB that tests/integ/*.sh start.
$(BUILD)/tests/integ_%: tests/integ/integ_%.c $(BUILD)/libbinlogd.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(BUILD)/libbinlogd.a $(shell pkg-config --libs libmariadb) $(LDLIBS_ALL)

# The Alertmanager stand-in of the real-server tests: a helper, not a test
# (tests/run.sh runs only test_* here), hence not named integ_*.
$(BUILD)/tests/webhook_recv: tests/integ/webhook_recv.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(LDLIBS_ALL)

unit: $(UNIT_BIN) $(INTEG_BIN) $(BUILD)/tests/webhook_recv $(BUILD)/binlogd
# the unit suites alone (the ThreadSanitizer tree)
suites: $(UNIT_BIN)

deps:
	@sh scripts/deps.sh

# The whole test run: plain, valgrind, ASan+UBSan, ThreadSanitizer, shell
# tests, real-server tests, and a short fuzz pass.  tests/run.sh prints the
# summary.
check: deps
	@$(MAKE) --no-print-directory all unit
	@$(MAKE) --no-print-directory BUILD=build/asan OPT="-O1 -g -fno-omit-frame-pointer" \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" all unit
	@$(MAKE) --no-print-directory BUILD=build/tsan OPT="-O1 -g" SAN="-fsanitize=thread" suites
	@sh tests/run.sh

demo: deps all
	@sh scripts/demo.sh

fuzz: deps
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS)

bench: deps all
	@sh tests/bench/decode.sh

format:
	clang-format-14 -i include/binlogd/*.h lib/*.c lib/*.h daemon/*.c daemon/*.h tests/unit/*.c tests/unit/*.h tests/integ/*.c tests/fuzz/*.c

clean:
	rm -rf build
