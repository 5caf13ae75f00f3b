/* Signal numbers and sigaction constants of the Linux x86-64 ABI (signal(7)). */
#ifndef SPROUT_UAPI_SIGNAL_H
#define SPROUT_UAPI_SIGNAL_H

#define SIGHUP		1
#define SIGINT		2
#define SIGQUIT		3
#define SIGILL		4
#define SIGTRAP		5
#define SIGABRT		6
#define SIGBUS		7
#define SIGFPE		8
#define SIGKILL		9
#define SIGUSR1		10
#define SIGSEGV		11
#define SIGUSR2		12
#define SIGPIPE		13
#define SIGALRM		14
#define SIGTERM		15
#define SIGSTKFLT	16
#define SIGCHLD		17
#define SIGCONT		18
#define SIGSTOP		19
#define SIGTSTP		20
#define SIGTTIN		21
#define SIGTTOU		22
#define SIGURG		23
#define SIGXCPU		24
#define SIGXFSZ		25
#define SIGVTALRM	26
#define SIGPROF		27
#define SIGWINCH	28
#define SIGIO		29
#define SIGPWR		30
#define SIGSYS		31
#define SIGRTMIN	32
#define SIGRTMAX	64

#define SIG_DFL		0
#define SIG_IGN		1

#define SIG_BLOCK	0
#define SIG_UNBLOCK	1
#define SIG_SETMASK	2

#define SA_NOCLDSTOP	0x00000001
#define SA_NOCLDWAIT	0x00000002
#define SA_SIGINFO	0x00000004
#define SA_RESTORER	0x04000000
#define SA_ONSTACK	0x08000000
#define SA_RESTART	0x10000000
#define SA_NODEFER	0x40000000
#define SA_RESETHAND	0x80000000
#define SA_UNSUPPORTED	0x00000400	/* never accepted: lets programs probe for flag support */
#define SA_EXPOSE_TAGBITS 0x00000800


/* sigaltstack(2) */
#define SS_ONSTACK	1
#define SS_DISABLE	2
#define SS_AUTODISARM	(1U << 31)
#define MINSIGSTKSZ	2048

/* si_code values (sigaction(2)). */
#define SI_USER		0
#define SI_KERNEL	0x80
#define SI_QUEUE	(-1)
#define SI_TIMER	(-2)
#define SI_TKILL	(-6)
#define CLD_EXITED	1
#define CLD_KILLED	2
#define CLD_DUMPED	3
#define CLD_TRAPPED	4
#define CLD_STOPPED	5
#define CLD_CONTINUED	6

/*
 * siginfo_t as the x86-64 kernel lays it out (128 bytes): signo, errno, code,
 * then a union whose members used here overlay as below.
 */
struct linux_siginfo {
	int si_signo;
	int si_errno;
	int si_code;
	int _pad0;
	union {
		struct {		/* kill, sigqueue, SIGCHLD */
			int pid;
			unsigned int uid;
			union {
				int status;	/* SIGCHLD */
				unsigned long value;	/* sigqueue's sigval */
			};
			long utime, stime;	/* SIGCHLD, clock ticks */
		} proc;
		struct {		/* SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP */
			unsigned long addr;
		} fault;
		char _bytes[112];
	};
};

/* stack_t of sigaltstack(2) */
struct linux_stack {
	unsigned long ss_sp;
	int ss_flags;
	int _pad;
	unsigned long ss_size;
};

#endif
