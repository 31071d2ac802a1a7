# Migrations (lib/db_migrate): idempotent, and a half-applied schema is
# repaired rather than fatal (issue 9); a current schema issues no DDL.
. "$TOP/tests/lib.sh"
unset LOG_LEVEL
LB=$BIN/load-bars
HDR=symbol,interval,ts,open,high,low,close,adj_close,volume
sql() { PGOPTIONS="-c client_min_messages=warning" psql -X -Atq "$DATABASE_URL" -c "$1"; }
is() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got '$2', want '$3'"; fi; }
ALL=":1,:2,:3,:4,:5,:6,:7,:8,bars:1,bars:2,bars:3,bars:4,bars:5"
migs() { sql "SELECT string_agg(target || ':' || version, ',' ORDER BY target, version) FROM schema_migrations"; }
{ echo "$HDR"; for i in 0 1 2 3 4; do echo "AAPL,1d,2025-11-1${i},1,2,0.5,1.5,1.5,10$i"; done; } >"$T/a.csv"
sed 's/,1.5,1.5,100$/,1.25,1.25,100/' "$T/a.csv" >"$T/rev.csv"

# load NAME CSV: a load that must pass; says what failed otherwise.
load() {
	if "$LB" "$2" >"$T/out" 2>"$T/err"; then ok "$1"; else not_ok "$1" "$(cat "$T/err")"; fi
}
# revision_audited NAME: a revised bar leaves one more bar_changes row.
revision_audited() {
	n=$(sql "SELECT count(*) FROM bar_changes")
	"$LB" "$T/rev.csv" 2>/dev/null
	"$LB" "$T/a.csv" 2>/dev/null
	is "$1" "$(sql "SELECT count(*) FROM bar_changes")" "$((n + 2))"
}

export DATABASE_URL=$(new_db mig)
load "migrate: first load creates the schema" "$T/a.csv"
is "migrate: every migration recorded" "$(migs)" "$ALL"

# The demo's reset (scripts/demo) drops the tables but not the functions.
reset=$(sed -n "s/^psql .* -c '\(DROP TABLE [^']*\)'.*/\1/p" "$TOP/scripts/demo")
is "migrate: the demo's reset line found" "$(echo "$reset" | cut -c1-20)" "DROP TABLE IF EXISTS"
for n in 1 2; do
	sql "$reset"
	load "migrate: load after the demo's reset ($n)" "$T/a.csv"
done
is "migrate: after the resets every migration recorded once" "$(migs)" "$ALL"
revision_audited "migrate: after the resets revisions are audited"

sql "DROP TRIGGER stockbars_audit ON bars"
load "migrate: trigger missing: repaired" "$T/a.csv"
is "migrate: trigger back" "$(sql "SELECT count(*) FROM pg_trigger WHERE tgname = 'stockbars_audit'")" 1
revision_audited "migrate: trigger missing: revisions audited again"

sql "SET client_min_messages = warning; DROP FUNCTION stockbars_audit() CASCADE"
load "migrate: audit function missing: repaired" "$T/a.csv"
revision_audited "migrate: audit function missing: revisions audited again"

sql "DROP TABLE schema_migrations"
load "migrate: schema_migrations missing: repaired" "$T/a.csv"
is "migrate: schema_migrations rebuilt" "$(migs)" "$ALL"

sql "DELETE FROM schema_migrations WHERE version >= 3"
load "migrate: schema_migrations behind: repaired" "$T/a.csv"
is "migrate: schema_migrations caught up" "$(migs)" "$ALL"

sql "ALTER TABLE load_runs DROP CONSTRAINT load_runs_status_check,
	ADD CONSTRAINT load_runs_status_check CHECK (status IN ('running', 'ok', 'failed'))"
load "migrate: an old status constraint: repaired" "$T/a.csv"
is "migrate: the constraint knows abandoned" \
	"$(sql "SELECT pg_get_constraintdef(oid) LIKE '%abandoned%' FROM pg_constraint WHERE conname = 'load_runs_status_check'")" t

sql "DROP TABLE bar_heads"
load "migrate: bar_heads missing: repaired" "$T/a.csv"
is "migrate: heads back" "$(sql "SELECT symbol || ' ' || interval || ' ' || ts FROM bar_heads")" \
	"AAPL 1d 2025-11-14 00:00:00+00"

is "migrate: --init twice" "$("$LB" --init && "$LB" --init && echo ok)" ok
is "migrate: the bars survived it all" "$(sql "SELECT count(*) FROM bars")" 5
is "migrate: nothing left running" "$(sql "SELECT count(*) FROM load_runs WHERE status <> 'ok'")" 0

# A current schema: no DDL at all (event trigger records every command).
sql "CREATE TABLE ddl_log (tag text, obj text);
	CREATE FUNCTION ddl_log() RETURNS event_trigger LANGUAGE plpgsql AS \$\$
	BEGIN INSERT INTO ddl_log SELECT command_tag, object_identity FROM pg_event_trigger_ddl_commands(); END \$\$;
	CREATE EVENT TRIGGER ddl_log ON ddl_command_end EXECUTE FUNCTION ddl_log()"
{ echo "$HDR"; echo "AAPL,1d,2025-11-17,1,2,0.5,1.5,1.5,10"; } >"$T/new.csv"
load "migrate: a load with a current schema" "$T/new.csv"
is "migrate: an appending load issues no DDL" "$(sql "SELECT count(*) FROM ddl_log")" 0
"$LB" "$T/rev.csv" 2>/dev/null
is "migrate: a revising load creates only its TEMP staging table" \
	"$(sql "SELECT string_agg(DISTINCT tag || ' ' || split_part(obj, '.', 1), ',') FROM ddl_log")" \
	"CREATE TABLE pg_temp"
sql "DROP EVENT TRIGGER ddl_log"
