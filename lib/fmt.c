/*
 * Bounded printf-style formatting for printk, procfs and friends.
 *
 * Supports the conversions the kernel uses (%d %i %u %x %X %o %p %s %c %%),
 * length modifiers hh h l ll z t j, the flags '-' '0' '+' ' ' '#', a width and
 * a precision (either may be '*'). Output follows C11 7.21.6.1 so the host
 * tests can compare it with the C library, except that %p always prints
 * "0x" and sixteen hex digits (fixed width keeps kernel logs aligned).
 * No floating point: the kernel is built without SSE.
 */
#include "kernel.h"

/* A bounded output buffer that keeps counting past its end (C99 snprintf). */
struct fmt_out {
	char *buf;
	size_t size;
	size_t len;	/* bytes the full output needs so far */
};

#define FMT_LEFT	0x01	/* '-' */
#define FMT_ZERO	0x02	/* '0' */
#define FMT_PLUS	0x04	/* '+' */
#define FMT_SPACE	0x08	/* ' ' */
#define FMT_ALT		0x10	/* '#' */
#define FMT_UPPER	0x20	/* %X */
#define FMT_PTR		0x40	/* %p: "0x" even for a null pointer */

struct fmt_spec {
	unsigned flags;
	int width;	/* minimum field width, 0 when absent */
	int prec;	/* precision, -1 when absent */
	unsigned base;
};

static void fmt_putc(struct fmt_out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void fmt_repeat(struct fmt_out *o, char c, int n)
{
	while (n-- > 0)
		fmt_putc(o, c);
}

static void fmt_write(struct fmt_out *o, const char *s, size_t n)
{
	while (n--)
		fmt_putc(o, *s++);
}

static void fmt_string(struct fmt_out *o, const struct fmt_spec *sp, const char *s)
{
	size_t n;
	int pad;

	if (!s)
		s = "(null)";
	n = sp->prec >= 0 ? strnlen(s, (size_t)sp->prec) : strlen(s);
	pad = sp->width > (int)n ? sp->width - (int)n : 0;
	if (!(sp->flags & FMT_LEFT))
		fmt_repeat(o, ' ', pad);
	fmt_write(o, s, n);
	if (sp->flags & FMT_LEFT)
		fmt_repeat(o, ' ', pad);
}

/*
 * Print magnitude @v with sign/prefix handling. The layout is
 *   [spaces] sign prefix [zeros] digits [spaces]
 * where zeros come from the precision, or from '0' when no precision is given.
 */
static void fmt_number(struct fmt_out *o, const struct fmt_spec *sp, u64 v, bool neg)
{
	const char *digits = (sp->flags & FMT_UPPER) ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];	/* 2^64 in octal is 22 digits */
	int ndig = 0, zeros, pad, prefix_len;
	char sign = 0;
	const char *prefix = "";
	bool is_zero = v == 0;

	while (v) {
		tmp[ndig++] = digits[v % sp->base];
		v /= sp->base;
	}
	/* C: precision 0 with value 0 prints no digits at all. */
	if (ndig == 0 && sp->prec != 0)
		tmp[ndig++] = '0';

	if (neg)
		sign = '-';
	else if (sp->flags & FMT_PLUS)
		sign = '+';
	else if (sp->flags & FMT_SPACE)
		sign = ' ';

	zeros = sp->prec > ndig ? sp->prec - ndig : 0;
	if (sp->flags & FMT_PTR) {
		prefix = "0x";
	} else if (sp->flags & FMT_ALT) {
		if (sp->base == 16 && !is_zero)
			prefix = (sp->flags & FMT_UPPER) ? "0X" : "0x";
		else if (sp->base == 8 && zeros == 0 && !(ndig > 0 && tmp[ndig - 1] == '0'))
			zeros = 1;	/* '#' with %o forces a leading zero */
	}
	prefix_len = (int)strlen(prefix);

	pad = sp->width - (ndig + zeros + prefix_len + (sign ? 1 : 0));
	if (pad < 0)
		pad = 0;
	if ((sp->flags & FMT_ZERO) && !(sp->flags & FMT_LEFT) && sp->prec < 0) {
		zeros += pad;
		pad = 0;
	}
	if (!(sp->flags & FMT_LEFT))
		fmt_repeat(o, ' ', pad);
	if (sign)
		fmt_putc(o, sign);
	fmt_write(o, prefix, (size_t)prefix_len);
	fmt_repeat(o, '0', zeros);
	while (ndig)
		fmt_putc(o, tmp[--ndig]);
	if (sp->flags & FMT_LEFT)
		fmt_repeat(o, ' ', pad);
}

/* Parse a decimal field (width or precision); saturates instead of overflowing. */
static int fmt_atoi(const char **fmt)
{
	int n = 0;

	while (**fmt >= '0' && **fmt <= '9') {
		if (n < 100000)
			n = n * 10 + (**fmt - '0');
		(*fmt)++;
	}
	return n;
}

enum fmt_len { LEN_HH, LEN_H, LEN_INT, LEN_L, LEN_LL, LEN_Z, LEN_T, LEN_J };

static enum fmt_len fmt_length(const char **fmt)
{
	switch (**fmt) {
	case 'h':
		(*fmt)++;
		if (**fmt == 'h') {
			(*fmt)++;
			return LEN_HH;
		}
		return LEN_H;
	case 'l':
		(*fmt)++;
		if (**fmt == 'l') {
			(*fmt)++;
			return LEN_LL;
		}
		return LEN_L;
	case 'z':
		(*fmt)++;
		return LEN_Z;
	case 't':
		(*fmt)++;
		return LEN_T;
	case 'j':
		(*fmt)++;
		return LEN_J;
	default:
		return LEN_INT;
	}
}

