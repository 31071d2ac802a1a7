#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exitcode.h"
#include "msg.h"

void xalloc_die(void)
{
	msg_die(EXIT_FATAL, "out of memory");
}

void *xcheck(void *p)
{
	if (!p)
		xalloc_die();
	return p;
}

void *xmalloc(size_t n)
{
	return xcheck(malloc(n ? n : 1));
}

void *xcalloc(size_t nmemb, size_t size)
{
	return xcheck(calloc(nmemb ? nmemb : 1, size ? size : 1));
}

void *xrealloc(void *p, size_t n)
{
	return xcheck(realloc(p, n ? n : 1));
}

void *xreallocarray(void *p, size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size)
		xalloc_die();
	return xrealloc(p, nmemb * size);
}

char *xstrdup(const char *s)
{
	return xcheck(strdup(s));
}

char *xstrndup(const char *s, size_t n)
{
	return xcheck(strndup(s, n));
}
