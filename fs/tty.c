/*
 * The terminal: the line discipline of the serial console (serial 0, known
 * as /dev/console, /dev/ttyS0 and, for its session, /dev/tty). Input bytes
 * arrive from the UART interrupt (console_rx); the discipline translates
 * them (ICRNL, INLCR, IGNCR), turns ^C, ^\ and ^Z into SIGINT, SIGQUIT and
 * SIGTSTP for the foreground process group (ISIG), edits lines in canonical
 * mode (VERASE, VKILL, VEOF, echo) or hands bytes over raw (VMIN/VTIME), and
 * translates output (OPOST, ONLCR). It also keeps the terminal's session
 * and foreground process group (TIOCSCTTY, TIOCNOTTY, TIOCGPGRP, TIOCSPGRP),
 * stops background readers and writers (SIGTTIN, SIGTTOU) and hangs the
 * session up when its leader exits. Semantics: termios(3), tty_ioctl(4),
 * credentials(7), POSIX.1-2017 "General Terminal Interface".
 *
 * Settings at boot are those of a raw serial line: no output translation,
 * no echo, no signals, no line editing; only CR becomes NL on input. So the
 * program `./sprout run` starts writes its bytes to the host unchanged and
 * reads what the host sends, byte-exact as before the discipline existed.
 * init, in its login-shell mode, sets the usual cooked settings ("stty
 * sane") before it starts the shell, as getty does on Linux.
 *
 * A serial line has no end of file, but piped input does. When the host feeds
 * the console from a pipe (boot option console_input=escaped, which ./sprout
 * gives), the byte stream is escaped: 0xff 0xff is a data byte 0xff and
 * 0xff 0x00 marks the end of the input. From then on the terminal reads as a
 * pipe whose writer has closed: what is queued is still read, then read(2)
 * returns 0 (and poll reports it readable). Such input is data, not typing,
 * so it also comes in without the CR-to-NL translation, and with flow control:
 * when the input queue is full the driver leaves bytes in the device (and the
 * host waits) until a reader has made room, where typed input would be lost.
 *
 * Locks: tty.lock [t] (a spinlock, taken in interrupt context too) guards
 * every field of struct tty. Order: tasklist_lock is never taken under [t]
 * (signals are sent after unlocking); [t] -> wait-queue lock.
 */
#include "internal.h"
#include "arch.h"
#include "cpu.h"
#include "sched.h"
#include "task.h"
#include "uaccess.h"
#include "uapi/ioctl.h"
#include "uapi/poll.h"
#include "uapi/signal.h"

#define TTY_BUF		4096	/* bytes of the input queue and of the line; a power of two */
#define CHUNK		256	/* bytes moved per copy to or from user memory */
#define TTY_DELIM	0x100	/* queue item flag: ends a line (canonical reads stop after it) */
#define TTY_EOF		0x200	/* queue item flag: an end-of-file mark, not data */
#define TTY_NR		((4 << 8) | 64)	/* ttyS0 in /proc/<pid>/stat's tty_nr encoding */
#define VTIME_POLL_NS	10000000ULL	/* 10 ms: how often a VTIME read looks again */

#define CTRL(c)		((c) & 037)
#define SIGBIT(sig)	(1ULL << ((sig) - 1))

struct tty {
	struct spinlock lock;
	struct linux_termios termios;	/* [t] */
	struct linux_winsize winsize;	/* [t] */
	u16 q[TTY_BUF];			/* [t] input ready for read(2): bytes and flags */
	u32 qhead, qcount;		/* [t] oldest item, items in q */
	u32 qlines;			/* [t] TTY_DELIM items in q (canonical reads wait for one) */
	char line[TTY_BUF];		/* [t] the line being edited (canonical mode) */
	u32 linelen;			/* [t] */
	pid_t session;			/* [t] session it is the controlling terminal of, or 0 */
	pid_t pgrp;			/* [t] foreground process group, or 0 */
	bool rx_escaped;		/* [t] input is escaped (see above); set at boot */
	bool rx_escape;			/* [t] a 0xff came: the next byte tells */
	bool rx_ended;			/* [t] the end mark came: reads see EOF */
	bool rx_stopped;		/* [t] input waits in the UART for room */
	struct wait_queue rx_wait;	/* readers: woken by input and by setting changes */
};

