# Ringvisor top-level build.
#
#   make            build/ringvisor.elf (the monitor)
#   make qemu       boot it in QEMU, serial on this terminal (also: qemu-nox)
#   make test       host unit tests and QEMU integration tests
#   make bench      instruction counts of PV operations under QEMU -icount (docs/performance.md)
#   make iso        GRUB rescue image (BIOS + UEFI, hybrid: also boots from a USB stick)
#   make qemu-iso / qemu-uefi / qemu-gdb / gdb / check / clean
#
# Missing Debian/Ubuntu packages are installed by tests/tools/install-deps.sh.

BUILD      := build
Q          ?= @

# ---------------------------------------------------------------- tools ---
NODEPS_GOALS := clean distclean help check-format
ifeq ($(filter $(NODEPS_GOALS),$(MAKECMDGOALS)),)
ifneq ($(RINGVISOR_SKIP_DEPS),1)
DEPS_RC := $(shell tests/tools/install-deps.sh >&2; echo $$?)
ifneq ($(DEPS_RC),0)
$(error tests/tools/install-deps.sh failed; install the packages it names and run make again)
endif
endif
endif

ifeq ($(origin TOOLPREFIX),undefined)
ifneq ($(shell command -v i686-linux-gnu-gcc 2>/dev/null),)
TOOLPREFIX := i686-linux-gnu-
else
TOOLPREFIX :=
$(info note: i686-linux-gnu-gcc not found; falling back to the host gcc -m32)
endif
endif

CC         := $(TOOLPREFIX)gcc
LD         := $(TOOLPREFIX)ld
NM         := $(TOOLPREFIX)nm
OBJCOPY    := $(TOOLPREFIX)objcopy
SIZE       := $(TOOLPREFIX)size
HOSTCC     ?= gcc
QEMU       ?= qemu-system-x86_64
GDB        ?= gdb

# The Xen public headers are the ABI definition: expose only them, from the system.
XEN_INCLUDE ?= /usr/include/xen

# ---------------------------------------------------------------- flags ---
CFLAGS := -std=gnu11 -m32 -march=i686 -O2 -g -ffreestanding -fno-pic -fno-pie \
          -fno-stack-protector -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
          -fno-strict-aliasing -mgeneral-regs-only -mno-red-zone -fcf-protection=none \
          -Wall -Wextra -Werror -Wno-unused-parameter -Wstrict-prototypes \
          -Wmissing-prototypes -Wshadow -Wvla \
          -I. -I$(BUILD)/include -MMD -MP
ASFLAGS := -m32 -g -I. -I$(BUILD)/include -MMD -MP -D__ASSEMBLY__
LDFLAGS := -m32 -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,max-page-size=0x1000 \
           -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -T linker.ld
LIBGCC  := $(shell $(CC) -m32 -print-libgcc-file-name)

