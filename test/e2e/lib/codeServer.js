'use strict';
// Starts and stops one isolated code-server (real VS Code 1.100 in the browser) on 127.0.0.1.
// Plain CommonJS, no build step. Tools come from .cache/e2e/tools (see test/e2e/setup.sh).
const { spawn, execFile } = require('child_process');
const fs = require('fs');
const http = require('http');
const net = require('net');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const TOOLS = path.join(ROOT, '.cache', 'e2e', 'tools');
const CODE_SERVER_BIN = path.join(TOOLS, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.commandCenter.enabled': false,
  'git.enabled': false,
};

let runCounter = 0;
const live = new Set(); // process-group ids still running, killed on exit

function log(...a) { if (process.env.E2E_DEBUG) console.error('[codeServer]', ...a); }

function assertInstalled() {
  if (!fs.existsSync(CODE_SERVER_BIN)) {
    throw new Error(`code-server not installed at ${TOOLS}: run bash test/e2e/setup.sh`);
  }
}

function pidAlive(pid) {
  try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; }
}

/** Removes run dirs of processes that are gone, keeping the `keep` newest (kept failures, crashes). */
function pruneRunDirs(keep = 5) {
  const base = path.join(ROOT, '.cache', 'e2e');
  let dead = [];
  try {
    dead = fs.readdirSync(base).map((n) => [n, /^run-(\d+)-\d+$/.exec(n)])
      .filter(([, m]) => m && Number(m[1]) !== process.pid && !pidAlive(Number(m[1])))
      .map(([n]) => ({ p: path.join(base, n), t: fs.statSync(path.join(base, n)).mtimeMs }))
      .sort((a, b) => b.t - a.t);
  } catch { return; }
  for (const { p } of dead.slice(keep)) fs.rmSync(p, { recursive: true, force: true });
}

/** A fresh private folder with home/, tmp/, user-data/, extensions/ and a short TMPDIR. */
function makeRunDir() {
  pruneRunDirs();
  let dir = path.join(ROOT, '.cache', 'e2e', `run-${process.pid}-${runCounter++}`);
  fs.rmSync(dir, { recursive: true, force: true });
  // code-server binds <user-data>/code-server-ipc.sock: keep it under the 107-char socket limit.
  if (dir.length > 70) dir = fs.mkdtempSync('/tmp/itle2e-run-');
  const d = {
    dir,
    home: path.join(dir, 'home'),
    userDataDir: path.join(dir, 'user-data'),
    extensionsDir: path.join(dir, 'extensions'),
    tmp: path.join(dir, 'tmp'),
    logFile: path.join(dir, 'code-server.log'),
  };
  // The extension host puts vscode-ipc-<uuid>.sock (52 chars) in TMPDIR; unix sockets max 107.
  if (d.tmp.length > 50) d.tmp = fs.mkdtempSync('/tmp/itle2e-');
  for (const p of [d.home, d.userDataDir, d.extensionsDir, d.tmp]) fs.mkdirSync(p, { recursive: true });
  return d;
}

function isolatedEnv(d, extra) {
  return {
    ...process.env,
    HOME: d.home,
    XDG_CONFIG_HOME: path.join(d.home, '.config'),
    XDG_DATA_HOME: path.join(d.home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(d.home, '.cache'),
    TMPDIR: d.tmp,
    ...extra,
  };
}

function writeSettings(d, settings) {
  const file = path.join(d.userDataDir, 'User', 'settings.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ ...DEFAULT_SETTINGS, ...settings }, null, 2));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

function httpOk(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 1000 }, (res) => { res.resume(); resolve(res.statusCode === 200); });
    req.on('error', () => resolve(false));
    req.on('timeout', () => { req.destroy(); resolve(false); });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Installs a .vsix into an extensions dir (code-server --install-extension ... --force).
 * opts: { extensionsDir, userDataDir, env, timeoutMs=120000 }. Resolves with the CLI output.
 */
function installExtension(vsixPath, opts) {
  assertInstalled();
  const args = [CODE_SERVER_BIN, '--install-extension', path.resolve(vsixPath), '--force',
    '--extensions-dir', opts.extensionsDir, '--user-data-dir', opts.userDataDir];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { env: opts.env, timeout: opts.timeoutMs || 120000 }, (err, out, errOut) => {
      const text = `${out}${errOut}`;
      if (err || !/successfully installed/i.test(text)) {
        reject(new Error(`install of ${vsixPath} failed: ${err ? err.message : ''}\n${text}`));
      } else resolve(text.trim());
    });
  });
}

function killGroup(pgid, signal) {
  try { process.kill(-pgid, signal); return true; } catch { return false; }
}

/**
 * Starts code-server. opts:
 *   vsix: string | string[]    .vsix files installed before start
 *   settings: object           merged into the user settings.json
 *   env: object                extra env for code-server and its extension host
 *   timeoutMs=600000           hard cap: the whole process group is killed after it, whatever happens
 *   startTimeoutMs=30000       how long to wait for /healthz
 *   keep=false                 keep .cache/e2e/run-* after stop (also E2E_KEEP=1)
 * Resolves to a server handle (see README): { port, baseUrl, runDir, ..., url(), stop() }.
 */
