/* json: strict syntax check, compaction and lookups; see json.h. */
#include "json.h"

#include <stdio.h>

#include <string.h>

struct jp {
	const unsigned char *p, *end, *start;
	char *o; /* output cursor or NULL */
	int depth;
};

static int value(struct jp *j);

static void ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
				 *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static void put(struct jp *j, const unsigned char *from, size_t n)
{
	if (j->o) {
		memmove(j->o, from, n); /* out may be in itself */
		j->o += n;
	}
}

static int hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits at p; -1 when malformed or past end. */
static long hex4(const unsigned char *p, const unsigned char *end)
{
	long v = 0;
	int i, h;

	if (end - p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		if ((h = hex(p[i])) < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* Length of the valid UTF-8 sequence at p (lead byte >= 0x80), or 0. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0];
	size_t n, i;
	unsigned long cp;

	if (c >= 0xC2 && c <= 0xDF)
		n = 2, cp = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3, cp = c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3F);
	}
	/* overlong forms, UTF-16 surrogates, beyond U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return 0;
	return n;
}

static int string(struct jp *j)
{
	const unsigned char *s = j->p++;
	long u, lo;
	size_t n;

	while (j->p < j->end && *j->p != '"') {
		if (*j->p < 0x20)
			return -1;
		if (*j->p == '\\') {
			if (++j->p >= j->end)
				return -1;
			if (*j->p == 'u') {
				if ((u = hex4(j->p + 1, j->end)) < 0)
					return -1;
				j->p += 5;
				if (u >= 0xDC00 && u <= 0xDFFF)
					return -1; /* lone low surrogate */
				if (u >= 0xD800 && u <= 0xDBFF) {
					if (j->end - j->p < 6 || j->p[0] != '\\' ||
					    j->p[1] != 'u')
						return -1;
					lo = hex4(j->p + 2, j->end);
					if (lo < 0xDC00 || lo > 0xDFFF)
						return -1;
					j->p += 6;
				}
				continue;
			}
			if (!strchr("\"\\/bfnrt", *j->p) || *j->p == 0)
				return -1;
			j->p++;
		} else if (*j->p >= 0x80) {
			if ((n = utf8_len(j->p, j->end)) == 0)
				return -1;
			j->p += n;
		} else {
			j->p++;
		}
	}
	if (j->p >= j->end)
		return -1;
	j->p++;
	put(j, s, (size_t)(j->p - s));
	return 0;
}

static int digits(struct jp *j)
{
	const unsigned char *s = j->p;

	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > s ? 0 : -1;
}

static int number(struct jp *j)
{
	const unsigned char *s = j->p;

	if (*j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (digits(j) < 0)
		return -1;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (digits(j) < 0)
			return -1;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (digits(j) < 0)
			return -1;
	}
	put(j, s, (size_t)(j->p - s));
	return 0;
}

static int literal(struct jp *j, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0)
		return -1;
	put(j, j->p, n);
	j->p += n;
	return 0;
}

/* Object or array: open is '{' or '['. */
static int container(struct jp *j, int open)
{
	int close = open == '{' ? '}' : ']';

	if (++j->depth > JSON_MAX_DEPTH)
		return -1;
	put(j, j->p++, 1);
	ws(j);
	if (j->p < j->end && *j->p == close)
		goto done;
	for (;;) {
		if (open == '{') {
			if (j->p >= j->end || *j->p != '"' || string(j) < 0)
				return -1;
			ws(j);
			if (j->p >= j->end || *j->p != ':')
				return -1;
			put(j, j->p++, 1);
			ws(j);
		}
		if (value(j) < 0)
			return -1;
		ws(j);
		if (j->p < j->end && *j->p == ',') {
			put(j, j->p++, 1);
			ws(j);
			continue;
		}
		if (j->p < j->end && *j->p == close)
			break;
		return -1;
	}
done:
	put(j, j->p++, 1);
	j->depth--;
	return 0;
}

static int value(struct jp *j)
{
	if (j->p >= j->end)
		return -1;
	switch (*j->p) {
	case '{':
	case '[':
		return container(j, *j->p);
	case '"':
		return string(j);
	case 't':
		return literal(j, "true");
	case 'f':
		return literal(j, "false");
	case 'n':
		return literal(j, "null");
	default:
		if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9'))
			return number(j);
		return -1;
	}
}

int json_check(const char *in, size_t len, char *out, size_t *outlen,
	       size_t *errpos)
{
	struct jp j;

	j.start = j.p = (const unsigned char *)in;
	j.end = j.p + len;
	j.o = out;
	j.depth = 0;
	ws(&j);
	if (value(&j) == 0) {
		ws(&j);
		if (j.p == j.end) {
			if (out && outlen)
				*outlen = (size_t)(j.o - out);
			return 0;
		}
	}
	if (errpos)
		*errpos = (size_t)(j.p - j.start);
	return -1;
}

/* ---- lookups on compact text ---- */

