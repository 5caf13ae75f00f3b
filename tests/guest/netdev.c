/*
 * /proc/net/dev in Linux's format (proc(5)): the two header lines, then one line per network
 * interface, "name:" right-aligned in 6 columns and 16 counters (8 receive, 8 transmit), and
 * counters that never go down. The frames a card really carries are checked from the host
 * (tools/test.py run/virtio-net-arp), which boots with a card; here any interfaces present
 * (none on Sprout without --net) must be well formed.
 */
#include <tap.h>

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

int main(void)
{
	tap_plan(2);
	run_case("/proc/net/dev: Linux's two header lines", case_header);
	run_case("/proc/net/dev: name and 16 counters per interface, never falling", case_lines);
	return tap_done();
}
