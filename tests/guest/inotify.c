/*
 * inotify(7): the exact events of file and directory operations in a watched directory
 * (create, open, access, modify, close, attrib, delete, mkdir/rmdir with IN_ISDIR, link),
 * rename cookies and IN_MOVE_SELF, IN_DELETE_SELF and IN_IGNORED, IN_ONESHOT, inotify_rm_watch,
 * the merging of a repeated event, the record layout and read(2)'s buffer rules, FIONREAD,
 * O_NONBLOCK and blocking reads (woken by an event, interrupted by a signal), poll(2) and epoll,
 * IN_Q_OVERFLOW, the errors of the three calls, and /proc/sys/fs/inotify with its limits.
 */
#define _GNU_SOURCE
#include <tap.h>
#include <dirent.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#define SYSCTL_DIR	"/proc/sys/fs/inotify/"

struct ev {
	int wd;
	uint32_t mask, cookie, len;
	char name[64];
};

static char dir[128];	/* the case's own directory under the temp dir */

static void mkpath(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

static void setup_dir(const char *tag)
{
	tap_tmppath(dir, sizeof(dir), tag);
	mkdir(dir, 0755);
}

/* Every record queued now on nonblocking instance @fd, parsed, into @out (at most @max). */
static int drain(int fd, struct ev *out, int max)
{
	char buf[4096] __attribute__((aligned(8)));
	int n = 0;

	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));

		if (r < 0) {
			CHECK_EQ(errno, EAGAIN);
			return n;
		}
		for (ssize_t off = 0; off < r && n < max;) {
			struct inotify_event *e = (struct inotify_event *)(buf + off);

			out[n].wd = e->wd;
			out[n].mask = e->mask;
			out[n].cookie = e->cookie;
			out[n].len = e->len;
			snprintf(out[n].name, sizeof(out[n].name), "%s", e->len ? e->name : "");
			n++;
			off += (ssize_t)sizeof(*e) + e->len;
		}
	}
}

/* Compare the records against @want (name "" for none); diagnostics name the first mismatch. */
static void expect(int fd, const struct ev *want, int nwant)
{
	struct ev got[64];
	int n = drain(fd, got, 64);

	for (int i = 0; i < n || i < nwant; i++) {
		if (i < n && i < nwant && got[i].wd == want[i].wd && got[i].mask == want[i].mask &&
		    !strcmp(got[i].name, want[i].name))
			continue;
		if (i < n)
			tap_diag("record %d: wd %d mask 0x%x name '%s'", i, got[i].wd,
				 (unsigned)got[i].mask, got[i].name);
		if (i < nwant)
			tap_diag("expected %d: wd %d mask 0x%x name '%s'", i, want[i].wd,
				 (unsigned)want[i].mask, want[i].name);
		CHECK(false);
		return;
	}
}

static int new_fd(void)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	CHECK(fd >= 0);
	return fd;
}

static int t_file_events(void)
{
	char f[160], sub[160], buf[4];
	int fd = new_fd(), wd, w;

	setup_dir("ino-file");
	mkpath(f, sizeof(f), "f");
	mkpath(sub, sizeof(sub), "sub");
	wd = inotify_add_watch(fd, dir, IN_ALL_EVENTS);
	CHECK_EQ(wd, 1);	/* the first watch of an instance */
	w = open(f, O_CREAT | O_WRONLY, 0644);
	CHECK(w >= 0);
	CHECK_EQ(write(w, "abc", 3), 3);
	CHECK_EQ(close(w), 0);
	w = open(f, O_RDONLY);
	CHECK_EQ(read(w, buf, 2), 2);
	CHECK_EQ(read(w, buf, 2), 1);
	CHECK_EQ(read(w, buf, 2), 0);	/* end of file: no event */
	CHECK_EQ(close(w), 0);
	CHECK_EQ(truncate(f, 1), 0);
	CHECK_EQ(chmod(f, 0600), 0);
	CHECK_EQ(mkdir(sub, 0755), 0);
	CHECK_EQ(rmdir(sub), 0);
	CHECK_EQ(unlink(f), 0);
	struct ev want[] = {
		{ wd, IN_CREATE, 0, 0, "f" }, { wd, IN_OPEN, 0, 0, "f" },
		{ wd, IN_MODIFY, 0, 0, "f" }, { wd, IN_CLOSE_WRITE, 0, 0, "f" },
		{ wd, IN_OPEN, 0, 0, "f" }, { wd, IN_ACCESS, 0, 0, "f" },
		{ wd, IN_CLOSE_NOWRITE, 0, 0, "f" }, { wd, IN_MODIFY, 0, 0, "f" },
		{ wd, IN_ATTRIB, 0, 0, "f" }, { wd, IN_CREATE | IN_ISDIR, 0, 0, "sub" },
		{ wd, IN_DELETE | IN_ISDIR, 0, 0, "sub" }, { wd, IN_DELETE, 0, 0, "f" },
	};
	expect(fd, want, sizeof(want) / sizeof(want[0]));
	rmdir(dir);
	return 0;
}

