#include "sched_fs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int sched_fs_mkdirs(const char *dir)
{
	char buf[4096], *s;

	if (snprintf(buf, sizeof(buf), "%s", dir) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (s = buf + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return mkdir(buf, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

char *sched_fs_name(char *dst, size_t n, const char *name)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < n; i++) {
		unsigned char c = (unsigned char)name[i];

		dst[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			 c == '.' || c == '_' || c == '-' ? (char)c : '_';
	}
	dst[i] = '\0';
	if (dst[0] == '.')
		dst[0] = '_'; /* never a hidden or "." / ".." name */
	return dst;
}

int sched_fs_replace(const char *path, int mode, int (*write)(FILE *, void *), void *ctx)
{
	char tmp[4096];
	const char *slash = strrchr(path, '/');
	int fd, e, bad;
	FILE *fp;

	/* ".NAME.XXXXXX" beside the target: same file system, and hidden
	 * from collectors that read *.prom or similar. */
	if (slash)
		snprintf(tmp, sizeof(tmp), "%.*s/.%s.XXXXXX", (int)(slash - path), path, slash + 1);
	else
		snprintf(tmp, sizeof(tmp), ".%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return -1;
	fp = fdopen(fd, "w");
	if (!fp) {
		e = errno;
		close(fd);
		unlink(tmp);
		errno = e;
		return -1;
	}
	bad = write(fp, ctx) < 0;
	bad |= fchmod(fd, (mode_t)mode) < 0;
	bad |= fflush(fp) != 0 || ferror(fp);
	e = errno;
	if (fclose(fp) != 0 && !bad) {
		bad = 1;
		e = errno;
	}
	if (bad || rename(tmp, path) < 0) {
		if (!bad)
			e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	return 0;
}
