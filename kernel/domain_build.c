/*
 * The domain builder: a PV kernel image becomes a running domain with the start-of-day
 * layout of the ABI (docs/guest-layout.md): from the virtual base, the kernel, the P2M
 * array, start_info, the xenstore and console pages, the bootstrap page tables (L3, four
 * L2s, the L1s) and one stack page, all mapped 1:1 onto pseudo-physical frames, padded to
 * a 4 MiB boundary with at least 512 KiB after the stack.
 */
#include "kernel/domain_build.h"
#include "kernel/backend.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "mm/heap.h"
#include "mm/m2p.h"
#include "mm/mapcache.h"
#include "mm/page_alloc.h"
#include "mm/pagetype.h"
#include <xen/version.h>

#define MB2 (2u << 20)
#define MB4 (4u << 20)

struct layout {
    uint32_t vbase;
    uint32_t p2m_pfn, p2m_pages;
    uint32_t si_pfn, store_pfn, console_pfn;
    uint32_t pt_pfn, nr_l1, nr_pt;
    uint32_t stack_pfn;
    uint32_t end_va;          /* the mapped region is [vbase, end_va) */
    uint32_t mapped_pages;
};

static uint32_t pfn_va(const struct layout *l, uint32_t pfn) { return l->vbase + pfn * PAGE_SIZE; }

/* Computes the layout for nr_pages; -ENOMEM with a reason when they do not suffice. */
static int plan_layout(const struct guest_image *img, bool privileged, uint32_t nr_pages,
                       struct layout *l, const char **why)
{
    uint32_t next;
    l->vbase = img->virt_base;
    l->p2m_pfn = (img->load_end - l->vbase) / PAGE_SIZE;
    l->p2m_pages = ALIGN_UP(nr_pages * 4, PAGE_SIZE) / PAGE_SIZE;
    l->si_pfn = l->p2m_pfn + l->p2m_pages;
    next = l->si_pfn + 1;
    l->store_pfn = privileged ? 0 : next++;
    l->console_pfn = privileged ? 0 : next++;
    l->pt_pfn = next;
    l->nr_l1 = 1;
    for (;;) {   /* more L1s map more, which may need more L1s: iterate to a fixed point */
        uint64_t end;
        uint32_t need;
        l->nr_pt = 1 + 4 + l->nr_l1;
        l->stack_pfn = l->pt_pfn + l->nr_pt;
        end = ALIGN_UP((uint64_t)pfn_va(l, l->stack_pfn + 1) + (512u << 10), (uint64_t)MB4);
        if (end > MONITOR_WINDOW_START) {
            *why = "the start-of-day region would reach the monitor's addresses";
            return -EINVAL;
        }
        l->end_va = (uint32_t)end;
        need = (l->end_va - ALIGN_DOWN(l->vbase, MB2)) / MB2;
        if (need <= l->nr_l1) {
            break;
        }
        l->nr_l1 = need;
    }
    l->mapped_pages = (l->end_va - l->vbase) / PAGE_SIZE;
    if (l->mapped_pages > nr_pages) {
        *why = "memory= is too small for this kernel's start-of-day region";
        return -ENOMEM;
    }
    return 0;
}

/* Gives the domain nr frames; p2m[pfn] receives their numbers. */
static int populate(struct domain *d, uint32_t *p2m, uint32_t nr)
{
    for (uint32_t pfn = 0; pfn < nr; pfn++) {
        mfn_t m = alloc_frames(0, 0);
        struct page_info *pg;
        if (mfn_x(m) == INVALID_MFN_RAW) {
            return -ENOMEM;
        }
        pg = mfn_to_page(m);
        pg->owner = d->id;
        pg->u.use.count_info = PGC_allocated | 1;
        pg->u.use.type_info = PGT_none;
        d->tot_pages++;
        clear_frame(m);
        p2m[pfn] = mfn_x(m);
        m2p_set(m, _pfn(pfn));
    }
    return 0;
}

/* Copies len bytes to the guest's pseudo-physical address (pfn-relative) through p2m. */
static void write_phys(const uint32_t *p2m, uint32_t offset, const void *src, uint32_t len)
{
    const uint8_t *s = src;
    while (len) {
        uint32_t in_page = MIN(len, PAGE_SIZE - offset % PAGE_SIZE);
        uint8_t *p = map_frame(_mfn(p2m[offset / PAGE_SIZE]));
        memcpy(p + offset % PAGE_SIZE, s, in_page);
        unmap_frame(p);
        s += in_page;
        offset += in_page;
        len -= in_page;
    }
}

static void load_segments(const struct guest_image *img, const void *file, const uint32_t *p2m)
{
    for (unsigned int i = 0; i < img->nr_segments; i++) {
        write_phys(p2m, img->segments[i].vaddr - img->virt_base,
                   (const uint8_t *)file + img->segments[i].offset, img->segments[i].filesz);
    }
}

