/* fetch_req: request URLs and window chunks; see fetch_req.h. */
#include "fetch_req.h"

#include <stdio.h>
#include <string.h>

int fetch_encode(char *dst, size_t n, const char *s)
{
	static const char hexd[] = "0123456789ABCDEF";
	size_t o = 0;
	unsigned char c;

	for (; *s; s++) {
		c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c)) {
			if (o + 1 >= n)
				return -1;
			dst[o++] = (char)c;
		} else {
			if (o + 3 >= n)
				return -1;
			dst[o++] = '%';
			dst[o++] = hexd[c >> 4];
			dst[o++] = hexd[c & 15];
		}
	}
	if (o >= n)
		return -1;
	dst[o] = '\0';
	return 0;
}

int fetch_url(char *dst, size_t n, const char *base, const char *symbol,
	      const char *interval, time_t start, time_t end)
{
	char sym[3 * 64 + 1];
	size_t bl = strlen(base);
	int w;

	if (bl > 0 && base[bl - 1] == '/')
		bl--;
	if (fetch_encode(sym, sizeof(sym), symbol) < 0)
		return -1;
	w = snprintf(dst, n,
		     "%.*s/v8/finance/chart/%s?period1=%lld&period2=%lld"
		     "&interval=%s&includePrePost=false&events=div,splits",
		     (int)bl, base, sym, (long long)start, (long long)end,
		     interval);
	return w < 0 || (size_t)w >= n ? -1 : 0;
}
