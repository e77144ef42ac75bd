#!/usr/bin/env bash
# Restores an archive written by scripts/backup.sh: checksums first, then PostgreSQL into
# DATABASE_URL (pg_restore --clean --if-exists, parallel), then Redis's RDB when its data
# directory is reachable from here.
#
#   scripts/restore.sh [--force] [--skip-redis] [--jobs N] ARCHIVE|s3://bucket/key
#
# Environment: DATABASE_URL (required), REDIS_URL, REDIS_DATA_DIR (Redis's data directory as seen
# from here; default: what Redis reports, when it exists here), REDIS_START_COMMAND (run after the
# files are in place; otherwise a supervisor is expected to restart Redis), REDIS_START_TIMEOUT (60),
# BACKUP_DECRYPT_IDENTITY (age identity file for *.age; *.gpg uses the gpg keyring),
# S3_ENDPOINT_URL, RESTORE_WORK_DIR (default $TMPDIR or /tmp), RESTORE_MAINTENANCE_WORK_MEM (256MB).
set -euo pipefail

die() {
  printf 'restore failed: %s\n' "$*" >&2
  exit 1
}
log() { printf '%s restore: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 is not installed ($2)"; }
first_line() { grep -m1 -v '^[[:space:]]*$' "$1" 2>/dev/null | tr -d '\r' || true; }
usage="usage: restore.sh [--force] [--skip-redis] [--jobs N] ARCHIVE|s3://bucket/key"

force=false skip_redis=false jobs="" source=""
while (($#)); do
  case "$1" in
    --force) force=true ;;
    --skip-redis) skip_redis=true ;;
    --jobs)
      [[ "${2:-}" =~ ^[1-9][0-9]?$ ]] || die "--jobs needs a number between 1 and 99"
      jobs=$2
      shift
      ;;
    -h | --help)
      echo "$usage"
      exit 0
      ;;
    -*) die "unknown option '$1' ($usage)" ;;
    *)
      [[ -z "$source" ]] || die "one archive at a time ($usage)"
      source=$1
      ;;
  esac
  shift
done
[[ -n "$source" ]] || die "no archive given ($usage)"
[[ -n "${DATABASE_URL:-}" ]] || die "DATABASE_URL is not set"
need psql "PostgreSQL client"
need pg_restore "PostgreSQL client"
need tar "tar"
need gzip "gzip"
need sha256sum "coreutils"
need jq "reads the manifest"
# Parallel restore is where the time goes (index builds); more jobs than cores only queue.
jobs=${jobs:-$(($(nproc 2>/dev/null || echo 2) > 4 ? 4 : $(nproc 2>/dev/null || echo 2)))}