static const char *skip_string(const char *v, const char *end)
{
	for (v++; v < end && *v != '"'; v++)
		if (*v == '\\')
			v++;
	return v < end ? v + 1 : end;
}

const char *json_skip(const char *v, const char *end)
{
	int depth = 0;

	if (v >= end)
		return end;
	do {
		if (*v == '"') {
			v = skip_string(v, end);
			continue;
		}
		if (*v == '{' || *v == '[')
			depth++;
		else if (*v == '}' || *v == ']')
			depth--;
		v++;
		/* scalars end at a delimiter */
		if (depth == 0)
			while (v < end && !strchr(",:]}", *v))
				v++;
	} while (v < end && depth > 0);
	return v;
}

const char *json_member(const char *v, const char *end, const char *key)
{
	size_t n = strlen(key);
	const char *k;

	if (!v || v >= end || *v != '{')
		return NULL;
	for (v++; v < end && *v == '"';) {
		k = v;
		v = skip_string(v, end);
		if (v >= end || *v != ':')
			return NULL;
		v++;
		if ((size_t)(v - k) == n + 3 && memcmp(k + 1, key, n) == 0)
			return v;
		v = json_skip(v, end);
		if (v < end && *v == ',')
			v++;
	}
	return NULL;
}

const char *json_index(const char *v, const char *end, size_t i)
{
	if (!v || v >= end || *v != '[' || v + 1 >= end || v[1] == ']')
		return NULL;
	for (v++; i > 0; i--) {
		v = json_skip(v, end);
		if (v >= end || *v != ',')
			return NULL;
		v++;
	}
	return v;
}

long json_count(const char *v, const char *end)
{
	long n = 0;

	if (!v || v >= end || *v != '[')
		return -1;
	if (v + 1 < end && v[1] == ']')
		return 0;
	for (v++; v < end; v++) {
		v = json_skip(v, end);
		n++;
		if (v >= end || *v != ',')
			break;
	}
	return n;
}

int json_is_null(const char *v, const char *end)
{
	return v && end - v >= 4 && memcmp(v, "null", 4) == 0;
}

/* Append code point cp as UTF-8 if it fits before lim. */
static char *put_utf8(char *d, char *lim, unsigned long cp)
{
	unsigned char b[4];
	size_t n, i;

	if (cp < 0x80)
		b[0] = (unsigned char)cp, n = 1;
	else if (cp < 0x800)
		b[0] = 0xC0 | cp >> 6, b[1] = 0x80 | (cp & 0x3F), n = 2;
	else if (cp < 0x10000)
		b[0] = 0xE0 | cp >> 12, b[1] = 0x80 | (cp >> 6 & 0x3F),
		b[2] = 0x80 | (cp & 0x3F), n = 3;
	else
		b[0] = 0xF0 | cp >> 18, b[1] = 0x80 | (cp >> 12 & 0x3F),
		b[2] = 0x80 | (cp >> 6 & 0x3F), b[3] = 0x80 | (cp & 0x3F),
		n = 4;
	if (lim - d < (long)n)
		return d;
	for (i = 0; i < n; i++)
		*d++ = (char)b[i];
	return d;
}

int json_string(const char *v, const char *end, char *dst, size_t n)
{
	const unsigned char *p;
	char *d = dst, *lim = dst + n - 1;
	unsigned long cp, lo;

	if (!v || v >= end || *v != '"')
		return -1;
	for (p = (const unsigned char *)v + 1; p < (const unsigned char *)end &&
	     *p != '"' && d < lim; p++) {
		if (*p != '\\') {
			*d++ = (char)*p;
			continue;
		}
		p++;
		if (*p == 'u') {
			cp = (unsigned long)hex4(p + 1, (const unsigned char *)end);
			p += 4;
			if (cp >= 0xD800 && cp <= 0xDBFF && p[1] == '\\') {
				lo = (unsigned long)hex4(p + 3,
							 (const unsigned char *)end);
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				p += 6;
			}
			d = put_utf8(d, lim, cp < 0x20 ? ' ' : cp);
		} else if (strchr("bfnrt", *p)) {
			*d++ = ' ';
		} else {
			*d++ = (char)*p;
		}
	}
	*d = '\0';
	return 0;
}

const char *json_escape_char(unsigned char c, char *esc)
{
	if (c == '"' || c == '\\') {
		esc[0] = '\\';
		esc[1] = (char)c;
		esc[2] = '\0';
	} else if (c == '\n') {
		strcpy(esc, "\\n");
	} else if (c < 0x20 || c == 0x7f) {
		snprintf(esc, 8, "\\u%04x", c);
	} else {
		return NULL;
	}
	return esc;
}

int json_fput_str(FILE *fp, const char *s)
{
	char esc[8];
	const char *e;

	if (putc('"', fp) == EOF)
		return -1;
	for (; *s; s++) {
		e = json_escape_char((unsigned char)*s, esc);
		if (e ? fputs(e, fp) == EOF : putc(*s, fp) == EOF)
			return -1;
	}
	return putc('"', fp) == EOF ? -1 : 0;
}