/* The record layout: a name padded with NULs to a multiple of 16 bytes, len counting them. */
static int t_layout(void)
{
	char f[200], buf[256] __attribute__((aligned(8)));
	struct inotify_event *e = (struct inotify_event *)buf;
	int fd = new_fd(), wd, n;

	setup_dir("ino-layout");
	wd = inotify_add_watch(fd, dir, IN_CREATE);
	mkpath(f, sizeof(f), "abcdefghijklmnop");	/* 16 bytes: 17 with its NUL */
	CHECK_EQ(close(open(f, O_CREAT | O_WRONLY, 0644)), 0);
	n = (int)read(fd, buf, sizeof(buf));
	CHECK_EQ(n, 16 + 32);
	CHECK_EQ(e->wd, wd);
	CHECK_EQ(e->mask, IN_CREATE);
	CHECK_EQ(e->cookie, 0);
	CHECK_EQ(e->len, 32);
	CHECK(!strcmp(e->name, "abcdefghijklmnop"));
	for (int i = 16; i < 32; i++)
		CHECK_EQ(e->name[i], 0);
	unlink(f);
	rmdir(dir);
	return 0;
}

/* A watched directory's own events: opened, listed and closed (ls), no name, IN_ISDIR. */
static int t_dir_self(void)
{
	char f[160];
	int fd = new_fd(), wd, n = 0;
	DIR *dp;

	setup_dir("ino-dirself");
	mkpath(f, sizeof(f), "f");
	CHECK_EQ(close(open(f, O_CREAT | O_WRONLY, 0644)), 0);
	wd = inotify_add_watch(fd, dir, IN_OPEN | IN_ACCESS | IN_CLOSE_NOWRITE | IN_ONLYDIR);
	dp = opendir(dir);
	CHECK(dp != NULL);
	while (dp && readdir(dp))
		n++;
	CHECK_EQ(n, 3);
	if (dp)
		closedir(dp);
	/* Two getdents64 calls (the entries, then the end): one merged IN_ACCESS. */
	struct ev want[] = { { wd, IN_OPEN | IN_ISDIR, 0, 0, "" },
			     { wd, IN_ACCESS | IN_ISDIR, 0, 0, "" },
			     { wd, IN_CLOSE_NOWRITE | IN_ISDIR, 0, 0, "" } };
	expect(fd, want, 3);
	unlink(f);
	rmdir(dir);
	return 0;
}

