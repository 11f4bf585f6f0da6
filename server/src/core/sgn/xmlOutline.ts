/**
 * A tolerant outline of an XML payload: elements with their byte ranges and leaf text. Not a validating parser:
 * it never throws, skips declarations, comments and CDATA, closes what an end tag closes, and stops at a limit.
 * Offsets are bytes of the file (the text is read as latin1 so that a character is a byte).
 */
import { XmlElement } from './model';

const MAX_ELEMENTS = 5000;
const MAX_DEPTH = 64;

function decodeEntities(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos);/g, (_, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[e] ?? '');
}

/** The outline of `bytes` (an XML document), positions offset by `base`. */
export function xmlOutline(bytes: Buffer, base = 0): XmlElement[] {
  const text = bytes.toString('latin1');
  const roots: XmlElement[] = [];
  const stack: { el: XmlElement; textStart: number }[] = [];
  let count = 0;
  let i = 0;
  while (i < text.length && count < MAX_ELEMENTS) {
    const lt = text.indexOf('<', i);
    if (lt < 0) break;
    if (text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt + 4);
      i = end < 0 ? text.length : end + 3;
      continue;
    }
    if (text.startsWith('<![CDATA[', lt)) {
      const end = text.indexOf(']]>', lt + 9);
      i = end < 0 ? text.length : end + 3;
      continue;
    }
    const gt = text.indexOf('>', lt + 1);
    if (gt < 0) break;
    const inner = text.slice(lt + 1, gt);
    i = gt + 1;
    if (inner.startsWith('?') || inner.startsWith('!')) continue;
    if (inner.startsWith('/')) {
      const name = inner.slice(1).trim();
      const at = stack.map((s) => s.el.name).lastIndexOf(name);
      if (at < 0) continue;
      while (stack.length > at) {
        const top = stack.pop()!;
        top.el.range.end = base + (stack.length === at ? gt + 1 : lt);
        if (!top.el.children.length) {
          const t = decodeEntities(Buffer.from(text.slice(top.textStart, lt), 'latin1').toString('utf8').trim());
          if (t) top.el.text = t;
        }
      }
      continue;
    }
    const name = /^[^\s/>]+/.exec(inner)?.[0];
    if (!name) continue;
    const parent = stack[stack.length - 1]?.el;
    const el: XmlElement = {
      name,
      path: parent ? `${parent.path}/${name}` : name,
      depth: stack.length,
      range: { start: base + lt, end: base + gt + 1 },
      children: [],
    };
    count++;
    (parent ? parent.children : roots).push(el);
    if (!inner.endsWith('/') && stack.length < MAX_DEPTH) stack.push({ el, textStart: gt + 1 });
  }
  // Unclosed elements run to the end of the payload.
  for (const s of stack) s.el.range.end = base + text.length;
  return roots;
}

/** Every element of an outline, depth first. */
export function allElements(roots: XmlElement[]): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (list: XmlElement[]) => list.forEach((e) => (out.push(e), walk(e.children)));
  walk(roots);
  return out;
}
