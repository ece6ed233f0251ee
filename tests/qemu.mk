# QEMU boots, the GRUB image and the QEMU integration tests.  Included by the top-level
# Makefile, which defines BUILD, QEMU, GDB, Q and the rule for $(BUILD)/ringvisor.elf.
#
#   make qemu        boot the monitor with QEMU's -kernel (Multiboot 1); serial on this
#                    terminal, a display window too when $DISPLAY is set.  Ctrl-A x quits.
#   make qemu-nox    the same without any window
#   make iso         build/ringvisor.iso: GRUB, boots on BIOS and UEFI PCs
#   make qemu-iso    boot that image on a BIOS PC (pc machine)
#   make qemu-uefi   boot that image on a UEFI PC (q35 machine, OVMF firmware)
#   make qemu-gdb    like qemu-nox, stopped at the first instruction, waiting for GDB
#   make gdb         GDB with the monitor's symbols, attached to qemu-gdb
#   make test-qemu   the integration tests of tests/qemu/tests.list
#
# Variables (make VAR=value):
#   CMDLINE     the monitor's command line (default: none, the monitor's defaults)
#   QEMUEXTRA   more QEMU arguments, e.g. QEMUEXTRA="-d int -D build/qemu.log"
#   QEMU_MEM    RAM in MiB (default 256)          QEMU_SMP  virtual CPUs (default 2)
#   GDBPORT     the GDB stub's TCP port (default 26000 + uid % 5000, so users differ)
#   QEMU_TESTS  shell globs selecting tests for test-qemu, e.g. QEMU_TESTS='boot-uefi-*'
#   QEMU_TEST_JOBS  QEMU runs at a time in test-qemu (default 2)
#   RESULTS     the results file test-qemu appends to (default build/test-results.txt)
#   OVMF_CODE, OVMF_VARS (split UEFI firmware) or OVMF_BIOS (single file): found under
#               /usr/share when not given
#
# QEMU always runs with TCG (never KVM), with -no-reboot, and with the isa-debug-exit
# device at port 0xf4: given exit_port=0xf4 on its command line the monitor leaves QEMU
# through it (status 1 = clean, 3 = failure); the interactive targets leave it out, so the
# monitor stays up until you quit QEMU.

QEMU_MEM       ?= 256
QEMU_SMP       ?= 2
CMDLINE        ?=
QEMUEXTRA      ?=
# The embedded default: two mini guest kernels side by side.
DEFAULT_GUESTS := $(BUILD)/guest.elf name=alpha,$(BUILD)/guest.elf name=beta
QEMU_INITRD    ?= $(DEFAULT_GUESTS)
MKISO_FLAGS    ?= --module "$(BUILD)/guest.elf name=alpha" --module "$(BUILD)/guest.elf name=beta"
GDBPORT        ?= $(shell echo $$((26000 + $$(id -u) % 5000)))
RESULTS        ?= $(BUILD)/test-results.txt
QEMU_TESTS     ?=
QEMU_TEST_JOBS ?= 2
# test-qemu starts $(RESULTS) afresh when it is the command typed (make test-qemu); run
# by `make test` or any other make (a sub-make, MAKELEVEL > 0), which collects other
# results in the same file, it only appends.
QEMU_TEST_RESET ?= $(if $(filter test,$(MAKECMDGOALS))$(filter-out 0,$(MAKELEVEL)),0,1)

RINGVISOR_ELF := $(BUILD)/ringvisor.elf
RINGVISOR_ISO := $(BUILD)/ringvisor.iso

# UEFI firmware (Debian/Ubuntu ovmf): the 4 MiB split code/variables pair, else the
# single-file image.  Found at make time; a missing layout is not an error until
# something needs UEFI.
ifeq ($(origin OVMF_CODE)$(origin OVMF_BIOS),undefinedundefined)
ifneq ($(and $(wildcard /usr/share/OVMF/OVMF_CODE_4M.fd),$(wildcard /usr/share/OVMF/OVMF_VARS_4M.fd)),)
OVMF_CODE := /usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS := /usr/share/OVMF/OVMF_VARS_4M.fd
else ifneq ($(wildcard /usr/share/ovmf/OVMF.fd),)
OVMF_BIOS := /usr/share/ovmf/OVMF.fd
endif
endif
OVMF_CODE ?=
OVMF_VARS ?=
OVMF_BIOS ?=
ifneq ($(and $(OVMF_CODE),$(OVMF_VARS)),)
# The firmware keeps its settings in a writable copy of the variable store.
UEFI_FIRMWARE = -drive if=pflash,format=raw,unit=0,readonly=on,file=$(OVMF_CODE) \
                -drive if=pflash,format=raw,unit=1,file=$(BUILD)/OVMF_VARS.fd