static int t_rename(void)
{
	char a[160], b[160], d2[160], c[200];
	struct ev got[8];
	int fd = new_fd(), wd1, wd2, wdf, n;

	setup_dir("ino-rename");
	mkpath(a, sizeof(a), "a");
	mkpath(b, sizeof(b), "b");
	mkpath(d2, sizeof(d2), "d2");
	snprintf(c, sizeof(c), "%s/c", d2);
	CHECK_EQ(mkdir(d2, 0755), 0);
	CHECK_EQ(close(open(a, O_CREAT | O_WRONLY, 0644)), 0);
	wd1 = inotify_add_watch(fd, dir, IN_MOVE);
	wd2 = inotify_add_watch(fd, d2, IN_MOVE);
	wdf = inotify_add_watch(fd, a, IN_MOVE_SELF);
	CHECK(wd1 > 0 && wd2 > 0 && wdf > 0 && wd1 != wd2 && wd2 != wdf);
	CHECK_EQ(rename(a, b), 0);
	CHECK_EQ(rename(b, c), 0);
	n = drain(fd, got, 8);
	CHECK_EQ(n, 6);
	if (n != 6)
		return 1;
	CHECK(got[0].wd == wd1 && got[0].mask == IN_MOVED_FROM && !strcmp(got[0].name, "a"));
	CHECK(got[1].wd == wd1 && got[1].mask == IN_MOVED_TO && !strcmp(got[1].name, "b"));
	CHECK(got[2].wd == wdf && got[2].mask == IN_MOVE_SELF && got[2].len == 0);
	CHECK(got[3].wd == wd1 && got[3].mask == IN_MOVED_FROM && !strcmp(got[3].name, "b"));
	CHECK(got[4].wd == wd2 && got[4].mask == IN_MOVED_TO && !strcmp(got[4].name, "c"));
	CHECK(got[5].wd == wdf && got[5].mask == IN_MOVE_SELF);
	/* One cookie per rename, shared by its two halves; none elsewhere. */
	CHECK(got[0].cookie != 0 && got[0].cookie == got[1].cookie);
	CHECK(got[3].cookie != 0 && got[3].cookie == got[4].cookie);
	CHECK(got[0].cookie != got[3].cookie);
	CHECK(got[2].cookie == 0 && got[5].cookie == 0);
	unlink(c);
	rmdir(d2);
	rmdir(dir);
	return 0;
}

/* unlink(2) of a watched file: its link count, then its end, then the watch goes. */
static int t_delete_self(void)
{
	char f[160];
	int fd = new_fd(), wd, wd2;

	setup_dir("ino-delself");
	mkpath(f, sizeof(f), "f");
	CHECK_EQ(close(open(f, O_CREAT | O_WRONLY, 0644)), 0);
	wd = inotify_add_watch(fd, f, IN_DELETE_SELF | IN_ATTRIB);
	wd2 = inotify_add_watch(fd, dir, IN_DELETE_SELF | IN_DELETE);
	CHECK_EQ(unlink(f), 0);
	struct ev want[] = {
		{ wd, IN_ATTRIB, 0, 0, "" }, { wd, IN_DELETE_SELF, 0, 0, "" },
		{ wd, IN_IGNORED, 0, 0, "" }, { wd2, IN_DELETE, 0, 0, "f" },
	};
	expect(fd, want, 4);
	CHECK_ERR(inotify_rm_watch(fd, wd), EINVAL);	/* already gone */
	CHECK_EQ(rmdir(dir), 0);
	/* A directory's own IN_DELETE_SELF comes without IN_ISDIR, as Linux has always done. */
	struct ev want2[] = { { wd2, IN_DELETE_SELF, 0, 0, "" }, { wd2, IN_IGNORED, 0, 0, "" } };
	expect(fd, want2, 2);
	return 0;
}

/* An unlinked file still open: IN_DELETE_SELF waits for its last close. */
static int t_delete_open(void)
{
	char f[160], p[64];
	int fd = new_fd(), wd, w, w2, wd2;

	setup_dir("ino-delopen");
	mkpath(f, sizeof(f), "f");
	w = open(f, O_CREAT | O_WRONLY, 0644);
	wd = inotify_add_watch(fd, f, IN_DELETE_SELF | IN_ATTRIB | IN_CLOSE_WRITE);
	CHECK_EQ(unlink(f), 0);
	struct ev want[] = { { wd, IN_ATTRIB, 0, 0, "" } };
	expect(fd, want, 1);
	w2 = dup(w);
	CHECK_EQ(close(w), 0);
	expect(fd, NULL, 0);	/* the description is still open */
	/* The unlinked file reached through /proc/PID/fd is the same watched inode. */
	snprintf(p, sizeof(p), "/proc/self/fd/%d", w2);
	wd2 = inotify_add_watch(fd, p, IN_MODIFY | IN_MASK_ADD);
	CHECK_EQ(wd2, wd);
	CHECK_EQ(write(w2, "x", 1), 1);
	CHECK_EQ(close(w2), 0);
	struct ev want2[] = { { wd, IN_MODIFY, 0, 0, "" }, { wd, IN_CLOSE_WRITE, 0, 0, "" },
			      { wd, IN_DELETE_SELF, 0, 0, "" }, { wd, IN_IGNORED, 0, 0, "" } };
	expect(fd, want2, 4);
	rmdir(dir);
	return 0;
}

