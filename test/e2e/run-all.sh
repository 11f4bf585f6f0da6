#!/usr/bin/env bash
# The whole real-VS-Code test run for ITL Lens (README's test command calls it after the unit and protocol tests):
#   1. setup.sh                      code-server + chromium + playwright-core (no-op when installed)
#   2. package                       `npm run package` -> itl-lens-<version>.vsix in the repo root
#                                    (fallback when the script is missing: npx vsce package ...)
#   3. fixtures                      `node dist/cli.js fixtures` into a fresh temporary workspace
#   4. itlLens.e2e.js                the .vsix installed in code-server, the workbench driven in chromium
#   5. compile extension tests       npx tsc -p tsconfig.test.json -> out/test/extension/index.js
#   6. extension-host tests          runExtensionTests.js (launcher route), the same workspace open
# Every stage runs under a hard `timeout`; later stages still run after a failure when they can.
# Last line: "N passed, N failed" (stages); exit 0 only if every stage passed.
#
# Env: E2E_SKIP_SETUP=1, E2E_SKIP_PACKAGE=1 (use the newest itl-lens-*.vsix), E2E_SKIP_COMPILE=1,
#      E2E_ONLY=ui|host (run only one of stages 4 and 6), E2E_KEEP=1 (keep the workspace and run folders).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
T0=$(date +%s)
PASSED=0
FAILED=0
RESULTS=()

log() { echo "[run-all +$(( $(date +%s) - T0 ))s] $*"; }
stage() { # stage NAME CMD...: runs the command, records ok/FAIL with its time
  local name="$1"; shift
  local t=$(date +%s)
  log "== $name"
  "$@"
  local rc=$?
  local dt=$(( $(date +%s) - t ))
  if [ $rc -eq 0 ]; then PASSED=$((PASSED + 1)); RESULTS+=("ok   $name (${dt}s)");
  else FAILED=$((FAILED + 1)); RESULTS+=("FAIL $name (${dt}s, exit $rc)"); fi
  return $rc
}
skip() { RESULTS+=("skip $1 ($2)"); log "== $1: skipped ($2)"; }

# The folder's name is what the Explorer (and so the README pictures) shows: test-fixtures, like the repo's own.
WS_PARENT="$(mktemp -d /tmp/itl-lens-e2e.XXXXXX)"
WS="$WS_PARENT/test-fixtures"
cleanup() {
  if [ "${E2E_KEEP:-}" = "1" ]; then log "workspace kept: $WS"; else rm -rf "$WS_PARENT"; fi
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

NAME_VERSION="$(node -p "const p=require('./package.json'); p.name+'-'+p.version")"
VSIX="$ROOT/$NAME_VERSION.vsix"

# ---- 1. setup ----
if [ "${E2E_SKIP_SETUP:-}" = "1" ]; then skip setup E2E_SKIP_SETUP=1
else stage "setup (test/e2e/setup.sh)" timeout -k 10 900 bash test/e2e/setup.sh; fi

# ---- 2. package ----
package_vsix() {
  local marker; marker="$(mktemp)"
  if node -e "process.exit(require('./package.json').scripts?.package ? 0 : 1)"; then
    log "npm run package"
    timeout -k 10 600 npm run --silent package || { rm -f "$marker"; return 1; }
  else
    log "no \"package\" script: npx vsce package (fallback)"
    timeout -k 10 600 npx --no-install vsce package --no-dependencies --allow-missing-repository --skip-license -o "$VSIX" \
      || { rm -f "$marker"; return 1; }
  fi
  # The .vsix the package step just wrote (npm run package names it itl-lens-<version>.vsix).
  local newest; newest="$(find "$ROOT" -maxdepth 1 -name 'itl-lens-*.vsix' -newer "$marker" -printf '%T@ %p\n' | sort -rn | head -1 | cut -d' ' -f2-)"
  rm -f "$marker"
  [ -n "$newest" ] || { log "packaging wrote no itl-lens-*.vsix in $ROOT"; return 1; }
  VSIX="$newest"
  log "packaged $VSIX ($(stat -c %s "$VSIX") bytes)"
}
if [ "${E2E_SKIP_PACKAGE:-}" = "1" ]; then
  VSIX="$(ls -t "$ROOT"/itl-lens-*.vsix 2>/dev/null | head -1)"
  skip package "E2E_SKIP_PACKAGE=1, using ${VSIX:-no .vsix}"
else
  stage "package the .vsix" package_vsix
fi

# ---- 3. fixture workspace ----
make_fixtures() {
  [ -f dist/cli.js ] || timeout -k 10 300 node esbuild.mjs || return 1
  timeout -k 10 120 node dist/cli.js fixtures -o "$WS" --keys test-fixtures/keys || return 1
  for f in cluster/ITLFile.tlv cluster/CAPF.der no-capf/ITLFile.tlv capf-expired/CAPF.pem; do
    [ -f "$WS/$f" ] || { log "fixture missing: $WS/$f"; return 1; }
  done
}
stage "fixture workspace $WS" make_fixtures
WS_OK=$?

# ---- 4. the UI suite ----
if [ "${E2E_ONLY:-}" != "host" ]; then
  if [ $WS_OK -ne 0 ]; then skip "itlLens.e2e.js" "no fixture workspace"
  elif [ -z "$VSIX" ] || [ ! -f "$VSIX" ]; then skip "itlLens.e2e.js" "no .vsix"; FAILED=$((FAILED + 1))
  else stage "itlLens.e2e.js (real VS Code, .vsix installed)" \
    timeout -k 10 660 node test/e2e/itlLens.e2e.js --vsix="$VSIX" --workspace="$WS"; fi
fi

# ---- 5 + 6. extension-host tests through the launcher ----
if [ "${E2E_ONLY:-}" != "ui" ]; then
  if [ "${E2E_SKIP_COMPILE:-}" = "1" ]; then skip "compile extension tests" E2E_SKIP_COMPILE=1
  else stage "compile extension tests (npx tsc -p tsconfig.test.json)" timeout -k 10 600 npx --no-install tsc -p tsconfig.test.json; fi
  if [ $WS_OK -ne 0 ]; then skip "extension-host tests" "no fixture workspace"
  elif [ ! -f out/test/extension/index.js ]; then skip "extension-host tests" "no out/test/extension/index.js"; FAILED=$((FAILED + 1))
  else
    stage "extension-host tests (runExtensionTests.js, launcher route)" \
      env E2E_TIMEOUT_MS="${E2E_TIMEOUT_MS:-420000}" timeout -k 10 480 node test/e2e/runExtensionTests.js \
        --extensionDevelopmentPath="$ROOT" --extensionTestsPath="$ROOT/out/test/extension/index.js" --workspace="$WS"
  fi
fi

echo
log "summary ($(( $(date +%s) - T0 ))s):"
for r in "${RESULTS[@]}"; do echo "  $r"; done
echo "$PASSED passed, $FAILED failed"
[ $FAILED -eq 0 ]
