#!/usr/bin/env bash
# One consistent backup of PostgreSQL (custom-format pg_dump) and Redis (RDB) packed into
# $BACKUP_DIR/full_backup_YYYYmmdd_HHMMSS.tar.gz with a manifest, then retention, optional
# encryption and S3 upload, and a success timestamp for Prometheus.
#
#   scripts/backup.sh           full run
#   scripts/backup.sh --prune   retention only
#
# Environment: DATABASE_URL (required), REDIS_URL, BACKUP_DIR (/backups), BACKUP_RETENTION_DAYS (7),
# BACKUP_ENCRYPT_RECIPIENT (age public key "age1…" or a gpg recipient), S3_BUCKET, S3_PREFIX,
# S3_ENDPOINT_URL, BACKUP_METRICS_FILE, BACKUP_PUSHGATEWAY_URL, BACKUP_REDIS_REQUIRED (false),
# APP_VERSION, BACKUP_ENV_FILE (sourced first: cron gives jobs an empty environment).
# Any failure: exit 1 with one line on stderr, and no archive under the final name.
set -euo pipefail

die() {
  printf 'backup failed: %s\n' "$*" >&2
  exit 1
}
log() { printf '%s backup: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }
warn() { printf 'backup warning: %s\n' "$*" >&2; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 is not installed ($2)"; }
first_line() { grep -m1 -v '^[[:space:]]*$' "$1" 2>/dev/null | tr -d '\r' || true; }

if [[ -n "${BACKUP_ENV_FILE:-}" && -r "$BACKUP_ENV_FILE" ]]; then
  set -a
  # shellcheck source=/dev/null
  source "$BACKUP_ENV_FILE"
  set +a
fi

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BACKUP_DIR="${BACKUP_DIR:-/backups}"
retention_days="${BACKUP_RETENTION_DAYS:-7}"
[[ "$retention_days" =~ ^[1-9][0-9]*$ ]] || die "BACKUP_RETENTION_DAYS must be a whole number of days ≥ 1, got '$retention_days'"

prune() {
  # The newest archive survives whatever its age: after a run of failed nights it is the only
  # restorable copy left.
  local newest
  newest=$(find "$BACKUP_DIR" -maxdepth 1 -type f -name 'full_backup_*_*.tar.gz*' -printf '%T@ %p\n' | sort -n | tail -n 1 | cut -d' ' -f2-)
  [[ -n "$newest" ]] || return 0
  local removed=0 file
  while IFS= read -r -d '' file; do
    [[ "$file" == "$newest" ]] && continue
    rm -f -- "$file"
    log "retention: removed $(basename "$file")"
    removed=$((removed + 1))
  done < <(find "$BACKUP_DIR" -maxdepth 1 -type f -name 'full_backup_*_*.tar.gz*' -mmin "+$((retention_days * 1440))" -print0)
  log "retention: $removed archive(s) older than $retention_days day(s) removed, newest kept: $(basename "$newest")"
}

mkdir -p "$BACKUP_DIR" 2>/dev/null || die "cannot create BACKUP_DIR $BACKUP_DIR"
[[ -w "$BACKUP_DIR" ]] || die "BACKUP_DIR $BACKUP_DIR is not writable"
need flock "util-linux"
# Cron may start tonight's run while last night's upload is still going.
exec 9>"$BACKUP_DIR/.backup.lock"
flock -n 9 || die "another backup is running in $BACKUP_DIR"

# Holding the lock, anything half-written here belongs to a run that was killed.
find "$BACKUP_DIR" -maxdepth 1 \( -name '.work.*' -o -name '.full_backup_*.partial*' \) -exec rm -rf -- {} + 2>/dev/null || true

if [[ "${1:-}" == "--prune" ]]; then
  prune
  exit 0
fi
[[ $# -eq 0 ]] || die "unknown argument '$1' (usage: backup.sh [--prune])"

# Every prerequisite is checked before anything is written.
[[ -n "${DATABASE_URL:-}" ]] || die "DATABASE_URL is not set"
need psql "PostgreSQL client"
need pg_dump "PostgreSQL client"
need tar "tar"
need gzip "gzip"
need sha256sum "coreutils"
[[ -z "${REDIS_URL:-}" ]] || need redis-cli "REDIS_URL is set"
[[ -z "${S3_BUCKET:-}" ]] || need aws "S3_BUCKET is set: install the aws CLI or unset S3_BUCKET"
[[ -z "${BACKUP_PUSHGATEWAY_URL:-}" ]] || need curl "BACKUP_PUSHGATEWAY_URL is set"
recipient="${BACKUP_ENCRYPT_RECIPIENT:-}"
if [[ "$recipient" == age1* ]]; then
  need age "BACKUP_ENCRYPT_RECIPIENT is an age key"
elif [[ -n "$recipient" ]]; then
  need gpg "BACKUP_ENCRYPT_RECIPIENT is a gpg recipient"
fi

started=${EPOCHREALTIME/./}
stamp=$(date -u +%Y%m%d_%H%M%S)
# Two runs in the same second (a manual run beside cron) must not share a name.
while compgen -G "$BACKUP_DIR/full_backup_${stamp}.tar.gz*" >/dev/null; do
  sleep 1
  stamp=$(date -u +%Y%m%d_%H%M%S)
done
name="full_backup_${stamp}.tar.gz"
work=$(mktemp -d "$BACKUP_DIR/.work.XXXXXX")
partial="$BACKUP_DIR/.${name}.partial"
pg_pid=""
cleanup() {
  [[ -z "$pg_pid" ]] || kill "$pg_pid" 2>/dev/null || true
  rm -rf -- "$work" "$partial" "$partial.enc"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

if ! err=$(psql -X -q -A -t -w -d "$DATABASE_URL" -c 'SELECT 1' 2>&1 >/dev/null); then
  die "PostgreSQL unreachable: $(head -n1 <<<"$err")"
fi

# Row counts, latest migration and the dump all read one snapshot: a session exports it and stays
# open (REPEATABLE READ) until pg_dump has finished, so the manifest describes exactly the dump.
coproc PG_SESSION { psql -X -q -A -t -w -v ON_ERROR_STOP=1 -d "$DATABASE_URL" 2>"$work/session.err"; }
pg_pid=$PG_SESSION_PID
exec {pg_in}>&"${PG_SESSION[1]}" {pg_out}<&"${PG_SESSION[0]}"
# Only the copies stay open, so closing pg_in later really ends psql's input.
eval "exec ${PG_SESSION[1]}>&- ${PG_SESSION[0]}<&-"
cat >&"$pg_in" <<'SQL' || die "the database session ended early: $(first_line "$work/session.err")"
BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
SELECT 'snapshot|' || pg_export_snapshot();
SELECT 'rows|' || format('%I.%I', n.nspname, c.relname) || '|'
       || (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
ORDER BY 1;
SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS has_migrations \gset
\if :has_migrations
SELECT 'migration|' || hash || '|' || created_at FROM drizzle.__drizzle_migrations ORDER BY created_at DESC, id DESC LIMIT 1;
\endif
SELECT 'end|';
SQL
kind="" snapshot="" migration_hash="" migration_at="" rows=()
while IFS='|' read -r -t 300 kind a b <&"$pg_out"; do
  case "$kind" in
    snapshot) snapshot=$a ;;
    rows) rows+=("$a|$b") ;;
    migration) migration_hash=$a migration_at=$b ;;
    end) break ;;
  esac
done
[[ "$kind" == end && -n "$snapshot" ]] || die "reading the database failed: $(first_line "$work/session.err")"

log "dumping PostgreSQL (${#rows[@]} tables)"
if ! pg_dump -w --format=custom --lock-wait-timeout=120s --snapshot="$snapshot" -d "$DATABASE_URL" -f "$work/database.dump" 2>"$work/pg_dump.err"; then
  die "pg_dump failed: $(first_line "$work/pg_dump.err")"
fi
printf 'COMMIT;\n' >&"$pg_in"
exec {pg_in}>&- {pg_out}<&-
wait "$pg_pid" || true
pg_pid=""

redis_state="not configured"
if [[ -n "${REDIS_URL:-}" ]]; then
  # --rdb copies the whole instance (every database index), as a replica would receive it.
  if redis-cli -u "$REDIS_URL" --no-auth-warning --rdb "$work/redis.rdb" >"$work/redis.err" 2>&1; then
    redis_state="included"
  else
    rm -f "$work/redis.rdb"
    reason="redis-cli --rdb failed: $(grep -m1 -i -E 'error|refused|denied|fail' "$work/redis.err" || first_line "$work/redis.err")"
    # Redis is a cache here: a night without its copy beats a night without the database's.
    [[ "${BACKUP_REDIS_REQUIRED:-false}" != "true" ]] || die "$reason"
    warn "$reason; archive made without Redis"
    redis_state="skipped: $reason"
  fi
fi

app_version="${APP_VERSION:-}"
if [[ -z "$app_version" && -r "$script_dir/../apps/backend/package.json" ]]; then
  app_version=$(sed -n 's/^  "version": *"\([^"]*\)".*/\1/p' "$script_dir/../apps/backend/package.json" | head -n1)
fi

json_str() {
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "${s//$'\n'/ }"
}
files=(database.dump)
[[ ! -f "$work/redis.rdb" ]] || files+=(redis.rdb)
(cd "$work" && sha256sum -- "${files[@]}") >"$work/SHA256SUMS.data"
{
  printf '{\n  "format": "ecosyste-backup/1",\n'
  printf '  "created_at": "%s",\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  printf '  "archive": "%s",\n' "$name"
  printf '  "app_version": %s,\n' "$(json_str "${app_version:-unknown}")"
  if [[ -n "$migration_hash" ]]; then
    printf '  "latest_migration": { "hash": %s, "created_at": %s },\n' "$(json_str "$migration_hash")" "${migration_at:-0}"
  else
    printf '  "latest_migration": null,\n'
  fi
  printf '  "postgres_server_version": %s,\n' "$(json_str "$(psql -X -A -t -w -d "$DATABASE_URL" -c 'SHOW server_version' 2>/dev/null || echo unknown)")"
  printf '  "pg_dump_version": %s,\n' "$(json_str "$(pg_dump --version)")"
  printf '  "redis": %s,\n' "$(json_str "$redis_state")"
  printf '  "files": {'
  sep=""
  while read -r sum file; do
    printf '%s\n    "%s": { "size_bytes": %s, "sha256": "%s" }' "$sep" "$file" "$(stat -c %s "$work/$file")" "$sum"
    sep=","
  done <"$work/SHA256SUMS.data"
  printf '\n  },\n  "row_counts": {'
  sep=""
  for entry in "${rows[@]}"; do
    printf '%s\n    %s: %s' "$sep" "$(json_str "${entry%|*}")" "${entry##*|}"
    sep=","
  done
  printf '\n  }\n}\n'
} >"$work/manifest.json"
(cd "$work" && sha256sum -- "${files[@]}" manifest.json) >"$work/SHA256SUMS"
rm -f "$work/SHA256SUMS.data"

# The dump is already compressed: gzip -1 only wraps it, cheaply.
if ! tar -C "$work" -cf - SHA256SUMS manifest.json "${files[@]}" | gzip -1 >"$partial"; then
  die "writing the archive in $BACKUP_DIR failed (disk full?)"
fi

final="$BACKUP_DIR/$name"
if [[ "$recipient" == age1* ]]; then
  age -r "$recipient" -o "$partial.enc" "$partial" 2>"$work/enc.err" || die "age encryption failed: $(first_line "$work/enc.err")"
  final+=".age"
elif [[ -n "$recipient" ]]; then
  gpg --batch --yes --trust-model always --recipient "$recipient" --output "$partial.enc" --encrypt "$partial" 2>"$work/enc.err" ||
    die "gpg encryption failed: $(first_line "$work/enc.err")"
  final+=".gpg"
fi
if [[ -f "$partial.enc" ]]; then
  mv -- "$partial.enc" "$partial"
fi
sync -- "$partial" 2>/dev/null || true
mv -- "$partial" "$final"
size=$(stat -c %s "$final")
log "archive written: $(basename "$final") ($size bytes)"

if [[ -n "${S3_BUCKET:-}" ]]; then
  target="s3://${S3_BUCKET}/${S3_PREFIX:-}$(basename "$final")"
  s3_args=(s3 cp --only-show-errors "$final" "$target")
  [[ -z "${S3_ENDPOINT_URL:-}" ]] || s3_args+=(--endpoint-url "$S3_ENDPOINT_URL")
  # The local copy stays: it is the fastest restore, and the bucket's own lifecycle prunes S3.
  aws "${s3_args[@]}" 2>"$work/s3.err" || die "upload to $target failed (local archive kept): $(first_line "$work/s3.err")"
  log "uploaded to $target"
fi

prune

elapsed_us=$((${EPOCHREALTIME/./} - started))
if [[ -n "${BACKUP_METRICS_FILE:-}" || -n "${BACKUP_PUSHGATEWAY_URL:-}" ]]; then
  metrics=$(
    printf '# HELP ecosyste_backup_last_success_timestamp_seconds Unix time of the last backup that completed.\n'
    printf '# TYPE ecosyste_backup_last_success_timestamp_seconds gauge\n'
    printf 'ecosyste_backup_last_success_timestamp_seconds %s\n' "$(date +%s)"
    printf '# HELP ecosyste_backup_last_size_bytes Size of the last completed backup archive.\n'
    printf '# TYPE ecosyste_backup_last_size_bytes gauge\n'
    printf 'ecosyste_backup_last_size_bytes %s\n' "$size"
    printf '# HELP ecosyste_backup_last_duration_seconds Duration of the last completed backup.\n'
    printf '# TYPE ecosyste_backup_last_duration_seconds gauge\n'
    printf 'ecosyste_backup_last_duration_seconds %d.%06d\n' $((elapsed_us / 1000000)) $((elapsed_us % 1000000))
  )
fi
if [[ -n "${BACKUP_METRICS_FILE:-}" ]]; then
  # The textfile collector may read at any moment: write beside the file, then rename over it.
  tmp_metrics="${BACKUP_METRICS_FILE}.$$.tmp"
  if printf '%s\n' "$metrics" >"$tmp_metrics" && mv -f -- "$tmp_metrics" "$BACKUP_METRICS_FILE"; then
    :
  else
    rm -f -- "$tmp_metrics"
    die "archive $(basename "$final") written, but the metrics file $BACKUP_METRICS_FILE could not be"
  fi
fi
if [[ -n "${BACKUP_PUSHGATEWAY_URL:-}" ]]; then
  printf '%s\n' "$metrics" | curl -fsS --max-time 10 --data-binary @- "${BACKUP_PUSHGATEWAY_URL%/}/metrics/job/ecosyste_backup" >/dev/null 2>"$work/push.err" ||
    die "archive $(basename "$final") written, but the push to $BACKUP_PUSHGATEWAY_URL failed: $(first_line "$work/push.err")"
fi

businesses=$(printf '%s\n' "${rows[@]}" | sed -n 's/^public\.businesses|//p')
printf 'Backup completed: %s (%s bytes, %s businesses, redis %s) in %d.%01d s\n' \
  "$(basename "$final")" "$size" "${businesses:-0}" "$redis_state" $((elapsed_us / 1000000)) $((elapsed_us % 1000000 / 100000))