static int t_oneshot(void)
{
	char f[160];
	int fd = new_fd(), wd, w, avail = -1;

	setup_dir("ino-oneshot");
	mkpath(f, sizeof(f), "f");
	w = open(f, O_CREAT | O_RDWR, 0644);
	wd = inotify_add_watch(fd, f, IN_MODIFY | IN_ACCESS | IN_ONESHOT);
	CHECK_EQ(write(w, "x", 1), 1);
	CHECK_EQ(pread(w, &avail, 1, 0), 1);
	CHECK_EQ(write(w, "y", 1), 1);
	struct ev want[] = { { wd, IN_MODIFY, 0, 0, "" }, { wd, IN_IGNORED, 0, 0, "" } };
	expect(fd, want, 2);
	CHECK_EQ(ioctl(fd, FIONREAD, &avail), 0);
	CHECK_EQ(avail, 0);
	CHECK_ERR(inotify_rm_watch(fd, wd), EINVAL);
	close(w);
	unlink(f);
	rmdir(dir);
	return 0;
}

static int t_rm_watch(void)
{
	char f[160];
	int fd = new_fd(), wd, wd2;

	setup_dir("ino-rm");
	mkpath(f, sizeof(f), "f");
	CHECK_EQ(close(open(f, O_CREAT | O_WRONLY, 0644)), 0);
	wd = inotify_add_watch(fd, f, IN_MODIFY);
	CHECK_EQ(wd, 1);
	CHECK_EQ(inotify_rm_watch(fd, wd), 0);
	struct ev want[] = { { wd, IN_IGNORED, 0, 0, "" } };
	expect(fd, want, 1);
	CHECK_ERR(inotify_rm_watch(fd, wd), EINVAL);
	CHECK_EQ(truncate(f, 0), 0);
	expect(fd, NULL, 0);	/* no watch, no event */
	/* Watch descriptors count up; a removed one is not handed out again at once. */
	wd2 = inotify_add_watch(fd, f, IN_MODIFY);
	CHECK_EQ(wd2, 2);
	unlink(f);
	rmdir(dir);
	return 0;
}

/* An event equal to the last one still queued is merged into it (inotify(7)). */
static int t_coalesce(void)
{
	char f[160], c;
	int fd = new_fd(), wd, w, avail;

	setup_dir("ino-merge");
	mkpath(f, sizeof(f), "f");
	w = open(f, O_CREAT | O_RDWR, 0644);
	wd = inotify_add_watch(fd, f, IN_MODIFY | IN_ACCESS);
	for (int i = 0; i < 5; i++)
		CHECK_EQ(write(w, "x", 1), 1);
	CHECK_EQ(ioctl(fd, FIONREAD, &avail), 0);
	CHECK_EQ(avail, 16);
	struct ev one[] = { { wd, IN_MODIFY, 0, 0, "" } };
	expect(fd, one, 1);
	/* Once read, the same event is queued anew; different ones in between are not merged. */
	CHECK_EQ(write(w, "x", 1), 1);
	CHECK_EQ(pread(w, &c, 1, 0), 1);
	CHECK_EQ(write(w, "x", 1), 1);
	CHECK_EQ(write(w, "x", 1), 1);
	struct ev three[] = { { wd, IN_MODIFY, 0, 0, "" }, { wd, IN_ACCESS, 0, 0, "" },
			      { wd, IN_MODIFY, 0, 0, "" } };
	expect(fd, three, 3);
	close(w);
	unlink(f);
	rmdir(dir);
	return 0;
}