static struct tty tty = {
	.lock = SPINLOCK_INIT("tty"),
	.termios = {
		/* A raw line, see above; c_cc holds the usual characters for later. */
		.c_iflag = ICRNL,
		.c_oflag = 0,
		.c_cflag = B38400 | CS8 | CREAD | HUPCL,
		.c_lflag = 0,
		.c_cc = {
			[VINTR] = CTRL('c'), [VQUIT] = 034, [VERASE] = 0177, [VKILL] = CTRL('u'),
			[VEOF] = CTRL('d'), [VTIME] = 0, [VMIN] = 1, [VSTART] = CTRL('q'),
			[VSTOP] = CTRL('s'), [VSUSP] = CTRL('z'), [VREPRINT] = CTRL('r'),
			[VDISCARD] = CTRL('o'), [VWERASE] = CTRL('w'), [VLNEXT] = CTRL('v'),
		},
	},
	.winsize = { .ws_row = 24, .ws_col = 80 },
	.rx_wait = WAIT_QUEUE_INIT(tty.rx_wait, "tty_rx_wait"),
};

/* Serialises writers so that one write(2) is not interleaved with another's. */
static struct mutex tx_mutex = MUTEX_INIT(tx_mutex, "tty_tx");

/* ---- Output ---- */

/* Put one output byte through OPOST/ONLCR. [t] or tx_mutex, or interrupt context. */
static void out_byte(u32 oflag, char c)
{
	if ((oflag & OPOST) && (oflag & ONLCR) && c == '\n')
		arch_console_putc('\r');
	arch_console_putc(c);
}

/* Echo @c as the terminal shows it: control characters as ^X with ECHOCTL. */
static u32 echo_char(const struct linux_termios *t, char c)
{
	u8 u = (u8)c;

	if ((t->c_lflag & ECHOCTL) && (u < 32 || u == 0177) && c != '\n' && c != '\t') {
		out_byte(t->c_oflag, '^');
		out_byte(t->c_oflag, u == 0177 ? '?' : (char)(u + 64));
		return 2;
	}
	out_byte(t->c_oflag, c);
	return 1;
}

/* ---- Input ---- */

static void q_push(u16 item)
{
	if (tty.qcount == TTY_BUF)
		return;	/* full: the byte is lost, as on a real line */
	tty.q[(tty.qhead + tty.qcount) & (TTY_BUF - 1)] = item;
	tty.qcount++;
	if (item & TTY_DELIM)
		tty.qlines++;
}

/* Make the newest queued item end a line, so a canonical read returns what is queued. */
static void q_end_line(void)
{
	u16 *last = &tty.q[(tty.qhead + tty.qcount - 1) & (TTY_BUF - 1)];

	if (!(*last & TTY_DELIM)) {
		*last |= TTY_DELIM;
		tty.qlines++;
	}
}

static void flush_input(void)
{
	tty.qhead = tty.qcount = tty.qlines = 0;
	tty.linelen = 0;
	if (tty.rx_stopped) {	/* room again for input held back in the device */
		tty.rx_stopped = false;
		arch_console_rx_resume();
	}
}

/* Width of @c when echoed, for erasing it. */
static u32 echo_width(const struct linux_termios *t, char c)
{
	u8 u = (u8)c;

	return ((t->c_lflag & ECHOCTL) && (u < 32 || u == 0177) && c != '\t') ? 2 : 1;
}

static void erase_one(const struct linux_termios *t)
{
	char c;

	if (!tty.linelen)
		return;
	c = tty.line[--tty.linelen];
	if ((t->c_lflag & ECHO) && (t->c_lflag & ECHOE))
		for (u32 i = echo_width(t, c); i; i--) {
			out_byte(t->c_oflag, '\b');
			out_byte(t->c_oflag, ' ');
			out_byte(t->c_oflag, '\b');
		}
}

/* Move the edited line into the queue, the last byte ending it. */
static void line_commit(void)
{
	for (u32 i = 0; i < tty.linelen; i++)
		q_push((u8)tty.line[i] | (i + 1 == tty.linelen ? TTY_DELIM : 0));
	tty.linelen = 0;
}

