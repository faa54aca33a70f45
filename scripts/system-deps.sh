#!/usr/bin/env sh
# Installs the Debian packages the test suite uses, if they are missing:
#   ipfs-cid  - an independent CID implementation (kubo's classic defaults) that our DAG builder is checked against
#   chromium  - the real browser for web tests (playwright-core drives it; browser downloads are not possible here)
# Runs as root with apt-get (CI, the development machines); elsewhere it only says what is missing.
set -eu
missing=""
command -v ipfs_cid >/dev/null 2>&1 || missing="$missing ipfs-cid"
[ -x /usr/bin/chromium ] || missing="$missing chromium"
[ -n "$missing" ] || exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: installing$missing" >&2
  apt-get update -qq >/dev/null
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
else
  echo "system-deps: missing Debian packages:$missing (install them with apt-get)" >&2
  exit 1
fi
