# The deterministic performance harness.  Included by the top-level Makefile after
# guest-port/guest.mk, whose runtime library and flags the bench guests use.
#
#   make bench       build the monitor and the bench guests, boot each run of
#                    tests/bench/bench.list in QEMU under -icount shift=0,sleep=off and
#                    print the table (also kept in $(BUILD)/bench/results.md)
#
# Bench guests: every tests/bench/*.c but bench.c (the timing library they all link) is one
# image, $(BUILD)/bench/<name>.elf.  `make` builds them with the other guests so that they
# keep compiling; `make test` boots them once, without -icount, to check that they still
# run (tests/qemu/tests.list: bench-guests).  A new benchmark is a file here plus a line in
# tests/bench/bench.list.

BENCH_DIR    := $(BUILD)/bench
BENCH_NAMES  := $(filter-out bench,$(patsubst tests/bench/%.c,%,$(sort $(wildcard tests/bench/*.c))))
BENCH_IMAGES := $(patsubst %,$(BENCH_DIR)/%.elf,$(BENCH_NAMES))
BENCH_LIB_OBJ := $(BENCH_DIR)/obj/bench.o

.PHONY: bench bench-guests
guests: bench-guests
bench-guests: $(BENCH_IMAGES)

.SECONDARY: $(patsubst %,$(BENCH_DIR)/obj/%.o,$(BENCH_NAMES)) $(BENCH_LIB_OBJ)

$(BENCH_DIR)/obj/%.o: tests/bench/%.c $(GUEST_FLAGS_STAMP) | $(BUILD)/include/xen
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(GUEST_CFLAGS) -Itests/bench -c $< -o $@

$(BENCH_DIR)/%.elf: $(BENCH_DIR)/obj/%.o $(BENCH_LIB_OBJ) $(GUEST_LIB) guest-port/guest.ld
	@echo "  LD      $@"
	$(Q)$(guest_link)

bench: $(RINGVISOR_ELF) $(BENCH_IMAGES)
	$(Q)BUILD=$(BUILD) ELF=$(RINGVISOR_ELF) QEMU=$(QEMU) tests/bench/run-bench.sh

-include $(shell find $(BENCH_DIR) -name '*.d' 2>/dev/null)
