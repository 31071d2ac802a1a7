/* envelope: the NDJSON envelope writer; see envelope.h. */
#include "envelope.h"
#include "bt.h"
#include "json.h"

#include <stdio.h>
#include <string.h>

struct out {
	char *p;
	size_t n, o;
	int full;
};

static void put(struct out *w, const char *s, size_t l)
{
	if (w->full || w->o + l >= w->n) {
		w->full = 1;
		return;
	}
	memcpy(w->p + w->o, s, l);
	w->o += l;
}

static void put_s(struct out *w, const char *s)
{
	put(w, s, strlen(s));
}

static void put_str(struct out *w, const char *s)
{
	char esc[8];
	const char *e;

	put(w, "\"", 1);
	for (; *s; s++) {
		e = json_escape_char((unsigned char)*s, esc);
		if (e)
			put_s(w, e);
		else
			put(w, s, 1);
	}
	put(w, "\"", 1);
}

static void put_int(struct out *w, long v)
{
	char t[24];

	snprintf(t, sizeof(t), "%ld", v);
	put_s(w, t);
}

int envelope_head(char *dst, size_t n, const struct envelope *e)
{
	struct out w = { dst, n, 0, 0 };
	char t[BT_ISO_LEN];

	put_s(&w, "{\"symbol\":");
	put_str(&w, e->symbol);
	put_s(&w, ",\"interval\":");
	put_str(&w, e->interval);
	put_s(&w, ",\"start\":");
	put_str(&w, bt_format_iso(e->start, t));
	put_s(&w, ",\"end\":");
	put_str(&w, bt_format_iso(e->end, t));
	put_s(&w, ",\"provider\":");
	put_str(&w, e->provider);
	put_s(&w, ",\"status\":");
	put_int(&w, e->status);
	put_s(&w, ",\"fetched_at\":");
	put_str(&w, bt_format_iso(e->fetched_at, t));
	put_s(&w, ",\"attempts\":");
	put_int(&w, e->attempts);
	put_s(&w, ",\"body\":");
	if (w.full || n == 0)
		return -1;
	dst[w.o] = '\0';
	return (int)w.o;
}
