/*
 * xalloc_yajl: yajl's allocator hooks on lib/xalloc, so a parser or
 * generator made with &xalloc_yajl never sees a NULL from malloc (out of
 * memory ends the tool as xalloc does).  Pass it to yajl_alloc() and
 * yajl_gen_alloc(); it holds no state.
 */
#ifndef XALLOC_YAJL_H
#define XALLOC_YAJL_H

#include <yajl/yajl_common.h>

extern yajl_alloc_funcs xalloc_yajl;

#endif