/* read(2): whole records only; -EINVAL when the next does not fit; FIONREAD. */
static int t_read_rules(void)
{
	char f[160], buf[64] __attribute__((aligned(8)));
	struct inotify_event *e = (struct inotify_event *)buf;
	int fd = new_fd(), wd, wdf, avail;

	setup_dir("ino-read");
	mkpath(f, sizeof(f), "abc");
	wd = inotify_add_watch(fd, dir, IN_CREATE);
	CHECK_EQ(close(open(f, O_CREAT | O_WRONLY, 0644)), 0);
	wdf = inotify_add_watch(fd, f, IN_ATTRIB);
	CHECK_EQ(chmod(f, 0600), 0);
	CHECK_EQ(ioctl(fd, FIONREAD, &avail), 0);
	CHECK_EQ(avail, 32 + 16);
	CHECK_ERR(read(fd, buf, 31), EINVAL);
	CHECK_ERR(read(fd, buf, 16), EINVAL);
	CHECK_EQ(read(fd, buf, 47), 32);	/* the second record does not fit too */
	CHECK(e->wd == wd && e->mask == IN_CREATE && e->len == 16 && !strcmp(e->name, "abc"));
	CHECK_ERR(read(fd, tap_bad_ptr(0x1000), 64), EFAULT);	/* a lost record, as Linux */
	CHECK_ERR(read(fd, buf, 64), EAGAIN);
	/* Two records in one read. */
	CHECK_EQ(chmod(f, 0644), 0);
	CHECK_EQ(truncate(f, 0), 0);
	CHECK_EQ(ioctl(fd, FIONREAD, &avail), 0);
	CHECK_EQ(avail, 16);	/* IN_ATTRIB; the watch asked for no IN_MODIFY */
	CHECK_EQ(inotify_rm_watch(fd, wdf), 0);
	CHECK_EQ(inotify_rm_watch(fd, wd), 0);
	CHECK_EQ(read(fd, buf, 64), 48);
	CHECK(e->wd == wdf && e->mask == IN_ATTRIB);
	e = (struct inotify_event *)(buf + 16);
	CHECK(e->wd == wdf && e->mask == IN_IGNORED);
	e = (struct inotify_event *)(buf + 32);
	CHECK(e->wd == wd && e->mask == IN_IGNORED);
	unlink(f);
	rmdir(dir);
	return 0;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* Blocking reads: woken by an event from another process; EINTR on a signal. */
static int t_blocking(void)
{
	char f[160], buf[64];
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct inotify_event *e = (struct inotify_event *)buf;
	int fd = inotify_init(), nb, wd;
	pid_t pid;

	CHECK(fd >= 0);
	snprintf(f, sizeof(f), "/proc/self/fd/%d", fd);
	CHECK_EQ(readlink(f, buf, sizeof(buf)), 18);
	CHECK(!memcmp(buf, "anon_inode:inotify", 18));
	CHECK_EQ(fcntl(fd, F_GETFL) & (O_NONBLOCK | O_ACCMODE), O_RDONLY);
	CHECK_EQ(fcntl(fd, F_GETFD), 0);
	nb = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	CHECK_EQ(fcntl(nb, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
	CHECK_EQ(fcntl(nb, F_GETFD), FD_CLOEXEC);
	CHECK_ERR(read(nb, buf, sizeof(buf)), EAGAIN);
	CHECK_ERR(inotify_init1(IN_NONBLOCK | 1), EINVAL);
	CHECK_ERR(inotify_init1(O_RDWR), EINVAL);
	setup_dir("ino-block");
	mkpath(f, sizeof(f), "f");
	CHECK_EQ(close(open(f, O_CREAT | O_WRONLY, 0644)), 0);
	wd = inotify_add_watch(fd, f, IN_MODIFY);
	pid = fork();
	if (pid == 0) {
		int w = open(f, O_WRONLY | O_APPEND);

		tap_sleep_ms(100);
		_exit(write(w, "tail", 4) == 4 ? 0 : 1);
	}
	CHECK_EQ(read(fd, buf, sizeof(buf)), 16);
	CHECK(e->wd == wd && e->mask == IN_MODIFY);
	CHECK_EQ(tap_wait_bounded(pid, 10), 0);
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	CHECK_ERR(read(fd, buf, sizeof(buf)), EINTR);
	alarm(0);
	unlink(f);
	rmdir(dir);
	return 0;
}

static int t_poll(void)
{
	char f[160];
	struct pollfd p;
	struct epoll_event ev = { .events = EPOLLIN }, out;
	int fd = new_fd(), ep = epoll_create1(0);

	setup_dir("ino-poll");
	mkpath(f, sizeof(f), "f");
	CHECK(inotify_add_watch(fd, dir, IN_CREATE) > 0);
	CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), 0);
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	CHECK_EQ(poll(&p, 1, 0), 0);
	CHECK_EQ(epoll_wait(ep, &out, 1, 0), 0);
	CHECK_EQ(close(open(f, O_CREAT | O_WRONLY, 0644)), 0);
	CHECK_EQ(poll(&p, 1, 1000), 1);
	CHECK_EQ(p.revents, POLLIN);
	CHECK_EQ(epoll_wait(ep, &out, 1, 1000), 1);
	CHECK_EQ(out.events, EPOLLIN);
	struct ev dummy[4];
	CHECK_EQ(drain(fd, dummy, 4), 1);
	CHECK_EQ(poll(&p, 1, 0), 0);
	CHECK_EQ(epoll_wait(ep, &out, 1, 0), 0);
	unlink(f);
	rmdir(dir);
	return 0;
}

/* Watches on children and on the file itself (separate instances), link(2) and the mask rules. */
static int t_watch_rules(void)
{
	char f[160], l[160], s[160];
	int fd = new_fd(), fd2 = new_fd(), wd, wd2, wdl, wdd;

	setup_dir("ino-rules");
	mkpath(f, sizeof(f), "f");
	mkpath(l, sizeof(l), "l");
	mkpath(s, sizeof(s), "s");
	CHECK_EQ(close(open(f, O_CREAT | O_WRONLY, 0644)), 0);
	CHECK_EQ(symlink("f", s), 0);
	wd = inotify_add_watch(fd, f, IN_ATTRIB);
	/* The same inode again: the same wd; the mask is replaced, or extended with MASK_ADD. */
	CHECK_EQ(inotify_add_watch(fd, s, IN_MODIFY), wd);
	CHECK_EQ(inotify_add_watch(fd, f, IN_ATTRIB | IN_MASK_ADD), wd);
	CHECK_ERR(inotify_add_watch(fd, f, IN_ATTRIB | IN_MASK_CREATE), EEXIST);
	CHECK_ERR(inotify_add_watch(fd, f, IN_ATTRIB | IN_MASK_ADD | IN_MASK_CREATE), EINVAL);
	/* IN_DONT_FOLLOW watches the symlink itself. */
	wdl = inotify_add_watch(fd, s, IN_ATTRIB | IN_DONT_FOLLOW);
	CHECK(wdl > 0 && wdl != wd);
	wdd = inotify_add_watch(fd2, dir, IN_ATTRIB | IN_CREATE | IN_MODIFY);
	CHECK_EQ(truncate(f, 0), 0);
	CHECK_EQ(link(f, l), 0);
	struct ev want[] = { { wd, IN_MODIFY, 0, 0, "" }, { wd, IN_ATTRIB, 0, 0, "" } };
	expect(fd, want, 2);
	/* The directory sees the truncation by name; link(2)'s link count is the file's own. */
	struct ev want2[] = { { wdd, IN_MODIFY, 0, 0, "f" }, { wdd, IN_CREATE, 0, 0, "l" } };
	expect(fd2, want2, 2);
	wd2 = inotify_add_watch(fd, dir, IN_ONLYDIR | IN_DELETE);
	CHECK(wd2 > 0);
	unlink(l);
	unlink(s);
	unlink(f);
	rmdir(dir);
	return 0;
}

static int t_errors(void)
{
	char f[160];
	int fd = new_fd(), p[2];

	setup_dir("ino-err");
	mkpath(f, sizeof(f), "f");
	CHECK_EQ(close(open(f, O_CREAT | O_WRONLY, 0644)), 0);
	CHECK_EQ(pipe(p), 0);
	CHECK_ERR(inotify_add_watch(fd, f, 0), EINVAL);
	CHECK_ERR(inotify_add_watch(9999, f, IN_MODIFY), EBADF);
	CHECK_ERR(inotify_add_watch(-1, f, IN_MODIFY), EBADF);
	CHECK_ERR(inotify_add_watch(p[0], f, IN_MODIFY), EINVAL);
	CHECK_ERR(inotify_add_watch(fd, "/nonexistent/x", IN_MODIFY), ENOENT);
	CHECK_ERR(inotify_add_watch(fd, f, IN_MODIFY | IN_ONLYDIR), ENOTDIR);
	CHECK_ERR(inotify_add_watch(fd, tap_bad_ptr(0x1000), IN_MODIFY), EFAULT);
	CHECK_ERR(inotify_rm_watch(fd, 12345), EINVAL);
	CHECK_ERR(inotify_rm_watch(fd, -1), EINVAL);
	CHECK_ERR(inotify_rm_watch(9999, 1), EBADF);
	CHECK_ERR(inotify_rm_watch(p[0], 1), EINVAL);
	CHECK_ERR(ioctl(fd, FIONBIO + 0x1000, 0), ENOTTY);
	/* Read permission on the file is needed. */
	CHECK_EQ(chmod(f, 0), 0);
	pid_t pid = fork();

	if (pid == 0) {
		if (getuid() == 0 && setuid(65534))
			_exit(2);
		_exit(inotify_add_watch(fd, f, IN_MODIFY) == -1 && errno == EACCES ? 0 : 1);
	}
	CHECK_EQ(tap_wait_bounded(pid, 10), 0);
	unlink(f);
	rmdir(dir);
	return 0;
}

static long read_knob(const char *name)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), SYSCTL_DIR "%s", name);
	if (tap_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	return atol(buf);
}

