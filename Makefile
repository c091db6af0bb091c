# sarc - top-level Makefile.  `make` builds bin/sarc-index, bin/sarc-query
# and lib/libsarc.a; `make check` runs every test plainly and under
# ASan+UBSan; `make demo` indexes the bundled corpus and runs example
# queries; `make bench` measures.

PREFIX  ?= /usr/local
LIBDIR  ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
CC      ?= cc
OPT     ?= -O2 -g
WARN    ?= -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes
CSTD    ?= -std=c11
OBJCOPY ?= objcopy
ifneq ($(CI),)
WARN    += -Werror
endif

PKGS     := libxml-2.0 zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null || echo -I/usr/include/libxml2)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lxml2 -lz)
LIBS     := $(PKG_LIBS) -lisal -ldeflate -lstemmer -lpthread -lm
# sarc-query links zlib, libdeflate and libstemmer statically: a search is
# a whole process, and resolving shared libraries was half a millisecond
# of it.
QUERY_DYN_LIBS := -Wl,-Bstatic -lstemmer -ldeflate -lz -Wl,-Bdynamic -lm
# ... and is not position-independent: libstemmer's tables for all its
# languages hold 11,000 pointers, which a PIE relocates at every start
# (85 more page faults, 0.2 ms of a 1 ms --cited-by).
QUERY_DYN_LDFLAGS := -no-pie
# Outside the sanitizer build (ASan cannot link statically) it links the C
# library statically too: the dynamic loader's start was another 0.4 ms of
# a 1.4 ms --cited-by.  valgrind's memcheck cannot follow malloc in a
# static program, so `make tests` also links $(BUILD)/sarc-query-dynamic,
# the same program as before, for tests/e2e/valgrind.sh.
ifeq ($(SAN),1)
QUERY_LIBS    := $(QUERY_DYN_LIBS)
QUERY_LDFLAGS := $(QUERY_DYN_LDFLAGS)
else
QUERY_LIBS    := -lstemmer -ldeflate -lz -lm
QUERY_LDFLAGS := -static
endif

# SAN=1 builds into build-san/ with AddressSanitizer and UBSan.
ifeq ($(SAN),1)
BUILD   ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else
BUILD   ?= build
SANFLAGS :=
endif
BIN     ?= $(if $(filter 1,$(SAN)),$(BUILD)/bin,bin)
LIBOUT  ?= $(if $(filter 1,$(SAN)),$(BUILD)/lib,lib)

CPPFLAGS += -D_GNU_SOURCE -Icommon -Iindexer -Iquery $(PKG_CFLAGS)
CFLAGS  ?= $(CSTD) $(OPT) $(WARN)
CFLAGS  += $(SANFLAGS)
LDFLAGS += $(SANFLAGS)

