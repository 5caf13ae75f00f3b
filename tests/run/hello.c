/*
 * The smallest check of `./sprout run`: the program's output reaches the
 * host's stdout byte for byte and its exit status 0 comes back.
 */
#include <stdio.h>

int main(void)
{
	fputs("hello, world\n", stdout);
	return 0;
}
