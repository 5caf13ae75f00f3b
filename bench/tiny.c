/*
 * The program the exec benchmarks start: it does nothing and exits 0, so what is measured is
 * the kernel's work to load and run a small static binary (and the C library's start-up).
 */
int main(void)
{
	return 0;
}