/* Canonical processing of @c; [t] held. */
static void canon_input(const struct linux_termios *t, char c)
{
	const u8 *cc = t->c_cc;

	if (c == (char)cc[VERASE] || (c == '\b' && cc[VERASE] == 0177)) {
		erase_one(t);
		return;
	}
	if (c == (char)cc[VKILL]) {
		if (t->c_lflag & ECHOKE) {
			while (tty.linelen)
				erase_one(t);
		} else {
			if (t->c_lflag & ECHO)
				echo_char(t, c);
			if (t->c_lflag & ECHOK)
				out_byte(t->c_oflag, '\n');
			tty.linelen = 0;
		}
		return;
	}
	if (c == (char)cc[VEOF]) {
		if (tty.linelen)
			line_commit();
		else
			q_push(TTY_EOF | TTY_DELIM);
		return;
	}
	if ((t->c_lflag & ECHO) || (c == '\n' && (t->c_lflag & ECHONL)))
		echo_char(t, c);
	if (tty.linelen < TTY_BUF - 1 || c == '\n')
		tty.line[tty.linelen < TTY_BUF ? tty.linelen++ : TTY_BUF - 1] = c;
	if (c == '\n' || (cc[VEOL] && c == (char)cc[VEOL]))
		line_commit();
}

/* The signal @c generates under ISIG, or 0. */
static int isig_signal(const struct linux_termios *t, char c)
{
	if (!(t->c_lflag & ISIG) || !c)
		return 0;
	if (c == (char)t->c_cc[VINTR])
		return SIGINT;
	if (c == (char)t->c_cc[VQUIT])
		return SIGQUIT;
	if (c == (char)t->c_cc[VSUSP])
		return SIGTSTP;
	return 0;
}

static void send_pgrp(pid_t pgrp, int sig)
{
	if (pgrp <= 0)
		return;
	spin_lock(&tasklist_lock);
	signal_send_pgrp(pgrp, sig);
	spin_unlock(&tasklist_lock);
}

/* The input has ended: a line being edited is complete as it is (as with VEOF). [t] held. */
static void rx_end(void)
{
	if ((tty.termios.c_lflag & ICANON) && tty.linelen)
		line_commit();
	tty.rx_ended = true;
}

/*
 * tty_console_input_escaped - see include/fs.h. Boot, before the console's interrupt is on.
 */
void tty_console_input_escaped(void)
{
	spin_lock(&tty.lock);
	tty.rx_escaped = true;
	tty.termios.c_iflag &= ~ICRNL;
	spin_unlock(&tty.lock);
}

/* Can the queue take another byte and whatever line it may complete? [t] held. */
static bool rx_has_room(void)
{
	/* An empty queue always takes input, or a long unfinished line could never end. */
	return tty.qcount == 0 || tty.qcount + tty.linelen + 1 < TTY_BUF;
}

/* console_rx_room - see include/arch.h. Interrupt context. Locks: [t]. Sleeps: no. */
bool console_rx_room(void)
{
	bool room = true;

	spin_lock(&tty.lock);
	if (tty.rx_escaped && !tty.rx_ended && !rx_has_room()) {
		room = false;
		if (!tty.rx_stopped) {
			tty.rx_stopped = true;
			arch_console_rx_stop();
		}
	}
	spin_unlock(&tty.lock);
	return room;
}

/* A reader took input: let the driver hand over more if it was held back. [t] held. */
static void rx_maybe_resume(void)
{
	if (tty.rx_stopped && rx_has_room()) {
		tty.rx_stopped = false;
		arch_console_rx_resume();
	}
}

/*
 * console_rx - see include/arch.h: one byte received on the console line.
 * Interrupt context. Locks: takes [t], then (after releasing it)
 * tasklist_lock for a signal, and the readers' wait queue. Sleeps: no.
 */
