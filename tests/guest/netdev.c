/*
 * /proc/net/dev in Linux's format (proc(5)): the two header lines, then one line per network
 * interface, "name:" right-aligned in 6 columns and 16 counters (8 receive, 8 transmit), and
 * counters that never go down. The frames a card really carries are checked from the host
 * (tools/test.py run/virtio-net-arp), which boots with a card; here any interfaces present
 * must be well formed, and lo, always there, counts what goes through it: a UDP datagram sent
 * to 127.0.0.1 adds at least one packet and its bytes to both its receive and its transmit
 * counters.
 */
#include <tap.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define HEADER1 "Inter-|   Receive                                                |  Transmit\n"
#define HEADER2 " face |bytes    packets errs drop fifo frame compressed multicast|" \
		"bytes    packets errs drop fifo colls carrier compressed\n"

static char text[65536];

static int case_header(void)
{
	CHECK(tap_read_file("/proc/net/dev", text, sizeof(text)) > 0);
	CHECK(!strncmp(text, HEADER1 HEADER2, strlen(HEADER1 HEADER2)));
	return 0;
}

/* Parse the interface lines after the header: names and 16 counters each. */
static int parse(char names[][16], unsigned long long v[][16], int max)
{
	char *line, *save;
	int n = 0, k = 0;

	if (tap_read_file("/proc/net/dev", text, sizeof(text)) <= 0)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (k++ < 2)
			continue;
		char *colon = strchr(line, ':');

		if (!colon || n >= max || colon - line > 6 + 10)
			return -1;
		/* The name is right-aligned in 6 columns: no leading text but spaces. */
		char *p = line;

		while (*p == ' ')
			p++;
		snprintf(names[n], 16, "%.*s", (int)(colon - p), p);
		if (!names[n][0] || strchr(names[n], ' '))
			return -1;
		p = colon + 1;
		for (int i = 0; i < 16; i++) {
			char *end;

			v[n][i] = strtoull(p, &end, 10);
			if (end == p || *p != ' ')
				return -1;
			p = end;
		}
		if (*p)
			return -1;
		n++;
	}
	return n;
}

static int case_lines(void)
{
	static char names[2][64][16];
	static unsigned long long a[64][16], b[64][16];
	int na = parse(names[0], a, 64), nb;

	CHECK(na >= 0);
	nb = parse(names[1], b, 64);
	CHECK(nb >= 0);
	/* Interfaces may come and go (on a busy host); those in both snapshots only rise. */
	for (int i = 0; i < na; i++)
		for (int j = 0; j < nb; j++)
			if (!strcmp(names[0][i], names[1][j]))
				for (int k = 0; k < 16; k++)
					CHECK(b[j][k] >= a[i][k]);
	return 0;
}

/* lo's counters now (16 of them), or false. */
static bool lo_counters(unsigned long long out[16])
{
	static char names[64][16];
	static unsigned long long v[64][16];
	int n = parse(names, v, 64);

	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], "lo")) {
			memcpy(out, v[i], sizeof(v[i]));
			return true;
		}
	return false;
}

static int case_lo(void)
{
	unsigned long long a[16], b[16];
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	char msg[1000] = "lo", got[1000];
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	if (!CHECK(lo_counters(a)) || !CHECK(s >= 0))
		return 1;
	CHECK(bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CHECK(getsockname(s, (struct sockaddr *)&sa, &len) == 0);
	CHECK_EQ(sendto(s, msg, sizeof(msg), 0, (struct sockaddr *)&sa, sizeof(sa)),
		 (long long)sizeof(msg));
	CHECK_EQ(recv(s, got, sizeof(got), 0), (long long)sizeof(got));
	close(s);
	CHECK(lo_counters(b));
	/* Receive bytes, packets; transmit bytes, packets: the datagram and its headers. */
	CHECK(b[1] >= a[1] + 1 && b[9] >= a[9] + 1);
	CHECK(b[0] >= a[0] + sizeof(msg) && b[8] >= a[8] + sizeof(msg));
	return 0;
}

int main(void)
{
	tap_plan(3);
	run_case("/proc/net/dev: Linux's two header lines", case_header);
	run_case("/proc/net/dev: name and 16 counters per interface, never falling", case_lines);
	run_case("/proc/net/dev: lo counts a datagram to 127.0.0.1 both ways", case_lo);
	return tap_done();
}
