/*
 * Wait status encoding, as Linux stores it in the int that wait4(2) and
 * waitpid(2) return (and as <sys/wait.h>'s WIFEXITED etc. decode it):
 *   exited:    (exit status & 0377) << 8
 *   killed:    signal number, | 0x80 when a core dump was due
 *   stopped:   (signal << 8) | 0x7f
 *   continued: 0xffff
 */
#ifndef SPROUT_UAPI_WAIT_H
#define SPROUT_UAPI_WAIT_H

#define WNOHANG		0x00000001
#define WUNTRACED	0x00000002
#define WSTOPPED	WUNTRACED
#define WEXITED		0x00000004
#define WCONTINUED	0x00000008
#define WNOWAIT		0x01000000
#define __WNOTHREAD	0x20000000
#define __WALL		0x40000000
#define __WCLONE	0x80000000

#define P_ALL		0
#define P_PID		1
#define P_PGID		2
#define P_PIDFD		3

static inline int wait_status_exited(int exit_code) { return (exit_code & 0xff) << 8; }
static inline int wait_status_signaled(int sig, int core) { return (sig & 0x7f) | (core ? 0x80 : 0); }
static inline int wait_status_stopped(int sig) { return ((sig & 0xff) << 8) | 0x7f; }
static inline int wait_status_continued(void) { return 0xffff; }

#endif