void console_rx(char c)
{
	struct linux_termios *t = &tty.termios;
	pid_t pgrp = 0;
	int sig;

	spin_lock(&tty.lock);
	if (tty.rx_escaped) {
		if (tty.rx_ended)
			goto out_unlock;	/* nothing follows the end */
		if (tty.rx_escape) {
			tty.rx_escape = false;
			if (c == 0) {
				rx_end();
				goto out_unlock;
			}
		} else if ((u8)c == 0xff) {
			tty.rx_escape = true;
			goto out_unlock;
		}
	}
	if (c == '\r' && (t->c_iflag & IGNCR))
		goto out_unlock;
	if (c == '\r' && (t->c_iflag & ICRNL))
		c = '\n';
	else if (c == '\n' && (t->c_iflag & INLCR))
		c = '\r';
	sig = isig_signal(t, c);
	if (sig) {
		if (!(t->c_lflag & NOFLSH))
			flush_input();
		if (t->c_lflag & ECHO)
			echo_char(t, c);
		pgrp = tty.pgrp;
	} else if (t->c_lflag & ICANON) {
		canon_input(t, c);
	} else {
		if ((t->c_lflag & ECHO) || (c == '\n' && (t->c_lflag & ECHONL)))
			echo_char(t, c);
		q_push((u8)c);
	}
out_unlock:
	spin_unlock(&tty.lock);
	if (pgrp)
		send_pgrp(pgrp, sig);
	wake_up(&tty.rx_wait);
}

/* ---- Job control ---- */

static bool sig_ignored_or_blocked(int sig)
{
	struct task *t = current;
	struct process *p = t->proc;
	bool r;

	if (t->blocked & SIGBIT(sig))
		return true;
	spin_lock(&p->sighand->lock);
	r = p->sighand->action[sig - 1].handler == SIG_IGN;
	spin_unlock(&p->sighand->lock);
	return r;
}

/*
 * A process of the terminal's session outside its foreground group reads
 * (SIGTTIN) or writes with TOSTOP or changes settings (SIGTTOU): its group
 * gets the signal and the call is interrupted, unless the signal is ignored
 * or blocked (a write or setting change then proceeds; a read fails EIO).
 * Returns 0 to go on or a negative errno.
 */
static int job_check(int sig)
{
	struct process *p = current->proc;
	pid_t session, pgrp, mypgrp, mysid;

	spin_lock(&tasklist_lock);
	mypgrp = p->pgid;
	mysid = p->sid;
	spin_unlock(&tasklist_lock);
	spin_lock(&tty.lock);
	session = tty.session;
	pgrp = tty.pgrp;
	spin_unlock(&tty.lock);
	if (!session || session != mysid || !pgrp || pgrp == mypgrp)
		return 0;
	if (sig_ignored_or_blocked(sig))
		return sig == SIGTTIN ? -EIO : 0;
	send_pgrp(mypgrp, sig);
	return -ERESTARTSYS;
}

/* ---- read ---- */

/* Take up to @n data bytes into @dst: a canonical read stops after a line's
 * end and at an end-of-file mark (consumed only when first). [t] held. */
static size_t q_take(char *dst, size_t n, bool canon, bool *eof)
{
	size_t got = 0;

	*eof = false;
	while (got < n && tty.qcount) {
		u16 item = tty.q[tty.qhead];

		if (item & TTY_EOF) {
			if (got)
				break;
			*eof = true;
		} else {
			dst[got++] = (char)(item & 0xff);
		}
		tty.qhead = (tty.qhead + 1) & (TTY_BUF - 1);
		tty.qcount--;
		if (item & TTY_DELIM)
			tty.qlines--;
		if ((item & TTY_DELIM) && canon)
			break;
	}
	return got;
}

/* Is a read of @n bytes satisfiable now (see termios(3), VMIN)? [t] held. */
static bool read_ready(size_t n)
{
	const struct linux_termios *t = &tty.termios;
	size_t vmin;

	if (tty.rx_ended)
		return true;	/* whatever is queued, then end of file */
	if (t->c_lflag & ICANON)
		return tty.qlines > 0;
	vmin = MIN((size_t)t->c_cc[VMIN], n);
	return tty.qcount >= MAX(vmin, (size_t)1);
}

static bool read_ready_locked(size_t n)
{
	bool r;

	spin_lock(&tty.lock);
	r = read_ready(n);
	spin_unlock(&tty.lock);
	return r;
}

