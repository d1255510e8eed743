#!/usr/bin/env bash
# Installs lockerd on Debian 12 (bookworm), Debian 13 (trixie) or Raspberry Pi OS on them
# (amd64, arm64, armhf): packages, the lockerd user, /opt/lockerd, /etc/lockerd/config.json, the
# units, tmpfiles and udev rules. Idempotent: a second run changes nothing and says so.
# Replacing an installed release is scripts/update.sh's job (ledger backup, rollback).
# Guide: docs/install.md.
set -euo pipefail

PROG=install.sh
# shellcheck source-path=SCRIPTDIR source=lib/install-common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/install-common.sh"

usage() {
  cat <<'EOF'
usage: install.sh [--from lockerd-X.tar.gz] [--dry-run] [--install-node]
                  [--serial-console auto|disable|keep] [--root DIR]

  --from FILE        install this release tarball (npm run package makes one); without it, the
                     release this script belongs to (a checkout is packaged first)
  --dry-run          print every step as a command, change nothing (needs no root)
  --install-node     on Debian 12 / Raspberry Pi OS bookworm (nodejs 18): add NodeSource's
                     Node 22 apt repository and install nodejs from it
  --serial-console   disable the Raspberry Pi's serial console so the RS-485 HAT gets the UART:
                     auto (when the config uses /dev/serial0 or /dev/ttyAMA0; default), disable, keep
  --root DIR         install into a staging root DIR instead of / (no packages, no udev or
                     systemd reload: for images and tests)
EOF
}

FROM=''
INSTALL_NODE=0
SERIAL_CONSOLE=auto
while [ $# -gt 0 ]; do
  case "$1" in
    --from) [ $# -ge 2 ] || die "$EX_USAGE" "--from needs a file (lockerd-X.tar.gz)"; FROM=$2; shift ;;
    --from=*) FROM=${1#--from=} ;;
    --dry-run) DRY_RUN=1 ;;
    --install-node) INSTALL_NODE=1 ;;
    --serial-console) [ $# -ge 2 ] || die "$EX_USAGE" "--serial-console needs auto, disable or keep"; SERIAL_CONSOLE=$2; shift ;;
    --serial-console=*) SERIAL_CONSOLE=${1#--serial-console=} ;;
    --root) [ $# -ge 2 ] || die "$EX_USAGE" "--root needs a directory"; set_root "$2"; shift ;;
    --root=*) set_root "${1#--root=}" ;;
    -h | --help) usage; exit 0 ;;
    *) die "$EX_USAGE" "unknown argument \"$1\" (install.sh --help lists the options)" ;;
  esac
  shift
done
case "$SERIAL_CONSOLE" in auto | disable | keep) ;; *) die "$EX_USAGE" "--serial-console $SERIAL_CONSOLE: give auto, disable or keep" ;; esac

SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
APP=$(at /opt/lockerd)
# The device groups lockerd may need: serial ports, hidraw (our udev rule), gpiochip.
DEVICE_GROUPS=(dialout plugdev gpio)
RUNTIME_PACKAGES=(libusb-1.0-0 gpiod sqlite3 ca-certificates)
# npm ci builds peercred from source, and better-sqlite3 when no prebuilt binary fits.
BUILD_PACKAGES=(build-essential python3)

# ---- Checks: every refusal happens here, before anything is changed ---------------------------
check_root
check_os

NODE_FROM=''
found=$(node_version || true)
if [ -n "$found" ] && version_at_least "$found" "$NODE_MIN"; then
  NODE_FROM=present
elif [ "$OS_CODENAME" = trixie ]; then
  # Debian 13's own nodejs is 20.19: the distribution's package, with its security updates.
  NODE_FROM=debian
elif [ "$INSTALL_NODE" = 1 ]; then
  NODE_FROM=nodesource
else
  die "$EX_UNAVAILABLE" "Node.js >= $NODE_MIN is needed at $NODE, found ${found:+v}${found:-none}; rerun with --install-node (adds NodeSource's Node 22 apt repository) or see docs/install.md, \"Node.js\""
fi
if [ "$NODE_FROM" = present ] && ! command -v npm >/dev/null 2>&1; then NODE_FROM=debian-npm; fi