static void write_hypercall_page(const struct guest_image *img, const uint32_t *p2m)
{
    uint8_t *p = map_frame(_mfn(p2m[(img->hypercall_page - img->virt_base) / PAGE_SIZE]));
    memset(p, 0xCC, PAGE_SIZE);
    for (uint32_t i = 0; i < PAGE_SIZE / 32; i++) {
        uint8_t *stub = p + i * 32;
        if (i == __HYPERVISOR_iret) {
            /* push %eax; mov $23, %eax; int $0x82 -- no ret: iret never returns */
            static const uint8_t iret_stub[] = { 0x50, 0xB8, 23, 0, 0, 0, 0xCD, 0x82 };
            memcpy(stub, iret_stub, sizeof(iret_stub));
            continue;
        }
        stub[0] = 0xB8;   /* mov $i, %eax; int $0x82; ret */
        memcpy(stub + 1, &i, 4);
        stub[5] = 0xCD;
        stub[6] = 0x82;
        stub[7] = 0xC3;
    }
    unmap_frame(p);
}

/* Bootstrap page tables: L3, four L2s, then the L1s mapping [vbase, end_va). */
static void write_page_tables(const struct layout *l, const uint32_t *p2m)
{
    uint32_t first_l2 = l->pt_pfn + 1, first_l1 = l->pt_pfn + 5;
    uint32_t chunk0 = ALIGN_DOWN(l->vbase, MB2);
    pte_t *t = map_frame(_mfn(p2m[l->pt_pfn]));
    for (unsigned int s = 0; s < 4; s++) {
        t[s] = mfn_to_paddr(_mfn(p2m[first_l2 + s])) | 0x67;
    }
    unmap_frame(t);
    for (uint32_t k = 0; k < l->nr_l1; k++) {
        uint32_t va = chunk0 + k * MB2;
        t = map_frame(_mfn(p2m[first_l2 + (va >> 30)]));
        t[(va >> 21) & 511] = mfn_to_paddr(_mfn(p2m[first_l1 + k])) | 0x67;
        unmap_frame(t);
    }
    for (uint32_t pfn = 0; pfn < l->mapped_pages; pfn++) {
        uint32_t va = pfn_va(l, pfn), k = (va - chunk0) / MB2;
        bool is_pt = pfn >= l->pt_pfn && pfn < l->pt_pfn + l->nr_pt;
        t = map_frame(_mfn(p2m[first_l1 + k]));
        /* P|RW|A, the page tables themselves read-only (P|A). */
        t[(va >> 12) & 511] = mfn_to_paddr(_mfn(p2m[pfn])) | (is_pt ? 0x21 : 0x23);
        unmap_frame(t);
    }
}

static void write_start_info(struct domain *d, const struct layout *l, const uint32_t *p2m,
                             uint32_t nr_pages)
{
    start_info_t *si = kmalloc(sizeof(*si));
    BUG_ON(!si);
    snprintf(si->magic, sizeof(si->magic), "xen-3.0-x86_32p");
    si->nr_pages = nr_pages;
    si->shared_info = (unsigned long)mfn_to_paddr(d->shared_info_mfn);
    si->flags = d->cfg.privileged ? (SIF_PRIVILEGED | SIF_INITDOMAIN) : 0;
    if (!d->cfg.privileged) {
        si->store_mfn = p2m[l->store_pfn];
        si->console.domU.mfn = p2m[l->console_pfn];
        backend_attach(d, _mfn(si->store_mfn), _mfn(si->console.domU.mfn), &si->store_evtchn,
                       &si->console.domU.evtchn);
    }
    si->pt_base = pfn_va(l, l->pt_pfn);
    si->nr_pt_frames = l->nr_pt;
    si->mfn_list = pfn_va(l, l->p2m_pfn);
    strlcpy((char *)si->cmd_line, d->cfg.guest_cmdline, sizeof(si->cmd_line));
    write_phys(p2m, l->si_pfn * PAGE_SIZE, si, sizeof(*si));
    write_phys(p2m, l->p2m_pfn * PAGE_SIZE, p2m, nr_pages * 4);
    kfree(si);
}