UEFI_FIRMWARE_DEPS = $(BUILD)/OVMF_VARS.fd
else ifneq ($(OVMF_BIOS),)
UEFI_FIRMWARE = -bios $(OVMF_BIOS)
UEFI_FIRMWARE_DEPS =
endif

QEMU_OPTS   = -accel tcg -m $(QEMU_MEM) -smp $(QEMU_SMP) -no-reboot \
              -device isa-debug-exit,iobase=0xf4,iosize=4 -serial mon:stdio
QEMU_COMMON = $(QEMU) $(QEMU_OPTS)
QEMU_BOOT_KERNEL = -machine pc -kernel $(RINGVISOR_ELF) -append '$(CMDLINE)' \
                   $(if $(QEMU_INITRD),-initrd '$(QEMU_INITRD)')

# A window when there is a display to show it on and QEMU has a graphical front end
# (Debian: qemu-system-gui); otherwise the serial console alone.
QEMU_PICK_DISPLAY = disp="-display none"; \
    if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ] && \
       $(QEMU) -display help 2>/dev/null | grep -qxE 'gtk|sdl'; then disp=""; fi
# Quitting with Ctrl-A x gives status 0; a monitor told exit_port=0xf4 gives 1 when clean.
QEMU_STATUS_OK = st=$$?; [ $$st -eq 0 ] $(if $(findstring exit_port=,$(CMDLINE)),|| [ $$st -eq 1 ]) || \
    { echo "QEMU exit status $$st$(if $(findstring exit_port=,$(CMDLINE)), (3: the monitor reported a failure))"; \
      exit $$st; }
QEMU_HINT = echo "  QEMU    serial console below; Ctrl-A x quits, Ctrl-A c switches to the QEMU monitor"

.PHONY: qemu qemu-nox qemu-iso qemu-uefi qemu-gdb gdb iso test-qemu qemu-mk-force

qemu: $(RINGVISOR_ELF) $(BUILD)/guest.elf
	@$(QEMU_HINT)
	$(Q)$(QEMU_PICK_DISPLAY); \
	    $(QEMU_COMMON) $$disp $(QEMU_BOOT_KERNEL) $(QEMUEXTRA); $(QEMU_STATUS_OK)

qemu-nox: $(RINGVISOR_ELF) $(BUILD)/guest.elf
	@$(QEMU_HINT)
	$(Q)$(QEMU_COMMON) -display none $(QEMU_BOOT_KERNEL) $(QEMUEXTRA); $(QEMU_STATUS_OK)

# ---------------------------------------------------------------- GRUB image ---------
# A hybrid ISO (grub-mkrescue): boots from a CD on BIOS and UEFI PCs, and also from a USB
# stick it is written to with dd:
#     dd if=build/ringvisor.iso of=/dev/sdX bs=4M conv=fsync status=progress
# (sdX is the whole stick, not a partition; everything on it is lost).
# The generated grub.cfg is kept in build/grub.cfg; CMDLINE goes into it, and changing
# CMDLINE rebuilds the image.
iso: $(RINGVISOR_ISO)

$(BUILD)/iso.cmdline: qemu-mk-force
	@mkdir -p $(dir $@)
	$(Q)printf '%s\n' '$(CMDLINE) $(MKISO_FLAGS)' > $@.tmp; \
	    if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(RINGVISOR_ISO): $(RINGVISOR_ELF) $(BUILD)/guest.elf tests/qemu/mkiso.sh $(BUILD)/iso.cmdline
	$(Q)tests/qemu/mkiso.sh --cmdline '$(CMDLINE)' --cfg $(BUILD)/grub.cfg $(MKISO_FLAGS) \
	    $(RINGVISOR_ELF) $@

qemu-iso: $(RINGVISOR_ISO)
	@$(QEMU_HINT)
	$(Q)$(QEMU_PICK_DISPLAY); \
	    $(QEMU_COMMON) $$disp -machine pc -cdrom $(RINGVISOR_ISO) -boot d $(QEMUEXTRA); \
	    $(QEMU_STATUS_OK)

