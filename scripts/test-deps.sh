#!/usr/bin/env bash
# Installs the Debian packages the integration tests run as real processes, if any is missing:
# mosquitto (MQTT transport tests, bench:mqtt); postfix, dovecot-imapd, dovecot-lmtpd, openssl
# (the e-mail transport's test mail system); chromium (the drill report's screenshot test, and
# packages/web-kit's tests of Herald in a web page, driven through puppeteer-core);
# prometheus (promtool test rules on deploy/prometheus/alerts.yml, and the alerts end-to-end test); tinyproxy and
# microsocks (the channels' proxy tests: HTTP CONNECT and SOCKS5); nats-server (the relay cluster's tests, drill and
# bench run a three-node JetStream cluster of it); faketime (libfaketime: the wrong-clock
# test runs one side's herald at +1 h, −7 h and +12 h).
# The tests start and stop these themselves on loopback ports; no system service is used.
set -euo pipefail
PACKAGES=(mosquitto postfix dovecot-imapd dovecot-lmtpd openssl chromium prometheus tinyproxy microsocks nats-server faketime)
missing=()
for package in "${PACKAGES[@]}"; do dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package"); done
[ "${#missing[@]}" -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "test-deps: missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install -y ${missing[*]})" >&2
  exit 1
fi
echo "test-deps: installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
