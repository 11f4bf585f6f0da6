/**
 * Distinguished names as tools write them, and one canonical key to compare them by.
 *
 * CUCM writes a trust list's names `;`-separated, most specific first ("CN=a;OU=b;O=c;C=US") [F reference
 * `show itl`]. usecallmanagernz tlvfile writes them in the certificate's own order (C first), each attribute
 * escaped as RFC 4514 says; its source joins them with `;`, formats-and-protocol.md part A says `,` [F both].
 * openssl, Windows, Java and Node print names in other ways again (", " separators, one attribute a line,
 * "E=" or "emailAddress=", "S=" for the state, dotted OIDs, quoted values, `\,` escapes).
 *
 * Every correlation of names (a record to its certificate file, a signer to its SAST record, the workspace
 * index's subject and issuer + serial keys) goes through `dnKeyOfText` / `dnKeyOfName`: two names with the
 * same set of attributes give the same key whatever the order, separator, spacing or case of the types.
 * Values compare as RFC 4518 caseIgnoreMatch does in its simple form [I]: NFKC, case-folded, leading and
 * trailing spaces dropped, inner runs of spaces made one.
 *
 * Multi-valued RDNs (`+`) are flattened into the same set, so "CN=a+UID=b" and "CN=a,UID=b" are one name [I]:
 * trust lists print names attribute by attribute and lose the RDN grouping anyway.
 */
import { decodeString, readDerNode } from '../asn1/der';
import { DN_SHORT_NAMES } from '../asn1/oids';
import { DistinguishedName } from './model';

/** One attribute of a written name: its type as written ("CN", "emailAddress", "2.5.4.3") and its unescaped value. */
export interface WrittenAttribute {
  type: string;
  value: string;
}

/** Attribute type names (upper case) → OID: RFC 4514/4519 names plus the spellings Windows, openssl and Java use. */
const TYPE_OIDS: Record<string, string> = {
  CN: '2.5.4.3',
  COMMONNAME: '2.5.4.3',
  SN: '2.5.4.4',
  SURNAME: '2.5.4.4',
  SERIALNUMBER: '2.5.4.5',
  C: '2.5.4.6',
  COUNTRYNAME: '2.5.4.6',
  L: '2.5.4.7',
  LOCALITYNAME: '2.5.4.7',
  ST: '2.5.4.8',
  S: '2.5.4.8',
  SP: '2.5.4.8',
  STATEORPROVINCENAME: '2.5.4.8',
  STREET: '2.5.4.9',
  STREETADDRESS: '2.5.4.9',
  O: '2.5.4.10',
  ORGANIZATIONNAME: '2.5.4.10',
  OU: '2.5.4.11',
  ORGANIZATIONALUNITNAME: '2.5.4.11',
  T: '2.5.4.12',
  TITLE: '2.5.4.12',
  BUSINESSCATEGORY: '2.5.4.15',
  POSTALCODE: '2.5.4.17',
  NAME: '2.5.4.41',
  G: '2.5.4.42',
  GN: '2.5.4.42',
  GIVENNAME: '2.5.4.42',
  I: '2.5.4.43',
  INITIALS: '2.5.4.43',
  GENERATIONQUALIFIER: '2.5.4.44',
  DNQ: '2.5.4.46',
  DNQUALIFIER: '2.5.4.46',
  PSEUDONYM: '2.5.4.65',
  ORGANIZATIONIDENTIFIER: '2.5.4.97',
  E: '1.2.840.113549.1.9.1',
  EMAIL: '1.2.840.113549.1.9.1',
  EMAILADDRESS: '1.2.840.113549.1.9.1',
  DC: '0.9.2342.19200300.100.1.25',
  DOMAINCOMPONENT: '0.9.2342.19200300.100.1.25',
  UID: '0.9.2342.19200300.100.1.1',
  USERID: '0.9.2342.19200300.100.1.1',
};

const DOTTED_OID = /^\d+(?:\.\d+)+$/;

