/* fetch_req: request URLs; see fetch_req.h. */
#include "fetch_req.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int fetch_encode(char *dst, size_t n, const char *s)
{
	/* libcurl's encoder: everything but RFC 3986's unreserved bytes. */
	char *e = curl_easy_escape(NULL, s, 0);
	int rc = -1;

	if (e && strlen(e) < n) {
		strcpy(dst, e);
		rc = 0;
	}
	curl_free(e);
	return rc;
}

int fetch_base_ok(const char *base)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	int rc = -1;

	if (u && curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    (strcasecmp(scheme, "http") == 0 || strcasecmp(scheme, "https") == 0))
		rc = 0;
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
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
