# Shared helpers for the scripts in this folder (sourced, not run).
#
# The project runs on the Python that current Home Assistant needs (>= 3.14.2). scripts/setup uses one from
# PATH (or pyenv) when there is one. Where there is none (Debian 12 stops at 3.11), and only as root on
# Debian, it builds a small Debian "sid" root with Debian's python3.14 and mosquitto packages in
# $SYSROOT and makes the virtualenv inside it; every script then runs its commands in that root through
# in_env, with this checkout mounted at the same path (in a private mount namespace, so nothing stays
# mounted on the machine). .venv/.sysroot records which root the virtualenv belongs to.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY_MIN="3.14.2"
SYSROOT="${MIOT_SYSROOT:-/var/cache/miot-connect/sid-python3.14}"
SYSROOT_PACKAGES="python3.14,python3.14-venv,python3.14-dev,gcc,g++,mosquitto,ca-certificates"
cd "$ROOT" || exit 1

python_is_new_enough() {
  "$1" -c "import sys; sys.exit(0 if sys.version_info[:3] >= tuple(map(int, '$PY_MIN'.split('.'))) else 1)" \
    2>/dev/null
}

find_python() {
  # A Python >= $PY_MIN on PATH, else the newest pyenv 3.14+ that is new enough.
  local candidate
  for candidate in python3.14 python3.15 python3 python; do
    if command -v "$candidate" >/dev/null 2>&1 && python_is_new_enough "$candidate"; then
      command -v "$candidate"
      return 0
    fi
  done
  for candidate in $(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[4-9]*/bin/python3 2>/dev/null | sort -rV); do
    if python_is_new_enough "$candidate"; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

sysroot_exec() {
  # sysroot_exec ROOT CMD...: run CMD inside ROOT with this checkout at the same path, from the current
  # directory. The mounts live in a private mount namespace and vanish with the command.
  local root="$1"
  shift
  unshare --mount --propagation private -- /bin/bash -c '
    set -e
    root="$1" project="$2" cwd="$3"
    shift 3
    mount --rbind /dev "$root/dev"
    mount -t proc proc "$root/proc"
    mount --rbind /sys "$root/sys"
    mkdir -p "$root$project"
    mount --bind "$project" "$root$project"
    exec chroot "$root" /bin/sh -c "cd \"\$0\" && exec \"\$@\"" "$cwd" "$@"
  ' sysroot "$root" "$ROOT" "$PWD" "$@"
}

in_env() {
  # Run a command of the project's environment (the virtualenv's tools, the broker) where it lives.
  if [ -f /etc/miot-connect-sysroot ]; then
    # Already inside the root (a script started by another script).
    PATH="$VENV/bin:$PATH" "$@"
  elif [ -f "$VENV/.sysroot" ]; then
    # The machine's CA bundle (copied into the root) is the trust for pip and for anything else.
    sysroot_exec "$(cat "$VENV/.sysroot")" env PATH="$VENV/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin" \
      SSL_CERT_FILE=/etc/ssl/host-ca-bundle.crt PIP_CERT=/etc/ssl/host-ca-bundle.crt PIP_FIND_LINKS= \
      PIP_CONFIG_FILE=/dev/null "$@"
  else
    PATH="$VENV/bin:$PATH" "$@"
  fi
}

debian_mirror() {
  # The Debian archive this machine's apt already uses (never a host named here).
  local codename
  codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
  apt-get indextargets --format '$(CODENAME) $(REPO_URI)' 2>/dev/null |
    awk -v c="$codename" '$1 == c && $2 !~ /security/ {print $2; exit}'
}

build_sysroot() {
  # Build $SYSROOT once (about a minute); later runs and other checkouts reuse it. A root built for an
  # older package list gets the missing packages.
  if [ -x "$SYSROOT/usr/bin/python3.14" ] && [ -f "$SYSROOT/.complete" ]; then
    touch "$SYSROOT/etc/miot-connect-sysroot"
    if [ "$(cat "$SYSROOT/.complete")" != "$SYSROOT_PACKAGES" ]; then
      echo "Adding packages to $SYSROOT"
      sysroot_apt_install "${SYSROOT_PACKAGES//,/ }"
      echo "$SYSROOT_PACKAGES" >"$SYSROOT/.complete"
    fi
    return 0
  fi
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "error: Python >= $PY_MIN is required. Install it (python3.14 on PATH), or run scripts/setup as" \
      "root on Debian, where it builds a Debian root with Debian's python3.14 in $SYSROOT." >&2
    return 1
  fi
  if ! command -v debootstrap >/dev/null 2>&1; then
    echo "Installing debootstrap (Debian package)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  fi
  local mirror suite="${MIOT_DEBIAN_SUITE:-sid}"
  mirror="${MIOT_DEBIAN_MIRROR:-$(debian_mirror)}"
  if [ -z "$mirror" ]; then
    echo "error: cannot tell which Debian archive apt uses here; set MIOT_DEBIAN_MIRROR." >&2
    return 1
  fi
  echo "No Python >= $PY_MIN here: building a Debian $suite root with python3.14 in $SYSROOT (about a minute)"
  rm -rf "$SYSROOT.new"
  mkdir -p "$(dirname "$SYSROOT")"
  if ! debootstrap --variant=minbase --include="$SYSROOT_PACKAGES" "$suite" "$SYSROOT.new" "$mirror" \
    >"$(dirname "$SYSROOT")/debootstrap.log" 2>&1; then
    tail -n 20 "$(dirname "$SYSROOT")/debootstrap.log" >&2
    echo "error: debootstrap failed (log: $(dirname "$SYSROOT")/debootstrap.log)" >&2
    return 1
  fi
  touch "$SYSROOT.new/etc/miot-connect-sysroot"
  rm -rf "$SYSROOT"
  mv "$SYSROOT.new" "$SYSROOT"
  echo "$SYSROOT_PACKAGES" >"$SYSROOT/.complete"
}

sync_sysroot_config() {
  # Name resolution, the machine's CA bundle and pip settings, so that pip and apt work inside the root.
  cp /etc/hosts "$SYSROOT/etc/hosts"
  cp -L /etc/resolv.conf "$SYSROOT/etc/resolv.conf" 2>/dev/null || true
  if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    cp /etc/ssl/certs/ca-certificates.crt "$SYSROOT/etc/ssl/host-ca-bundle.crt"
  fi
}

install_browser() {
  # Debian's chromium and CJK fonts where the browser runs: inside the root, or on this machine.
  if [ -f "$VENV/.sysroot" ]; then
    if ! sysroot_exec "$SYSROOT" sh -c 'command -v chromium >/dev/null && fc-list | grep -qi "noto.*cjk"'; then
      echo "Installing Chromium and CJK fonts in $SYSROOT (Debian packages)"
      sysroot_apt_install chromium fonts-noto-cjk
    fi
  elif ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "noto.*cjk"; then
    echo "Installing Chromium and CJK fonts (Debian packages)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  fi
}

sysroot_apt_install() {
  # Install Debian packages inside the root (for example chromium for the browser tests).
  sync_sysroot_config
  sysroot_exec "$SYSROOT" env DEBIAN_FRONTEND=noninteractive sh -c \
    "apt-get -o Acquire::Check-Valid-Until=false update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $* >/dev/null"
}
