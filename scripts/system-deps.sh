#!/bin/sh
# What the tests need from the system, installed when missing: `npm test` runs this before the build, and so
# does .ci/run. A no-op (milliseconds) when everything is there. As root it installs with apt-get; as anyone
# else it stops at once and prints the one command to run.
#   chromium      at $CHROMIUM_PATH (default /usr/bin/chromium): the e2e tests drive it (playwright-core never downloads a browser)
#   redis-server  on the PATH: the Redis store's tests start their own on a free port
#   prometheus    on the PATH (with promtool): the monitoring test checks docs/monitoring/ and scrapes a cluster with it
#   openssl       on the PATH: npm run certs makes the internal TLS tests' certificates with it (slim images lack it)
#   nginx         at $NGINX_PATH (default /usr/sbin/nginx): the reverse proxy test starts its own on free ports. On a
#                 machine with systemd, Debian's package also starts its service on port 80 (the tests do not use it)
set -eu

chromium_path=${CHROMIUM_PATH:-/usr/bin/chromium}
nginx_path=${NGINX_PATH:-/usr/sbin/nginx}

missing() {
  packages=''
  [ -x "$chromium_path" ] || packages="$packages chromium"
  command -v redis-server >/dev/null 2>&1 || packages="$packages redis-server"
  { command -v prometheus && command -v promtool; } >/dev/null 2>&1 || packages="$packages prometheus"
  command -v openssl >/dev/null 2>&1 || packages="$packages openssl"
  [ -x "$nginx_path" ] || packages="$packages nginx"
  echo "${packages# }"
}

packages=$(missing)
[ -z "$packages" ] && exit 0

echo "system-deps: npm test needs $packages, missing here (chromium at $chromium_path, nginx at $nginx_path, redis-server, prometheus and promtool on the PATH)." >&2
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: no apt-get on this machine: install $packages with its package manager, then run npm test again." >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "system-deps: run this once, then npm test again:" >&2
  echo "" >&2
  echo "  sudo apt-get update && sudo apt-get install -y $packages" >&2
  echo "" >&2
  exit 1
fi

echo "system-deps: installing $packages with apt-get" >&2
apt-get update
# shellcheck disable=SC2086 # one word per package
DEBIAN_FRONTEND=noninteractive apt-get install -y $packages
packages=$(missing)
if [ -n "$packages" ]; then
  echo "system-deps: still missing after apt-get install: $packages (chromium is looked for at $chromium_path, nginx at $nginx_path; set CHROMIUM_PATH or NGINX_PATH if one is elsewhere)" >&2
  exit 1
fi
