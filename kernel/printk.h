/* printk: leveled logging to the consoles and to an in-memory log ring. */
#ifndef KERNEL_PRINTK_H
#define KERNEL_PRINTK_H

#include "kernel/types.h"

enum log_level {
    LOG_ERR = 1,
    LOG_WARN = 2,
    LOG_INFO = 3,
    LOG_DEBUG = 4,
};

/*
 * Formats one message.  Every message enters the log ring; it reaches the consoles when its
 * level is at or below the loglvl= threshold.  Safe from any context, including traps.
 */
void printk(enum log_level level, const char *fmt, ...) __printf(2, 3);
void vprintk(enum log_level level, const char *fmt, va_list ap);

#define pr_err(...)   printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)  printk(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  printk(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) printk(LOG_DEBUG, __VA_ARGS__)

/* Copies up to size-1 bytes of the log ring's newest text into buf; returns the count. */
size_t printk_ring_tail(char *buf, size_t size);

/* After a panic: consoles are written without taking their lock. */
void printk_force_unlock(void);

#endif