/** The OID an attribute type names ("cn", "CN", "OID.2.5.4.3", "2.5.4.3" → "2.5.4.3"); unknown names upper-cased. */
export function attributeTypeKey(type: string): string {
  const t = type.trim().replace(/^oid\./i, '');
  if (DOTTED_OID.test(t)) return t;
  return TYPE_OIDS[t.toUpperCase()] ?? t.toUpperCase();
}

/** A value in the form values compare by: NFKC, lower case, outer spaces dropped, inner runs of spaces made one. */
export function foldValue(value: string): string {
  return value.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** An attribute type followed by `=` (anchored at the start of a part). */
const TYPE_THEN_EQUALS = /^\s*(?:[A-Za-z][A-Za-z0-9-]*|(?:oid\.)?\d+(?:\.\d+)+)\s*=/i;
/** The same, sticky: tested at the position just after a separator. */
const TYPE_THEN_EQUALS_AT = new RegExp(TYPE_THEN_EQUALS.source.slice(1), 'iy');

function typeFollows(text: string, at: number): boolean {
  TYPE_THEN_EQUALS_AT.lastIndex = at;
  return TYPE_THEN_EQUALS_AT.test(text);
}

/**
 * Splits at the separators that start a new attribute: not escaped, not inside a quoted value (a `"` right
 * after `=`), and followed by `type=` — so "O=Cisco Systems, Inc.;C=US" keeps its comma and "CN=a;b" stays
 * one attribute.
 */
function splitAttributes(text: string, separators: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '"' && (quoted || /=\s*$/.test(text.slice(start, i)))) quoted = !quoted;
    else if (!quoted && separators.includes(c) && typeFollows(text, i + 1)) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** True when `sep` separates attributes somewhere in the text (the test splitAttributes makes). */
function separatesAttributes(text: string, sep: string): boolean {
  return splitAttributes(text, sep).length > 1;
}

/** RFC 4514 escapes undone: `\,` → `,`, `\5C` → `\`, runs of `\XX` read as UTF-8. A lone `\` stays. */
function unescapeValue(raw: string): string {
  let out = '';
  let bytes: number[] = [];
  const flush = () => {
    if (bytes.length) out += Buffer.from(bytes).toString('utf8');
    bytes = [];
  };
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\' && /^[0-9a-fA-F]{2}$/.test(raw.slice(i + 1, i + 3))) {
      bytes.push(parseInt(raw.slice(i + 1, i + 3), 16));
      i += 2;
      continue;
    }
    flush();
    if (c === '\\' && i + 1 < raw.length) out += raw[++i];
    else out += c;
  }
  flush();
  return out;
}

/** A `#` followed by the hex of a BER string (RFC 4514 §2.4), as its text; undefined when it is not one. */
function hexStringValue(raw: string): string | undefined {
  const m = /^#((?:[0-9a-fA-F]{2})+)\s*$/.exec(raw);
  if (!m) return undefined;
  const der = Buffer.from(m[1], 'hex');
  const node = readDerNode(der, 0);
  return node && !node.truncated && !node.constructed && node.end === der.length ? decodeString(node) : undefined;
}

function parseValue(raw: string): string {
  const v = raw.trimStart(); // not the end yet: in "a\\ " the space is escaped
  if (v.startsWith('"')) {
    let out = '';
    for (let i = 1; i < v.length; i++) {
      if (v[i] === '\\' && i + 1 < v.length) out += v[++i];
      else if (v[i] === '"') return out;
      else out += v[i];
    }
    return out;
  }
  return hexStringValue(v) ?? unescapeValue(v).trim();
}

/**
 * The attributes of a written DN, in the order written. Separators: a line break when it separates attributes
 * (Node's X509Certificate.subject), else `;` when it does (CUCM; a value may then hold commas), else `,`;
 * `+` joins the attributes of one RDN in all of them; a name starting with `/` is openssl's one-line form.
 * Never throws: text without `=` is one attribute of type "".
 */
