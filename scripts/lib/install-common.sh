# Shared by scripts/install.sh and scripts/update.sh (sourced, never run): their output, the dry
# run, the staging root, and the checks of the system they run on.
# shellcheck shell=bash

# Exit statuses: lockerctl's (src/control/protocol.ts EXIT_STATUS), so scripts and CLI agree.
# shellcheck disable=SC2034 # each script uses its own subset
readonly EX_FAILED=1 EX_USAGE=64 EX_UNAVAILABLE=69 EX_PERMISSION=77 EX_CONFIG=78

ROOT=/
DRY_RUN=0
CHANGES=0
# The unit runs /usr/bin/node: that one must be recent enough, whatever else is on PATH.
NODE=${LOCKERD_NODE:-/usr/bin/node}
NODE_MIN=20.19
OS_RELEASE=${LOCKERD_OS_RELEASE:-/etc/os-release}
# npm ci's flags and npm itself: a site with a primed cache adds --offline; the tests use both.
NPM=${LOCKERD_NPM:-npm}
read -r -a NPM_CI_FLAGS <<<"${LOCKERD_NPM_CI_FLAGS:-}"
SHADOW_PREFIX=()
SYSTEMCTL_ROOT=()
WORK=''

die() {
  local status=$1
  shift
  printf '%s: %s\n' "$PROG" "$*" >&2
  exit "$status"
}
ok() { printf 'ok    %s\n' "$*"; }
note() { printf 'note  %s\n' "$*"; }