started=${EPOCHREALTIME/./}
elapsed() {
  local us=$((${EPOCHREALTIME/./} - started))
  printf '%d.%01d s' $((us / 1000000)) $((us % 1000000 / 100000))
}
work=$(mktemp -d "${RESTORE_WORK_DIR:-${TMPDIR:-/tmp}}/ecosyste-restore.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
# Passwords stay out of the output.
db_label=$(sed -E 's#^[a-z]+://([^@/]*@)?##; s#\?.*$##' <<<"$DATABASE_URL")

archive=$source
if [[ "$source" == s3://* ]]; then
  need aws "the archive is on S3"
  archive="$work/$(basename "$source")"
  s3_args=(s3 cp --only-show-errors "$source" "$archive")
  [[ -z "${S3_ENDPOINT_URL:-}" ]] || s3_args+=(--endpoint-url "$S3_ENDPOINT_URL")
  aws "${s3_args[@]}" 2>"$work/s3.err" || die "download of $source failed: $(first_line "$work/s3.err")"
fi
[[ -f "$archive" && -r "$archive" ]] || die "archive $archive not found"

case "$archive" in
  *.age)
    need age "the archive is age-encrypted"
    [[ -r "${BACKUP_DECRYPT_IDENTITY:-}" ]] || die "BACKUP_DECRYPT_IDENTITY must name the age identity file that decrypts $archive"
    age -d -i "$BACKUP_DECRYPT_IDENTITY" -o "$work/archive.tar.gz" "$archive" 2>"$work/dec.err" || die "decryption failed: $(first_line "$work/dec.err")"
    archive="$work/archive.tar.gz"
    ;;
  *.gpg)
    need gpg "the archive is gpg-encrypted"
    gpg --batch --yes --output "$work/archive.tar.gz" --decrypt "$archive" 2>"$work/dec.err" || die "decryption failed: $(first_line "$work/dec.err")"
    archive="$work/archive.tar.gz"
    ;;
esac

# Verification comes before anything touches the database.
gzip -t "$archive" 2>/dev/null || die "archive $source is corrupted (gzip check failed); nothing was restored"
mkdir "$work/x"
tar -C "$work/x" --no-same-owner -xzf "$archive" 2>"$work/tar.err" || die "archive $source is unreadable: $(first_line "$work/tar.err")"
for f in SHA256SUMS manifest.json database.dump; do
  [[ -f "$work/x/$f" ]] || die "archive $source has no $f: not a backup.sh archive; nothing was restored"
done
grep -q ' database.dump$' "$work/x/SHA256SUMS" || die "archive $source: SHA256SUMS does not cover database.dump"
if ! (cd "$work/x" && sha256sum --quiet --strict -c SHA256SUMS) >"$work/sum.err" 2>&1; then
  die "archive $source failed its checksums ($(first_line "$work/sum.err" | sed 's/: FAILED.*/ differs/')); nothing was restored"
fi
pg_restore --list "$work/x/database.dump" >"$work/toc.list" 2>"$work/toc.err" || die "database.dump is not a readable pg_dump archive: $(first_line "$work/toc.err")"
manifest="$work/x/manifest.json"
jq -e '.format == "ecosyste-backup/1"' "$manifest" >/dev/null 2>&1 || die "manifest.json is not an ecosyste-backup/1 manifest"
log "verified $(basename "$source"): created $(jq -r .created_at "$manifest"), app $(jq -r .app_version "$manifest"), migration $(jq -r '.latest_migration.hash // "none" | .[0:12]' "$manifest")"

if ! err=$(psql -X -q -A -t -w -d "$DATABASE_URL" -c 'SELECT 1' 2>&1 >/dev/null); then
  die "PostgreSQL unreachable: $(head -n1 <<<"$err")"
fi
holds=$(psql -X -q -A -t -w -v ON_ERROR_STOP=1 -d "$DATABASE_URL" 2>"$work/check.err" <<'SQL'
SELECT to_regclass('public.businesses') IS NOT NULL AS has_table \gset
\if :has_table
SELECT EXISTS (SELECT 1 FROM public.businesses);
\else
SELECT false;
\endif
SQL
) || die "checking $db_label failed: $(first_line "$work/check.err")"
if [[ "$holds" == t && "$force" != true ]]; then
  die "$db_label already holds businesses; pass --force to replace its contents with the archive's"
fi

# A role that isn't the extension's owner may not comment on it; the comment is not data.
grep -v -E ' COMMENT - EXTENSION ' "$work/toc.list" >"$work/restore.list"
log "restoring PostgreSQL into $db_label with $jobs job(s)"
# Index builds dominate a restore (the trigram index most): give each one more memory than the
# server's default, and don't wait for the WAL flush on every restored table.
export PGOPTIONS="${PGOPTIONS:-} -c maintenance_work_mem=${RESTORE_MAINTENANCE_WORK_MEM:-256MB} -c synchronous_commit=off"
if ! pg_restore -w --clean --if-exists --no-owner --no-acl --exit-on-error --jobs="$jobs" \
  --use-list="$work/restore.list" -d "$DATABASE_URL" "$work/x/database.dump" 2>"$work/restore.err"; then
  die "pg_restore failed after $(elapsed): $(first_line "$work/restore.err")"
fi
pg_done=$(elapsed)

# The archive's row counts were taken in the dump's own snapshot: they must match exactly.
restored=$(psql -X -q -A -t -w -d "$DATABASE_URL" -c "
SELECT format('%I.%I', n.nspname, c.relname) || '|'
       || (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
ORDER BY 1" 2>"$work/count.err") || die "counting restored rows failed: $(first_line "$work/count.err")"
summary=()
while IFS='|' read -r table expected; do
  actual=$(sed -n "s/^${table//./\\.}|//p" <<<"$restored")
  [[ "$actual" == "$expected" ]] || die "$table holds ${actual:-no} rows after the restore, the archive recorded $expected"
  summary+=("$table=$actual")
done < <(jq -r '.row_counts | to_entries[] | "\(.key)|\(.value)"' "$manifest")
log "PostgreSQL restored in $pg_done: ${summary[*]}"

redis_state="not in the archive"
if [[ -f "$work/x/redis.rdb" ]]; then
  if [[ "$skip_redis" == true ]]; then
    redis_state="skipped (--skip-redis)"
  elif [[ -z "${REDIS_URL:-}" ]]; then
    redis_state="skipped (REDIS_URL not set)"
  else
    need redis-cli "REDIS_URL is set"
    # shellcheck source=scripts/restore-redis.sh
    source "$(dirname "${BASH_SOURCE[0]}")/restore-redis.sh"
    redis_state=$(restore_redis "$work/x/redis.rdb")
  fi
fi

printf 'Restore completed: %s into %s (%s), redis: %s, in %s\n' \
  "$(basename "$source")" "$db_label" "${summary[*]}" "$redis_state" "$(elapsed)"