static bool write_knob(const char *name, long v)
{
	char path[128], buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", v);

	snprintf(path, sizeof(path), SYSCTL_DIR "%s", name);
	return tap_write_file(path, buf, (size_t)n, 0644) == 0;
}

static int t_sysctl(void)
{
	const char *names[] = { "max_queued_events", "max_user_instances", "max_user_watches" };
	bool seen[3] = { false };
	struct dirent *d;
	DIR *dp = opendir(SYSCTL_DIR);
	long w = read_knob("max_user_watches");

	CHECK(dp != NULL);
	while (dp && (d = readdir(dp)))
		for (int i = 0; i < 3; i++)
			seen[i] |= !strcmp(d->d_name, names[i]);
	if (dp)
		closedir(dp);
	CHECK(seen[0] && seen[1] && seen[2]);
	/* The directory is listed in /proc/sys/fs. */
	dp = opendir("/proc/sys/fs");
	seen[0] = false;
	while (dp && (d = readdir(dp)))
		seen[0] |= !strcmp(d->d_name, "inotify") && d->d_type == DT_DIR;
	if (dp)
		closedir(dp);
	CHECK(seen[0]);
	CHECK_EQ(read_knob("max_queued_events"), 16384);
	CHECK_EQ(read_knob("max_user_instances"), 128);
	CHECK(w >= 8192 && w <= 1048576);	/* Linux's computed default and its bounds */
	return 0;
}

