#include "msg.h"
#include "exitcode.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#ifndef VERSION
#define VERSION "0.1.0"
#endif

static const char *prog = "stockbars";
static int threshold = -1;
static int progress_shown;  /* a progress line is on the terminal now */
static int progress_tty = -1; /* stderr is a terminal; -1 until asked */

void msg_init(const char *argv0)
{
	const char *s = strrchr(argv0, '/');

	prog = s ? s + 1 : argv0;
}

const char *msg_prog(void)
{
	return prog;
}

static const char *const level_names[] = { "debug", "info", "warn", "error" };

const char *msg_level_name(enum msg_level lvl)
{
	return level_names[lvl];
}

static int level_threshold(void)
{
	const char *env;
	int i;

	if (threshold >= 0)
		return threshold;
	threshold = MSG_INFO;
	env = getenv("LOG_LEVEL");
	if (!env || !*env)
		return threshold;
	for (i = 0; i < 4; i++)
		if (strcasecmp(env, level_names[i]) == 0)
			return threshold = i;
	if (strcasecmp(env, "warning") == 0)
		return threshold = MSG_WARN;
	/* Say so once: a typo must not silently change what gets logged. */
	fprintf(stderr, "%s: LOG_LEVEL: unknown level '%s', using info "
		"(debug, info, warn, error)\n", prog, env);
	return threshold;
}

int msg_enabled(enum msg_level lvl)
{
	return (int)lvl >= level_threshold();
}

/*
 * One message is one line: input text quoted in a message (a CSV field
 * holding a newline, a provider's description) must not split it or forge
 * a second line, so control characters become spaces.
 */
static void vmsg(const char *tag, const char *fmt, va_list ap)
{
	char buf[2048], *p;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	for (p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	msg_progress_clear();
	fprintf(stderr, "%s: %s%s%s\n", prog, tag ? tag : "", tag ? ": " : "", buf);
}

void msg_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(NULL, fmt, ap);
	va_end(ap);
}

void msg_die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(NULL, fmt, ap);
	va_end(ap);
	exit(code);
}

void msg_log(enum msg_level lvl, const char *fmt, ...)
{
	va_list ap;

	if (!msg_enabled(lvl))
		return;
	va_start(ap, fmt);
	vmsg(level_names[lvl], fmt, ap);
	va_end(ap);
}

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void msg_progress(int force, const char *fmt, ...)
{
	static double shown;
	double now;
	va_list ap;

	if (progress_tty < 0)
		progress_tty = isatty(STDERR_FILENO);
	if (!progress_tty)
		return;
	now = mono_now();
	if (!force && progress_shown && now - shown < 0.25)
		return;
	shown = now;
	fprintf(stderr, "\r\033[K%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	progress_shown = 1;
}

void msg_progress_clear(void)
{
	if (progress_shown)
		fputs("\r\033[K", stderr);
	progress_shown = 0;
}

void msg_progress_end(void)
{
	msg_progress_clear();
	progress_tty = 0;
}

void msg_version(void)
{
	printf("%s %s\n", prog, VERSION);
	exit(EXIT_OK);
}

void msg_close_stdout(int code)
{
	if (fflush(stdout) != 0 || ferror(stdout))
		msg_die(code, "stdout: %s", strerror(errno ? errno : EIO));
}