static int setup_shared_info(struct domain *d, uint32_t nr_pages)
{
    /* start_info.shared_info is a 32-bit machine address: keep it below 4 GiB. */
    mfn_t m = alloc_frames(0, FRAME_BELOW_4G);
    struct page_info *pg;
    if (mfn_x(m) == INVALID_MFN_RAW) {
        return -ENOMEM;
    }
    clear_frame(m);
    pg = mfn_to_page(m);
    pg->owner = d->id;
    pg->u.use.count_info = PGC_allocated | 1;
    /* Writable for good: the monitor writes it, so it may never become a page table or GDT. */
    pg->u.use.type_info = PGT_writable | 1;
    d->shared_info_mfn = m;
    d->shared_info = vmap_machine(mfn_to_paddr(m), PAGE_SIZE);
    if (!d->shared_info) {
        return -ENOMEM;
    }
    for (unsigned int i = 0; i < XEN_LEGACY_MAX_VCPUS; i++) {
        d->shared_info->vcpu_info[i].evtchn_upcall_mask = 1;
    }
    d->shared_info->arch.max_pfn = nr_pages;
    return 0;
}

static void setup_vcpus(struct domain *d, const struct guest_image *img, const struct layout *l,
                        const uint32_t *p2m)
{
    for (unsigned int i = 0; i < d->nr_vcpus; i++) {
        struct vcpu *v = d->vcpu[i];
        v->vcpu_info = &d->shared_info->vcpu_info[i];
        arch_vcpu_sync_pdpt(v);
        sched_add_vcpu(v);
    }
    d->vcpu[0]->arch.regs.eip = img->entry;
    d->vcpu[0]->arch.regs.esp = pfn_va(l, l->stack_pfn + 1);
    d->vcpu[0]->arch.regs.esi = pfn_va(l, l->si_pfn);
    d->vcpu[0]->arch.kernel_sp = pfn_va(l, l->stack_pfn + 1);
    d->vcpu[0]->up = true;
    d->vcpu[0]->initialised = true;
    d->vm_assist |= 1ul << VMASST_TYPE_pae_extended_cr3;
}

/*
 * Pins the bootstrap L3 (validating the whole hierarchy, as the ABI promises) and makes it
 * every vCPU's base.  Each guest_table holds a reference of its own (see new_baseptr in
 * kernel/hc_mmu.c), so that unpinning the live L3 cannot demote it.
 */
static int pin_tables(struct domain *d, const struct layout *l, const uint32_t *p2m)
{
    struct page_info *pg = mfn_to_page(_mfn(p2m[l->pt_pfn]));
    uint32_t f = spin_lock_irqsave(&d->mm_lock);
    int rc = page_get_and_type(pg, PGT_l3, d->id);
    if (!rc) {
        pg->u.use.type_info |= PGT_pinned;
        for (unsigned int i = 0; i < d->nr_vcpus; i++) {
            /* Cannot fail: the frame is an L3 in use already. */
            BUG_ON(page_get_and_type(pg, PGT_l3, d->id));
            d->vcpu[i]->arch.guest_table = _mfn(p2m[l->pt_pfn]);
        }
    }
    spin_unlock_irqrestore(&d->mm_lock, f);
    return rc;
}

int domain_build(struct domain *d, const void *file, size_t size, const struct guest_image *img,
                 const char **why)
{
    uint32_t nr_pages = d->cfg.memory_mib * 256;
    struct layout l;
    uint32_t *p2m;
    int rc = plan_layout(img, d->cfg.privileged, nr_pages, &l, why);
    if (rc) {
        return rc;
    }
    d->max_pages = d->cfg.max_memory_mib * 256;
    p2m = kmalloc(nr_pages * sizeof(uint32_t));
    if (!p2m || populate(d, p2m, nr_pages) || setup_shared_info(d, nr_pages)) {
        kfree(p2m);
        *why = "not enough free memory";
        return -ENOMEM;
    }
    load_segments(img, file, p2m);
    if (img->bsd_symtab && img->symtab_size) {
        void *blob = kmalloc(img->symtab_size);
        if (blob && !elfimage_symtab_write(file, size, blob, img->symtab_size)) {
            write_phys(p2m, img->symtab_vaddr - img->virt_base, blob, img->symtab_size);
        }
        kfree(blob);
    }
    if (img->has_hypercall_page) {
        write_hypercall_page(img, p2m);
    }
    write_page_tables(&l, p2m);
    write_start_info(d, &l, p2m, nr_pages);
    rc = pin_tables(d, &l, p2m);
    if (rc) {
        kfree(p2m);
        *why = "the bootstrap page tables did not validate (a builder bug)";
        return rc;
    }
    setup_vcpus(d, img, &l, p2m);
    vtime_domain_init(d);
    pr_info("domain %u (%s): %u MiB, %u vCPU(s), entry 0x%x, start_info 0x%x, page tables at 0x%x "
            "(%u frames), region 0x%x-0x%x\n", d->id, d->name, d->cfg.memory_mib, d->nr_vcpus,
            img->entry, pfn_va(&l, l.si_pfn), pfn_va(&l, l.pt_pfn), l.nr_pt, l.vbase, l.end_va);
    kfree(p2m);
    return 0;
}
