#include "sched_lock.h"
#include "hash.h"

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
