# ratable — a month-end revenue workstation for the terminal.
#
#   make            build ./ratable
#   make demo       build, write the demo book, open the workstation on it
#   make check      every test (unit, database, golden, hostile CSV imports, XLSX read-back,
#                   screens, the short stress run, the fuzz smoke, format)
#   make stress     the long stress run: ratable killed at random moments and before every
#                   write of the book, two processes editing one book at once, signals
#   make hostile-check  the hostile CSV corpus (tests/hostile): every faulty file is refused with
#                   its exact FILE:ROW:COL message and leaves the book unchanged
#   make valgrind   every suite under valgrind's memcheck (slow)
#   make asan       the suites under -fsanitize=address,undefined
#   make fuzz       each libFuzzer target (tests/fuzz) for FUZZ_SECONDS (default 60), built by clang
#                   with ASan and UBSan in build/fuzz
#   make fuzz-smoke each fuzz target over its seed corpus and FUZZ_RUNS (default 2000) mutations;
#                   part of make check, skipped when clang is not installed
#   make bench      speed and peak memory of posting and of the large exports on a generated book,
#                   beside a bare libxlsxwriter loop writing the same cells (bench/run.sh; BENCH_RUNS,
#                   BENCH_CUSTOMERS, BENCH_CONTRACTS, BENCH_MONTHS); figures in BENCHMARKS.md
#   make deps       install the Debian packages the build and the tests need
#   make install    install the binary and the manual under $(DESTDIR)$(PREFIX)
#
# Dependencies come from pkg-config; `demo` and `check` install missing ones first.

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DESTDIR ?=

CC      ?= cc
OPT     ?= -O2 -g
PKGS    := ncursesw sqlite3 xlsxwriter libcrypto
BUILD   ?= build

# Recursive (=) so pkg-config runs when a recipe needs it, after `deps` may have installed it.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# -pthread: an XLSX export writes its cells on a thread of their own (reports/xlsx.c).
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lncursesw -lsqlite3 -lxlsxwriter -lcrypto) -pthread
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
WARN    := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-missing-field-initializers
DEFS    := -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -D_XOPEN_SOURCE_EXTENDED \
           -DRATABLE_VERSION=\"$(VERSION)\"
ALL_CFLAGS = $(WARN) $(DEFS) $(OPT) -pthread -I. $(PKG_CFLAGS) $(CFLAGS) -MMD -MP