/*
 * The limits, enforced. Sprout only: they are global knobs of the host too, and lowering
 * them there would fail other users' programs meanwhile.
 */
static int t_limits(void)
{
	int fds[8], n = 0, fd;
	long watches = read_knob("max_user_watches");

	if (!tap_on_sprout()) {
		tap_diag("skip on Linux: lowering the host's global inotify limits affects others");
		return TAP_SKIP_STATUS;
	}
	setup_dir("ino-limits");
	CHECK(write_knob("max_user_instances", 3));
	CHECK_EQ(read_knob("max_user_instances"), 3);
	while (n < 8 && (fds[n] = inotify_init1(0)) >= 0)
		n++;
	CHECK_EQ(n, 3);
	CHECK_EQ(errno, EMFILE);
	close(fds[--n]);
	CHECK((fds[n] = inotify_init1(0)) >= 0);	/* a closed instance is given back */
	n++;
	CHECK(write_knob("max_user_instances", 128));
	CHECK(write_knob("max_user_watches", 2));
	fd = fds[0];
	CHECK(inotify_add_watch(fd, dir, IN_CREATE) > 0);
	CHECK(inotify_add_watch(fd, "/", IN_CREATE) > 0);
	CHECK_EQ(inotify_add_watch(fd, "/", IN_DELETE), 2);	/* an update is no new watch */
	CHECK_ERR(inotify_add_watch(fds[1], "/tmp", IN_CREATE), ENOSPC);
	CHECK_EQ(inotify_rm_watch(fd, 1), 0);
	CHECK(inotify_add_watch(fds[1], "/tmp", IN_CREATE) > 0);
	CHECK(write_knob("max_user_watches", watches));
	CHECK_EQ(read_knob("max_user_watches"), watches);
	CHECK(!write_knob("max_user_watches", -1));	/* out of range */
	while (n)
		close(fds[--n]);
	rmdir(dir);
	return 0;
}