export function parseDn(text: string): WrittenAttribute[] {
  const t = text.replace(/\0+$/, '').trimStart(); // the end is trimmed value by value: it may be an escaped space
  if (!t.trim()) return [];
  let parts: string[];
  if (t.startsWith('/') && TYPE_THEN_EQUALS.test(t.slice(1))) parts = splitAttributes(t.slice(1), '/+');
  else parts = splitAttributes(t, `${['\n', ';', ','].find((sep) => t.includes(sep) && separatesAttributes(t, sep)) ?? ','}+`);
  const out: WrittenAttribute[] = [];
  for (const part of parts) {
    if (!part.trim()) continue;
    const eq = TYPE_THEN_EQUALS.exec(part);
    if (!eq) out.push({ type: '', value: parseValue(part) });
    else out.push({ type: part.slice(0, eq[0].length - 1).trim(), value: parseValue(part.slice(eq[0].length)) });
  }
  return out;
}

/** Sorted `oid=value` pairs, `+`-joined; `\` and `+` in values escaped so that no two sets share a key. */
function keyOf(pairs: Array<[string, string]>): string {
  return pairs
    .map(([type, value]) => `${type}=${foldValue(value).replace(/[\\+]/g, (c) => `\\${c}`)}`)
    .sort()
    .join('+');
}

/** The canonical key of a written DN: the same set of attributes gives the same key, however it was written. */
export function dnKeyOfText(text: string): string {
  return keyOf(parseDn(text).map((a) => [attributeTypeKey(a.type), a.value]));
}

/** The canonical key of a certificate's decoded subject or issuer (equal to dnKeyOfText of any spelling of it). */
export function dnKeyOfName(name: Pick<DistinguishedName, 'attributes'>): string {
  return keyOf(name.attributes.map((a) => [a.oid, a.value]));
}

/** True when two names, written or decoded, hold the same set of attributes. */
export function sameDn(a: string | Pick<DistinguishedName, 'attributes'>, b: string | Pick<DistinguishedName, 'attributes'>): boolean {
  const key = (n: typeof a) => (typeof n === 'string' ? dnKeyOfText(n) : dnKeyOfName(n));
  return key(a) === key(b);
}

/** The first value of an attribute in a written DN: `dnAttribute("C=US,CN=a", "CN")` → "a"; any spelling of the type. */
export function dnAttribute(text: string, type: string): string | undefined {
  const wanted = attributeTypeKey(type);
  return parseDn(text).find((a) => attributeTypeKey(a.type) === wanted)?.value;
}

/** How to write a name: CUCM's `;`, most specific first, unescaped; or tlvfile's certificate order, RFC 4514 escapes. */
export interface DnStyle {
  separator: ';' | ',';
  /** 'most-specific-first' (RFC 4514 and CUCM: CN first) or 'certificate' (DER order: C first for most) */
  order: 'most-specific-first' | 'certificate';
  /** escape values as RFC 4514 §2.4 says (`\,`, `\+`, a leading `#` or space, a trailing space…) */
  escape: boolean;
}

export const CUCM_DN_STYLE: DnStyle = { separator: ';', order: 'most-specific-first', escape: false };

/** RFC 4514 §2.4 escaping of one value: the specials anywhere, `#` or a space first, a space last, NUL as `\00`. */
export function escapeDnValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\0') out += '\\00';
    else if ('\\"+,;<>'.includes(c) || (i === 0 && (c === ' ' || c === '#')) || (i === value.length - 1 && c === ' ')) out += `\\${c}`;
    else out += c;
  }
  return out;
}

/** A decoded name written in a style: `formatDn(cert.subject, CUCM_DN_STYLE)` is what CUCM puts in SUBJECTNAME. */
export function formatDn(name: Pick<DistinguishedName, 'attributes'>, style: DnStyle): string {
  const attributes = style.order === 'certificate' ? name.attributes : [...name.attributes].reverse();
  return attributes.map((a) => `${DN_SHORT_NAMES[a.oid] ?? a.oid}=${style.escape ? escapeDnValue(a.value) : a.value}`).join(style.separator);
}
