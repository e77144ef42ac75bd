# shellcheck shell=bash
# Sourced by restore.sh: puts an RDB file back into the Redis at REDIS_URL. Prints one status
# line on stdout; progress and hand-restore instructions go to stderr.
#
# Redis reads its files only at start-up, and a supervisor (Docker's restart policy, the kubelet)
# may restart it the instant it stops. So the files are replaced while Redis still runs, with its
# own writers paused, and only then is it shut down without saving.

redis_cfg() {
  redis-cli -u "$REDIS_URL" --no-auth-warning CONFIG GET "$1" 2>/dev/null | sed -n 2p
}

redis_manual_steps() {
  cat >&2 <<EOF
Redis was not restored: $1.
Redis is only a cache here; the app runs without it and refills it. To restore it by hand:
  1. take redis.rdb out of the archive: tar -xzf ARCHIVE redis.rdb
  2. stop Redis, copy redis.rdb to <redis data dir>/dump.rdb; with appendonly yes, also move
     appendonlydir/ aside and recreate it holding appendonly.aof.1.base.rdb (the same file) and a
     file appendonly.aof.manifest containing: file appendonly.aof.1.base.rdb seq 1 type b
  3. start Redis; or rerun restore.sh with REDIS_DATA_DIR set to where this machine sees that directory.
EOF
}

restore_redis() {
  local rdb=$1 host dir dbfile aof aofdir aofname stamp
  local cli=(redis-cli -u "$REDIS_URL" --no-auth-warning)
  if [[ "$("${cli[@]}" PING 2>/dev/null)" != PONG ]]; then
    redis_manual_steps "Redis does not answer at ${REDIS_URL##*@}"
    echo "not restored (unreachable)"
    return 0
  fi
  dir=${REDIS_DATA_DIR:-}
  host=$(sed -E 's#^[a-z]+://([^@/]*@)?##; s#[:/].*$##' <<<"$REDIS_URL")
  # The directory Redis reports is only ours to write when Redis runs on this machine.
  if [[ -z "$dir" && "$host" =~ ^(127\.[0-9.]+|localhost|\[::1\])$ ]]; then
    dir=$(redis_cfg dir)
  fi
  if [[ -z "$dir" || ! -d "$dir" || ! -w "$dir" ]]; then
    redis_manual_steps "its data directory is not reachable from here (set REDIS_DATA_DIR)"
    echo "not restored (data directory not reachable)"
    return 0
  fi
  dbfile=$(redis_cfg dbfilename)
  aof=$(redis_cfg appendonly)
  aofdir=$(redis_cfg appenddirname)
  aofname=$(redis_cfg appendfilename)
  dbfile=${dbfile:-dump.rdb} aofdir=${aofdir:-appendonlydir} aofname=${aofname:-appendonly.aof}
  stamp=$(date -u +%Y%m%d_%H%M%S)

  # Nothing may overwrite the new files between now and the shutdown.
  "${cli[@]}" CONFIG SET save "" >/dev/null 2>&1 || true
  "${cli[@]}" CONFIG SET auto-aof-rewrite-percentage 0 >/dev/null 2>&1 || true

  cp -- "$rdb" "$dir/.$dbfile.restore"
  mv -f -- "$dir/.$dbfile.restore" "$dir/$dbfile"
  if [[ "$aof" == yes ]]; then
    # With AOF on, Redis starts from the AOF and ignores dump.rdb: the RDB becomes the AOF's base.
    rm -rf -- "$dir/.$aofdir.restore"
    mkdir -- "$dir/.$aofdir.restore"
    cp -- "$rdb" "$dir/.$aofdir.restore/$aofname.1.base.rdb"
    printf 'file %s.1.base.rdb seq 1 type b\n' "$aofname" >"$dir/.$aofdir.restore/$aofname.manifest"
    if [[ -d "$dir/$aofdir" ]]; then
      mv -- "$dir/$aofdir" "$dir/$aofdir.before-restore-$stamp"
      printf 'restore: the previous AOF is kept in %s (delete it once satisfied)\n' "$dir/$aofdir.before-restore-$stamp" >&2
    fi
    mv -- "$dir/.$aofdir.restore" "$dir/$aofdir"
  fi
  if ((EUID == 0)); then
    chown -R --reference="$dir" -- "$dir/$dbfile" "$dir/$aofdir" 2>/dev/null || true
  fi

  "${cli[@]}" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
  local deadline=$((SECONDS + 10))
  while [[ "$("${cli[@]}" PING 2>/dev/null)" == PONG ]]; do
    ((SECONDS < deadline)) || die "Redis did not stop for the restore (PostgreSQL is restored)"
    sleep 0.1
  done
  if [[ -n "${REDIS_START_COMMAND:-}" ]]; then
    bash -c "$REDIS_START_COMMAND" >&2 || die "REDIS_START_COMMAND failed (PostgreSQL is restored; the RDB is in place in $dir)"
  else
    printf 'restore: Redis stopped; waiting for its supervisor to start it again\n' >&2
  fi
  # PING answers LOADING while a large RDB is read back: wait for PONG.
  deadline=$((SECONDS + ${REDIS_START_TIMEOUT:-60}))
  until [[ "$("${cli[@]}" PING 2>/dev/null)" == PONG ]]; do
    ((SECONDS < deadline)) || die "Redis did not come back within ${REDIS_START_TIMEOUT:-60} s (the RDB is in place in $dir; start Redis)"
    sleep 0.2
  done
  local keys
  keys=$("${cli[@]}" INFO keyspace 2>/dev/null | awk -F'[=,]' '/^db[0-9]+:keys=/ { n += $2 } END { print n + 0 }')
  echo "restored (${keys:-0} keys)"
}
