/* struct rusage, struct tms and rlimits of the Linux x86-64 ABI (getrusage(2), times(2)). */
#ifndef SPROUT_UAPI_RESOURCE_H
#define SPROUT_UAPI_RESOURCE_H

#include <stdint.h>

struct linux_timeval {
	int64_t tv_sec;
	int64_t tv_usec;
};

struct linux_rusage {
	struct linux_timeval ru_utime;
	struct linux_timeval ru_stime;
	int64_t ru_maxrss;	/* KiB */
	int64_t ru_ixrss, ru_idrss, ru_isrss;
	int64_t ru_minflt, ru_majflt, ru_nswap;
	int64_t ru_inblock, ru_oublock, ru_msgsnd, ru_msgrcv;
	int64_t ru_nsignals, ru_nvcsw, ru_nivcsw;
};

struct linux_tms {
	int64_t tms_utime, tms_stime, tms_cutime, tms_cstime;
};

struct linux_rlimit {
	uint64_t rlim_cur, rlim_max;
};

#define RUSAGE_SELF	0
#define RUSAGE_CHILDREN	(-1)
#define RUSAGE_THREAD	1

#define RLIMIT_CPU	0
#define RLIMIT_FSIZE	1
#define RLIMIT_DATA	2
#define RLIMIT_STACK	3
#define RLIMIT_CORE	4
#define RLIMIT_RSS	5
#define RLIMIT_NPROC	6
#define RLIMIT_NOFILE	7
#define RLIMIT_MEMLOCK	8
#define RLIMIT_AS	9
#define RLIMIT_LOCKS	10
#define RLIMIT_SIGPENDING	11
#define RLIMIT_MSGQUEUE	12
#define RLIMIT_NICE	13
#define RLIMIT_RTPRIO	14
#define RLIMIT_RTTIME	15
#define RLIMIT_NLIMITS	16
#define RLIM_INFINITY	(~0UL)

#endif
