/**
 * The device table file (capf-devices.json) as the lab uses it. The server only reads it, again whenever
 * the file changes (a person may edit it in VS Code, or `itl-lens capf device` may, while the server runs);
 * a broken file is reported, never rewritten. People's tools (the CLI, the editor, the lab's scheduling)
 * change it with `updateDeviceTable`: read, change, atomic write.
 */
import { promises as fsp } from 'node:fs';
import { writeFileAtomicAsync } from '../../../core/fs/atomicWriteAsync';
import { DeviceEntry, DeviceTable, TableParse, formatProblems, newDeviceEntry, parseDeviceTable, serializeDeviceTable } from '../../model/deviceTable';

export class DeviceTableError extends Error {}

/** A new empty table each time: callers change what they get. */
const empty = (): TableParse => ({ ok: true, table: { devices: [] } });

/** A missing table is an empty one; a broken one throws with its problems. */
export async function readDeviceTable(file: string): Promise<TableParse> {
  try {
    return parseDeviceTable(await fsp.readFile(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return empty();
    throw e;
  }
}

function tableOrThrow(file: string, parse: TableParse): DeviceTable {
  if (!parse.ok) throw new DeviceTableError(`${file} has problems (fix them in the file; the lab never overwrites it):\n${formatProblems(parse.problems)}`);
  return parse.table;
}

/** The server's view of the table: parsed again only when the file's size, time or inode changes. */
export class DeviceTableReader {
  private key = '';
  private parse: Promise<TableParse> | undefined;

  constructor(readonly file: string) {}

  async get(name: string): Promise<DeviceEntry | undefined> {
    return tableOrThrow(this.file, await this.current()).devices.find((d) => d.name === name);
  }

  private async current(): Promise<TableParse> {
    let key = '';
    try {
      const st = await fsp.stat(this.file);
      key = `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (key !== this.key || !this.parse) {
      this.key = key;
      this.parse = key ? readDeviceTable(this.file) : Promise.resolve(empty());
    }
    return this.parse;
  }
}

/**
 * Changes one entry (adding it with CUCM's defaults when `create`), as saving the Phone Configuration page
 * would, and writes the table atomically. Throws on a broken table rather than replace what a person wrote.
 */
export async function updateDeviceEntry(file: string, name: string, edit: (entry: DeviceEntry) => void, create = true): Promise<DeviceEntry> {
  const table = tableOrThrow(file, await readDeviceTable(file));
  let entry = table.devices.find((d) => d.name === name);
  if (!entry) {
    if (!create) throw new DeviceTableError(`${name} is not in ${file}`);
    entry = newDeviceEntry(name);
    table.devices.push(entry);
  }
  edit(entry);
  await writeFileAtomicAsync(file, serializeDeviceTable(table));
  return entry;
}

/** Writes a whole table (new lab folders, tests, the benchmark). */
export function writeDeviceTable(file: string, table: DeviceTable): Promise<void> {
  return writeFileAtomicAsync(file, serializeDeviceTable(table));
}
