/* json: the JSON string writer; see json.h. */
#include "json.h"

#include <string.h>

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
