/*
 * exitcode: the exit status of every stockbars tool, one table.
 *
 * The README's "Exit status" section and each man page's EXIT STATUS
 * section document exactly these values; a tool that needs another meaning
 * adds it here first.
 */
#ifndef EXITCODE_H
#define EXITCODE_H

enum exit_code {
	EXIT_OK = 0,       /* everything went through */
	EXIT_PARTIAL = 1,  /* some input, rows or windows were reported and
			    * skipped (or failed and were not committed);
			    * the rest went through */
	EXIT_USAGE = 2,    /* bad arguments or a bad config: nothing done */
	EXIT_FATAL = 3,    /* environment or run failure: database
			    * unreachable, lock held elsewhere, jq missing,
			    * stdout unwritable, too many rejects */
	EXIT_TIMEOUT = 124, /* sched-run --once: the job hit its timeout
			     * (timeout(1)'s convention) */
	EXIT_NOEXEC = 127  /* never a tool's own status: a forked child that
			    * could not run its program (the shell's
			    * convention); lib/proc's callers read it as "not
			    * found" */
};

#endif