/* Wait for input the VTIME way: poll every VTIME_POLL_NS up to @deadline (ns). */
static int wait_timed(u64 deadline)
{
	while (arch_clock_ns() < deadline) {
		u64 left = deadline - arch_clock_ns();

		if (tty.qcount)	/* a racy hint: the caller re-checks under [t] */
			return 0;
		if (sleep_ns(MIN(left, VTIME_POLL_NS), NULL))
			return -ERESTARTSYS;
	}
	return 0;
}

static ssize_t tty_read(struct file *f, void __user *buf, size_t n, u64 *pos)
{
	char kbuf[CHUNK];
	size_t got;
	bool canon, eof;
	u8 vmin, vtime;
	int err;

	err = job_check(SIGTTIN);
	if (err)
		return err;
	if (!n)
		return 0;
	n = MIN(n, sizeof(kbuf));
	for (;;) {
		spin_lock(&tty.lock);
		canon = tty.termios.c_lflag & ICANON;
		vmin = tty.termios.c_cc[VMIN];
		vtime = tty.termios.c_cc[VTIME];
		if (read_ready(n) || (!canon && tty.qcount && vtime)) {
			bool ended = tty.rx_ended;

			got = q_take(kbuf, n, canon, &eof);
			rx_maybe_resume();
			spin_unlock(&tty.lock);
			if (got || eof || ended)
				break;
			continue;
		}
		spin_unlock(&tty.lock);
		if (!canon && !vmin && !vtime)
			return 0;	/* polling read: nothing there */
		if (file_flags(f) & O_NONBLOCK)
			return -EAGAIN;
		if (!canon && vtime && (!vmin || tty.qcount)) {
			err = wait_timed(arch_clock_ns() + vtime * 100000000ULL);
			if (err)
				return err;
			spin_lock(&tty.lock);
			got = q_take(kbuf, n, false, &eof);
			rx_maybe_resume();
			spin_unlock(&tty.lock);
			if (got || !vmin)
				break;
			continue;
		}
		err = wait_event_interruptible(&tty.rx_wait, read_ready_locked(n));
		if (err)
			return err;
	}
	if (got && copy_to_user(buf, kbuf, got))
		return -EFAULT;
	return (ssize_t)got;
}

/* ---- write ---- */

static ssize_t tty_write(struct file *f, struct io_src src, size_t n, u64 *pos)
{
	char kbuf[CHUNK];
	size_t done = 0, chunk, i;
	u32 oflag;
	int err;

	spin_lock(&tty.lock);
	oflag = tty.termios.c_lflag & TOSTOP;
	spin_unlock(&tty.lock);
	if (oflag) {
		err = job_check(SIGTTOU);
		if (err)
			return err;
	}
	mutex_lock(&tx_mutex);
	while (done < n) {
		chunk = MIN(n - done, sizeof(kbuf));
		if (io_src_copy(kbuf, src, done, chunk))
			break;
		oflag = __atomic_load_n(&tty.termios.c_oflag, __ATOMIC_RELAXED);
		for (i = 0; i < chunk; i++)
			out_byte(oflag, kbuf[i]);
		done += chunk;
	}
	mutex_unlock(&tx_mutex);
	return done || !n ? (ssize_t)done : -EFAULT;
}

/* ---- sessions ---- */

/* The caller's session and process group. */
static void my_ids(pid_t *sid, pid_t *pgid, bool *leader)
{
	struct process *p = current->proc;

	spin_lock(&tasklist_lock);
	*sid = p->sid;
	*pgid = p->pgid;
	*leader = p->pid == p->sid;
	spin_unlock(&tasklist_lock);
}

static void become_ctty(pid_t sid, pid_t pgid)
{
	tty.session = sid;
	tty.pgrp = pgid;
}

int tty_open(u32 major, u32 minor, u32 flags)
{
	pid_t sid, pgid;
	bool leader;
	int err = 0;

	if (!current || !current->proc)
		return 0;
	my_ids(&sid, &pgid, &leader);
	spin_lock(&tty.lock);
	if (major == 5 && minor == 0) {
		/* /dev/tty: the caller's controlling terminal. */
		if (!tty.session || tty.session != sid)
			err = -ENXIO;
	} else if (major == 4 && !(flags & O_NOCTTY) && leader && !tty.session) {
		/* A session leader opening a terminal acquires it (not via /dev/console). */
		become_ctty(sid, pgid);
	}
	spin_unlock(&tty.lock);
	return err;
}

