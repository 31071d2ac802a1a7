/* xalloc_yajl: see xalloc_yajl.h. */
#include "xalloc_yajl.h"
#include "xalloc.h"

#include <stdlib.h>

static void *y_malloc(void *ctx, size_t n)
{
	(void)ctx;
	return xmalloc(n);
}

static void *y_realloc(void *ctx, void *p, size_t n)
{
	(void)ctx;
	return xrealloc(p, n);
}

static void y_free(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

yajl_alloc_funcs xalloc_yajl = { y_malloc, y_realloc, y_free, NULL };