SRC_KIND=''
SRC_RELEASE=''
make_work_dir
if [ -n "$FROM" ]; then
  [ -f "$FROM" ] || die "$EX_USAGE" "--from $FROM: no such file"
  FROM=$(cd "$(dirname "$FROM")" && pwd)/$(basename "$FROM")
  SRC_RELEASE=$(tarball_release "$FROM") || die "$EX_USAGE" "--from $FROM: not a lockerd release tarball (no RELEASE file in it; npm run package makes one)"
  SRC_KIND=tarball
elif [ -f "$SELF_DIR/RELEASE" ]; then
  SRC_KIND=dir
  SRC_RELEASE=$(release_of "$SELF_DIR")
elif [ -f "$SELF_DIR/tsconfig.json" ]; then
  SRC_KIND=checkout
  [ -x "$SELF_DIR/node_modules/.bin/tsc" ] || die "$EX_UNAVAILABLE" "this checkout cannot build a release (no TypeScript compiler: run npm ci in $SELF_DIR first), or install one: install.sh --from lockerd-X.tar.gz"
else
  die "$EX_USAGE" "$SELF_DIR is neither a lockerd release nor a checkout; give --from lockerd-X.tar.gz"
fi

if [ "$DRY_RUN" = 1 ]; then echo "install.sh --dry-run: the steps below are printed, not run"; fi
if staging; then echo "install.sh: staging root $ROOT"; fi

# ---- A checkout is packaged first: then it installs exactly as a release would ---------------
if [ "$SRC_KIND" = checkout ]; then
  version=$(sed -n -E 's/^  "version": "([^"]+)".*/\1/p' "$SELF_DIR/package.json")
  # Not counted as a change: it writes in the checkout only.
  printf '+ (cd %s && npm run package)\n' "$(quote "$SELF_DIR")"
  if [ "$DRY_RUN" = 0 ]; then (cd "$SELF_DIR" && npm run package >&2); fi
  FROM=$SELF_DIR/dist/lockerd-$version.tar.gz
  if [ "$DRY_RUN" = 0 ]; then
    SRC_RELEASE=$(tarball_release "$FROM") || die "$EX_FAILED" "npm run package made no release at $FROM"
  fi
  SRC_KIND=tarball
fi
# The files to read (units, rules, example config) before the app is in place.
SRC_TREE=$SELF_DIR
if [ "$SRC_KIND" = tarball ] && [ -n "$SRC_RELEASE" ]; then
  mkdir "$WORK/src"
  tar -xzf "$FROM" -C "$WORK/src" --strip-components=1 --no-same-owner
  SRC_TREE=$WORK/src
fi

# ---- Node.js --------------------------------------------------------------------------------
step_node() {
  case "$NODE_FROM" in
    present) ok "Node.js v$found at $NODE" ;;
    debian | debian-npm) ;; # with the packages below
    nodesource)
      if staging; then
        note "staging root: Node.js is this machine's business (NodeSource's repository not added)"
        return
      fi
      # NodeSource's key and repository, as its own setup script writes them, without piping a
      # script into bash: the key is armoured, apt reads it as it is (signed-by, .asc).
      have_package curl || run apt-get install -y --no-install-recommends curl ca-certificates
      run install -d -m 0755 /etc/apt/keyrings
      run curl -fsSL -o /etc/apt/keyrings/nodesource.asc https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key
      write_file /etc/apt/sources.list.d/nodesource.sources 644 <<'EOF'
# Node.js 22 from NodeSource, added by lockerd's install.sh --install-node (Debian 12's nodejs is 18).
Types: deb
URIs: https://deb.nodesource.com/node_22.x
Suites: nodistro
Components: main
Signed-By: /etc/apt/keyrings/nodesource.asc
EOF
      run apt-get update
      run apt-get install -y nodejs
      ;;
  esac
}

