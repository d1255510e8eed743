#!/usr/bin/env bash
# Replaces the installed lockerd (/opt/lockerd) with a release tarball: the new app is prepared
# while the daemon still runs, then stop, a copy of the stopped ledger, the swap (the old app kept
# as /opt/lockerd.previous), start (the daemon migrates the ledger itself), and a wait until it
# answers. A failed start rolls back: the previous app, and the ledger copy if the start changed
# the ledger. Guide: docs/install.md, "Updating".
set -euo pipefail

PROG=update.sh
# shellcheck source-path=SCRIPTDIR source=lib/install-common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/install-common.sh"

usage() {
  cat <<'EOF'
usage: update.sh --from lockerd-X.tar.gz [--dry-run] [--timeout SECONDS] [--root DIR]

  --from FILE     the release tarball to install (npm run package makes one)
  --dry-run       print every step as a command, change nothing (needs no root)
  --timeout S     how long the new release has to answer after its start (default 90)
  --root DIR      a staging root: the files are updated inside DIR, the service is not touched
EOF
}

FROM=''
TIMEOUT=90
while [ $# -gt 0 ]; do
  case "$1" in
    --from) [ $# -ge 2 ] || die "$EX_USAGE" "--from needs a file (lockerd-X.tar.gz)"; FROM=$2; shift ;;
    --from=*) FROM=${1#--from=} ;;
    --dry-run) DRY_RUN=1 ;;
    --timeout) [ $# -ge 2 ] || die "$EX_USAGE" "--timeout needs a number of seconds"; TIMEOUT=$2; shift ;;
    --timeout=*) TIMEOUT=${1#--timeout=} ;;
    --root) [ $# -ge 2 ] || die "$EX_USAGE" "--root needs a directory"; set_root "$2"; shift ;;
    --root=*) set_root "${1#--root=}" ;;
    -h | --help) usage; exit 0 ;;
    *) die "$EX_USAGE" "unknown argument \"$1\" (update.sh --help lists the options)" ;;
  esac
  shift
done
[ -n "$FROM" ] || die "$EX_USAGE" "give the release to install: update.sh --from lockerd-X.tar.gz"
[[ "$TIMEOUT" =~ ^[1-9][0-9]*$ ]] || die "$EX_USAGE" "--timeout $TIMEOUT: give a whole number of seconds"

APP=$(at /opt/lockerd)
CONFIG=$(at /etc/lockerd/config.json)
# The service manager: systemctl; tests give a stand-in (the service is the boundary they replace).
SYSTEMCTL=${LOCKERD_SYSTEMCTL:-systemctl}

# ---- Checks: every refusal happens here, before anything is changed ---------------------------
check_root
check_os
found=$(node_version || true)
if [ -z "$found" ] || ! version_at_least "$found" "$NODE_MIN"; then
  die "$EX_UNAVAILABLE" "Node.js >= $NODE_MIN is needed at $NODE, found ${found:+v}${found:-none}; scripts/install.sh --install-node (docs/install.md, \"Node.js\")"
fi
[ -f "$FROM" ] || die "$EX_USAGE" "--from $FROM: no such file"
FROM=$(cd "$(dirname "$FROM")" && pwd)/$(basename "$FROM")
NEW_RELEASE=$(tarball_release "$FROM") || die "$EX_USAGE" "--from $FROM: not a lockerd release tarball (no RELEASE file in it; npm run package makes one)"
OLD_RELEASE=$(release_of "$APP")
[ -n "$OLD_RELEASE" ] || die "$EX_UNAVAILABLE" "no lockerd release in $APP: install first (scripts/install.sh --from $FROM)"
if [ "$OLD_RELEASE" = "$NEW_RELEASE" ]; then
  echo "update.sh: nothing to change, $APP already holds $NEW_RELEASE"
  exit 0
fi
[ -r "$CONFIG" ] || die "$EX_CONFIG" "cannot read $CONFIG: the ledger to back up is named there"