/*
 * Past max_queued_events one IN_Q_OVERFLOW record (wd -1) ends the queue. On Sprout the knob
 * is lowered first (it is read when an instance is made); on Linux the host's value is used.
 */
static int t_overflow(void)
{
	char f[160], c;
	long max = read_knob("max_queued_events"), orig = max;
	int fd, wd, w, avail;
	struct inotify_event e[2];

	if (tap_on_sprout()) {
		CHECK(write_knob("max_queued_events", 64));
		max = 64;
	}
	fd = new_fd();
	if (tap_on_sprout())
		CHECK(write_knob("max_queued_events", orig));
	setup_dir("ino-overflow");
	mkpath(f, sizeof(f), "f");
	w = open(f, O_CREAT | O_RDWR, 0644);
	CHECK_EQ(write(w, "x", 1), 1);
	wd = inotify_add_watch(fd, f, IN_MODIFY | IN_ACCESS);
	/* Alternate events, so that none merges with the one before. */
	for (long i = 0; i < max / 2 + 2; i++) {
		CHECK_EQ(pwrite(w, "x", 1, 0), 1);
		CHECK_EQ(pread(w, &c, 1, 0), 1);
	}
	CHECK_EQ(ioctl(fd, FIONREAD, &avail), 0);
	CHECK_EQ(avail, (max + 1) * 16);
	for (long i = 0; i < max; i++) {
		if (read(fd, e, 16) != 16 || e[0].wd != wd ||
		    e[0].mask != (i % 2 ? IN_ACCESS : IN_MODIFY)) {
			CHECK(false);
			break;
		}
	}
	CHECK_EQ(read(fd, e, sizeof(e)), 16);
	CHECK_EQ(e[0].wd, -1);
	CHECK_EQ(e[0].mask, IN_Q_OVERFLOW);
	CHECK_ERR(read(fd, e, sizeof(e)), EAGAIN);
	/* The queue works again once read. */
	CHECK_EQ(pwrite(w, "x", 1, 0), 1);
	CHECK_EQ(read(fd, e, sizeof(e)), 16);
	CHECK_EQ(e[0].mask, IN_MODIFY);
	close(w);
	unlink(f);
	rmdir(dir);
	return 0;
}

int main(void)
{
	tap_plan(17);
	run_case("create, open, modify, close, access, truncate, chmod, mkdir, delete",
		 t_file_events);
	run_case("record layout: NUL-padded name, len a multiple of 16", t_layout);
	run_case("a watched directory opened, listed, closed", t_dir_self);
	run_case("rename: MOVED_FROM/MOVED_TO share a cookie, IN_MOVE_SELF", t_rename);
	run_case("unlink: IN_ATTRIB, IN_DELETE_SELF, IN_IGNORED; rmdir of a watched dir",
		 t_delete_self);
	run_case("unlink of an open file: IN_DELETE_SELF at its last close", t_delete_open);
	run_case("IN_ONESHOT: one event, then IN_IGNORED", t_oneshot);
	run_case("inotify_rm_watch: IN_IGNORED, EINVAL after, wds count up", t_rm_watch);
	run_case("a repeated unread event is merged", t_coalesce);
	run_case("read: whole records, EINVAL for a small buffer, FIONREAD", t_read_rules);
	run_case("blocking read: woken by an event, EINTR; flags of inotify_init1", t_blocking);
	run_case("poll and epoll readiness", t_poll);
	run_case("same inode same wd, IN_MASK_ADD/CREATE, IN_DONT_FOLLOW, link", t_watch_rules);
	run_case("errors: EINVAL, EBADF, ENOENT, ENOTDIR, EFAULT, EACCES", t_errors);
	run_case("/proc/sys/fs/inotify: the three knobs and their defaults", t_sysctl);
	run_case("max_user_instances (EMFILE) and max_user_watches (ENOSPC)", t_limits);
	run_case("max_queued_events: IN_Q_OVERFLOW", t_overflow);
	return tap_done();
}
