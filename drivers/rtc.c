/* The CMOS real-time clock: a consistent read of its date and time, as Unix seconds. */
#include "drivers/rtc.h"

#include "arch/x86/asm.h"
#include "kernel/lib.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA  0x71

enum {
    REG_SEC = 0x00,
    REG_MIN = 0x02,
    REG_HOUR = 0x04,
    REG_DAY = 0x07,
    REG_MON = 0x08,
    REG_YEAR = 0x09,
    REG_A = 0x0A,
    REG_B = 0x0B,
    REG_CENTURY = 0x32, /* the usual place; ACPI's FADT may name another */
};

#define REG_A_UIP    0x80 /* an update is in progress: the time registers are changing */
#define REG_B_24H    0x02
#define REG_B_BINARY 0x04
#define HOUR_PM      0x80
#define UIP_POLLS    1000000u /* an update takes under 2 ms; far more than enough polls */

struct rtc_time {
    uint8_t sec, min, hour, day, mon, year, century;
};

static uint8_t cmos_read(uint8_t reg)
{
    outb(CMOS_INDEX, reg);
    return inb(CMOS_DATA);
}

static void read_raw(struct rtc_time *t)
{
    for (unsigned int i = 0; i < UIP_POLLS && (cmos_read(REG_A) & REG_A_UIP); i++) {
    }
    t->sec = cmos_read(REG_SEC);
    t->min = cmos_read(REG_MIN);
    t->hour = cmos_read(REG_HOUR);
    t->day = cmos_read(REG_DAY);
    t->mon = cmos_read(REG_MON);
    t->year = cmos_read(REG_YEAR);
    t->century = cmos_read(REG_CENTURY);
}

static uint8_t from_bcd(uint8_t v)
{
    return (uint8_t)((v >> 4) * 10 + (v & 0xF));
}

uint32_t rtc_days_since_epoch(uint32_t y, uint32_t m, uint32_t d)
{
    static const uint16_t before_month[12] = {0,   31,  59,  90,  120, 151,
                                              181, 212, 243, 273, 304, 334};
    uint32_t leaps = (y - 1) / 4 - (y - 1) / 100 + (y - 1) / 400; /* leap years before y */
    uint32_t days = (y - 1970) * 365 + leaps - 477;               /* 477 leap years before 1970 */
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return days + before_month[m - 1] + (leap && m > 2) + (d - 1);
}

/* Converts the register values (BCD or binary, 12 or 24 hours) in place; false if absurd. */
static bool normalize(struct rtc_time *t, uint8_t reg_b)
{
    bool pm = t->hour & HOUR_PM;

    t->hour &= (uint8_t)~HOUR_PM;
    if (!(reg_b & REG_B_BINARY)) {
        t->sec = from_bcd(t->sec);
        t->min = from_bcd(t->min);
        t->hour = from_bcd(t->hour);
        t->day = from_bcd(t->day);
        t->mon = from_bcd(t->mon);
        t->year = from_bcd(t->year);
        t->century = from_bcd(t->century);
    }
    if (!(reg_b & REG_B_24H)) {
        t->hour = (uint8_t)(t->hour % 12 + (pm ? 12 : 0));
    }
    if (t->century < 19 || t->century > 99) {
        t->century = t->year < 70 ? 20 : 19; /* no century register: the usual window */
    }
    return t->sec < 60 && t->min < 60 && t->hour < 24 && t->day >= 1 && t->day <= 31 &&
           t->mon >= 1 && t->mon <= 12 && t->century * 100u + t->year >= 1970;
}

bool rtc_read_unix(uint64_t *secs)
{
    struct rtc_time a, b;
    uint8_t reg_b = cmos_read(REG_B);
    unsigned int tries = 0;

    /* Two identical passes in a row: no update landed between the register reads. */
    read_raw(&b);
    do {
        a = b;
        read_raw(&b);
    } while (memcmp(&a, &b, sizeof(a)) != 0 && ++tries < 10);
    if (!normalize(&a, reg_b)) {
        return false;
    }
    *secs = (uint64_t)rtc_days_since_epoch(a.century * 100u + a.year, a.mon, a.day) * 86400u +
            a.hour * 3600u + a.min * 60u + a.sec;
    return true;
}
