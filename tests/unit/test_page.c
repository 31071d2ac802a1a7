/* lib/sched_page: the status page's render process, run with /bin/sh as
 * the renderer: its input, its page, its failure, its deadline. */
#include "unit.h"

#include "sched_page.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Run script under sh with input until the process is done (the test is
 * the caller's loop: tend, reap); the page or NULL with why[]. */
static char *render(const char *script, const char *input, long timeout, size_t *len,
		    char *why, size_t n)
{
	char *argv[] = { "sh", "-c", (char *)script, NULL };
	struct sched_page p;
	pid_t pid;
	int ws, k;

	if (sched_page_start(&p, "/bin/sh", argv, input, strlen(input), time(NULL), timeout, why,
			     n) < 0)
		return NULL;
	CHECK(sched_page_busy(&p), "busy once started");
	for (k = 0; k < 1000 && !sched_page_done(&p); k++) {
		sched_page_tend(&p, time(NULL));
		while ((pid = waitpid(-1, &ws, WNOHANG)) > 0)
			CHECK(sched_page_reaped(&p, pid, ws), "the child is the page's");
		usleep(10000);
	}
	CHECK(sched_page_done(&p), "done within 10 s");
	return sched_page_take(&p, len, why, n);
}

int main(void)
{
	char why[256], big[200000], *page;
	struct sched_page idle;
	size_t len;

	page = render("cat; printf '<p>page</p>'", "job\t1\t2\t0\tok\n", 10, &len, why, sizeof(why));
	CHECK_STR(page, "job\t1\t2\t0\tok\n<p>page</p>", "the input reaches stdin, stdout is the page");
	CHECK(len == 24, "its length (%zu)", len);
	free(page);

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	page = render("cat", big, 10, &len, why, sizeof(why));
	CHECK(page && len == sizeof(big) - 1, "input and page larger than a pipe (%zu)", len);
	free(page);

	page = render("echo 'sched-run: database: down' >&2; echo half; exit 3", "", 10, &len, why,
		      sizeof(why));
	CHECK(!page && len == 0, "a failed render gives no page");
	CHECK_STR(why, "sched-run: database: down", "why: its first stderr line");

	page = render("exit 0", "", 10, &len, why, sizeof(why));
	CHECK(!page, "an empty page is a failure");
	CHECK_STR(why, "exited without a page", "why: empty");

	page = render("printf partial; exec sleep 30", "", 1, &len, why, sizeof(why));
	CHECK(!page, "a render past its deadline is killed");
	CHECK(strstr(why, "deadline") != NULL, "why: the deadline (%s)", why);

	sched_page_init(&idle);
	CHECK(!sched_page_busy(&idle) && !sched_page_done(&idle) &&
	      !sched_page_reaped(&idle, 1, 0), "an idle page process has no child");
	sched_page_stop(&idle);
	return unit_failed;
}
