#!/usr/bin/env bash
# Install the real servers the demo and the test suite start (Debian/Ubuntu packages), plus any
# extra packages named as arguments (e.g. chromium). Quick when everything is there: apt runs only
# for what is missing.
set -euo pipefail

present() {  # present PACKAGE: is the program this package provides installed?
  case "$1" in
    postgresql) compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null ;;
    *) command -v "$1" >/dev/null 2>&1 || dpkg -s "$1" >/dev/null 2>&1 ;;
  esac
}

missing=()
for pkg in prometheus prometheus-redis-exporter prometheus-postgres-exporter redis-server postgresql docker-compose chromium "$@"; do
  present "$pkg" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: missing ${missing[*]} and apt-get is not available; install them with your package manager" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "error: need root (or sudo) to apt-get install ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "system packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Keep Debian's postinst scripts from starting system-wide services: slocheck starts its own, on free ports.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
