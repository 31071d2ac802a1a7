#include "cfg.h"
#include "exitcode.h"
#include "bt.h"
#include "proc.h"
#include "xalloc.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The keys a config may hold.  A new key is one row here plus its field in
 * the jq program and parse_job(); anything else is an error that names the
 * nearest known key, so a typo never silently means a default.
 */
static const struct cfg_key {
	const char *name;
	int top_only; /* only at the top level ("jobs") */
} cfg_keys[] = {
	{ "jobs", 1 }, { "name", 0 }, { "tickers", 0 }, { "interval", 0 },
	{ "period", 0 }, { "timezone", 0 }, { "schedule", 0 }, { "timeout", 0 },
};
#define NKEYS (sizeof(cfg_keys) / sizeof(cfg_keys[0]))

/*
 * jq checks the shape and writes one tab-separated record per line:
 *   K  WHERE KEY       every key, top level (WHERE empty) and per job,
 *                      all before any J line so a typo is reported before
 *                      the missing field it causes
 *   J  name interval period timezone schedule timeout(JSON text or empty)
 *   T  ticker          one per ticker of the J line above
 * Type errors stop jq with a sentence that names the job and the key.
 */
static const char cfg_jq[] =
	"def where($i): if (.name|type) == \"string\" then \"job \\(.name)\""
	"  else \"job \\($i + 1)\" end;"
	"def str($l; $k): if has($k) and (.[$k]|type) != \"string\""
	"  then error(\"\\($l): \\($k) must be a string\") else . end;"
	"if type != \"object\" then error(\"top level must be a JSON object\") else . end"
	"| . as $top"
	"| (if has(\"jobs\") then"
	"     (if (.jobs|type) != \"array\" or (.jobs|length) == 0"
	"      then error(\"jobs must be a non-empty array\") else .jobs end)"
	"   else [{}] end)"
	"| to_entries"
	"| map(if (.value|type) != \"object\""
	"      then error(\"jobs[\\(.key)] must be an object\") else . end)"
	"| ( ($top | keys_unsorted[] | [\"K\", \"\", .]),"
	"    (.[] | .key as $i | .value | where($i) as $l | keys_unsorted[] | [\"K\", $l, .]),"
	"    (.[] | .key as $i | ($top | del(.jobs)) + .value"
	"     | (.name // (if $i == 0 then \"default\" else \"job\\($i + 1)\" end)) as $name"
	"     | \"job \\($name)\" as $l"
	"     | str($l; \"name\") | str($l; \"period\") | str($l; \"timezone\")"
	"     | str($l; \"schedule\")"
	"     | if (.tickers|type) != \"array\" or (.tickers|length) == 0 then"
	"         error(\"\\($l): tickers must be a non-empty array of strings\")"
	"       elif (.tickers|map(type == \"string\")|all|not) then"
	"         error(\"\\($l): tickers must be strings\")"
	"       elif (.interval|type) != \"string\" then"
	"         error(\"\\($l): interval must be a string such as \\\"5m\\\"\")"
	"       else . end"
	"     | [\"J\", $name, .interval, (.period // \"20d\"), (.timezone // \"UTC\"),"
	"        (.schedule // \"\"), (if has(\"timeout\") then .timeout|tojson else \"\" end)],"
	"       (.tickers[] | [\"T\", .])) )"
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

static int same(char a, char b)
{
	return tolower((unsigned char)a) == tolower((unsigned char)b);
}

/* Edit distance (insert, delete, substitute, swap of neighbours), case
 * blind, for "did you mean"; keys are short, so the table is too. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, d[33][33];

	if (la > 32 || lb > 32)
		return 99;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			size_t v = d[i - 1][j - 1] + !same(a[i - 1], b[j - 1]);

			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) && same(a[i - 2], b[j - 1]) &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

/* 0 when key is allowed where it is; else -1 with the nearest known key. */
static int check_key(const char *where, const char *key, char *why, size_t n)
{
	const char *best = NULL;
	size_t i, bd = 3;

	for (i = 0; i < NKEYS; i++) {
		size_t dd;

		if (cfg_keys[i].top_only && *where)
			continue;
		if (strcmp(key, cfg_keys[i].name) == 0)
			return 0;
		dd = distance(key, cfg_keys[i].name);
		if (dd < bd && dd < strlen(cfg_keys[i].name)) {
			bd = dd;
			best = cfg_keys[i].name;
		}
	}
	if (best)
		snprintf(why, n, "%s%sunknown key \"%.40s\" (did you mean \"%s\"?)",
			 where, *where ? ": " : "", key, best);
	else
		snprintf(why, n, "%s%sunknown key \"%.40s\" (known: jobs name tickers interval"
			 " period timezone schedule timeout)", where, *where ? ": " : "", key);
	return -1;
}