$(BUILD)/OVMF_VARS.fd: $(OVMF_VARS)
	@mkdir -p $(dir $@)
	$(Q)cp $< $@

qemu-uefi: $(RINGVISOR_ISO) $(UEFI_FIRMWARE_DEPS)
	$(Q)if [ -z "$(strip $(UEFI_FIRMWARE))" ]; then \
	    echo "error: no OVMF firmware under /usr/share/OVMF or /usr/share/ovmf;" \
	         "install Debian's ovmf or give OVMF_CODE=... OVMF_VARS=... (or OVMF_BIOS=...)" >&2; \
	    exit 1; fi
	@$(QEMU_HINT)
	$(Q)$(QEMU_PICK_DISPLAY); \
	    $(QEMU_COMMON) $$disp -machine q35 $(UEFI_FIRMWARE) -cdrom $(RINGVISOR_ISO) $(QEMUEXTRA); \
	    $(QEMU_STATUS_OK)

# ---------------------------------------------------------------- GDB ----------------
# The monitor runs in 32-bit protected mode, so GDB is told i386 before it connects.
# qemu-system-x86_64's stub always describes the CPU as x86-64, which GDB cannot use for
# i386 code ("Remote 'g' packet reply is too long"), so this target runs the i386 build
# of the same QEMU (same package) with the same CPU model minus long mode.
# The stub listens on localhost only.
QEMU_GDB     ?= $(patsubst %x86_64,%i386,$(QEMU))
QEMU_GDB_CPU ?= qemu64,-lm,-syscall

qemu-gdb: $(RINGVISOR_ELF) $(BUILD)/guest.elf $(BUILD)/gdbinit
	@echo "  QEMU    stopped at the first instruction, GDB stub on localhost:$(GDBPORT)"
	@echo "          attach with 'make gdb' in another terminal (or: $(GDB) -x $(BUILD)/gdbinit)"
	@$(QEMU_HINT)
	$(Q)$(QEMU_GDB) -cpu $(QEMU_GDB_CPU) $(QEMU_OPTS) -display none \
	    $(QEMU_BOOT_KERNEL) -S -gdb tcp:localhost:$(GDBPORT) $(QEMUEXTRA); $(QEMU_STATUS_OK)

$(BUILD)/gdbinit: qemu-mk-force
	@mkdir -p $(dir $@)
	$(Q){ echo "# Generated by tests/qemu.mk (make gdb): the monitor's symbols, then QEMU's stub."; \
	      echo "set architecture i386"; \
	      echo "file $(RINGVISOR_ELF)"; \
	      echo "target remote localhost:$(GDBPORT)"; } > $@.tmp; \
	    if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

gdb: $(RINGVISOR_ELF) $(BUILD)/gdbinit
	$(Q)$(GDB) -q -x $(BUILD)/gdbinit

# ---------------------------------------------------------------- tests --------------
# Each test appends "PASS name", "FAIL name (reason)" or "SKIP name (reason)" to
# $(RESULTS); logs go to $(BUILD)/test-logs/<name>.log.  See tests/qemu/tests.list.
test-qemu: $(RINGVISOR_ELF) $(BUILD)/guest.elf
	$(Q)$(if $(filter 1,$(QEMU_TEST_RESET)),rm -f $(RESULTS))
	$(Q)set -f; BUILD=$(BUILD) ELF=$(RINGVISOR_ELF) QEMU=$(QEMU) RESULTS=$(RESULTS) \
	    OVMF_CODE=$(OVMF_CODE) OVMF_VARS=$(OVMF_VARS) OVMF_BIOS=$(OVMF_BIOS) \
	    QEMU_TEST_JOBS=$(QEMU_TEST_JOBS) tests/qemu/run-tests.sh $(QEMU_TESTS)

qemu-mk-force:

# The 10 s CPU-share runs of tests/qemu/sched-bench.list (make test runs 3 s ones).
bench-sched: $(RINGVISOR_ELF) guests
	$(Q)set -f; LIST=tests/qemu/sched-bench.list BUILD=$(BUILD) ELF=$(RINGVISOR_ELF) QEMU=$(QEMU) \
	    RESULTS=$(BUILD)/bench-sched-results.txt QEMU_TEST_JOBS=1 tests/qemu/run-tests.sh
	$(Q)grep -h "sched_share: ran" $(BUILD)/test-logs/sched-bench-*.log
.PHONY: bench-sched