# ledger.path and control.socketPath of the config, as the daemon resolves them (relative to
# the config file's directory; the schema's defaults when unset).
config_path() {
  "$NODE" -e '
    const { readFileSync } = require("node:fs"); const { resolve, dirname } = require("node:path");
    const [file, where, section, key, fallback] = process.argv.slice(1);
    const c = JSON.parse(readFileSync(file, "utf8"));
    process.stdout.write(resolve(dirname(where), c[section]?.[key] ?? fallback));
  ' "$CONFIG" /etc/lockerd/config.json "$@"
}
LEDGER=$(config_path ledger path ./var/lockerd.db) || die "$EX_CONFIG" "$CONFIG is not valid JSON; fix it first (lockerd refuses it too)"
SOCKET=$(at "$(config_path control socketPath ./var/lockerd.sock)")

if [ "$DRY_RUN" = 1 ]; then echo "update.sh --dry-run: the steps below are printed, not run"; fi
echo "update.sh: $OLD_RELEASE -> $NEW_RELEASE"
make_work_dir

service() {
  if staging && [ -z "${LOCKERD_SYSTEMCTL:-}" ]; then
    note "staging root: systemctl $* skipped"
  else
    run "$SYSTEMCTL" "$@" lockerd.service
  fi
}

service_is_active() {
  if staging && [ -z "${LOCKERD_SYSTEMCTL:-}" ]; then return 0; fi
  [ "$("$SYSTEMCTL" is-active lockerd.service 2>/dev/null)" = active ]
}

# Active and answering on its control socket: a daemon that crashes at start shows "activating"
# or "failed", one that hangs does not answer status.
wait_until_answering() {
  local deadline=$((SECONDS + TIMEOUT)) state
  printf '+ # wait up to %ss: systemctl is-active lockerd, then lockerctl status answering\n' "$TIMEOUT"
  [ "$DRY_RUN" = 0 ] || return 0
  if staging && [ -z "${LOCKERD_SYSTEMCTL:-}" ]; then return 0; fi
  while [ "$SECONDS" -lt "$deadline" ]; do
    state=$("$SYSTEMCTL" is-active lockerd.service 2>/dev/null || true)
    case "$state" in
      failed | inactive) echo "update.sh: lockerd is $state after its start" >&2; return 1 ;;
      # "running": true: the daemon itself answered (a stopped one's status comes from the ledger).
      active) if LOCKERD_SOCKET=$SOCKET "$NODE" "$APP/scripts/lockerctl.mjs" --json status 2>/dev/null | grep -q '"running": true'; then return 0; fi ;;
    esac
    sleep 1
  done
  echo "update.sh: lockerd did not answer lockerctl status within ${TIMEOUT}s" >&2
  return 1
}

# The ledger's files: the database, and its WAL and shared memory when they exist.
ledger_files() {
  local f
  for f in "$1" "$1-wal" "$1-shm"; do if [ -e "$f" ]; then printf '%s\n' "$f"; fi; done
}

# ---- 1. The new app, prepared beside the running one (npm ci takes minutes on a Pi) -----------
NEXT=$APP.next
if [ -e "$NEXT" ]; then run rm -rf "$NEXT"; fi
run install -d -m 0755 "$NEXT"
run tar -xzf "$FROM" -C "$NEXT" --strip-components=1 --no-same-owner
run env -C "$NEXT" "$NPM" ci --omit=dev --no-audit --no-fund "${NPM_CI_FLAGS[@]}"
run chmod -R go-w "$NEXT"