/* A whole number of seconds within [min, max] written as JSON. */
static int whole_number(const char *json, long min, long max, long *out)
{
	char *end;
	double v;

	if (!*json || *json == '"')
		return -1;
	v = strtod(json, &end);
	if (*end || !isfinite(v) || v != floor(v) || v < (double)min || v > (double)max)
		return -1;
	*out = (long)v;
	return 0;
}

static int parse_job(struct cfg_job *j, char *line, char *why, size_t n)
{
	char *iv, *tz, *timeout, perr[96];

	j->name = xstrdup(next_field(&line));
	iv = next_field(&line);
	j->period = xstrdup(next_field(&line));
	tz = next_field(&line);
	j->timezone = xstrdup(tz);
	j->schedule = xstrdup(next_field(&line));
	timeout = next_field(&line);
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
	if (sym_period_parse(j->period, &j->span, perr, sizeof(perr)) < 0) {
		snprintf(why, n, "job %s: bad period '%.16s': %s", j->name, j->period, perr);
		return -1;
	}
	if (j->interval->history_days > 0 &&
	    sym_period_max_days(&j->span) > j->interval->history_days) {
		snprintf(why, n, "job %s: period '%.16s' is beyond the %ld days of %s history"
			 " Yahoo serves (use at most %ldd, or max)", j->name, j->period,
			 j->interval->history_days, iv, j->interval->history_days);
		return -1;
	}
	if (bt_set_tz(tz) < 0) {
		snprintf(why, n, "job %s: unknown timezone '%.64s'", j->name, tz);
		return -1;
	}
	if (*timeout && whole_number(timeout, CFG_TIMEOUT_MIN, CFG_TIMEOUT_MAX, &j->timeout) < 0) {
		snprintf(why, n, "job %s: timeout %.40s: want whole seconds from %ld to %ld",
			 j->name, timeout, CFG_TIMEOUT_MIN, CFG_TIMEOUT_MAX);
		return -1;
	}
	return 0;
}

static int add_ticker(struct cfg_job *j, const char *t, char *why, size_t n)
{
	if (sym_valid(t) < 0) {
		snprintf(why, n, "job %s: bad ticker '%.40s' (letters, digits and .^=_- only)",
			 j->name, t);
		return -1;
	}
	j->tickers = xreallocarray(j->tickers, j->ntickers + 1, sizeof(char *));
	j->tickers[j->ntickers++] = xstrdup(t);
	return 0;
}

/* One record of jq's output (see cfg_jq); 0, or -1 with why. */
static int record(struct cfg *c, char *line, char *why, size_t n)
{
	char *kind = next_field(&line), *where;

	if (strcmp(kind, "K") == 0) {
		where = next_field(&line);
		return check_key(where, line, why, n);
	}
	if (strcmp(kind, "T") == 0)
		return add_ticker(&c->jobs[c->njobs - 1], line, why, n);
	c->jobs = xreallocarray(c->jobs, c->njobs + 1, sizeof(*c->jobs));
	memset(&c->jobs[c->njobs], 0, sizeof(c->jobs[0]));
	return parse_job(&c->jobs[c->njobs++], line, why, n);
}

/*
 * Turn jq's stderr into the "why" of one message: "jq: error (at FILE:N):
 * MSG" becomes MSG (our own checks), "jq: error: Could not open file X: Y"
 * becomes Y, and a parse error keeps jq's wording (it has line and column).
 */
static void jq_reason(char *jqerr, int rc, char *why, size_t n)
{
	char *s = jqerr, *nl, *p;

	if (rc < 0 || rc == EXIT_NOEXEC || !s || !*s) {
		snprintf(why, n, "%s", rc == EXIT_NOEXEC ? "jq not found in PATH" : "cannot run jq");
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

/*
 * Records in order; the K records come first, so an unknown key is the
 * error reported even when jq then stopped on the field it left missing.
 */
static int records(struct cfg *c, char *out, int rc, char *jqerr, char *why, size_t n)
{
	char *line, *save = NULL;

	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (rc != 0 && line[0] != 'K')
			break;
		if (record(c, line, why, n) < 0)
			return -1;
	}
	if (rc != 0) {
		jq_reason(jqerr, rc, why, n);
		return -1;
	}
	if (c->njobs == 0) {
		snprintf(why, n, "no jobs");
		return -1;
	}
	return 0;
}

int cfg_load(const char *path, struct cfg *c, char *why, size_t n)
{
	char *argv[] = { "jq", "-r", (char *)cfg_jq, (char *)path, NULL };
	char *out = NULL, *jqerr = NULL, err[256];
	int rc;

	memset(c, 0, sizeof(*c));
	rc = proc_capture(argv, &out, NULL, &jqerr);
	if (!out)
		out = xstrdup("");
	rc = records(c, out, rc, jqerr, err, sizeof(err));
	free(out);
	free(jqerr);
	if (rc < 0) {
		snprintf(why, n, "%s: %s", path, err);
		cfg_free(c);
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
