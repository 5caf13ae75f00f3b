/* Scheduling policies and priorities of the Linux x86-64 ABI: sched(7), setpriority(2). */
#ifndef SPROUT_UAPI_SCHED_H
#define SPROUT_UAPI_SCHED_H

#define SCHED_OTHER		0
#define SCHED_FIFO		1
#define SCHED_RR		2
#define SCHED_BATCH		3
#define SCHED_IDLE		5
#define SCHED_RESET_ON_FORK	0x40000000

#define PRIO_PROCESS		0
#define PRIO_PGRP		1
#define PRIO_USER		2

#define NICE_MIN		(-20)
#define NICE_MAX		19
#define RT_PRIO_MIN		1
#define RT_PRIO_MAX		99

#endif
