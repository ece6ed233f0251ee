# Host unit tests (cmocka): one executable per tests/unit/test_<name>.c, built with HOSTCC.
#
#   make test-unit              build and run them; one line per test case appended to
#                               $(RESULTS): "PASS unit/<name>/<case>" or "FAIL ... (why)"
#   make test-unit UNIT_SANITIZE=0   without AddressSanitizer/UBSan
#
# The monitor sources a test links are compiled for the host with tests/unit/stubs first on
# the include path: host stand-ins for the headers that hold 32-bit inline assembly.  A test
# that fails to build, crashes or times out is a FAIL line too; one failure stops nothing.
# Each test's output is kept in $(BUILD)/unit/<name>.log (build: <name>.build.log).

UNIT_DIR   := $(BUILD)/unit
UNIT_TESTS := $(patsubst tests/unit/test_%.c,%,$(sort $(wildcard tests/unit/test_*.c)))
RESULTS    ?= $(BUILD)/test-results.txt
UNIT_SANITIZE ?= 1

# Monitor sources each test links besides its own file and the stubs; without a line here,
# the monitor file of the test's name (test_foo.c tests kernel/foo.c, mm/foo.c, ...).
UNIT_SRCS_cmdline := kernel/cmdline.c kernel/parse.c
UNIT_SRCS_domcfg := kernel/domcfg.c kernel/parse.c
UNIT_SRCS_pagetype := mm/pagetype.c tests/unit/pagetype_fixture.c tests/unit/stubs/frames.c \
                      tests/unit/stubs/page_freed.c tests/unit/stubs/descriptor.c \
                      tests/unit/stubs/cpu.c
UNIT_SRCS_ptwr := arch/x86/ptwr.c mm/guest_copy.c
UNIT_SRCS_event := kernel/event.c kernel/event_2l.c
UNIT_SRCS_timer_queue := kernel/timer_queue.c drivers/rtc.c
UNIT_SRCS_opcmd := kernel/opcmd.c kernel/parse.c
UNIT_SRCS_console_input := kernel/console_input.c kernel/cmdline.c kernel/parse.c
UNIT_SRCS_xenstore := kernel/xs_tree.c kernel/xs_conn.c kernel/xs_txn.c kernel/parse.c
UNIT_SRCS_xs_ring := kernel/xs_ring.c kernel/console_ring.c kernel/xs_conn.c kernel/xs_txn.c \
                     kernel/xs_tree.c kernel/parse.c
unit_srcs = $(if $(UNIT_SRCS_$(1)),$(UNIT_SRCS_$(1)),\
                 $(wildcard kernel/$(1).c mm/$(1).c drivers/$(1).c arch/x86/$(1).c))

UNIT_STUB_SRCS := tests/unit/stubs/host.c

# Sanitizers when this machine can build and run them; probed once, only when needed.
UNIT_SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all
UNIT_SAN_PROBE = $(shell d=$$(mktemp -d) && printf 'int main(void) { return 0; }\n' > $$d/p.c && \
    $(HOSTCC) $(UNIT_SAN_FLAGS) $$d/p.c -o $$d/p >/dev/null 2>&1 && $$d/p && echo yes; rm -rf $$d)
UNIT_SAN = $(eval UNIT_SAN := $(if $(filter 1,$(UNIT_SANITIZE)),\
                                $(if $(UNIT_SAN_PROBE),$(UNIT_SAN_FLAGS))))$(UNIT_SAN)

UNIT_CFLAGS = -std=gnu11 -g -O1 -fno-omit-frame-pointer -fno-strict-aliasing $(UNIT_SAN) \
              -Wall -Wextra -Werror -Wno-unused-parameter -Wstrict-prototypes \
              -Wmissing-prototypes -Wshadow -Wvla \
              -Itests/unit/stubs -I. -I$(BUILD)/include -MMD -MP
UNIT_LDFLAGS = $(UNIT_SAN)
UNIT_LIBS   := -lcmocka

# format.c defines vsnprintf/snprintf: renamed so the test can compare it with the C library.
$(UNIT_DIR)/obj/kernel/format.o: UNIT_EXTRA_CFLAGS := -Dvsnprintf=rv_vsnprintf \
                                                     -Dsnprintf=rv_snprintf

unit_objs = $(patsubst %.c,$(UNIT_DIR)/obj/%.o,tests/unit/test_$(1).c $(UNIT_STUB_SRCS) \
                $(call unit_srcs,$(1)))

# Rebuild everything when the flags change (sanitizers on or off).
$(UNIT_DIR)/cflags: unit-force
	@mkdir -p $(@D)
	@echo '$(UNIT_CFLAGS)' | cmp -s - $@ || echo '$(UNIT_CFLAGS)' > $@

$(UNIT_DIR)/obj/%.o: %.c $(UNIT_DIR)/cflags | $(BUILD)/include/xen
	@mkdir -p $(@D)
	@echo "  HOSTCC  $<"
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) $(UNIT_EXTRA_CFLAGS) -c $< -o $@

define unit_exe
$(UNIT_DIR)/$(1): $(call unit_objs,$(1))
	@echo "  HOSTLD  $$@"
	$(Q)$(HOSTCC) $$(UNIT_LDFLAGS) -o $$@ $$^ $(UNIT_LIBS)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_exe,$(t))))

-include $(wildcard $(foreach t,$(UNIT_TESTS),$(patsubst %.o,%.d,$(call unit_objs,$(t)))))

# Each executable is built by its own make so that one that does not build is one FAIL line.
.PHONY: test-unit unit-force
unit-force:
test-unit:
	@mkdir -p $(UNIT_DIR) $(dir $(RESULTS)); touch $(RESULTS)
	$(Q)start=$$(date +%s); pass=0; fail=0; \
	for t in $(UNIT_TESTS); do \
	    r=$(UNIT_DIR)/$$t.results; \
	    if $(MAKE) --no-print-directory RINGVISOR_SKIP_DEPS=1 $(UNIT_DIR)/$$t \
	            > $(UNIT_DIR)/$$t.build.log 2>&1; then \
	        sh tests/unit/run.sh $(UNIT_DIR)/$$t unit/$$t $(UNIT_DIR)/$$t.log > $$r; \
	    else \
	        sed 's/^/    /' $(UNIT_DIR)/$$t.build.log; \
	        echo "FAIL unit/$$t (does not build; see $(UNIT_DIR)/$$t.build.log)" > $$r; \
	    fi; \
	    cat $$r >> $(RESULTS); \
	    p=$$(grep -c '^PASS ' $$r); f=$$(grep -c '^FAIL ' $$r); \
	    pass=$$((pass + p)); fail=$$((fail + f)); \
	    echo "  UNIT    $$t: $$p passed, $$f failed"; \
	    grep '^FAIL ' $$r | sed 's/^/    /'; \
	done; \
	echo "  UNIT    total: $$pass passed, $$fail failed in $$(($$(date +%s) - start)) s"; \
	[ $$fail -eq 0 ]
