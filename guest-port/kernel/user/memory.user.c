/* Memory of the mini kernel's processes: their stack and the demand-paged area. */
#include "usys.h"

/* One stack, used by one process at a time. */
char user_stack[USER_STACK_SIZE] __attribute__((aligned(4096)));

/* Unmapped at boot (vm.c); a fault on any of its pages maps a fresh one. */
char user_demand_area[USER_DEMAND_PAGES * 4096] __attribute__((aligned(4096)));