DATA      := data/schema.sql data/currencies.sql data/seed.sql $(sort $(wildcard data/migrations/*.sql)) data/demo.txt
MODEL_SRC := $(sort $(wildcard model/*.c))
REPORT_SRC:= $(sort $(wildcard reports/*.c))
TUI_SRC   := $(sort $(wildcard tui/*.c))
LIB_SRC   := $(MODEL_SRC) $(REPORT_SRC)
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/embedded.o
TUI_OBJ   := $(TUI_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all check demo deps need-deps asan install uninstall clean format format-check \
        unit golden hostile-check xlsx-check tui-check fuzz fuzz-smoke fuzz-build fuzz-bins \
        stress stress-smoke bench valgrind

all: ratable

ratable: $(LIB_OBJ) $(TUI_OBJ)
	$(CC) $(OPT) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LIBS)

$(BUILD)/%.o: %.c | need-deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/embedded.c: tools/embed.sh $(DATA)
	@mkdir -p $(BUILD)
	sh tools/embed.sh $@ $(DATA)

$(BUILD)/embedded.o: $(BUILD)/embedded.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_OBJ) $(PKG_LIBS) $(CMOCKA_LIBS)

# Installs missing packages only when a library or test tool cannot be found.
need-deps:
	@sh tools/deps.sh --if-missing

deps:
	sh tools/deps.sh

demo: ratable
	@rm -f demo.ratable demo.ratable-wal demo.ratable-shm
	./ratable demo demo.ratable
	./ratable -b demo.ratable

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

golden: ratable
	@sh tests/golden/run.sh

hostile-check: ratable
	@sh tests/hostile/run.sh

xlsx-check: ratable
	@sh tests/xlsx/run.sh

tui-check: ratable
	@sh tests/tui/run.sh

# The kill shim of the crash sweep (tests/stress/killshim.c), preloaded into ratable.
$(BUILD)/tests/killshim.so: tests/stress/killshim.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(OPT) -fPIC -shared -o $@ $< -ldl

# The bare-library yardstick of `make bench` (bench/xlsx_baseline.c); not part of `all`.
$(BUILD)/xlsx_baseline: bench/xlsx_baseline.c | need-deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(PKG_LIBS) $(LIBS)

bench: ratable $(BUILD)/xlsx_baseline
	@sh bench/run.sh

stress: ratable $(BUILD)/tests/killshim.so
	@RATABLE_KILLSHIM=$(BUILD)/tests/killshim.so sh tests/stress/run.sh

# Every suite under valgrind (slow; not part of check): make valgrind.
valgrind: ratable $(UNIT_BIN)
	@sh tests/valgrind/run.sh

stress-smoke: ratable $(BUILD)/tests/killshim.so
	@RATABLE_KILLSHIM=$(BUILD)/tests/killshim.so sh tests/stress/run.sh --smoke

check: need-deps
	@$(MAKE) --no-print-directory all $(UNIT_BIN)
	@$(MAKE) --no-print-directory unit golden hostile-check xlsx-check tui-check stress-smoke \
	    fuzz-smoke format-check
	@echo "make check: all passed"

# The same suites built with AddressSanitizer and UndefinedBehaviorSanitizer in their own tree.
asan: need-deps
	@$(MAKE) --no-print-directory BUILD=build/asan OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" RATABLE_BIN=build/asan/ratable asan-run

asan-run: $(BUILD)/ratable-bin $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; ASAN_OPTIONS=detect_leaks=1 $$t; done
	@RATABLE=$(BUILD)/ratable-bin sh tests/golden/run.sh
	@RATABLE=$(BUILD)/ratable-bin sh tests/hostile/run.sh
	@RATABLE=$(BUILD)/ratable-bin sh tests/xlsx/run.sh
	@RATABLE=$(BUILD)/ratable-bin sh tests/tui/run.sh
	@echo "make asan: all passed"

$(BUILD)/ratable-bin: $(LIB_OBJ) $(TUI_OBJ)
	$(CC) $(OPT) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LIBS)

# libFuzzer targets. The model and report objects are compiled again by clang into build/fuzz,
# with coverage for the fuzzer and ASan and UBSan, never mixed with the objects of build/.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_RUNS    ?= 2000
FUZZ_TARGETS := fuzz_money fuzz_date fuzz_csv fuzz_render
FUZZ_OPT     := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
                -fno-sanitize-recover=all

# Prints why fuzzing cannot run here, or nothing: clang and its libFuzzer runtime are needed.
FUZZ_MISSING = $(shell if ! command -v $(FUZZ_CC) >/dev/null 2>&1; then \
                   echo "$(FUZZ_CC) is not installed (make deps installs it)"; \
               elif ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' | \
                   $(FUZZ_CC) -x c -fsanitize=fuzzer -o /dev/null - >/dev/null 2>&1; then \
                   echo "$(FUZZ_CC) has no libFuzzer runtime (Debian: libclang-rt-dev)"; fi)

fuzz-build: need-deps
	@$(MAKE) --no-print-directory BUILD=build/fuzz CC=$(FUZZ_CC) OPT="$(FUZZ_OPT)" fuzz-bins

fuzz-bins: $(FUZZ_TARGETS:%=$(BUILD)/%)

$(BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(LIB_OBJ)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $< $(LIB_OBJ) $(PKG_LIBS) $(LIBS)

fuzz:
	@if [ -n "$(FUZZ_MISSING)" ]; then echo "fuzz: $(FUZZ_MISSING)"; exit 1; fi
	@$(MAKE) --no-print-directory fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh fuzz

fuzz-smoke:
	@if [ -n "$(FUZZ_MISSING)" ]; then echo "fuzz-smoke: skipped, $(FUZZ_MISSING)"; else \
	    $(MAKE) --no-print-directory fuzz-build >/dev/null && \
	    FUZZ_RUNS=$(FUZZ_RUNS) sh tests/fuzz/run.sh smoke; fi

install: ratable
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 ratable $(DESTDIR)$(BINDIR)/ratable
	install -m 0644 man/ratable.1 $(DESTDIR)$(MANDIR)/man1/ratable.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/ratable $(DESTDIR)$(MANDIR)/man1/ratable.1

FORMAT_SRC = $(wildcard model/*.[ch] reports/*.[ch] tui/*.[ch] tests/unit/*.[ch] tests/stress/*.c \
                        tests/fuzz/*.[ch] bench/*.c)

format:
	clang-format -i $(FORMAT_SRC)

format-check:
	@if command -v clang-format >/dev/null 2>&1; then \
	    clang-format --dry-run --Werror $(FORMAT_SRC) && echo "format-check: ok"; \
	else echo "format-check: clang-format not installed, skipped"; fi

clean:
	rm -rf $(BUILD) ratable tests/out

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
