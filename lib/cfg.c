#include "cfg.h"
#include "bt.h"
#include "proc.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * jq checks the shape and flattens each job to one tab-separated line:
 * name, interval, period, timezone, schedule, timeout, tickers (comma
 * joined).  Errors become a single "error: ..." line so the C side can
 * report them with the path.
 */
static const char cfg_jq[] =
	"def s: if type == \"string\" then . else error(\"must be a string\") end;"
	"if type != \"object\" then error(\"top level must be a JSON object\") else . end"
	"| . as $top"
	"| (if has(\"jobs\") then"
	"     (if (.jobs|type) != \"array\" or (.jobs|length) == 0"
	"      then error(\"jobs must be a non-empty array\") else .jobs end)"
	"   else [{}] end)"
	"| to_entries[]"
	"| .key as $i"
	"| ($top | del(.jobs)) + .value"
	"| (.name // (if $i == 0 then \"default\" else \"job\\($i + 1)\" end)) as $name"
	"| if (.tickers|type) != \"array\" or (.tickers|length) == 0 then"
	"    error(\"job \\($name): tickers must be a non-empty array of strings\")"
	"  elif (.tickers|map(type == \"string\")|all|not) then"
	"    error(\"job \\($name): tickers must be strings\")"
	"  elif (.interval|type) != \"string\" then"
	"    error(\"job \\($name): interval must be a string such as \\\"5m\\\"\")"
	"  else . end"
	"| [$name, .interval, (.period // \"20d\"), (.timezone // \"UTC\"),"
	"   (.schedule // \"\"), ((.timeout // 0)|tostring), (.tickers|join(\",\"))]"
	"| map(tostring | gsub(\"[\\t\\n]\"; \" \")) | join(\"\\t\")";

static char *next_field(char **p)
{
	char *s = *p, *t = strchr(s, '\t');

	if (t) {
		*t = '\0';
		*p = t + 1;
	} else {
		*p = s + strlen(s);
	}
	return s;
}

static int split_tickers(struct cfg_job *j, char *list, char *why, size_t n)
{
	char *tok, *save = NULL;

	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (sym_valid(tok) < 0) {
			snprintf(why, n, "job %s: bad ticker '%.40s' (letters, digits and .^=_- only)",
				 j->name, tok);
			return -1;
		}
		j->tickers = xreallocarray(j->tickers, j->ntickers + 1, sizeof(char *));
		j->tickers[j->ntickers++] = xstrdup(tok);
	}
	return 0;
}

static int parse_job(struct cfg_job *j, char *line, char *why, size_t n)
{
	char *iv, *tz;

	j->name = xstrdup(next_field(&line));
	iv = next_field(&line);
	j->period = xstrdup(next_field(&line));
	tz = next_field(&line);
	j->timezone = xstrdup(tz);
	j->schedule = xstrdup(next_field(&line));
	j->timeout = atol(next_field(&line));
	if (!*j->schedule) {
		free(j->schedule);
		j->schedule = NULL;
	}
	j->interval = sym_interval(iv);
	if (!j->interval) {
		snprintf(why, n, "job %s: unknown interval '%.16s' (valid: %s)", j->name,
			 iv, sym_interval_names());
		return -1;
	}
	j->period_seconds = sym_period_seconds(j->period);
	if (j->period_seconds < 0) {
		snprintf(why, n, "job %s: bad period '%.16s' (use Nd, Nw, Nmo or Ny)",
			 j->name, j->period);
		return -1;
	}
	if (bt_set_tz(tz) < 0) {
		snprintf(why, n, "job %s: unknown timezone '%.64s'", j->name, tz);
		return -1;
	}
	return split_tickers(j, next_field(&line), why, n);
}

/*
 * Turn jq's stderr into the "why" of one message: "jq: error (at FILE:N):
 * MSG" becomes MSG (our own checks), "jq: error: Could not open file X: Y"
 * becomes Y, and a parse error keeps jq's wording (it has line and column).
 */
static void jq_reason(char *jqerr, int rc, char *why, size_t n)
{
	char *s = jqerr, *nl, *p;

	if (rc < 0 || rc == 127 || !s || !*s) {
		snprintf(why, n, "%s", rc == 127 ? "jq not found in PATH" : "cannot run jq");
		return;
	}
	if ((nl = strchr(s, '\n')))
		*nl = '\0';
	if (strncmp(s, "jq: error (at ", 14) == 0 && (p = strstr(s, "): ")))
		s = p + 3;
	else if ((p = strstr(s, "Could not open file ")) && (p = strstr(p + 20, ": ")))
		s = p + 2;
	else if (strncmp(s, "jq: error: ", 11) == 0)
		s += 11;
	snprintf(why, n, "%s", s);
	if ((p = strstr(why, " (not valid in a")))
		*p = '\0';
}

int cfg_load(const char *path, struct cfg *c, char *why, size_t n)
{
	char *argv[] = { "jq", "-r", (char *)cfg_jq, (char *)path, NULL };
	char *out = NULL, *jqerr = NULL, *line, *save = NULL, err[256];
	int rc;

	memset(c, 0, sizeof(*c));
	rc = proc_capture(argv, &out, NULL, &jqerr);
	if (rc != 0) {
		jq_reason(jqerr, rc, err, sizeof(err));
		snprintf(why, n, "%s: %s", path, err);
		free(out);
		free(jqerr);
		return -1;
	}
	free(jqerr);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		c->jobs = xreallocarray(c->jobs, c->njobs + 1, sizeof(*c->jobs));
		memset(&c->jobs[c->njobs], 0, sizeof(c->jobs[0]));
		if (parse_job(&c->jobs[c->njobs++], line, err, sizeof(err)) < 0) {
			snprintf(why, n, "%s: %s", path, err);
			free(out);
			cfg_free(c);
			return -1;
		}
	}
	free(out);
	if (c->njobs == 0) {
		snprintf(why, n, "%s: no jobs", path);
		return -1;
	}
	return 0;
}

void cfg_free(struct cfg *c)
{
	size_t i, k;

	for (i = 0; i < c->njobs; i++) {
		struct cfg_job *j = &c->jobs[i];

		for (k = 0; k < j->ntickers; k++)
			free(j->tickers[k]);
		free(j->tickers);
		free(j->name);
		free(j->period);
		free(j->timezone);
		free(j->schedule);
	}
	free(c->jobs);
	memset(c, 0, sizeof(*c));
}

struct cfg_job *cfg_job(struct cfg *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->njobs; i++)
		if (strcmp(c->jobs[i].name, name) == 0)
			return &c->jobs[i];
	return NULL;
}