# ---- System packages ------------------------------------------------------------------------
step_packages() {
  local wanted=("${RUNTIME_PACKAGES[@]}" "${BUILD_PACKAGES[@]}") missing=() p
  case "$NODE_FROM" in debian) wanted+=(nodejs npm) ;; debian-npm) wanted+=(npm) ;; esac
  for p in "${wanted[@]}"; do have_package "$p" || missing+=("$p"); done
  if [ ${#missing[@]} -eq 0 ]; then
    ok "packages ${wanted[*]}"
  elif staging; then
    note "staging root: packages are not installed into it (this machine lacks: ${missing[*]})"
  else
    run apt-get update
    run apt-get install -y --no-install-recommends "${missing[@]}"
  fi
}

# ---- The lockerd user and its device groups --------------------------------------------------
step_user() {
  local g add=()
  if group_exists lockerd; then ok "group lockerd"; else run groupadd "${SHADOW_PREFIX[@]}" --system lockerd; fi
  if user_exists lockerd; then
    ok "user lockerd"
  else
    run useradd "${SHADOW_PREFIX[@]}" --system --gid lockerd --home-dir /var/lib/lockerd --no-create-home \
      --shell /usr/sbin/nologin --comment "lockerd parcel locker" lockerd
  fi
  PRESENT_GROUPS=()
  for g in "${DEVICE_GROUPS[@]}"; do
    if group_exists "$g"; then
      PRESENT_GROUPS+=("$g")
      in_group lockerd "$g" || add+=("$g")
    else
      note "no group $g on this system: lockerd is not put in it (docs/install.md, \"Device groups\")"
    fi
  done
  if [ ${#add[@]} -eq 0 ]; then
    ok "lockerd in groups ${PRESENT_GROUPS[*]}"
  else
    run usermod "${SHADOW_PREFIX[@]}" --append --groups "$(
      IFS=,
      echo "${add[*]}"
    )" lockerd
  fi
}

# ---- The app in /opt/lockerd ----------------------------------------------------------------
step_app() {
  local installed new=$APP.new
  installed=$(release_of "$APP")
  if [ -n "$installed" ] && [ "$installed" = "$SRC_RELEASE" ]; then
    ok "$APP holds $installed"
    return
  fi
  if [ -e "$APP" ]; then
    note "$APP holds ${installed:-an unknown release}; not replaced (scripts/update.sh --from FILE replaces it with a ledger backup and a rollback)"
    return
  fi
  # Built beside the target and moved into place at the end: an interrupted install leaves no half app.
  if [ -e "$new" ]; then run rm -rf "$new"; fi
  run install -d -m 0755 "$new"
  if [ "$SRC_KIND" = tarball ]; then
    run tar -xzf "$FROM" -C "$new" --strip-components=1 --no-same-owner
  else
    run cp -R "$SELF_DIR/." "$new/"
  fi
  # The dependencies without the dev tools; the native addons build for this CPU and this Node.
  run env -C "$new" "$NPM" ci --omit=dev --no-audit --no-fund "${NPM_CI_FLAGS[@]}"
  # The daemon cannot rewrite its own code: root owns it, nobody else writes to it.
  run chmod -R go-w "$new"
  run mv "$new" "$APP"
}

# ---- /etc/lockerd ---------------------------------------------------------------------------
step_config() {
  local cfg
  cfg=$(at /etc/lockerd/config.json)
  ensure_dir "$(at /etc/lockerd)" 750 root lockerd
  if [ -e "$cfg" ]; then
    ok "$cfg exists: left as it is"
  else
    # Courier PINs live in it: root writes, lockerd reads, nobody else.
    run install -m 0640 -o "$(owner_arg root lockerd | cut -d: -f1)" -g "$(owner_arg root lockerd | cut -d: -f2)" \
      "$FILES/config/examples/systemd-paths.json" "$cfg"
    CONFIG_NEW=1
  fi
}

# ---- Units, tmpfiles, udev rules, lockerctl on PATH -----------------------------------------
# Whether every directory ("d" line) of a tmpfiles.d file exists with its mode and owner.
tmpfiles_in_place() {
  local type path mode user group _
  [ -f "$1" ] || return 1
  while read -r type path mode user group _; do
    [ "$type" = d ] || continue
    [ -d "$(at "$path")" ] && [ "$(stat -c '%a %u:%g' "$(at "$path")")" = "${mode#0} $(ids_of "$user" "$group")" ] || return 1
  done <"$1"
}

step_units() {
  local units_changed=0 udev_changed=0 tmpfiles_changed=0 rules g
  install_file "$FILES/systemd/lockerd.service" "$(at /etc/systemd/system/lockerd.service)" 644
  units_changed=$((units_changed + FILE_CHANGED))
  install_file "$FILES/systemd/lockerd-screen.service" "$(at /etc/systemd/system/lockerd-screen.service)" 644
  units_changed=$((units_changed + FILE_CHANGED))
  # The unit's SupplementaryGroups= is replaced, not extended: a group this system lacks (gpio on
  # plain Debian) would stop the service at start ("216/GROUP").
  write_file "$(at /etc/systemd/system/lockerd.service.d/groups.conf)" 644 <<EOF
# Written by lockerd's install.sh: the device groups that exist on this system. Rerun install.sh
# after adding one (for instance groupadd --system gpio); docs/install.md, "Device groups".
[Service]
SupplementaryGroups=
SupplementaryGroups=${PRESENT_GROUPS[*]}
EOF
  units_changed=$((units_changed + FILE_CHANGED))

  install_file "$FILES/systemd/lockerd.tmpfiles.conf" "$(at /usr/lib/tmpfiles.d/lockerd.conf)" 644
  tmpfiles_changed=$FILE_CHANGED
  for rules in "$FILES"/systemd/*.rules; do
    install_file "$rules" "$(at "/etc/udev/rules.d/$(basename "$rules")")" 644
    udev_changed=$((udev_changed + FILE_CHANGED))
  done

  # lockerctl for technicians (members of group lockerd), on the installed daemon's socket: it
  # needs no config while the daemon runs, so it never reads the file with the courier PINs then.
  write_file "$(at /usr/local/bin/lockerctl)" 755 <<'EOF'
#!/bin/sh
# Written by lockerd's install.sh: lockerctl of the installed lockerd (/opt/lockerd).
export LOCKERD_SOCKET="${LOCKERD_SOCKET:-/run/lockerd/lockerd.sock}"
# Read only when the daemon is stopped, to answer read-only commands from the ledger (needs sudo).
export LOCKERD_CONFIG="${LOCKERD_CONFIG:-/etc/lockerd/config.json}"
exec /usr/bin/node /opt/lockerd/scripts/lockerctl.mjs "$@"
EOF
  # Bash completion, loaded by bash-completion the first time lockerctl is completed: it asks the
  # installed lockerctl for its script, so it always matches the installed commands.
  write_file "$(at /usr/share/bash-completion/completions/lockerctl)" 644 <<'EOF'
# Written by lockerd's install.sh: the completion of the installed lockerctl.
# shellcheck shell=bash
source <(/usr/local/bin/lockerctl completion bash)
EOF

  if [ "$tmpfiles_changed" = 1 ] || ! tmpfiles_in_place "$(at /usr/lib/tmpfiles.d/lockerd.conf)"; then
    run systemd-tmpfiles "${SYSTEMCTL_ROOT[@]}" --create "$(at /usr/lib/tmpfiles.d/lockerd.conf)"
  else
    ok "/var/lib/lockerd/ and /run/lockerd/ (systemd-tmpfiles)"
  fi
  if staging; then
    if [ "$udev_changed" -gt 0 ] || [ "$units_changed" -gt 0 ]; then
      note "staging root: udevadm control --reload and systemctl daemon-reload are left to its own boot"
    fi
  else
    if [ "$udev_changed" -gt 0 ]; then
      if command -v udevadm >/dev/null 2>&1; then
        run udevadm control --reload
        # Devices already plugged in get the new modes and names now, not at their next replug.
        run udevadm trigger --action=add --subsystem-match=tty --subsystem-match=hidraw --subsystem-match=gpio --subsystem-match=usb-serial
      else
        note "no udevadm here (a container?): the udev rules apply where udev runs"
      fi
    fi
    if [ "$units_changed" -gt 0 ]; then
      if [ -d /run/systemd/system ]; then run systemctl daemon-reload; else note "systemd is not running here: no daemon-reload"; fi
    fi
  fi
  if systemctl "${SYSTEMCTL_ROOT[@]}" is-enabled --quiet lockerd.service 2>/dev/null; then
    ok "lockerd.service enabled"
  else
    # Enabled, not started: the example config must be edited first (docs/install.md).
    run systemctl "${SYSTEMCTL_ROOT[@]}" enable lockerd.service
  fi
  if [ "$CHANGES" -gt 0 ] && ! staging && systemctl is-active --quiet lockerd.service 2>/dev/null; then
    note "lockerd is running with what it read at its start: systemctl restart lockerd applies the changes above"
  fi
}

# ---- The Raspberry Pi's serial console, when the RS-485 HAT needs its UART ------------------
step_serial_console() {
  local cmdline='' f cfg
  cfg=$(at /etc/lockerd/config.json)
  case "$SERIAL_CONSOLE" in
    keep) ok "serial console: kept (--serial-console keep)"; return ;;
    auto)
      if ! [ -r "$cfg" ] || ! grep -qE '"/dev/(serial0|ttyAMA0|ttyS0)"' "$cfg"; then
        ok "serial console: left alone (the config uses no /dev/serial0 or /dev/ttyAMA0; --serial-console disable forces it)"
        return
      fi
      ;;
  esac
  for f in /boot/firmware/cmdline.txt /boot/cmdline.txt; do
    if [ -f "$(at "$f")" ]; then cmdline=$(at "$f"); break; fi
  done
  if [ -z "$cmdline" ]; then
    ok "serial console: no /boot/firmware/cmdline.txt (not a Raspberry Pi), nothing to disable"
    return
  fi
  local boot_config before=$CHANGES raspi=0
  boot_config=$(dirname "$cmdline")/config.txt
  if ! staging && command -v raspi-config >/dev/null 2>&1; then raspi=1; fi
  if grep -qE '(^| )console=(serial0|ttyAMA0|ttyS0)(,[0-9]+)?( |$)' "$cmdline"; then
    if [ "$raspi" = 1 ]; then
      # 1 = no login shell on the serial port (raspi-config's own numbering: 0 is "yes").
      run raspi-config nonint do_serial_cons 1
    else
      run cp -p "$cmdline" "$cmdline.before-lockerd"
      run sed -i -E 's/(^| )console=(serial0|ttyAMA0|ttyS0)(,[0-9]+)?( |$)/\1/g; s/  +/ /g; s/ $//' "$cmdline"
    fi
  else
    ok "serial console: not in $cmdline"
  fi
  # The HAT needs the UART itself switched on.
  if [ ! -f "$boot_config" ]; then
    note "no $boot_config: check that the UART is enabled (enable_uart=1)"
  elif grep -qE '^enable_uart=1' "$boot_config"; then
    ok "serial port: enable_uart=1 in $boot_config"
  elif [ "$raspi" = 1 ]; then
    run raspi-config nonint do_serial_hw 0
  else
    run sed -i -e '$a enable_uart=1' "$boot_config"
  fi
  if [ "$CHANGES" -gt "$before" ]; then note "reboot to free the UART for the RS-485 HAT"; fi
}

FILES=''
CONFIG_NEW=0
PRESENT_GROUPS=()
step_node
step_packages
step_user
step_app
# What the rest installs comes from the app in place (or, before it is, from the release).
if [ -f "$APP/RELEASE" ]; then FILES=$APP; else FILES=$SRC_TREE; fi
step_config
step_units
step_serial_console

if [ "$DRY_RUN" = 1 ]; then
  echo "install.sh --dry-run: $CHANGES changes to make; nothing was changed"
elif [ "$CHANGES" = 0 ]; then
  echo "install.sh: nothing to change, lockerd is installed as asked"
else
  echo "install.sh: done, $CHANGES changes"
fi
if [ "$CONFIG_NEW" = 1 ] || [ "$DRY_RUN" = 1 ]; then
  cat <<'EOF'
next: edit /etc/lockerd/config.json (your boards, compartments, units, couriers, broker), then
      systemctl start lockerd && lockerctl selftest        (docs/install.md, "First start")
EOF
fi