# ---------------------------------------------------------------- sources --
# Every .c and .S under the monitor's folders is part of the monitor.
MON_SRCS := $(sort $(wildcard arch/x86/*.c arch/x86/*/*.c arch/x86/*.S arch/x86/*/*.S \
                              kernel/*.c mm/*.c drivers/*.c))
MON_SRCS := $(filter-out $(MON_EXCLUDE),$(MON_SRCS))
MON_OBJS := $(patsubst %,$(BUILD)/obj/%.o,$(basename $(MON_SRCS)))
MON_OBJS += $(BUILD)/obj/font.o

.PHONY: all
all: $(BUILD)/ringvisor.elf guests

$(BUILD)/include/xen:
	$(Q)mkdir -p $(BUILD)/include
	$(Q)ln -sfn $(XEN_INCLUDE) $@

$(BUILD)/obj/%.o: %.c | $(BUILD)/include/xen
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.S | $(BUILD)/include/xen
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(ASFLAGS) -c $< -o $@

# The console font is generated from GRUB's font file (Debian grub-common).
GRUB_FONT ?= /usr/share/grub/unicode.pf2
$(BUILD)/tools/pf2font: tests/tools/pf2font.c
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) -O2 -Wall -Wextra -Werror -o $@ $<
$(BUILD)/gen/font.c: $(BUILD)/tools/pf2font $(GRUB_FONT)
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	$(Q)$(BUILD)/tools/pf2font $(GRUB_FONT) > $@.tmp && mv $@.tmp $@
$(BUILD)/obj/font.o: $(BUILD)/gen/font.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

# Two-pass link: the symbol table (for backtraces) sits after all code, so adding it does
# not move any function; the second pass checks that.
$(BUILD)/ringvisor.elf: $(MON_OBJS) linker.ld tests/tools/gensyms.sh
	@echo "  LD      $@"
	$(Q)printf '.section .rodata.symtab,"a"\n.globl symtab_count\nsymtab_count: .long 0\n.globl symtab_entries\nsymtab_entries:\n.globl symtab_names\nsymtab_names: .byte 0\n' > $(BUILD)/symtab0.S
	$(Q)$(CC) $(ASFLAGS) -c $(BUILD)/symtab0.S -o $(BUILD)/symtab0.o
	$(Q)$(CC) $(LDFLAGS) -o $(BUILD)/ringvisor.pass1.elf $(MON_OBJS) $(BUILD)/symtab0.o $(LIBGCC)
	$(Q)$(NM) -n $(BUILD)/ringvisor.pass1.elf | tests/tools/gensyms.sh > $(BUILD)/symtab.S
	$(Q)$(CC) $(ASFLAGS) -c $(BUILD)/symtab.S -o $(BUILD)/symtab.o
	$(Q)$(CC) $(LDFLAGS) -o $@.tmp $(MON_OBJS) $(BUILD)/symtab.o $(LIBGCC)
	$(Q)$(NM) -n $(BUILD)/ringvisor.pass1.elf | grep -i ' t ' > $(BUILD)/syms1.txt
	$(Q)$(NM) -n $@.tmp | grep -i ' t ' > $(BUILD)/syms2.txt
	$(Q)cmp -s $(BUILD)/syms1.txt $(BUILD)/syms2.txt || \
	    { echo "error: the symbol table moved code between link passes" >&2; exit 1; }
	$(Q)mv $@.tmp $@
	$(Q)set -- $$($(SIZE) -B $@ | tail -1); load=$$(($$1 + $$2)); \
	    echo "  IMAGE   $@: $$load bytes loaded, $$3 bytes bss (limit 262144 loaded)"; \
	    if [ $$load -gt 262144 ]; then echo "error: monitor image over 256 KiB" >&2; exit 1; fi

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

include tests/tests.mk
include tests/qemu.mk
include guest-port/guest.mk
include tests/bench.mk

# ---------------------------------------------------------------- tests ----
# Every test appends "PASS name", "FAIL name (why)" or "SKIP name (why)" to $(RESULTS);
# the last line of `make test` counts them.  A failing part does not stop the others.
RESULTS ?= $(BUILD)/test-results.txt
export RESULTS

.PHONY: test
test:
	@mkdir -p $(BUILD); : > $(RESULTS)
	@$(MAKE) --no-print-directory all && echo "PASS build/monitor" >> $(RESULTS) || \
	    echo "FAIL build/monitor (make all failed)" >> $(RESULTS)
	-$(Q)$(MAKE) --no-print-directory test-unit
	-$(Q)$(MAKE) --no-print-directory test-qemu
	-$(Q)$(MAKE) --no-print-directory check-headers
	@tests/tools/summarize.sh $(RESULTS)

# ---------------------------------------------------------------- misc -----
.PHONY: check check-format check-headers clean distclean help
check: check-format check-headers

# Every header compiles on its own (includes what it uses).
check-headers: | $(BUILD)/include/xen
	$(Q)fail=0; for h in $$(git ls-files 'arch/*.h' 'kernel/*.h' 'mm/*.h' 'drivers/*.h'); do \
	    printf '#include "%s"\n' $$h | $(CC) $(CFLAGS) -x c -fsyntax-only - 2>/dev/null || \
	    { echo "header not self-contained: $$h"; fail=1; }; done; \
	    if [ -n "$$RESULTS" ]; then \
	        if [ $$fail = 0 ]; then echo "PASS check/headers" >> $$RESULTS; \
	        else echo "FAIL check/headers (not self-contained)" >> $$RESULTS; fi; fi; \
	    exit $$fail

check-format:
	$(Q)files=$$(git ls-files '*.c' '*.h' | grep -v '^tests/unit/'); \
	    clang-format --dry-run --Werror $$files

clean:
	rm -rf $(BUILD)

distclean: clean

help:
	@sed -n '1,12p' Makefile