COMMON_SRC  := $(sort $(wildcard common/*.c))
INDEXER_SRC := $(filter-out indexer/main.c,$(sort $(wildcard indexer/*.c)))
QUERY_SRC   := $(filter-out query/main.c,$(sort $(wildcard query/*.c)))
UNIT_SRC    := $(sort $(wildcard tests/unit/test_*.c))
TOOL_SRC    := $(sort $(wildcard corpus/*.c))

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
COMMON_OBJ  := $(call obj,$(COMMON_SRC))
INDEXER_OBJ := $(call obj,$(INDEXER_SRC))
QUERY_OBJ   := $(call obj,$(QUERY_SRC))
LIBOBJ      := $(INDEXER_OBJ) $(QUERY_OBJ) $(COMMON_OBJ)
# The library is the engine behind query/sarc.h and what it needs, without
# sarc-query's front end (its printers, snippets and option messages).
LIBSARC_OBJ := $(call obj,$(filter-out query/out.c query/snippet.c common/cliopt.c,$(QUERY_SRC) $(COMMON_SRC)))
LIBSARC     := $(LIBOUT)/libsarc.a
# The shared library: the same sources compiled position-independent,
# named for sarc.h's version, its soname for the major number (an
# incompatible sarc.h raises it).
VERSION     := $(shell sed -n 's/^.define SARC_VERSION "\(.*\)"/\1/p' query/sarc.h)
SOMAJOR     := $(firstword $(subst ., ,$(VERSION)))
LIBSARC_SO  := $(LIBOUT)/libsarc.so.$(VERSION)
LIBSARC_PIC := $(patsubst $(BUILD)/%.o,$(BUILD)/pic/%.o,$(LIBSARC_OBJ))
UNIT_BIN    := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
TOOL_BIN    := $(patsubst corpus/%.c,$(BUILD)/corpus/%,$(TOOL_SRC))

.PHONY: all deps deps-build check check-plain check-san demo bench fuzz install uninstall clean tests
all: deps-check $(BIN)/sarc-index $(BIN)/sarc-query $(LIBSARC) $(LIBSARC_SO) $(TOOL_BIN)

# One line naming the Debian package when a header is missing.
.PHONY: deps-check
deps-check:
	@for p in libxml/xmlreader.h:libxml2-dev zlib.h:zlib1g-dev libstemmer.h:libstemmer-dev libdeflate.h:libdeflate-dev isa-l/igzip_lib.h:libisal-dev; do \
	  h=$${p%%:*}; pkg=$${p##*:}; \
	  if ! printf '#include <%s>\n' "$$h" | $(CC) $(CPPFLAGS) -E -x c - >/dev/null 2>&1; then \
	    echo "sarc: missing header <$$h>: install the Debian package $$pkg (or run 'make deps' as root)" >&2; exit 1; fi; \
	done

deps:
	@sh .ci/deps.sh

# The demo needs what building needs, not the tests' xmllint and python3.
deps-build:
	@sh .ci/deps.sh build

$(BIN)/sarc-index: $(BUILD)/indexer/main.o $(INDEXER_OBJ) $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BIN)/sarc-query: $(BUILD)/query/main.o $(QUERY_OBJ) $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(QUERY_LDFLAGS) -o $@ $^ $(QUERY_LIBS)

$(BUILD)/sarc-query-dynamic: $(BUILD)/query/main.o $(QUERY_OBJ) $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(QUERY_DYN_LDFLAGS) -o $@ $^ $(QUERY_DYN_LIBS)

# libsarc.a holds one object in which every global symbol but sarc_* is
# made local: the engine's internal names (seg_*, err_*, fmt_*, arena_*,
# an_*, ...) are short and common, and left global they would clash with a
# program's own or another library's.  The objects are linked into one
# first (ld -r) because a name that one file defines and another uses can
# only become local once both are in the same object.  sarc-query still
# links the objects themselves, as above.
$(LIBSARC): $(LIBSARC_OBJ)
	@mkdir -p $(dir $@)
	$(LD) -r -o $(BUILD)/libsarc.o $^
	$(OBJCOPY) --wildcard --keep-global-symbol='sarc_*' $(BUILD)/libsarc.o
	rm -f $@
	$(AR) rcs $@ $(BUILD)/libsarc.o

# libsarc.so exports the sarc_* functions alone (query/sarc.map) and
# links what the engine uses: libstemmer, libdeflate, zlib, libm.
$(LIBSARC_SO): $(LIBSARC_PIC) query/sarc.map
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -shared -Wl,-soname,libsarc.so.$(SOMAJOR) -Wl,--version-script=query/sarc.map \
	  -Wl,-z,defs -o $@ $(LIBSARC_PIC) -lstemmer -ldeflate -lz -lm
	ln -sf libsarc.so.$(VERSION) $(LIBOUT)/libsarc.so.$(SOMAJOR)
	ln -sf libsarc.so.$(SOMAJOR) $(LIBOUT)/libsarc.so

$(BUILD)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fPIC -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIBOBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/corpus/%: $(BUILD)/corpus/%.o $(BUILD)/common/cliopt.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

tests: all $(UNIT_BIN) $(if $(filter 1,$(SAN)),,$(BUILD)/sarc-query-dynamic)

# check: every test, plainly and then under ASan + UBSan; the last line
# is "N passed, N failed".
check: deps
	@$(MAKE) --no-print-directory tests
	@$(MAKE) --no-print-directory SAN=1 tests
	@sh tests/run.sh

demo: deps-build all
	@sh corpus/demo.sh

bench: deps all
	@sh tests/bench/run.sh

fuzz: deps
	@sh tests/fuzz/run.sh

# The pkg-config file states VERSION: sarc.h's, which the programs print.

# install also installs the library, its header and sarc.pc, whose prefix
# is PREFIX (DESTDIR only stages the files).  SAN=1 installs the sanitized
# build (tests/e2e/library.sh), whose programs and library need ASan.
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BIN)/sarc-index $(BIN)/sarc-query $(DESTDIR)$(PREFIX)/bin/
	install -m 644 man/sarc-index.1 man/sarc-query.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 644 man/sarc.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/sarc-query
	install -m 644 man/sarc.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/sarc-index
	install -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 644 query/sarc.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 $(LIBSARC) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(LIBSARC_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf libsarc.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libsarc.so.$(SOMAJOR)
	ln -sf libsarc.so.$(SOMAJOR) $(DESTDIR)$(LIBDIR)/libsarc.so
	sed -e 's|@LIBDIR@|$(LIBDIR)|; s|@INCLUDEDIR@|$(INCLUDEDIR)|; s|@VERSION@|$(VERSION)|' \
	  query/sarc.pc.in >$(DESTDIR)$(LIBDIR)/pkgconfig/sarc.pc
	chmod 644 $(DESTDIR)$(LIBDIR)/pkgconfig/sarc.pc

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/sarc-index $(DESTDIR)$(PREFIX)/bin/sarc-query
	rm -f $(DESTDIR)$(PREFIX)/share/man/man1/sarc-index.1 $(DESTDIR)$(PREFIX)/share/man/man1/sarc-query.1
	rm -f $(DESTDIR)$(PREFIX)/share/bash-completion/completions/sarc-query
	rm -f $(DESTDIR)$(PREFIX)/share/bash-completion/completions/sarc-index
	rm -f $(DESTDIR)$(INCLUDEDIR)/sarc.h $(DESTDIR)$(LIBDIR)/libsarc.a $(DESTDIR)$(LIBDIR)/pkgconfig/sarc.pc
	rm -f $(DESTDIR)$(LIBDIR)/libsarc.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libsarc.so.$(SOMAJOR) \
	  $(DESTDIR)$(LIBDIR)/libsarc.so

clean:
	rm -rf build build-san bin lib

-include $(shell find build build-san -name '*.d' 2>/dev/null)
