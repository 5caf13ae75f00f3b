/*
 * Named pipes: mkfifo(3)/mknod(2) make S_IFIFO nodes (for any user); open(2) blocks as fifo(7)
 * says (a reader until a writer comes, a writer until a reader comes, O_RDWR never; O_NONBLOCK:
 * a reader returns at once, a writer without a reader gets ENXIO); data flows as in a pipe and
 * is gone once every end has closed; a signal interrupts a waiting open (EINTR).
 */
#include <tap.h>

#define UNPRIV_UID	1000

static void fifo_path(char *buf, size_t len, const char *tag)
{
	tap_tmppath(buf, len, tag);
	unlink(buf);
}

static int mkfifo_makes_node(void)
{
	char path[256], path2[300];
	struct stat st;

	fifo_path(path, sizeof(path), "fifo-node");
	umask(022);
	CHECK_EQ(mkfifo(path, 0666), 0);
	CHECK_EQ(stat(path, &st), 0);
	CHECK(S_ISFIFO(st.st_mode));
	CHECK_EQ(st.st_mode & 07777, 0644);
	CHECK_EQ(st.st_size, 0);
	CHECK_ERR(mkfifo(path, 0600), EEXIST);
	snprintf(path2, sizeof(path2), "%s.2", path);
	/* Any user may make one: no privilege needed, unlike device nodes. */
	pid_t pid = fork();

	if (pid == 0) {
		if (setuid(UNPRIV_UID))
			_exit(2);
		if (mknod(path2, S_IFIFO | 0600, 0))
			_exit(3);
		_exit(stat(path2, &st) == 0 && S_ISFIFO(st.st_mode) && st.st_uid == UNPRIV_UID ?
		      0 : 4);
	}
	CHECK_EQ(tap_wait_bounded(pid, 20), 0);
	unlink(path2);
	unlink(path);
	return 0;
}

static int writer_reader(void)
{
	char path[256], buf[16] = { 0 };
	struct stat st;
	pid_t pid;
	int fd;

	fifo_path(path, sizeof(path), "fifo-rw");
	CHECK_EQ(mkfifo(path, 0600), 0);
	pid = fork();
	if (pid == 0) {
		int w = open(path, O_WRONLY);	/* waits for the reader */

		_exit(w >= 0 && write(w, "hello", 5) == 5 ? 0 : 1);
	}
	fd = open(path, O_RDONLY);		/* waits for the writer */
	if (!CHECK(fd >= 0))
		return 1;
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK(S_ISFIFO(st.st_mode));
	CHECK_EQ(read(fd, buf, sizeof(buf)), 5);
	CHECK(!memcmp(buf, "hello", 5));
	CHECK_EQ(tap_wait_bounded(pid, 20), 0);
	CHECK_EQ(read(fd, buf, sizeof(buf)), 0);	/* every writer gone: end of file */
	CHECK_ERR(lseek(fd, 0, SEEK_SET), ESPIPE);
	close(fd);
	unlink(path);
	return 0;
}

static int reader_blocks_until_writer(void)
{
	char path[256];
	pid_t pid;
	int st, w;

	fifo_path(path, sizeof(path), "fifo-block");
	CHECK_EQ(mkfifo(path, 0600), 0);
	pid = fork();
	if (pid == 0) {
		int r = open(path, O_RDONLY);
		char c = 0;

		_exit(r >= 0 && read(r, &c, 1) == 1 && c == 'z' ? 0 : 1);
	}
	tap_sleep_ms(200);
	CHECK_EQ(waitpid(pid, &st, WNOHANG), 0);	/* still in open */
	w = open(path, O_WRONLY);
	CHECK(w >= 0);
	CHECK_EQ(write(w, "z", 1), 1);
	CHECK_EQ(tap_wait_bounded(pid, 20), 0);
	close(w);
	unlink(path);
	return 0;
}

static int nonblocking_opens(void)
{
	char path[256], c;
	int r, w;

	fifo_path(path, sizeof(path), "fifo-nb");
	CHECK_EQ(mkfifo(path, 0600), 0);
	CHECK_ERR(open(path, O_WRONLY | O_NONBLOCK), ENXIO);
	r = open(path, O_RDONLY | O_NONBLOCK);		/* never waits */
	if (!CHECK(r >= 0))
		return 1;
	CHECK_EQ(read(r, &c, 1), 0);			/* no writer: end of file */
	w = open(path, O_WRONLY | O_NONBLOCK);		/* a reader exists now */
	CHECK(w >= 0);
	CHECK_ERR(read(r, &c, 1), EAGAIN);		/* a writer, no data */
	CHECK_EQ(write(w, "q", 1), 1);
	CHECK_EQ(read(r, &c, 1), 1);
	CHECK_EQ(c, 'q');
	close(r);
	signal(SIGPIPE, SIG_IGN);
	CHECK_ERR(write(w, "q", 1), EPIPE);		/* the reader has gone */
	close(w);
	unlink(path);
	return 0;
}

