# libpq conventions and least privilege (issue 10): PGHOST, PGDATABASE,
# PGUSER and a password file with no DATABASE_URL; sched-plan without any
# database says so, with an unreachable one fails; a loader role with only
# SELECT/INSERT/UPDATE and sequence USAGE loads (no DDL), and is told to
# have the owner run --init when the schema is behind.
. "$TOP/tests/lib.sh"
unset LOG_LEVEL DATABASE_URL PGHOST PGPORT PGDATABASE PGUSER PGPASSWORD PGSERVICE PGPASSFILE
LB=$BIN/load-bars
SP=$BIN/sched-plan
HDR=symbol,interval,ts,open,high,low,close,adj_close,volume
is() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got '$2', want '$3'"; fi; }
su_sql() { psql -X -Atq "$TEST_PG_URL" -c "$1"; }
sql() { psql -X -Atq "$DB" -c "$1"; }
if [ -z "${TEST_PG_DIR:-}" ]; then
	skip "roles: all" "needs the suite's private cluster (pg_hba.conf, roles)"
	exit 0
fi
SOCK=$TEST_PG_DIR/sock
sfx=$(basename "$T" | tr -dc 'a-zA-Z0-9' | tr 'A-Z' 'a-z')
PW=pw$sfx
OWN=own_$sfx LDR=ldr_$sfx PWR=pwd_$sfx
HBA=$TEST_PG_DIR/data/pg_hba.conf
cleanup_roles() {
	for d in $(su_sql "SELECT datname FROM pg_database WHERE datname LIKE 't_${sfx}_%'"); do
		su_sql "DROP DATABASE IF EXISTS $d" >/dev/null 2>&1
	done
	for r in $OWN $LDR ${LDR}_plan $PWR; do su_sql "DROP ROLE IF EXISTS $r" >/dev/null 2>&1; done
	sed -i "/ $PWR /d" "$HBA"
	su_sql "SELECT pg_reload_conf()" >/dev/null
}
trap 'cleanup_roles; cleanup_t' EXIT
printf '%s\nAAPL,5m,2026-11-20T20:50:00Z,1,2,0.5,1.5,1.5,10\nAAPL,5m,2026-11-20T20:55:00Z,1,2,0.5,1.5,1.5,10\n' "$HDR" >"$T/a.csv"
sed 's/,1.5,1.5,10$/,1.25,1.25,10/' "$T/a.csv" >"$T/rev.csv"
cat >"$T/c.json" <<'JSON'
{"tickers":["AAPL"],"interval":"5m","period":"20d","timezone":"US/Eastern"}
JSON
SAT=2026-11-21T15:00:00Z

# ---- PG* variables and a password file, no DATABASE_URL -----------------
DB=$(new_db pgvars)
DBNAME=t_${sfx}_pgvars
su_sql "CREATE ROLE $PWR LOGIN PASSWORD '$PW'; ALTER DATABASE $DBNAME OWNER TO $PWR"
sed -i "1i local all $PWR scram-sha-256" "$HBA"
su_sql "SELECT pg_reload_conf()" >/dev/null
printf '*:*:%s:%s:%s\n' "$DBNAME" "$PWR" "$PW" >"$T/pgpass"
chmod 600 "$T/pgpass"
: >"$T/empty"
pgenv="PGHOST=$SOCK PGDATABASE=$DBNAME PGUSER=$PWR PGPASSFILE=$T/pgpass"
check "roles: PG* and a password file: wrong password refused (the file is needed)" 3 "$T/a.csv" - \
	'no password supplied' -- env PGHOST="$SOCK" PGDATABASE="$DBNAME" PGUSER="$PWR" \
	PGPASSFILE="$T/empty" "$LB" --retries 0
check "roles: PG* and a password file: load-bars loads" 0 "$T/a.csv" - -- env $pgenv "$LB"
printf 'symbol,interval,start,end\n' >"$T/none.plan"
check "roles: PG* and a password file: sched-plan reads the stored bars (nothing new on Saturday)" \
	0 - "$T/none.plan" -- env $pgenv BARS_NOW=$SAT "$SP" --config "$T/c.json"
check "roles: no database configured: whole periods, said once" 0 - - \
	'^sched-plan: info: no database configured' -- env BARS_NOW=$SAT "$SP" --config "$T/c.json"
expect "roles: no database configured: the whole period planned" \
	"BARS_NOW=$SAT '$SP' --config '$T/c.json' 2>/dev/null | grep -q '^AAPL,5m,2026-11-01T15:00:00Z,'"
check "roles: PGHOST set but unreachable: exit 3, no silent re-plan" 3 - - 'database: ' -- \
	env PGHOST=/nonexistent PGDATABASE="$DBNAME" BARS_NOW=$SAT "$SP" --config "$T/c.json"

