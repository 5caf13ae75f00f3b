/*
 * The program Debian's gdb debugs inside Sprout in make test (tools/test.py,
 * RunChecks.debian_gdb): a breakpoint in leaf(), a backtrace through middle() to main(),
 * a register and an argument printed, a hardware watchpoint on counter, then the run to
 * its end. Built static with -O1 -g.
 */
#include <stdio.h>

int counter;

int __attribute__((noinline)) leaf(int x)
{
	counter += x;
	return x * 3 + 1;
}

int __attribute__((noinline)) middle(int x)
{
	return leaf(x + 1) + 2;
}

int main(void)
{
	int r = middle(4);

	printf("result %d, counter %d\n", r, counter);
	return r == 18 ? 0 : 1;
}
