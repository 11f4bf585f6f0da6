/**
 * `openssl s_client` as an independent TLS client for tests. The tests that use it REQUIRE openssl (it is
 * on every CI image we use; `apt-get install openssl` otherwise): a missing binary fails them, it never
 * skips them.
 */
import { spawn, spawnSync } from 'node:child_process';

export function requireOpenssl(): void {
  const r = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`these tests need the openssl command line tool (apt-get install openssl): ${r.error?.message ?? r.stderr}`);
}

export interface HandshakeResult {
  /** the protocol negotiated, e.g. 'TLSv1.0' or 'TLSv1.2'; undefined when no handshake completed */
  protocol?: string;
  cipher?: string;
  exitCode: number | null;
  output: string;
}

/**
 * Runs `openssl s_client -connect 127.0.0.1:PORT ...args` with stdin closed (it handshakes, reads what comes,
 * and quits). Asynchronous: a server under test in this process keeps its event loop.
 */
export function sClient(port: number, args: string[], timeoutMs = 15_000): Promise<HandshakeResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += String(d)));
    child.stderr.on('data', (d) => (output += String(d)));
    child.stdin.end();
    const timer = setTimeout(() => child.kill(), timeoutMs);
    child.on('error', (e) => (clearTimeout(timer), reject(e)));
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      // "New, TLSv1.0, Cipher is ECDHE-RSA-AES256-SHA" after a handshake; "New, (NONE), Cipher is (NONE)" without
      const m = /^New, (TLSv[\d.]+), Cipher is (\S+)/m.exec(output);
      resolve({ protocol: m?.[1], cipher: m?.[2], exitCode, output });
    });
  });
}

/** What a TLS 1.0-only phone offers, from OpenSSL 3 (whose own client also needs security level 0 for it). */
export const TLS1_ONLY_CLIENT = ['-tls1', '-cipher', 'DEFAULT:@SECLEVEL=0'];
