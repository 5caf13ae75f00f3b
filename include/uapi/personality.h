/*
 * personality(2) values (Linux's include/uapi/linux/personality.h): the low
 * byte names the execution domain, the bits above it change the process's
 * behaviour.
 */
#ifndef SPROUT_UAPI_PERSONALITY_H
#define SPROUT_UAPI_PERSONALITY_H

#define PER_LINUX		0x0000
#define PER_MASK		0x00ff
#define ADDR_NO_RANDOMIZE	0x0040000	/* exec lays the address space out unmoved */
/* Flags a set-user-ID or set-group-ID exec clears (Linux's PER_CLEAR_ON_SETID). */
#define PER_CLEAR_ON_SETID	(0x0400000 | ADDR_NO_RANDOMIZE | 0x0100000 | 0x0200000)
#define PERSONALITY_QUERY	0xffffffffu	/* personality(0xffffffff) only reads it */

#endif
