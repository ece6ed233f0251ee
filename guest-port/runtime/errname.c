/* errname(): the symbolic name of a Xen errno value, from the list in <xen/errno.h>. */
#include "guest/lib.h"
#include "guest/xen.h"

struct errno_name {
    int value;
    const char *name;
};

/* First match wins: EAGAIN before its alias EWOULDBLOCK, EDEADLK before EDEADLOCK. */
static const struct errno_name errno_names[] = {
#define XEN_ERRNO(name, value) {value, #name},
#include <xen/errno.h>
};

const char *errname(long err)
{
    int v = (int)(err < 0 ? -err : err);

    if (err == 0) {
        return "ok";
    }
    for (size_t i = 0; i < ARRAY_SIZE(errno_names); i++) {
        if (errno_names[i].value == v) {
            return errno_names[i].name;
        }
    }
    return "?";
}
