#include "val_splits.h"
#include "events.h"
#include "msg.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct split {
	char symbol[SYM_MAX + 1];
	time_t ts;
	double ratio;
};

struct val_splits {
	char *path;
	FILE *fp;
	int failed;          /* could not open, or a bad header: ignored */
	char *line;          /* the line being read, maybe without its newline */
	size_t len, cap;
	long lineno;
	struct split *v;
	size_t n, cap_v;
	long errors;
};

struct val_splits *val_splits_new(const char *path)
{
	struct val_splits *s = xcalloc(1, sizeof(*s));

	s->path = xstrdup(path);
	return s;
}

void val_splits_free(struct val_splits *s)
{
	if (!s)
		return;
	if (s->fp)
		fclose(s->fp);
	free(s->path);
	free(s->line);
	free(s->v);
	free(s);
}

long val_splits_errors(const struct val_splits *s)
{
	return s->errors;
}

static void bad(struct val_splits *s, const char *why)
{
	msg_err("%s:%ld: %s, skipped", s->path, s->lineno, why);
	s->errors++;
}

/* One complete line (newline removed). */
static void take(struct val_splits *s, char *l)
{
	char *f[EVENTS_NCOLS + 1];
	const char *why;
	struct event e;
	size_t n = 0;

	s->lineno++;
	if (s->len && l[s->len - 1] == '\r')
		l[--s->len] = '\0';
	for (f[n++] = l; *l && n <= EVENTS_NCOLS; l++)
		if (*l == ',') {
			*l = '\0';
			f[n++] = l + 1;
		}
	if (s->lineno == 1) {
		for (size_t i = 0; i < n; i++)
			if (n != EVENTS_NCOLS || strcmp(f[i], events_header[i]) != 0) {
				bad(s, "bad header, want symbol,ts,kind,value,numerator,denominator;"
				       " the file is ignored");
				s->failed = 1;
				return;
			}
		return;
	}
	if (n == 1 && !*f[0])
		return;
	if (events_parse(f, n, &e, &why) < 0) {
		bad(s, why);
		return;
	}
	if (e.kind != EVENT_SPLIT || events_split_ratio(&e) <= 0)
		return;
	/* Several responses of a run can carry the same split: once. */
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].ts == e.ts && strcmp(s->v[i].symbol, e.symbol) == 0)
			return;
	if (s->n == s->cap_v) {
		s->cap_v = s->cap_v ? 2 * s->cap_v : 16;
		s->v = xreallocarray(s->v, s->cap_v, sizeof(*s->v));
	}
	memcpy(s->v[s->n].symbol, e.symbol, sizeof(e.symbol));
	s->v[s->n].ts = e.ts;
	s->v[s->n].ratio = events_split_ratio(&e);
	s->n++;
}

/* Read what was appended since the last call. */
static void follow(struct val_splits *s)
{
	int c;

	if (s->failed)
		return;
	if (!s->fp && !(s->fp = fopen(s->path, "r"))) {
		msg_err("%s: %s; splits are not known", s->path, strerror(errno));
		s->failed = 1;
		s->errors++;
		return;
	}
	while (!s->failed && (c = getc(s->fp)) != EOF) {
		if (s->len + 1 >= s->cap) {
			s->cap = s->cap ? 2 * s->cap : 256;
			s->line = xrealloc(s->line, s->cap);
		}
		if (c != '\n') {
			s->line[s->len++] = (char)c;
			continue;
		}
		s->line[s->len] = '\0';
		take(s, s->line);
		s->len = 0;
	}
	clearerr(s->fp); /* the writer may append more */
}

double val_splits_ratio(struct val_splits *s, const char *symbol, time_t a, time_t b)
{
	time_t lo = a < b ? a : b, hi = a < b ? b : a;
	double r = 1;
	size_t i;

	follow(s);
	for (i = 0; i < s->n; i++)
		if (s->v[i].ts > lo && s->v[i].ts <= hi && strcmp(s->v[i].symbol, symbol) == 0)
			r *= s->v[i].ratio;
	return a <= b ? r : 1 / r;
}
