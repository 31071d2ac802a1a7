#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exitcode.h"
#include "msg.h"

static void *check(void *p)
{
	if (!p)
		msg_die(EXIT_FATAL, "out of memory");
	return p;
}

void *xmalloc(size_t n)
{
	return check(malloc(n ? n : 1));
}

void *xcalloc(size_t nmemb, size_t size)
{
	return check(calloc(nmemb ? nmemb : 1, size ? size : 1));
}

void *xrealloc(void *p, size_t n)
{
	return check(realloc(p, n ? n : 1));
}

void *xreallocarray(void *p, size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size)
		msg_die(EXIT_FATAL, "out of memory");
	return xrealloc(p, nmemb * size);
}

char *xstrdup(const char *s)
{
	return check(strdup(s));
}

char *xstrndup(const char *s, size_t n)
{
	return check(strndup(s, n));
}