# ---- 2. Stop, and copy the stopped ledger: nothing written after the copy is lost -------------
WAS_ACTIVE=0
if service_is_active; then WAS_ACTIVE=1; fi
service stop
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
BACKUP=$(at /var/lib/lockerd/backups)/update-$STAMP
LEDGER_AT=$(at "$LEDGER")
mapfile -t LEDGER_FILES < <(ledger_files "$LEDGER_AT")
if [ ${#LEDGER_FILES[@]} -gt 0 ] || [ "$DRY_RUN" = 1 ]; then
  # Owned by lockerd, mode 700: the copy holds codes as the ledger does.
  run install -d -m 0700 -o "$(owner_arg lockerd lockerd | cut -d: -f1)" -g "$(owner_arg lockerd lockerd | cut -d: -f2)" "$BACKUP"
  [ ${#LEDGER_FILES[@]} -gt 0 ] || LEDGER_FILES=("$LEDGER_AT")
  run cp -p "${LEDGER_FILES[@]}" "$BACKUP/"
else
  note "no ledger at $LEDGER yet: nothing to back up"
fi

# ---- 3. Swap: the running release becomes /opt/lockerd.previous ------------------------------
if [ -e "$APP.previous" ]; then run rm -rf "$APP.previous"; fi
run mv "$APP" "$APP.previous"
run mv "$NEXT" "$APP"
# The new release's units, rules and groups (it knows what it needs); packages too.
INSTALL_ARGS=(--serial-console keep)
if staging; then INSTALL_ARGS+=(--root "$ROOT"); fi
if [ "$DRY_RUN" = 1 ]; then INSTALL_ARGS+=(--dry-run); fi
run "$APP/scripts/install.sh" "${INSTALL_ARGS[@]}"

# ---- 4. Start; the daemon migrates the ledger (after its own copy) -----------------------------
service start
if wait_until_answering; then
  if [ "$DRY_RUN" = 1 ]; then echo "update.sh --dry-run: $CHANGES changes to make; nothing was changed"; exit 0; fi
  echo "update.sh: $NEW_RELEASE is running; the previous release stays in $APP.previous, the ledger copy in $BACKUP"
  exit 0
fi

# ---- 5. Roll back ---------------------------------------------------------------------------
echo "update.sh: the new release did not start; rolling back to $OLD_RELEASE (journalctl -u lockerd says why)" >&2
service stop
run rm -rf "$APP.failed"
run mv "$APP" "$APP.failed"
run mv "$APP.previous" "$APP"
# The start changed the ledger (a migration, at least a boot count): the old release gets it back
# as it left it (a newer schema it would refuse). Changed: other files, or other bytes.
restored=0
if [ ${#LEDGER_FILES[@]} -gt 0 ]; then
  mapfile -t now < <(ledger_files "$LEDGER_AT")
  if [ "${now[*]}" != "${LEDGER_FILES[*]}" ]; then restored=1; fi
  for f in "${LEDGER_FILES[@]}"; do
    if ! cmp -s "$f" "$BACKUP/$(basename "$f")"; then restored=1; fi
  done
fi
if [ "$restored" = 1 ]; then
  run rm -f "$LEDGER_AT-wal" "$LEDGER_AT-shm"
  for f in "${LEDGER_FILES[@]}"; do run cp -p "$BACKUP/$(basename "$f")" "$f"; done
elif [ ${#LEDGER_FILES[@]} -eq 0 ]; then
  # There was none: one the failed start created has the new schema; set aside, not deleted.
  mapfile -t now < <(ledger_files "$LEDGER_AT")
  for f in "${now[@]}"; do run mv "$f" "$f.failed-start"; done
fi
if [ -x "$APP/scripts/install.sh" ]; then
  INSTALL_ARGS=(--serial-console keep)
  if staging; then INSTALL_ARGS+=(--root "$ROOT"); fi
  run "$APP/scripts/install.sh" "${INSTALL_ARGS[@]}"
fi
if [ "$WAS_ACTIVE" = 1 ]; then service start; fi
ledger_note=''
if [ "$restored" = 1 ]; then ledger_note=", ledger restored from $BACKUP"; fi
die "$EX_FAILED" "update to $NEW_RELEASE failed and was rolled back to $OLD_RELEASE$ledger_note; the failed release is in $APP.failed"
