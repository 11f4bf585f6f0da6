#!/usr/bin/env bash
# Installs the real clients the lab-server interop tests use, idempotently (fast no-op when present):
#   tftp (Debian package tftp-hpa): plain RFC 1350 transfers, netascii, write requests
#   curl (with tftp:// support):     the option extension (RFC 2347 blksize, RFC 2349 tsize/timeout)
# Installs with apt-get only when running as root (CI runs as root); otherwise says what is missing and
# leaves it to the tests, which fail with the same message.
set -euo pipefail

log() { echo "[interop-setup] $*"; }

missing=()
command -v tftp >/dev/null 2>&1 || missing+=(tftp-hpa)
command -v curl >/dev/null 2>&1 || missing+=(curl)

if [ ${#missing[@]} -eq 0 ]; then
  log "clients present: $(command -v tftp) $(command -v curl)"
else
  if [ "$(id -u)" -ne 0 ]; then
    log "missing ${missing[*]}; not root, so not installing: run 'sudo apt-get install -y ${missing[*]}'"
    exit 0
  fi
  export DEBIAN_FRONTEND=noninteractive
  log "apt-get install ${missing[*]}"
  if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    log "install failed; retrying after apt-get update"
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  log "installed ${missing[*]}"
fi

if ! curl --version | grep -qiw tftp; then
  log "warning: this curl was built without tftp:// support; the option interop tests will fail"
fi
