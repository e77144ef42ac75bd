#!/usr/bin/env bash
# The seed's weekly "full" backup (cron: Sundays 01:00): the same archive as backup.sh, kept in
# $BACKUP_DIR/weekly for BACKUP_WEEKLY_RETENTION_DAYS (35) so a month of Sundays outlives the
# daily retention. The pgBackRest full backup of the same night runs beside PostgreSQL
# (backup/pgbackrest/crontab), not here: it needs the data directory.
set -euo pipefail

if [[ -n "${BACKUP_ENV_FILE:-}" && -r "$BACKUP_ENV_FILE" ]]; then
  set -a
  # shellcheck source=/dev/null
  source "$BACKUP_ENV_FILE"
  set +a
fi
# (already sourced: backup.sh must not read it again over the weekly BACKUP_DIR)
BACKUP_ENV_FILE="" \
  BACKUP_DIR="${BACKUP_DIR:-/backups}/weekly" \
  BACKUP_RETENTION_DAYS="${BACKUP_WEEKLY_RETENTION_DAYS:-35}" \
  exec "$(dirname "${BASH_SOURCE[0]}")/backup.sh" "$@"