static int rdwr_and_discard(void)
{
	char path[256], buf[8];
	int fd;

	fifo_path(path, sizeof(path), "fifo-rdwr");
	CHECK_EQ(mkfifo(path, 0600), 0);
	fd = open(path, O_RDWR);			/* never waits */
	if (!CHECK(fd >= 0))
		return 1;
	CHECK_EQ(write(fd, "abc", 3), 3);
	CHECK_EQ(read(fd, buf, 2), 2);
	CHECK(!memcmp(buf, "ab", 2));
	close(fd);
	/* Every end closed: the unread byte went with the pipe. */
	fd = open(path, O_RDWR | O_NONBLOCK);
	CHECK(fd >= 0);
	CHECK_ERR(read(fd, buf, sizeof(buf)), EAGAIN);
	close(fd);
	unlink(path);
	return 0;
}

static void on_alarm(int sig)
{
	(void)sig;
}

static int signal_interrupts_open(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	char path[256];
	long long t0;

	fifo_path(path, sizeof(path), "fifo-intr");
	CHECK_EQ(mkfifo(path, 0600), 0);
	CHECK_EQ(sigaction(SIGALRM, &sa, NULL), 0);
	alarm(1);
	t0 = tap_now_ms();
	CHECK_ERR(open(path, O_WRONLY), EINTR);
	CHECK(tap_now_ms() - t0 >= 500);
	/* The interrupted writer left nothing behind: a non-blocking reader sees no writer. */
	int r = open(path, O_RDONLY | O_NONBLOCK);
	char c;

	CHECK(r >= 0);
	CHECK_EQ(read(r, &c, 1), 0);
	close(r);
	unlink(path);
	return 0;
}

/* An unnamed pipe reopens through /proc/self/fd/N and /dev/fd/N (Linux's magic links:
 * bash's <(...) hands such a path to a program), without waiting for a partner, and
 * readlink names it "pipe:[inode]". */
static int unnamed_pipe_reopens(void)
{
	char path[64], link[64], want[64], c[4];
	struct stat st;
	int p[2], r, w;
	ssize_t n;

	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(fstat(p[0], &st), 0);
	snprintf(want, sizeof(want), "pipe:[%llu]", (unsigned long long)st.st_ino);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
	n = readlink(path, link, sizeof(link) - 1);
	CHECK(n > 0);
	link[n > 0 ? n : 0] = '\0';
	CHECK(!strcmp(link, want));
	n = readlink("/dev/fd", link, sizeof(link) - 1);
	CHECK_EQ(n, 13);
	CHECK(n == 13 && !memcmp(link, "/proc/self/fd", 13));

	CHECK_EQ(write(p[1], "abc", 3), 3);
	snprintf(path, sizeof(path), "/dev/fd/%d", p[0]);
	r = open(path, O_RDONLY);
	CHECK(r >= 0);
	CHECK_EQ(read(r, c, 3), 3);
	CHECK(!memcmp(c, "abc", 3));
	/* A second writer through the link; the pipe ends only when both writers close. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[1]);
	w = open(path, O_WRONLY);
	CHECK(w >= 0);
	CHECK_EQ(fstat(w, &st), 0);
	CHECK(S_ISFIFO(st.st_mode));
	CHECK_EQ(close(p[1]), 0);
	CHECK_EQ(write(w, "d", 1), 1);
	CHECK_EQ(read(p[0], c, 1), 1);
	CHECK_EQ(c[0], 'd');
	CHECK_EQ(close(w), 0);
	CHECK_EQ(read(r, c, 1), 0);
	/* No writer left: opening the read end again does not wait (a FIFO would). */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
	int r2 = open(path, O_RDONLY);

	CHECK(r2 >= 0);
	CHECK_EQ(read(r2, c, 1), 0);
	close(r2);
	close(r);
	close(p[0]);
	return 0;
}

int main(void)
{
	tap_plan(7);
	run_case("mkfifo/mknod make a FIFO node, for any user", mkfifo_makes_node);
	run_case("a writer and a reader meet; data, then end of file", writer_reader);
	run_case("O_RDONLY waits for a writer", reader_blocks_until_writer);
	run_case("O_NONBLOCK: readers never wait, writers get ENXIO alone; EPIPE",
		 nonblocking_opens);
	run_case("O_RDWR never waits; unread data goes with the last close", rdwr_and_discard);
	run_case("a signal interrupts a waiting open (EINTR)", signal_interrupts_open);
	run_case("an unnamed pipe reopens through /proc/self/fd/N and /dev/fd/N",
		 unnamed_pipe_reopens);
	return tap_done();
}
