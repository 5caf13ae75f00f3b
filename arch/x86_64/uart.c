/*
 * The two 16550 UARTs: COM1 (0x3f8) is the console user programs talk to,
 * COM2 (0x2f8) carries the kernel log. Output busy-waits; COM1 input
 * arrives by interrupt and is handed to console_rx(). The trace port (QEMU's
 * isa-debugcon at 0xe9) takes the trace buffers at power-off (kernel/trace.c).
 * Source: National Semiconductor PC16550D datasheet.
 */
#include "x86.h"

#define COM1	0x3f8
#define COM2	0x2f8

#define UART_DATA	0	/* RBR/THR; DLL while DLAB */
#define UART_IER	1	/* DLM while DLAB */
#define UART_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5

#define LSR_DATA_READY	0x01
#define LSR_THR_EMPTY	0x20
#define IER_RX		0x01
#define MCR_DTR_RTS_OUT2	0x0b	/* OUT2 gates the IRQ line on PCs */

/* Bounded wait: a missing UART must not hang the kernel forever. */
#define TX_SPIN_LIMIT	100000

/*
 * @fifo: enable the 16-byte FIFOs. Turning them on (changing FCR's enable bit) clears the
 * receive side, and on the console port a byte may already be waiting when the kernel
 * starts (input typed or piped while the machine boots): the 16550 holds one byte in RBR
 * with the FIFOs off and the sender waits for it to be read. Reading it first and then
 * enabling the FIFO still loses any byte that arrives in between, so the console keeps
 * the FIFOs off: input is a byte per interrupt, which a console never notices.
 */
static void uart_setup(u16 port, bool fifo)
{
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, 0x80);	/* DLAB: divisor 1 = 115200 baud */
	outb(port + UART_DATA, 1);
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, 0x03);	/* 8N1 */
	if (fifo)
		outb(port + UART_FCR, 0xc7);	/* FIFOs on and cleared, 14-byte trigger */
	outb(port + UART_MCR, MCR_DTR_RTS_OUT2);
}

static void uart_putc(u16 port, char c)
{
	for (int i = 0; i < TX_SPIN_LIMIT; i++)
		if (inb(port + UART_LSR) & LSR_THR_EMPTY)
			break;
	outb(port + UART_DATA, (u8)c);
}

/* x86_uart_init - program both ports, interrupts off. Boot CPU. */
void x86_uart_init(void)
{
	uart_setup(COM1, false);	/* keeps a byte that arrived before us */
	uart_setup(COM2, true);
}

/* x86_uart_enable_rx_irq - COM1 raises IRQ 4 when a byte arrives. */
void x86_uart_enable_rx_irq(void)
{
	outb(COM1 + UART_IER, IER_RX);
	/* Take anything typed before the interrupt existed. */
	x86_uart_rx_irq();
}

/* x86_uart_rx_irq - interrupt handler: every byte waiting goes to
 * console_rx(). Interrupts disabled. Sleeps: no. */
void x86_uart_rx_irq(void)
{
	/* With no room the byte stays in RBR and the sender waits: flow control. */
	while ((inb(COM1 + UART_LSR) & LSR_DATA_READY) && console_rx_room())
		console_rx((char)inb(COM1 + UART_DATA));
}

/* arch_console_rx_stop - see include/arch.h. Sleeps: no. */
void arch_console_rx_stop(void)
{
	outb(COM1 + UART_IER, 0);
}

/* arch_console_rx_resume - see include/arch.h. A byte waiting in RBR interrupts at once. */
void arch_console_rx_resume(void)
{
	outb(COM1 + UART_IER, IER_RX);
}

/* arch_console_putc - see include/arch.h. Caller serialises. Sleeps: no. */
void arch_console_putc(char c)
{
	uart_putc(COM1, c);
}

/* arch_log_putc - see include/arch.h. Caller serialises. Sleeps: no. */
void arch_log_putc(char c)
{
	uart_putc(COM2, c);
}

/* The trace port: QEMU's isa-debugcon, one byte per OUT, no status to poll. */
#define TRACE_PORT	0xe9

/* arch_trace_write - see include/arch.h. */
void arch_trace_write(const void *buf, size_t n)
{
	const u8 *p = buf;

	for (size_t i = 0; i < n; i++)
		outb(TRACE_PORT, p[i]);
}