# ---- least privilege: the owner migrates, the loader only loads ---------
DB=$(new_db priv)
su_sql "CREATE ROLE $OWN LOGIN; CREATE ROLE $LDR LOGIN"
sql "CREATE SCHEMA market AUTHORIZATION $OWN"
as() { echo "$DB" | sed "s/user=postgres/user=$1/"; }
check "roles: the owner runs --init" 0 - - -- env DATABASE_URL="$(as $OWN)" "$LB" --init --schema market
# The grants of the README's role layout.
psql -X -q "$(as $OWN)" -c "GRANT USAGE ON SCHEMA market TO $LDR;
	GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA market TO $LDR;
	GRANT USAGE ON ALL SEQUENCES IN SCHEMA market TO $LDR;
	GRANT EXECUTE ON FUNCTION market.stockbars_partition(text, text, timestamptz, integer) TO $LDR"
L="$(as $LDR)"
check "roles: the loader cannot change the schema" 3 - - 'permission denied' -- \
	env DATABASE_URL="$L" "$LB" --init --schema market
check "roles: the loader loads" 0 "$T/a.csv" - -- env DATABASE_URL="$L" "$LB" --schema market
check "roles: the loader revises, audited" 0 "$T/rev.csv" - 'updated=2' -- env DATABASE_URL="$L" "$LB" --schema market
is "roles: audit rows written by the loader" "$(sql "SELECT count(*) FROM market.bar_changes")" 2
check "roles: sched-plan as the loader" 0 - "$T/none.plan" -- \
	env DATABASE_URL="$L" BARS_NOW=$SAT "$SP" --config "$T/c.json" --schema market
# A planner that may read the bars and heads only (the grants documented
# before corporate actions counted) still plans, and says what to grant;
# with SELECT on corporate_actions it plans quietly.
su_sql "CREATE ROLE ${LDR}_plan LOGIN"
psql -X -q "$(as $OWN)" -c "GRANT USAGE ON SCHEMA market TO ${LDR}_plan;
	GRANT SELECT ON market.bars, market.bar_heads TO ${LDR}_plan"
check "roles: a planner without corporate_actions plans, with a warning" 0 - "$T/none.plan" \
	'warn: database: .*GRANT SELECT ON corporate_actions' -- \
	env DATABASE_URL="$(as ${LDR}_plan)" BARS_NOW=$SAT "$SP" --config "$T/c.json" --schema market
psql -X -q "$(as $OWN)" -c "GRANT SELECT ON market.corporate_actions TO ${LDR}_plan"
check "roles: with SELECT on corporate_actions it plans quietly" 0 - "$T/none.plan" -- \
	env DATABASE_URL="$(as ${LDR}_plan)" LOG_LEVEL=warn BARS_NOW=$SAT "$SP" --config "$T/c.json" --schema market
expect "roles: (quietly: nothing on stderr)" "[ ! -s '$T/err' ]"
# A schema that is behind: the loader says who must do what.
sql "DROP TRIGGER stockbars_audit ON market.bars"
check "roles: a schema behind: the loader says to run --init, exit 3" 3 "$T/a.csv" - \
	'lacks 1 migration .*run load-bars --init as the tables. owner' -- \
	env DATABASE_URL="$L" "$LB" --schema market
check "roles: the owner's --init repairs it" 0 - - -- env DATABASE_URL="$(as $OWN)" "$LB" --init --schema market
check "roles: the loader loads again" 0 "$T/a.csv" - -- env DATABASE_URL="$L" "$LB" --schema market
is "roles: every run of the loader ok (the refused one never started)" \
	"$(sql "SELECT string_agg(status, ',' ORDER BY id) FROM market.load_runs")" "ok,ok,ok"

# A partitioned table: the loader adds partitions through the owner's
# SECURITY DEFINER function, and only with the grant.
sql "CREATE SCHEMA part AUTHORIZATION $OWN"
check "roles: the owner makes a partitioned table" 0 - - -- \
	env DATABASE_URL="$(as $OWN)" "$LB" --init --partition --schema part
psql -X -q "$(as $OWN)" -c "GRANT USAGE ON SCHEMA part TO $LDR;
	GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA part TO $LDR;
	GRANT USAGE ON ALL SEQUENCES IN SCHEMA part TO $LDR"
check "roles: without EXECUTE the loader cannot add partitions" 1 "$T/a.csv" - \
	'permission denied for function stockbars_partition' -- env DATABASE_URL="$L" "$LB" --schema part
psql -X -q "$(as $OWN)" -c \
	"GRANT EXECUTE ON FUNCTION part.stockbars_partition(text, text, timestamptz, integer) TO $LDR"
check "roles: with it the loader loads into new partitions" 0 "$T/a.csv" - -- \
	env DATABASE_URL="$L" "$LB" --schema part
is "roles: the partitions belong to the owner" \
	"$(sql "SELECT string_agg(DISTINCT pg_get_userbyid(c.relowner), ',') FROM pg_inherits i
		JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'part.bars'::regclass")" "$OWN"
