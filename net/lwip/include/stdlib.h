/* The part of <stdlib.h> lwIP uses (net/lwip/ only): atoi, from net/lwip/port.c. */
#ifndef SPROUT_LWIP_STDLIB_H
#define SPROUT_LWIP_STDLIB_H
int atoi(const char *s);
#endif
