/* Ring-3 sessions: the user region, entering ring 3 and coming back from a trap. */
#include "guest/user.h"
#include "guest/hypercall.h"
#include "guest/mm.h"
#include "guest/runtime.h"

/* Traps from ring 3 land here (stack_switch); separate from the stack user_run() runs on. */
static uint8_t user_kstack[8192] __attribute__((aligned(16)));

static struct {
    bool active;
    struct jmpctx ctx;
    struct guest_regs *out;
} session;

uint32_t user_kstack_top(void)
{
    return (uint32_t)(uintptr_t)(user_kstack + sizeof(user_kstack));
}

bool user_active(void)
{
    return session.active;
}

bool user_range_ok(uint32_t p, uint32_t len)
{
    uint32_t start = (uint32_t)(uintptr_t)__user_start, end = (uint32_t)(uintptr_t)__user_end;

    return p >= start && p <= end && len <= end - p;
}

int user_region_enable(void)
{
    for (uintptr_t va = (uintptr_t)__user_start; va < (uintptr_t)__user_end; va += PAGE_SIZE) {
        int rc = page_set_user(va, true);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

int user_run(uint32_t eip, uint32_t esp, uint32_t eax, struct guest_regs *exit_regs)
{
    int rc = HYPERVISOR_stack_switch(FLAT_KERNEL_SS, user_kstack_top());

    if (rc != 0) {
        return rc;
    }
    session.out = exit_regs;
    if (ctx_save(&session.ctx) != 0) {
        return 0;
    }
    session.active = true;
    hypercall_iret(eax, eip, FLAT_USER_CS, events_usable ? 0x202 : 0x002, esp, FLAT_USER_SS);
}

void user_leave(const struct guest_regs *regs)
{
    *session.out = *regs;
    session.active = false;
    __asm__ volatile("movl %0, %%fs; movl %0, %%gs" ::"r"((uint32_t)FLAT_KERNEL_DS));
    ctx_restore(&session.ctx, 1);
}