# Words as a shell reads them back: plain when safe, else in single quotes.
quote() {
  local w out=''
  for w in "$@"; do
    if [[ "$w" =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then out+=" $w"; else out+=" '${w//\'/\'\\\'\'}'"; fi
  done
  printf '%s' "${out# }"
}

# Prints a command, then runs it (not under --dry-run); counted as a change.
run() {
  CHANGES=$((CHANGES + 1))
  printf '+ %s\n' "$(quote "$@")"
  if [ "$DRY_RUN" = 0 ]; then "$@"; fi
}

# A path of the target system: /etc/x, or DIR/etc/x under --root DIR.
at() {
  if [ "$ROOT" = / ]; then printf '%s' "$1"; else printf '%s%s' "${ROOT%/}" "$1"; fi
}
staging() { [ "$ROOT" != / ]; }

# --root DIR: useradd & co. edit DIR/etc/passwd (no chroot), systemctl enables inside DIR.
set_root() {
  [ -d "$1" ] || die "$EX_USAGE" "--root $1: no such directory"
  ROOT=$(cd "$1" && pwd)
  if staging; then
    SHADOW_PREFIX=(--prefix "$ROOT")
    SYSTEMCTL_ROOT=(--root="$ROOT")
  fi
}

# A scratch directory ($WORK), removed on exit; nothing of the target system lives there.
make_work_dir() {
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/lockerd-$PROG.XXXXXX")
  trap 'rm -rf "$WORK"' EXIT
}

# Users and groups of the target: NSS on the real system, the files under a staging root.
group_line() {
  if staging; then grep -E "^$1:" "$(at /etc/group)" 2>/dev/null; else getent group "$1"; fi
}
passwd_line() {
  if staging; then grep -E "^$1:" "$(at /etc/passwd)" 2>/dev/null; else getent passwd "$1"; fi
}
group_exists() { group_line "$1" >/dev/null; }
user_exists() { passwd_line "$1" >/dev/null; }
# Whether USER is listed as a member of GROUP.
in_group() { group_line "$2" | cut -d: -f4 | tr ',' '\n' | grep -qx "$1"; }

# uid:gid for OWNER:GROUP names of the target ("?" for one that does not exist yet).
ids_of() {
  local uid gid
  uid=$(passwd_line "$1" | cut -d: -f3)
  gid=$(group_line "$2" | cut -d: -f3)
  printf '%s:%s' "${uid:-?}" "${gid:-?}"
}

# The owner argument for install/chown: names on the real system; numbers under a staging root,
# whose users this machine's NSS does not know.
owner_arg() {
  if staging && user_exists "$1" && group_exists "$2"; then ids_of "$1" "$2"; else printf '%s:%s' "$1" "$2"; fi
}

# Installs SRC as DST (MODE, OWNER, GROUP) unless DST already is that, byte for byte.
# Sets FILE_CHANGED to 1 when it changed (or would change) DST, to 0 when DST was already right.
FILE_CHANGED=0
install_file() {
  local src=$1 dst=$2 mode=$3 owner=${4:-root} group=${5:-root} owner_ids
  owner_ids=$(owner_arg "$owner" "$group")
  if file_is "$src" "$dst" "$mode" "$owner" "$group"; then
    ok "$dst"
    FILE_CHANGED=0
  else
    run install -D -m "$mode" -o "${owner_ids%%:*}" -g "${owner_ids#*:}" "$src" "$dst"
    FILE_CHANGED=1
  fi
}

# Whether DST already is SRC byte for byte, with MODE OWNER GROUP.
file_is() {
  [ -f "$2" ] && cmp -s "$1" "$2" && [ "$(stat -c '%a %u:%g' "$2")" = "$3 $(ids_of "$4" "$5")" ]
}

# As install_file, with the content on stdin, printed as a here-document the shell could replay.
write_file() {
  local dst=$1 mode=$2 owner=${3:-root} group=${4:-root} tmp owner_ids
  tmp="$WORK/$(basename "$dst").$RANDOM"
  cat >"$tmp"
  owner_ids=$(owner_arg "$owner" "$group")
  if file_is "$tmp" "$dst" "$mode" "$owner" "$group"; then
    ok "$dst"
    FILE_CHANGED=0
    return
  fi
  CHANGES=$((CHANGES + 1))
  FILE_CHANGED=1
  printf "+ %s <<'EOF'\n" "$(quote install -D -m "$mode" -o "${owner_ids%%:*}" -g "${owner_ids#*:}" /dev/stdin "$dst")"
  cat "$tmp"
  echo EOF
  if [ "$DRY_RUN" = 0 ]; then install -D -m "$mode" -o "${owner_ids%%:*}" -g "${owner_ids#*:}" "$tmp" "$dst"; fi
}

# A directory with MODE OWNER GROUP, made or corrected.
ensure_dir() {
  local dir=$1 mode=$2 owner=$3 group=$4 owner_ids
  owner_ids=$(owner_arg "$owner" "$group")
  if [ -d "$dir" ] && [ "$(stat -c '%a %u:%g' "$dir")" = "$mode $(ids_of "$owner" "$group")" ]; then
    ok "$dir/"
  else
    run install -d -m "$mode" -o "${owner_ids%%:*}" -g "${owner_ids#*:}" "$dir"
  fi
}

os_field() {
  sed -n -E "s/^$1=[\"']?([^\"']*)[\"']?\$/\\1/p" "$OS_RELEASE" | head -n 1
}

# Debian 12/13 or Raspberry Pi OS on them, on a CPU Node and the addons support; sets OS_CODENAME.
check_os() {
  [ -r "$OS_RELEASE" ] || die "$EX_UNAVAILABLE" "cannot read $OS_RELEASE: lockerd installs on Debian 12 or 13 and Raspberry Pi OS only"
  local id version pretty arch
  id=$(os_field ID)
  version=$(os_field VERSION_ID)
  pretty=$(os_field PRETTY_NAME)
  OS_CODENAME=$(os_field VERSION_CODENAME)
  case "$id:$version" in
    debian:12 | debian:13 | raspbian:12 | raspbian:13) ;;
    *) die "$EX_UNAVAILABLE" "unsupported system \"${pretty:-$id $version}\" ($OS_RELEASE): lockerd installs on Debian 12 (bookworm), Debian 13 (trixie) and Raspberry Pi OS based on them" ;;
  esac
  arch=$(dpkg --print-architecture 2>/dev/null || echo unknown)
  case "$arch" in
    amd64 | arm64 | armhf) ;;
    *) die "$EX_UNAVAILABLE" "unsupported architecture $arch: lockerd installs on amd64, arm64 and armhf" ;;
  esac
}

check_root() {
  [ "$(id -u)" = 0 ] || [ "$DRY_RUN" = 1 ] || die "$EX_PERMISSION" "must run as root (sudo $PROG ...); --dry-run shows the plan without root"
}

# The version of $NODE, or nothing when it is missing or does not run.
node_version() {
  [ -x "$NODE" ] && "$NODE" -p 'process.versions.node' 2>/dev/null
}

# True when dotted version $1 >= $2.
version_at_least() {
  printf '%s\n%s\n' "$2" "$1" | sort -V -C
}

# Whether a Debian package is installed on this machine.
have_package() {
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

# The RELEASE line of an installed or extracted app directory (empty if none).
release_of() {
  if [ -f "$1/RELEASE" ]; then head -n 1 "$1/RELEASE"; fi
}

# The RELEASE line inside a tarball made by npm run package, without extracting it.
tarball_release() {
  local member
  member=$(tar -tzf "$1" 2>/dev/null | awk '/^[^\/]+\/RELEASE$/ && !found { print; found = 1 }') || return 1
  [ -n "$member" ] || return 1
  tar -xzOf "$1" "$member" | sed -n 1p
}
