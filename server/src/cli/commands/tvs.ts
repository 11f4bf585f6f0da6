/** `itl-lens tvs add|remove|list`: edits the lab TVS store (which certificates the lab TVS vouches for). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROLE_SHORT_NAMES } from '../../core/tlv/tags';
import { tvsPaths } from '../../lab/tvs/tvsIdentity';
import { addToTvsStore, certificatesIn, loadTvsStore, removeFromTvsStore, TVS_ROLE_CODES, TVS_TTL, TvsStoreEntry } from '../../lab/tvs/tvsStore';
import { CliCommand, CliIo, EXIT_OK, EXIT_PROBLEMS, UsageError, parseArgs, single } from '../io';

const ROLES = TVS_ROLE_CODES.map((c) => ROLE_SHORT_NAMES[c]).join(', ');

const USAGE = `Usage: itl-lens tvs add    --state DIR --role ROLE [--role ROLE]… [--ttl SECONDS] CERT.pem…
       itl-lens tvs remove --state DIR CERT.pem|SHA256…
       itl-lens tvs list   --state DIR [--json]
  Edits DIR/tvs/tvs-store.json, the certificates the lab TVS vouches for (a running tvs-server reads the
  change at the next request).
  add     each certificate of each file (a PEM bundle, as Bulk Certificate Export gives, or DER) with
          the roles (${ROLES}; repeat --role or separate with commas) and
          the TTL phones may rely on the answer (${TVS_TTL.min}-${TVS_TTL.max} s, default ${TVS_TTL.default}); a certificate
          already in the store gets the new roles and TTL
  remove  by certificate file, or by SHA-256 (or a unique prefix of at least 4 hex digits)
  list    the store; --json for the store's entries as JSON`;

function describe(e: TvsStoreEntry): string {
  return `${e.sha256}  ${e.subject}  [${e.roles.join(',')}] TTL ${e.ttl} s`;
}

async function add(args: string[], io: CliIo, store: string): Promise<number> {
  const p = parseArgs(args, { values: ['--state', '--role', '--ttl'] });
  const roles = (p.options.get('--role') ?? []).flatMap((r) => r.split(',')).map((r) => r.trim()).filter(Boolean);
  if (roles.length === 0) throw new UsageError(`--role is required (${ROLES})`);
  const ttlText = single(p, '--ttl');
  if (ttlText !== undefined && !/^\d+$/.test(ttlText)) throw new UsageError(`--ttl: '${ttlText}' is not a whole number of seconds`);
  if (p.positionals.length === 0) throw new UsageError('name at least one certificate file (PEM or DER)');
  const ders: Buffer[] = [];
  for (const file of p.positionals) {
    const found = certificatesIn(fs.readFileSync(path.resolve(io.cwd, file)));
    for (const problem of found.problems) io.err(`itl-lens tvs add: ${file}: ${problem}\n`);
    if (found.ders.length === 0) throw new UsageError(`${file} holds no certificate`);
    ders.push(...found.ders);
  }
  let result;
  try {
    result = await addToTvsStore(store, ders, roles, ttlText !== undefined ? Number(ttlText) : undefined);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  for (const e of result.added) io.out(`added    ${describe(e)}\n`);
  for (const e of result.updated) io.out(`updated  ${describe(e)}\n`);
  io.out(`${store}: ${result.added.length} added, ${result.updated.length} updated\n`);
  return EXIT_OK;
}

async function remove(args: string[], io: CliIo, store: string): Promise<number> {
  const p = parseArgs(args, { values: ['--state'] });
  if (p.positionals.length === 0) throw new UsageError('name a certificate file or a SHA-256');
  let removed = 0;
  let missing = 0;
  for (const what of p.positionals) {
    const file = path.resolve(io.cwd, what);
    const byFile = fs.existsSync(file) && fs.statSync(file).isFile();
    let gone: TvsStoreEntry[];
    try {
      gone = await removeFromTvsStore(store, byFile ? { ders: certificatesIn(fs.readFileSync(file)).ders } : { hashPrefix: what });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    for (const e of gone) io.out(`removed  ${describe(e)}\n`);
    if (gone.length === 0) {
      missing++;
      io.err(`itl-lens tvs remove: no certificate matching ${what} in ${store}\n`);
    }
    removed += gone.length;
  }
  io.out(`${store}: ${removed} removed\n`);
  return missing > 0 ? EXIT_PROBLEMS : EXIT_OK;
}

async function list(args: string[], io: CliIo, store: string): Promise<number> {
  const p = parseArgs(args, { values: ['--state'], booleans: ['--json'] });
  const loaded = await loadTvsStore(store);
  const entries = [...loaded.entries.values()].map(({ der: _der, roleCodes: _codes, ...e }) => e);
  if (p.flags.has('--json')) io.out(`${JSON.stringify({ store, certificates: entries, problems: loaded.problems }, null, 2)}\n`);
  else {
    if (entries.length === 0) io.out(`${store}: no certificates (add with 'itl-lens tvs add')\n`);
    for (const e of entries) {
      io.out(`Certificate Hash: ${e.sha256}\nSubject Name:     ${e.subject}\nIssuer Name:      ${e.issuer}\nSerial Number:    ${e.serialNumber}\nRoles:            ${e.roles.join(', ')}\nTTL:              ${e.ttl} s\n\n`);
    }
  }
  for (const problem of loaded.problems) io.err(`itl-lens tvs list: ${problem}\n`);
  return loaded.problems.length > 0 ? EXIT_PROBLEMS : EXIT_OK;
}

export const tvsCommand: CliCommand = {
  name: 'tvs',
  summary: 'edit the lab TVS store (tvs add|remove|list: certificates, roles, TTL)',
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    const state = single(parseArgs(rest, { values: ['--state', '--role', '--ttl'], booleans: ['--json'] }), '--state');
    if (!['add', 'remove', 'list'].includes(sub ?? '')) throw new UsageError(sub ? `unknown tvs subcommand '${sub}'` : 'a subcommand is required: add, remove or list');
    if (!state) throw new UsageError('--state DIR is required (the lab folder)');
    const store = tvsPaths(path.resolve(io.cwd, state)).store;
    if (sub === 'add') return add(rest, io, store);
    if (sub === 'remove') return remove(rest, io, store);
    return list(rest, io, store);
  },
};