/* Disassociate the terminal from its session: SIGHUP and SIGCONT to the
 * foreground group (termios(3) "hangup"). */
static void hangup_session(pid_t sid)
{
	pid_t pgrp = 0;

	spin_lock(&tty.lock);
	if (tty.session == sid) {
		pgrp = tty.pgrp;
		tty.session = 0;
		tty.pgrp = 0;
	}
	spin_unlock(&tty.lock);
	if (pgrp) {
		send_pgrp(pgrp, SIGHUP);
		send_pgrp(pgrp, SIGCONT);
	}
}

/*
 * tty_session_leader_exit - see include/fs.h: the session @sid's leader
 * exits; if the console is its controlling terminal, the foreground group
 * gets SIGHUP (and SIGCONT) and the terminal is free again. Locks: takes
 * [t], then tasklist_lock. May not be called with locks held. Sleeps: no.
 */
void tty_session_leader_exit(pid_t sid)
{
	hangup_session(sid);
}

/* tty_session_nr - see fs/internal.h. Locks: takes [t]. Sleeps: no. */
u32 tty_session_nr(pid_t sid, pid_t *tpgid)
{
	u32 nr = 0;

	*tpgid = -1;
	spin_lock(&tty.lock);
	if (sid && tty.session == sid) {
		nr = TTY_NR;
		*tpgid = tty.pgrp;
	}
	spin_unlock(&tty.lock);
	return nr;
}

static long ioctl_sctty(u64 arg)
{
	pid_t sid, pgid;
	bool leader;
	uid_t uid;
	gid_t gid;
	long err = 0;

	my_ids(&sid, &pgid, &leader);
	fs_cred(&uid, &gid, false);
	spin_lock(&tty.lock);
	if (tty.session == sid)
		err = 0;	/* already ours */
	else if (!leader)
		err = -EPERM;
	else if (tty.session && !(arg == 1 && uid == 0))
		err = -EPERM;	/* another session's, and no right to steal it */
	else
		become_ctty(sid, pgid);
	spin_unlock(&tty.lock);
	return err;
}

static long ioctl_notty(void)
{
	pid_t sid, pgid;
	bool leader, mine;

	my_ids(&sid, &pgid, &leader);
	spin_lock(&tty.lock);
	mine = tty.session && tty.session == sid;
	spin_unlock(&tty.lock);
	if (!mine)
		return -ENOTTY;
	/* Only the leader's giving up detaches the session (tty_ioctl(4)). */
	if (leader)
		hangup_session(sid);
	return 0;
}

static long ioctl_spgrp(u64 arg)
{
	pid_t sid, pgid, want;
	bool leader, mine;
	long err;

	if (copy_from_user(&want, (const void __user *)arg, sizeof(want)))
		return -EFAULT;
	if (want <= 0)
		return -EINVAL;
	my_ids(&sid, &pgid, &leader);
	spin_lock(&tty.lock);
	mine = tty.session && tty.session == sid;
	spin_unlock(&tty.lock);
	if (!mine)
		return -ENOTTY;
	err = job_check(SIGTTOU);
	if (err)
		return err;
	if (!pgrp_in_session(want, sid))
		return -EPERM;
	spin_lock(&tty.lock);
	if (tty.session == sid)
		tty.pgrp = want;
	spin_unlock(&tty.lock);
	return 0;
}