static s64 fmt_signed_arg(va_list *ap, enum fmt_len len)
{
	switch (len) {
	case LEN_HH: return (signed char)va_arg(*ap, int);
	case LEN_H: return (short)va_arg(*ap, int);
	case LEN_L: return va_arg(*ap, long);
	case LEN_LL: return va_arg(*ap, long long);
	case LEN_Z: return va_arg(*ap, ssize_t);
	case LEN_T: return va_arg(*ap, ptrdiff_t);
	case LEN_J: return va_arg(*ap, intmax_t);
	default: return va_arg(*ap, int);
	}
}

static u64 fmt_unsigned_arg(va_list *ap, enum fmt_len len)
{
	switch (len) {
	case LEN_HH: return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H: return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L: return va_arg(*ap, unsigned long);
	case LEN_LL: return va_arg(*ap, unsigned long long);
	case LEN_Z: return va_arg(*ap, size_t);
	case LEN_T: return (u64)va_arg(*ap, ptrdiff_t);
	case LEN_J: return va_arg(*ap, uintmax_t);
	default: return va_arg(*ap, unsigned int);
	}
}

/* Flags, width and precision of one conversion; @fmt points after the '%'. */
static void fmt_parse_spec(const char **fmt, va_list *ap, struct fmt_spec *sp)
{
	sp->flags = 0;
	sp->prec = -1;
	for (;; (*fmt)++) {
		switch (**fmt) {
		case '-': sp->flags |= FMT_LEFT; continue;
		case '0': sp->flags |= FMT_ZERO; continue;
		case '+': sp->flags |= FMT_PLUS; continue;
		case ' ': sp->flags |= FMT_SPACE; continue;
		case '#': sp->flags |= FMT_ALT; continue;
		}
		break;
	}
	if (**fmt == '*') {
		(*fmt)++;
		sp->width = va_arg(*ap, int);
		/* A negative '*' width means '-' plus its magnitude (C11 7.21.6.1p5). */
		if (sp->width < 0) {
			sp->flags |= FMT_LEFT;
			sp->width = sp->width == INT32_MIN ? 0 : -sp->width;
		}
	} else {
		sp->width = fmt_atoi(fmt);
	}
	if (**fmt == '.') {
		(*fmt)++;
		if (**fmt == '*') {
			(*fmt)++;
			sp->prec = va_arg(*ap, int);
			if (sp->prec < 0)
				sp->prec = -1;	/* as if omitted */
		} else {
			sp->prec = fmt_atoi(fmt);
		}
	}
}

/*
 * vsnprintf - format @fmt with @ap into the @size-byte buffer @buf.
 * Writes at most @size - 1 characters plus a NUL (nothing when @size is 0).
 * Returns the length the complete output needs, without the NUL, so the
 * output was truncated when the result is >= @size. Sleeps: no; no locks.
 * Semantics: C11 7.21.6.12 for the conversions listed at the top of the file.
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
	struct fmt_out o = { .buf = buf, .size = size, .len = 0 };
	struct fmt_spec sp;
	enum fmt_len len;
	va_list ap;
	s64 sv;

	/* A copy lets the helpers take a va_list pointer portably. */
	va_copy(ap, ap_in);
	while (*fmt) {
		const char *start = fmt;

		if (*fmt != '%') {
			fmt_putc(&o, *fmt++);
			continue;
		}
		fmt++;
		fmt_parse_spec(&fmt, &ap, &sp);
		len = fmt_length(&fmt);
		switch (*fmt) {
		case 'd':
		case 'i':
			sp.base = 10;
			sv = fmt_signed_arg(&ap, len);
			fmt_number(&o, &sp, sv < 0 ? -(u64)sv : (u64)sv, sv < 0);
			break;
		case 'u':
			sp.base = 10;
			sp.flags &= ~(FMT_PLUS | FMT_SPACE);
			fmt_number(&o, &sp, fmt_unsigned_arg(&ap, len), false);
			break;
		case 'X':
			sp.flags |= FMT_UPPER;
			/* fall through */
		case 'x':
		case 'o':
			sp.base = *fmt == 'o' ? 8 : 16;
			sp.flags &= ~(FMT_PLUS | FMT_SPACE);
			fmt_number(&o, &sp, fmt_unsigned_arg(&ap, len), false);
			break;
		case 'p':
			sp.base = 16;
			sp.flags = (sp.flags & FMT_LEFT) | FMT_PTR;
			sp.prec = 16;
			fmt_number(&o, &sp, (u64)(uintptr_t)va_arg(ap, void *), false);
			break;
		case 's':
			fmt_string(&o, &sp, va_arg(ap, const char *));
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);

			sp.prec = -1;
			if (!(sp.flags & FMT_LEFT))
				fmt_repeat(&o, ' ', sp.width - 1);
			fmt_putc(&o, c);
			if (sp.flags & FMT_LEFT)
				fmt_repeat(&o, ' ', sp.width - 1);
			break;
		}
		case '%':
			fmt_putc(&o, '%');
			break;
		default:
			/* Unknown or truncated conversion: show it as written. */
			if (!*fmt) {
				fmt_write(&o, start, (size_t)(fmt - start));
				continue;
			}
			fmt_write(&o, start, (size_t)(fmt - start + 1));
			break;
		}
		fmt++;
	}
	va_end(ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len > INT32_MAX ? INT32_MAX : (int)o.len;
}

/* snprintf - vsnprintf() with variadic arguments; same contract. */
int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* textbuf_printf - see include/kernel.h. */
void textbuf_printf(struct textbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->len + 1 >= b->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->buf + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len = MIN(b->len + (size_t)n, b->size - 1);
}
