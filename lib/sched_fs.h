/*
 * sched_fs: the few file operations sched-run's modules share.
 *
 * sched_fs_mkdirs() creates a directory and its parents (mkdir -p).
 * sched_fs_name() turns a job name into a file-name component: bytes other
 * than [A-Za-z0-9._-] become '_' (so "a/b" and "a_b" share lock and state
 * files, which can only make two jobs exclude each other, never run one
 * twice).  sched_fs_replace() writes a whole file atomically: a temporary
 * file in the same directory, renamed over path; the temporary file is
 * removed on every failure, so no ".tmp" is ever left behind.
 *
 * Functions return 0, or -1 with errno set.
 */
#ifndef SCHED_FS_H
#define SCHED_FS_H

#include <stddef.h>
#include <stdio.h>

int sched_fs_mkdirs(const char *dir);
/* Write the sanitized name into dst (size n); returns dst. */
char *sched_fs_name(char *dst, size_t n, const char *name);
/* Call write(fp, ctx) on a temporary file, then rename it over path with
 * the given mode.  write returns 0, or -1 to abandon the file. */
int sched_fs_replace(const char *path, int mode, int (*write)(FILE *, void *), void *ctx);

#endif
