/* Basic types, compiler helpers and the distinct address types of the monitor. */
#ifndef KERNEL_TYPES_H
#define KERNEL_TYPES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1u << PAGE_SHIFT)
#define PAGE_MASK  (~(PAGE_SIZE - 1))

#define ARRAY_SIZE(a)        (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)       (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a)     ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a)     (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define MIN(a, b)            ((a) < (b) ? (a) : (b))
#define MAX(a, b)            ((a) > (b) ? (a) : (b))
#define container_of(p, T, m) ((T *)((char *)(p) - offsetof(T, m)))
#define likely(x)            __builtin_expect(!!(x), 1)
#define unlikely(x)          __builtin_expect(!!(x), 0)
#define __packed             __attribute__((packed))
#define __aligned(n)         __attribute__((aligned(n)))
#define __section(s)         __attribute__((section(s)))
#define __noreturn           __attribute__((noreturn))
#define __printf(a, b)       __attribute__((format(printf, a, b)))
#define __used               __attribute__((used))
#define __unused             __attribute__((unused))
/* Marks code and data used only while booting (kept for now; a later pass may free it). */
#define __boot               __section(".text.boot.c")
#define barrier()            __asm__ __volatile__("" ::: "memory")
#define READ_ONCE(x)         (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v)     (*(volatile __typeof__(x) *)&(x) = (v))

#ifndef static_assert
#define static_assert _Static_assert
#endif

/* Machine addresses can exceed 32 bits (PAE). */
typedef uint64_t paddr_t;

/*
 * Machine frames and guest pseudo-physical frames are distinct types: passing one where the
 * other is expected does not compile.  Use the helpers to convert.
 */
typedef struct { uint32_t mfn; } mfn_t;
typedef struct { uint32_t pfn; } pfn_t;

#define INVALID_MFN_RAW 0xFFFFFFFFu
static inline mfn_t _mfn(uint32_t m) { return (mfn_t){ m }; }
static inline uint32_t mfn_x(mfn_t m) { return m.mfn; }
static inline pfn_t _pfn(uint32_t p) { return (pfn_t){ p }; }
static inline uint32_t pfn_x(pfn_t p) { return p.pfn; }
static inline paddr_t mfn_to_paddr(mfn_t m) { return (paddr_t)m.mfn << PAGE_SHIFT; }
static inline mfn_t paddr_to_mfn(paddr_t pa) { return _mfn((uint32_t)(pa >> PAGE_SHIFT)); }
static inline bool mfn_eq(mfn_t a, mfn_t b) { return a.mfn == b.mfn; }
static inline mfn_t mfn_add(mfn_t m, uint32_t n) { return _mfn(m.mfn + n); }

#endif
