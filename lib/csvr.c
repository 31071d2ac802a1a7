#include "csvr.h"
#include "xalloc.h"

#include <csv.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct csvr {
	FILE *fp;
	const char *name;
	struct csv_parser p;
	char *line;         /* getline buffer */
	size_t linecap;
	long lineno;        /* physical lines read so far */
	long recline;       /* first line of the current record */
	long startline;     /* first line of the record being parsed */
	char **fields;      /* fields of the completed record */
	size_t nfields, cap;
	int done;           /* a record was completed by the last feed */
	int inrec;          /* a record spans past the last line read */
	int nul;            /* a field of the current record holds a NUL byte */
	int eof;
	int resync;         /* records are lines; go on after a bad one */
	size_t linelen;     /* bytes in line */
	long errline;       /* line of the error, 0 when it has none */
	char err[160];      /* why */
	char msg[512];      /* "name:line: why", built by csvr_error() */
};

/* Strict: a stray quote or an unterminated quoted field is an error,
 * never a silent merge of the following lines into one field. */
static void parser_init(struct csvr *r)
{
	if (csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL |
			    CSV_EMPTY_IS_NULL) != 0)
		xalloc_die(); /* csv_init only allocates */
}

struct csvr *csvr_new(FILE *fp, const char *name)
{
	struct csvr *r = xcalloc(1, sizeof(*r));

	parser_init(r);
	r->fp = fp;
	r->name = name;
	return r;
}

void csvr_set_resync(struct csvr *r)
{
	r->resync = 1;
}

static void clear_fields(struct csvr *r)
{
	size_t i;

	for (i = 0; i < r->nfields; i++)
		free(r->fields[i]);
	r->nfields = 0;
}

void csvr_free(struct csvr *r)
{
	if (!r)
		return;
	clear_fields(r);
	free(r->fields);
	free(r->line);
	csv_free(&r->p);
	free(r);
}

static void on_field(void *s, size_t len, void *data)
{
	struct csvr *r = data;
	char *f;

	if (r->nfields == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 16;
		r->fields = xreallocarray(r->fields, ncap, sizeof(*r->fields));
		r->cap = ncap;
	}
	f = xmalloc(len + 1);
	/* Consumers use C strings: a NUL would silently cut the field. */
	if (s && memchr(s, '\0', len))
		r->nul = 1;
	if (s)
		memcpy(f, s, len);
	f[s ? len : 0] = '\0';
	r->fields[r->nfields++] = f;
}

static void on_record(int c, void *data)
{
	struct csvr *r = data;

	(void)c;
	r->done = 1;
}

/*
 * Resync mode: the line just read was bad (why); forget the record and
 * start afresh, so the next call reads the next line.  Always -1.
 */
static int bad_line(struct csvr *r, const char *why)
{
	csv_free(&r->p);
	parser_init(r);
	clear_fields(r);
	r->inrec = 0;
	r->nul = 0;
	r->errline = r->lineno;
	snprintf(r->err, sizeof(r->err), "%s", why);
	return -1;
}

int csvr_next(struct csvr *r, char ***fields, size_t *nfields)
{
	ssize_t n;

	clear_fields(r);
	r->done = 0;
	while (!r->done) {
		if (r->eof)
			return 0;
		n = getline(&r->line, &r->linecap, r->fp);
		if (n >= 0)
			r->linelen = (size_t)n;
		if (n < 0) {
			if (ferror(r->fp)) {
				/* In resync mode the caller reads on: stop it.
				 * No line goes with this error. */
				r->eof = r->resync;
				r->errline = 0;
				r->linelen = 0;
				snprintf(r->err, sizeof(r->err), "%s", strerror(errno));
				return -1;
			}
			r->eof = 1;
			if (csv_fini(&r->p, on_field, on_record, r) != 0) {
				r->errline = r->startline;
				snprintf(r->err, sizeof(r->err), "unterminated quoted field");
				return -1;
			}
			break;
		}
		if (!r->inrec)
			r->startline = r->lineno + 1;
		r->lineno++;
		if (csv_parse(&r->p, r->line, (size_t)n, on_field, on_record, r) != (size_t)n) {
			const char *why = csv_error(&r->p) == CSV_EPARSE ?
				"malformed quoting" : csv_strerror(csv_error(&r->p));

			if (r->resync)
				return bad_line(r, why);
			r->errline = r->lineno;
			snprintf(r->err, sizeof(r->err), "%s", why);
			return -1;
		}
		/* libcsv's public state: anything but "row not begun" (0) means
		 * the record goes on, e.g. inside a quoted field. */
		r->inrec = !r->done && r->p.pstate != 0;
		if (r->resync && r->inrec && r->line[n - 1] == '\n')
			return bad_line(r, "unterminated quoted field");
	}
	r->inrec = 0;
	if (!r->done)
		return 0;
	if (r->nul) {
		r->nul = 0;
		r->errline = r->startline;
		snprintf(r->err, sizeof(r->err), "NUL byte in a field");
		return -1;
	}
	r->recline = r->startline;
	*fields = r->fields;
	*nfields = r->nfields;
	return 1;
}

long csvr_line(const struct csvr *r)
{
	return r->recline;
}

const char *csvr_raw(const struct csvr *r, size_t *len)
{
	size_t n = r->linelen;

	while (n > 0 && (r->line[n - 1] == '\n' || r->line[n - 1] == '\r'))
		n--;
	*len = n;
	return n ? r->line : "";
}

const char *csvr_name(const struct csvr *r)
{
	return r->name;
}

const char *csvr_error(struct csvr *r)
{
	if (r->errline > 0)
		snprintf(r->msg, sizeof(r->msg), "%s:%ld: %s", r->name, r->errline, r->err);
	else
		snprintf(r->msg, sizeof(r->msg), "%s: %s", r->name, r->err);
	return r->msg;
}

int csvr_header(struct csvr *r, const char *const *want, size_t n)
{
	char **f;
	size_t nf, i;
	int rc = csvr_next(r, &f, &nf);

	if (rc < 0)
		return -1;
	if (rc == 0) {
		snprintf(r->err, sizeof(r->err), "empty input, expected a header");
		return -1;
	}
	for (i = 0; i < n && i < nf; i++)
		if (strcmp(f[i], want[i]) != 0)
			break;
	if (i == n && nf == n)
		return 0;
	r->errline = csvr_line(r);
	snprintf(r->err, sizeof(r->err), "bad header, expected %s,...", want[0]);
	return -1;
}
