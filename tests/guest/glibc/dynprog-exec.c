/* dynprog.c linked as a fixed-address executable (-no-pie, ET_EXEC): see there. */
#include "dynprog.c"
