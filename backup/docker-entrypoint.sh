#!/usr/bin/env bash
# Entry point of the image built from Dockerfile.backup.
#   cron (default)       run backup/crontab: daily backup.sh, weekly full_backup.sh (docker compose)
#   backup.sh | restore.sh | full_backup.sh | any command   run it once (Kubernetes CronJob, drills)
set -euo pipefail

BACKUP_USER=${BACKUP_USER:-ecosyste}
ENV_FILE=${BACKUP_ENV_FILE:-/run/ecosyste-backup/env}
LOG_FILE=${BACKUP_LOG_FILE:-/var/log/backup.log}
CRONTAB=${BACKUP_CRONTAB:-/etc/ecosyste/crontab}

case "${1:-cron}" in
  backup.sh | restore.sh | full_backup.sh) exec "/scripts/$1" "${@:2}" ;;
  cron) ;;
  *) exec "$@" ;;
esac

[[ -n "${DATABASE_URL:-}" ]] || {
  echo "DATABASE_URL is not set: the scheduled backups would all fail" >&2
  exit 1
}
((EUID == 0)) || {
  echo "cron mode needs root (it drops to $BACKUP_USER for the jobs); run a script instead, e.g. backup.sh" >&2
  exit 1
}
# cron hands its jobs an empty environment: keep the backup settings in a file only the job
# user reads (it holds the database password).
install -d -o "$BACKUP_USER" -m 0700 "$(dirname "$ENV_FILE")"
(umask 077 && export -p | grep -E '^declare -x (DATABASE_URL|REDIS_URL|REDIS_DATA_DIR|BACKUP_[A-Z_]+|S3_[A-Z_]+|AWS_[A-Z_]+|APP_VERSION|GNUPGHOME|TZ)=' >"$ENV_FILE")
chown "$BACKUP_USER" "$ENV_FILE"
install -o "$BACKUP_USER" -m 0640 /dev/null "$LOG_FILE"
crontab -u "$BACKUP_USER" "$CRONTAB"
echo "backup schedule installed for $BACKUP_USER:" && grep -E '^[0-9*]' "$CRONTAB"

# cron writes the jobs' output to the log file; tail forwards it to the container's log. If
# either stops, the container stops and its restart policy brings both back.
cron -f &
tail -n 0 -F "$LOG_FILE" &
wait -n
exit 1