async function startCodeServer(opts = {}) {
  assertInstalled();
  guardProcessExit();
  const d = makeRunDir();
  const env = isolatedEnv(d, opts.env);
  writeSettings(d, opts.settings);
  const installed = [];
  for (const vsix of [].concat(opts.vsix || [])) {
    installed.push(await installExtension(vsix, { ...d, env }));
  }
  const hardMs = opts.timeoutMs || 600000;
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const args = [
      '-k', '5', String(Math.ceil(hardMs / 1000)), // coreutils timeout: hard cap even if we die
      process.execPath, CODE_SERVER_BIN,
      '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
      '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
      '--disable-getting-started-override', '--ignore-last-opened',
      '--user-data-dir', d.userDataDir, '--extensions-dir', d.extensionsDir,
    ];
    const out = fs.openSync(d.logFile, 'a');
    // detached => setsid(): the server, its extension hosts and file watchers share one process group.
    const child = spawn('timeout', args, { env, detached: true, stdio: ['ignore', out, out] });
    fs.closeSync(out);
    const pgid = child.pid;
    live.add(pgid);
    let exited = null;
    child.on('exit', (code, sig) => { exited = { code, sig }; live.delete(pgid); });
    const baseUrl = `http://127.0.0.1:${port}`;
    const t0 = Date.now();
    while (!exited && Date.now() - t0 < (opts.startTimeoutMs || 30000)) {
      if (await httpOk(`${baseUrl}/healthz`)) break;
      await sleep(100);
    }
    if (!exited && !(await httpOk(`${baseUrl}/healthz`))) {
      killGroup(pgid, 'SIGKILL');
      throw new Error(`code-server did not answer /healthz; log: ${d.logFile}`);
    }
    if (exited) {
      const text = fs.readFileSync(d.logFile, 'utf8');
      if (attempt < 2 && /EADDRINUSE/.test(text)) continue; // lost the port race: try another
      throw new Error(`code-server exited (${JSON.stringify(exited)}):\n${text.slice(-2000)}`);
    }
    log(`up on ${baseUrl} in ${Date.now() - t0} ms, pgid ${pgid}`);
    const hardTimer = setTimeout(() => {
      console.error(`[codeServer] hard timeout ${hardMs} ms: killing code-server ${pgid}`);
      killGroup(pgid, 'SIGKILL');
    }, hardMs);
    hardTimer.unref();

    let stopped = null;
    const server = {
      port, baseUrl, pid: pgid, installed,
      runDir: d.dir, home: d.home, tmpDir: d.tmp, userDataDir: d.userDataDir,
      extensionsDir: d.extensionsDir, logFile: d.logFile, env,
      startMs: Date.now() - t0,
      /** Workbench URL for a folder (or a .code-workspace file); payload: [[key, value], ...]. */
      url(folder, payload) {
        const q = new URLSearchParams();
        if (folder) q.set(/\.code-workspace$/.test(folder) ? 'workspace' : 'folder', path.resolve(folder));
        if (payload) q.set('payload', JSON.stringify(payload));
        const s = q.toString();
        return `${baseUrl}/${s ? `?${s}` : ''}`;
      },
      /** vscode-remote URI for a local path (for payload entries such as extensionDevelopmentPath). */
      remoteUri(p) { return `vscode-remote://127.0.0.1:${port}${path.resolve(p)}`; },
      readLog() { try { return fs.readFileSync(d.logFile, 'utf8'); } catch { return ''; } },
      /** Kills the whole process group (TERM, then KILL after 3 s); removes the run dir unless keep. */
      stop(stopOpts = {}) {
        if (!stopped) stopped = (async () => {
          clearTimeout(hardTimer);
          killGroup(pgid, 'SIGTERM');
          for (let i = 0; i < 30 && killGroup(pgid, 0); i++) await sleep(100);
          killGroup(pgid, 'SIGKILL');
          live.delete(pgid);
          const keep = stopOpts.keep ?? opts.keep ?? process.env.E2E_KEEP === '1';
          if (!keep) {
            fs.rmSync(d.dir, { recursive: true, force: true });
            if (!d.tmp.startsWith(d.dir)) fs.rmSync(d.tmp, { recursive: true, force: true });
          }
        })();
        return stopped;
      },
    };
    return server;
  }
}

// Last line of defence: never leave a server behind when this Node process ends.
let guarded = false;
function guardProcessExit() {
  if (guarded) return;
  guarded = true;
  const killAll = () => { for (const g of live) killGroup(g, 'SIGKILL'); };
  process.on('exit', killAll);
  for (const [sig, n] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]]) {
    process.once(sig, () => { killAll(); process.exit(128 + n); });
  }
}

module.exports = {
  startCodeServer, installExtension, freePort, makeRunDir, isolatedEnv, ROOT, TOOLS, CODE_SERVER_BIN,
};
