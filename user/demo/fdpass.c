/*
 * fdpass: a third form of cooperation -- handing an open file to another process.
 *
 * Processes cooperate by sharing what fork gives them (memory copies, inherited descriptors)
 * or by sending bytes (pipes, messages). An AF_UNIX socket can carry something else: an open
 * file description itself (SCM_RIGHTS). The receiver gets a new descriptor number for the
 * very same open file -- same file, same offset -- even for a file that no longer has a name,
 * or that the receiver could never have opened.
 *
 * The narration, with real pids:
 *   1. a socketpair, then fork: parent and child each keep one end
 *   2. the parent creates a file, writes a line, and unlinks it: no name is left
 *   3. the parent sends the descriptor over the socket; its own copy is then closed
 *   4. the child receives it as a new descriptor number, reads from the shared offset,
 *      appends a line, and exits
 *   5. the parent gets the file back the same way, rewinds, and reads both lines
 *
 * Runs on Linux as well.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* Send @fd with one byte of data (a message must carry at least one). */
static int send_fd(int sock, int fd)
{
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { "F", 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			     .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

	memset(ctl, 0, sizeof(ctl));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &mh, 0) == 1 ? 0 : -1;
}

/* Receive a descriptor sent by send_fd(); -1 on failure. */
static int recv_fd(int sock)
{
	char ctl[CMSG_SPACE(sizeof(int))], byte;
	struct iovec iov = { &byte, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			     .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&mh);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

int main(void)
{
	char path[] = "/tmp/fdpass-XXXXXX", buf[256];
	int sv[2], fd, status;
	ssize_t n;
	pid_t pid;

	setvbuf(stdout, NULL, _IONBF, 0);
	printf("1. socketpair(AF_UNIX) and fork\n");
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		die("socketpair");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(sv[0]);
		fd = recv_fd(sv[1]);
		if (fd < 0)
			die("child: recvmsg");
		printf("4. [child %d] received descriptor %d; the file has no name, yet:\n",
		       getpid(), fd);
		n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = 0;
		printf("   [child %d] read %zd bytes at offset 0 -> \"%.*s\"\n", getpid(), n,
		       (int)strcspn(buf, "\n"), buf);
		printf("   [child %d] the read moved the file offset to %ld\n", getpid(),
		       (long)lseek(fd, 0, SEEK_CUR));
		snprintf(buf, sizeof(buf), "and a line from the child, pid %d\n", getpid());
		if (write(fd, buf, strlen(buf)) < 0)
			die("child: write");
		printf("   [child %d] appended a line; sending the file back and exiting\n", getpid());
		if (send_fd(sv[1], fd) < 0)
			die("child: sendmsg");
		_exit(0);
	}
	close(sv[1]);
	fd = mkstemp(path);
	if (fd < 0)
		die("mkstemp");
	snprintf(buf, sizeof(buf), "a line from the parent, pid %d\n", getpid());
	if (write(fd, buf, strlen(buf)) < 0 || lseek(fd, 0, SEEK_SET) < 0)
		die("write");
	unlink(path);
	printf("2. [parent %d] created %s (descriptor %d), wrote a line, unlinked it\n", getpid(),
	       path, fd);
	if (send_fd(sv[0], fd) < 0)
		die("sendmsg");
	close(fd);
	printf("3. [parent %d] sent descriptor %d to child %d with SCM_RIGHTS and closed it\n",
	       getpid(), fd, pid);
	fd = recv_fd(sv[0]);
	if (fd < 0)
		die("recvmsg");
	waitpid(pid, &status, 0);
	printf("5. [parent %d] child %d exited (status %d); the file came back as descriptor %d,\n"
	       "   still at offset %ld where the child left it (one open file, one offset):\n",
	       getpid(), pid, WIFEXITED(status) ? WEXITSTATUS(status) : -1, fd,
	       (long)lseek(fd, 0, SEEK_CUR));
	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = 0;
		printf("%s", buf);
	}
	close(fd);
	printf("The file lived only in open file descriptions, carried between processes.\n");
	return 0;
}
