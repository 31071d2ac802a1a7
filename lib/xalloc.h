/*
 * xalloc: the one allocation policy, in the style of sbase's ealloc.c.
 *
 * Running out of memory is not a condition any tool recovers from, so these
 * never return NULL: they report "tool: out of memory" and exit with
 * EXIT_FATAL.  Memory they return is owned by the caller and freed with
 * free().  xrealloc(NULL, n) is xmalloc(n); sizes of zero allocate one byte
 * so callers never see NULL.
 */
#ifndef XALLOC_H
#define XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* xrealloc() for an array of nmemb elements; dies on overflow too. */
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
/* At most n bytes of s, always NUL-terminated. */
char *xstrndup(const char *s, size_t n);
/* p, or the same death as above when it is NULL: for what other libraries
 * allocate (curl_slist_append, open_memstream, csv_init's buffers). */
void *xcheck(void *p);
/* The death itself, for an allocation that failed without a pointer. */
void xalloc_die(void) __attribute__((noreturn));

#endif
