/*
 * inotify(7) of the Linux x86-64 ABI: the event bits, the flags of
 * inotify_init1(2) and inotify_add_watch(2), and the record read(2) returns
 * from an inotify descriptor (linux/inotify.h). Shared with user programs:
 * names a libc's <sys/inotify.h> also defines are guarded.
 */
#ifndef SPROUT_UAPI_INOTIFY_H
#define SPROUT_UAPI_INOTIFY_H

#include <stdint.h>

#ifndef IN_ACCESS
/* Events a watch may ask for. */
#define IN_ACCESS		0x00000001	/* read */
#define IN_MODIFY		0x00000002	/* written or truncated */
#define IN_ATTRIB		0x00000004	/* metadata: mode, owner, times, link count */
#define IN_CLOSE_WRITE		0x00000008	/* a description open for writing closed */
#define IN_CLOSE_NOWRITE	0x00000010	/* a description not open for writing closed */
#define IN_OPEN			0x00000020
#define IN_MOVED_FROM		0x00000040	/* a name left the watched directory */
#define IN_MOVED_TO		0x00000080	/* a name arrived in the watched directory */
#define IN_CREATE		0x00000100
#define IN_DELETE		0x00000200
#define IN_DELETE_SELF		0x00000400
#define IN_MOVE_SELF		0x00000800
#define IN_ALL_EVENTS		0x00000fff
#define IN_CLOSE		(IN_CLOSE_WRITE | IN_CLOSE_NOWRITE)
#define IN_MOVE			(IN_MOVED_FROM | IN_MOVED_TO)

/* Bits only the kernel sets in an event. */
#define IN_UNMOUNT		0x00002000
#define IN_Q_OVERFLOW		0x00004000
#define IN_IGNORED		0x00008000
#define IN_ISDIR		0x40000000

/* Flags of inotify_add_watch(2)'s mask. */
#define IN_ONLYDIR		0x01000000
#define IN_DONT_FOLLOW		0x02000000
#define IN_EXCL_UNLINK		0x04000000
#define IN_MASK_CREATE		0x10000000
#define IN_MASK_ADD		0x20000000
#define IN_ONESHOT		0x80000000

/* Flags of inotify_init1(2): O_CLOEXEC and O_NONBLOCK's values. */
#define IN_CLOEXEC		02000000
#define IN_NONBLOCK		00004000
#endif

/* Every bit inotify_add_watch(2) knows (Linux's ALL_INOTIFY_BITS). */
#define IN_ALL_BITS		(IN_ALL_EVENTS | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED | \
				 IN_ISDIR | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK | \
				 IN_MASK_CREATE | IN_MASK_ADD | IN_ONESHOT)

/*
 * One event as read(2) returns it: @len bytes of name follow, the name and
 * at least one NUL, padded with NULs to a multiple of the record's size
 * (16 bytes); 0 when the event is about the watched object itself.
 */
struct linux_inotify_event {
	int32_t wd;		/* watch descriptor, -1 for IN_Q_OVERFLOW */
	uint32_t mask;
	uint32_t cookie;	/* pairs IN_MOVED_FROM with IN_MOVED_TO */
	uint32_t len;
	char name[];
};

#endif