/* The caller's session must own the terminal for TIOCGPGRP and TIOCGSID. */
static long ioctl_get_id(u64 arg, bool want_sid)
{
	pid_t sid, pgid, v = 0;
	bool leader, mine;

	my_ids(&sid, &pgid, &leader);
	spin_lock(&tty.lock);
	mine = tty.session && tty.session == sid;
	if (mine)
		v = want_sid ? tty.session : tty.pgrp;
	spin_unlock(&tty.lock);
	if (!mine)
		return -ENOTTY;
	return copy_to_user((void __user *)arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static long ioctl_sets(unsigned cmd, u64 arg)
{
	struct linux_termios t;
	u32 oldlflag;
	long err;

	if (copy_from_user(&t, (const void __user *)arg, sizeof(t)))
		return -EFAULT;
	err = job_check(SIGTTOU);
	if (err)
		return err;
	spin_lock(&tty.lock);
	oldlflag = tty.termios.c_lflag;
	tty.termios = t;
	if (cmd == TCSETSF)
		flush_input();
	else if ((oldlflag & ICANON) && !(t.c_lflag & ICANON))
		line_commit();	/* the partial line becomes readable raw input */
	else if (!(oldlflag & ICANON) && (t.c_lflag & ICANON) && tty.qcount)
		q_end_line();	/* bytes typed ahead in raw mode read as a line, as on Linux */
	spin_unlock(&tty.lock);
	wake_up(&tty.rx_wait);
	return 0;
}

static long ioctl_swinsz(u64 arg)
{
	struct linux_winsize ws;
	pid_t pgrp = 0;

	if (copy_from_user(&ws, (const void __user *)arg, sizeof(ws)))
		return -EFAULT;
	spin_lock(&tty.lock);
	if (memcmp(&ws, &tty.winsize, sizeof(ws))) {
		tty.winsize = ws;
		pgrp = tty.pgrp;
	}
	spin_unlock(&tty.lock);
	if (pgrp)
		send_pgrp(pgrp, SIGWINCH);
	return 0;
}

static long tty_ioctl(struct file *f, unsigned cmd, u64 arg)
{
	struct linux_termios t;
	struct linux_winsize ws;
	u32 n;

	switch (cmd) {
	case TCGETS:
		spin_lock(&tty.lock);
		t = tty.termios;
		spin_unlock(&tty.lock);
		return copy_to_user((void __user *)arg, &t, sizeof(t)) ? -EFAULT : 0;
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return ioctl_sets(cmd, arg);
	case TIOCGWINSZ:
		spin_lock(&tty.lock);
		ws = tty.winsize;
		spin_unlock(&tty.lock);
		return copy_to_user((void __user *)arg, &ws, sizeof(ws)) ? -EFAULT : 0;
	case TIOCSWINSZ:
		return ioctl_swinsz(arg);
	case FIONREAD:
		spin_lock(&tty.lock);
		n = tty.qcount;
		spin_unlock(&tty.lock);
		return put_user_u32((void __user *)arg, n) ? -EFAULT : 0;
	case TIOCOUTQ:
		return put_user_u32((void __user *)arg, 0) ? -EFAULT : 0;
	case TCFLSH:
		if (arg > TCIOFLUSH)
			return -EINVAL;
		if (arg != TCOFLUSH) {
			spin_lock(&tty.lock);
			flush_input();
			spin_unlock(&tty.lock);
		}
		return 0;
	case TCXONC:
		return arg > 3 ? -EINVAL : 0;	/* output is never suspended here */
	case TIOCSCTTY:
		return ioctl_sctty(arg);
	case TIOCNOTTY:
		return ioctl_notty();
	case TIOCGPGRP:
		return ioctl_get_id(arg, false);
	case TIOCGSID:
		return ioctl_get_id(arg, true);
	case TIOCSPGRP:
		return ioctl_spgrp(arg);
	default:
		return -ENOTTY;
	}
}

/*
 * poll(2): readable when read(2) would not block -- a whole line in canonical
 * mode, any byte otherwise. Output never waits for long: always writable.
 */
static unsigned tty_poll(struct file *f, struct poll_table *pt)
{
	unsigned mask = POLLOUT | POLLWRNORM;

	poll_wait(pt, &tty.rx_wait);
	spin_lock(&tty.lock);
	if (tty.rx_ended || ((tty.termios.c_lflag & ICANON) ? tty.qlines > 0 : tty.qcount > 0))
		mask |= POLLIN | POLLRDNORM;
	spin_unlock(&tty.lock);
	return mask;
}

const struct file_ops tty_file_ops = {
	.read = tty_read,
	.write = tty_write,
	.ioctl = tty_ioctl,
	.seekable = false,
	.poll = tty_poll,
};
