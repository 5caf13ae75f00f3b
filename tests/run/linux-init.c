/*
 * An /init as a Linux initramfs carries it: run by the kernel as pid 1, it says which path it
 * was started as, prints the files the initramfs test put in the image (from the plain and the
 * compressed parts), and turns the machine off with reboot(2), as an init does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/reboot.h>

static void show(const char *path)
{
	char buf[256];
	FILE *f = fopen(path, "r");

	if (!f) {
		printf("%s: missing\n", path);
		return;
	}
	while (fgets(buf, sizeof(buf), f))
		printf("%s: %s", path, buf);
	fclose(f);
}

int main(int argc, char **argv)
{
	printf("linux-init: argv0=%s pid=%d argc=%d HOME=%s\n", argv[0], (int)getpid(), argc,
	       getenv("HOME") ? getenv("HOME") : "(unset)");
	for (int i = 1; i < argc; i++)
		show(argv[i]);
	show("/etc/plain");
	show("/etc/packed");
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	perror("reboot");
	return 1;
}
