#include "sched_lock.h"
#include "hash.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "sched_fs.h"

/*
 * The seed is the FNV basis as stockbars 0.1.0 wrote it (one digit short of
 * HASH_FNV_BASIS).  It stays so that hosts running 0.1.0 and later versions
 * still exclude each other.
 */
#define LOCK_SEED 1469598103934665603ULL

long long sched_lock_key(const struct cfg_job *j)
{
	uint64_t h = hash_str(LOCK_SEED, "stockbars.sched-run");
	size_t i;

	h = hash_str(h, j->name);
	h = hash_str(h, j->interval->name);
	for (i = 0; i < j->ntickers; i++)
		h = hash_str(h, j->tickers[i]);
	return (long long)h;
}

long long sched_lock_key_shard(const struct cfg_job *j, const char *shard)
{
	uint64_t h = (uint64_t)sched_lock_key(j);

	if (!shard)
		return (long long)h;
	h = hash_str(h, "shard");
	return (long long)hash_str(h, shard);
}

void sched_lock_path(char *dst, size_t n, const char *lock_file, const char *job,
		     const char *shard)
{
	char run[300];
	size_t k = strlen(lock_file);

	if (k > 5 && strcmp(lock_file + k - 5, ".lock") == 0)
		k -= 5;
	sched_run_name(run, sizeof(run), job, shard);
	snprintf(dst, n, "%.*s.%s.lock", (int)k, lock_file, run);
}

int sched_lock_take(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644), e;

	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* ---- the advisory-lock worker ------------------------------------------ */

struct sched_locker {
	struct sched_state *st;
	pthread_t thread;
	pthread_mutex_t mu;     /* the queue; taken after st->mu, never before */
	pthread_cond_t cv;
	struct sched_ticket *head, *tail;
	int stop, busy;
};

static void push(struct sched_locker *l, struct sched_ticket *t)
{
	pthread_mutex_lock(&l->mu);
	t->next = NULL;
	if (l->tail)
		l->tail->next = t;
	else
		l->head = t;
	l->tail = t;
	pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(&l->mu);
}

static struct sched_ticket *pop(struct sched_locker *l)
{
	struct sched_ticket *t;

	pthread_mutex_lock(&l->mu);
	l->busy = 0;
	while (!l->head && !l->stop)
		pthread_cond_wait(&l->cv, &l->mu);
	t = l->head;
	if (t && !l->stop) {
		l->head = t->next;
		if (!l->head)
			l->tail = NULL;
		l->busy = 1;
	} else {
		t = NULL;
	}
	pthread_mutex_unlock(&l->mu);
	return t;
}

/* Connect and try the lock; no scheduler lock is held meanwhile. */
static enum sched_tstate attempt(struct sched_ticket *t, char *err, size_t n)
{
	char key[32];
	const char *params[1] = { key };
	PGresult *r;
	enum sched_tstate s;

	if (db_connect(&t->db, db_conninfo(), 1, "public", "bars") < 0) {
		snprintf(err, n, "%.500s", t->db.err);
		return SCHED_T_ERROR;
	}
	snprintf(key, sizeof(key), "%lld", t->key);
	r = db_query(&t->db, "SELECT pg_try_advisory_lock($1::bigint)", 1, params);
	if (!r) {
		snprintf(err, n, "%.500s", t->db.err);
		return SCHED_T_ERROR;
	}
	s = PQgetvalue(r, 0, 0)[0] == 't' ? SCHED_T_HELD : SCHED_T_BUSY;
	PQclear(r);
	return s;
}

static int is_dropped(struct sched_locker *l, struct sched_ticket *t)
{
	int d;

	pthread_mutex_lock(&l->st->mu);
	d = t->dropped;
	pthread_mutex_unlock(&l->st->mu);
	return d;
}

static void *worker(void *arg)
{
	struct sched_locker *l = arg;
	struct sched_ticket *t;
	enum sched_tstate s;
	char err[512];
	int dropped;

	while ((t = pop(l)) != NULL) {
		if (!is_dropped(l, t)) {
			err[0] = '\0';
			s = attempt(t, err, sizeof(err));
			if (s != SCHED_T_HELD)
				db_close(&t->db);
			pthread_mutex_lock(&l->st->mu);
			dropped = t->dropped;
			t->state = s;
			snprintf(t->err, sizeof(t->err), "%s", err);
			sched_wake(l->st);
			pthread_mutex_unlock(&l->st->mu);
			if (!dropped)
				continue; /* the job's now, until it drops it */
		}
		db_close(&t->db); /* ending the session releases its locks */
		free(t);
	}
	return NULL;
}

struct sched_locker *sched_locker_start(struct sched_state *st)
{
	struct sched_locker *l = xcalloc(1, sizeof(*l));

	l->st = st;
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, NULL);
	if (pthread_create(&l->thread, NULL, worker, l) != 0) {
		free(l);
		return NULL;
	}
	return l;
}

struct sched_ticket *sched_lock_ask(struct sched_locker *l, long long key)
{
	struct sched_ticket *t = xcalloc(1, sizeof(*t));

	t->state = SCHED_T_PENDING;
	t->key = key;
	push(l, t);
	return t;
}

void sched_lock_drop(struct sched_locker *l, struct sched_ticket *t)
{
	if (!t)
		return;
	if (t->state == SCHED_T_PENDING) {
		t->dropped = 1; /* the worker frees it when its attempt ends */
		return;
	}
	t->dropped = 1;
	push(l, t); /* close the session on the worker: PQfinish may wait */
}

void sched_locker_stop(struct sched_locker *l)
{
	int busy;

	if (!l)
		return;
	pthread_mutex_lock(&l->mu);
	l->stop = 1;
	busy = l->busy;
	pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(&l->mu);
	if (busy) {
		/* a connect that hangs ends with the process */
		pthread_detach(l->thread);
		return;
	}
	pthread_join(l->thread, NULL);
	while (l->head) {
		struct sched_ticket *t = l->head;

		l->head = t->next;
		db_close(&t->db); /* callers dropped every ticket before */
		free(t);
	}
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->cv);
	free(l);
}
