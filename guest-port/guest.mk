# Guest images: the guest runtime library, the mini guest kernel and the test guests.
# Included by the top-level Makefile, which defines BUILD, CC, Q and the rule that makes
# $(BUILD)/include/xen (Xen's public headers).  Guests see those headers and
# guest-port/include only, never the monitor's.
#
#   $(BUILD)/guest-port/libguest.a   the runtime (guest-port/runtime/)
#   $(BUILD)/guest.elf               the mini guest kernel (guest-port/kernel/)
#   $(BUILD)/guests/<name>.elf       one test guest per tests/guests/<name>.c
#   make guests                      all images; GUEST_IMAGES lists them for `all`
#
# Sources named *.user.c are ring-3 code: guest.ld puts all of their sections in the
# user region, and they are built so that the compiler adds no calls out of it.

GUEST_DIR  := $(BUILD)/guest-port
GUEST_LIB  := $(GUEST_DIR)/libguest.a
GUEST_AR   ?= $(patsubst %gcc,%ar,$(CC))
GUEST_READELF ?= $(patsubst %gcc,%readelf,$(CC))
GUEST_LIBGCC = $(shell $(CC) -m32 -print-libgcc-file-name)

GUEST_CFLAGS  := -std=gnu11 -m32 -march=i686 -O2 -g -ffreestanding -fno-pic -fno-pie \
                 -fno-stack-protector -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
                 -fno-strict-aliasing -fno-delete-null-pointer-checks -mgeneral-regs-only \
                 -fcf-protection=none \
                 -Wall -Wextra -Werror -Wno-unused-parameter -Wstrict-prototypes \
                 -Wmissing-prototypes -Wshadow -Wvla \
                 -Iguest-port/include -I$(BUILD)/include -MMD -MP
GUEST_USER_CFLAGS := -fno-builtin -fno-tree-loop-distribute-patterns
GUEST_ASFLAGS := -m32 -g -Iguest-port/include -I$(BUILD)/include -MMD -MP -D__ASSEMBLY__
GUEST_LDFLAGS := -m32 -nostdlib -static -no-pie -Wl,--build-id=none \
                 -Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
                 -T guest-port/guest.ld
GUEST_MAX_SIZE := 65536

guest_objs = $(patsubst guest-port/%,$(GUEST_DIR)/%.o,$(basename $(1)))

GUEST_RT_SRCS     := $(sort $(wildcard guest-port/runtime/*.c guest-port/runtime/*.S))
GUEST_RT_OBJS     := $(call guest_objs,$(GUEST_RT_SRCS))
GUEST_KERNEL_SRCS := $(sort $(wildcard guest-port/kernel/*.c guest-port/kernel/user/*.c))
GUEST_KERNEL_OBJS := $(call guest_objs,$(GUEST_KERNEL_SRCS))
TEST_GUEST_NAMES  := $(patsubst tests/guests/%.c,%,$(sort $(wildcard tests/guests/*.c)))
TEST_GUEST_IMAGES := $(patsubst %,$(BUILD)/guests/%.elf,$(TEST_GUEST_NAMES))
TEST_GUEST_OBJS   := $(patsubst %,$(BUILD)/guests/obj/%.o,$(TEST_GUEST_NAMES))
GUEST_IMAGES      := $(BUILD)/guest.elf $(TEST_GUEST_IMAGES)

.PHONY: guests
guests: $(GUEST_IMAGES)

# Kept after the link, for debugging and so that make does not rebuild them every time.
.SECONDARY: $(TEST_GUEST_OBJS)

$(GUEST_DIR)/%.user.o: GUEST_EXTRA_CFLAGS := $(GUEST_USER_CFLAGS)

# Everything is rebuilt when the flags change.
GUEST_FLAGS_STAMP := $(GUEST_DIR)/flags
$(GUEST_FLAGS_STAMP): guest-flags-force
	@mkdir -p $(@D)
	@echo '$(GUEST_CFLAGS) $(GUEST_USER_CFLAGS) $(GUEST_ASFLAGS)' | cmp -s - $@ || \
	    echo '$(GUEST_CFLAGS) $(GUEST_USER_CFLAGS) $(GUEST_ASFLAGS)' > $@
.PHONY: guest-flags-force
guest-flags-force:

$(GUEST_DIR)/%.o: guest-port/%.c $(GUEST_FLAGS_STAMP) | $(BUILD)/include/xen
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(GUEST_CFLAGS) $(GUEST_EXTRA_CFLAGS) -c $< -o $@

$(GUEST_DIR)/%.o: guest-port/%.S $(GUEST_FLAGS_STAMP) | $(BUILD)/include/xen
	@mkdir -p $(@D)
	@echo "  AS      $<"
	$(Q)$(CC) $(GUEST_ASFLAGS) -c $< -o $@

$(BUILD)/guests/obj/%.o: tests/guests/%.c $(GUEST_FLAGS_STAMP) | $(BUILD)/include/xen
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_LIB): $(GUEST_RT_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && $(GUEST_AR) rcs $@ $^

# The image must stay small: the bytes the domain builder copies from the file (every
# PT_LOAD's file size; .bss and the debugging sections do not count).
guest_check_size = \
    load=0; for n in $$($(GUEST_READELF) -lW $@ | awk '$$1 == "LOAD" { print $$5 }'); do \
        load=$$((load + n)); done; \
    echo "  IMAGE   $@: $$load bytes loaded from the file (limit $(GUEST_MAX_SIZE))"; \
    if [ "$$load" -gt $(GUEST_MAX_SIZE) ]; then \
        echo "error: $@ loads over $(GUEST_MAX_SIZE) bytes" >&2; rm -f $@; exit 1; fi

# Objects first, then the runtime, then libgcc (64-bit division in the formatter).
guest_link = $(CC) $(GUEST_LDFLAGS) -o $@ $(filter %.o,$^) $(GUEST_LIB) $(GUEST_LIBGCC)

$(BUILD)/guest.elf: $(GUEST_KERNEL_OBJS) $(GUEST_LIB) guest-port/guest.ld
	@echo "  LD      $@"
	$(Q)$(guest_link)
	$(Q)$(guest_check_size)

$(BUILD)/guests/%.elf: $(BUILD)/guests/obj/%.o $(GUEST_LIB) guest-port/guest.ld
	@echo "  LD      $@"
	$(Q)$(guest_link)

-include $(shell find $(GUEST_DIR) $(BUILD)/guests -name '*.d' 2>/dev/null)
