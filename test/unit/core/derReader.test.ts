import * as assert from 'node:assert/strict';
import * as forge from 'node-forge';
import { DerNode, decodeOid, isUniversal, readDerNode, readElement, readElements, Tag } from '../../../server/src/core/asn1/der';
import * as w from '../../../server/src/core/asn1/derWriter';
import { hexColon } from '../../../server/src/core/cert/decodeCertificate';
import { fixture } from '../../helpers/fixtures';
import { Prng } from '../../helpers/prng';

const CERTS = ['certs/valid.der', 'certs/weak-1024.der', 'certs/ec-p256.der', 'certs/ec-p384.der', 'certs/ec-p521.der', 'cluster/CAPF.der'];

function allNodes(root: DerNode | undefined, out: DerNode[] = []): DerNode[] {
  if (!root) return out;
  out.push(root);
  for (const c of root.children) allNodes(c, out);
  return out;
}

/** node-forge's OID decoder: written independently of ours. */
const forgeOid = (content: Buffer): string => forge.asn1.derToOid(forge.util.createBuffer(content.toString('binary')));

describe('DER reader', () => {
  it("gives every node's content and bytes as views of the input, made once, and writable", () => {
    const der = fixture('certs/valid.der');
    const nodes = allNodes(readDerNode(der, 0));
    assert.ok(nodes.length > 50);
    for (const n of nodes) {
      assert.ok(Buffer.isBuffer(n.content) && Buffer.isBuffer(n.bytes));
      assert.ok(n.content.equals(der.subarray(n.offset + n.headerLength, n.end)));
      assert.ok(n.bytes.equals(der.subarray(n.offset, n.end)));
      assert.equal(n.content.buffer, der.buffer, 'a view, not a copy');
      assert.equal(n.content, n.content, 'the same view on every read');
    }
    const leaf = nodes.find((n) => !n.constructed)!;
    const before = leaf.content[0];
    der[leaf.offset + leaf.headerLength] ^= 0xff;
    assert.equal(leaf.content[0], before ^ 0xff, 'reads see the input as it is now');
    der[leaf.offset + leaf.headerLength] ^= 0xff;
    leaf.content = Buffer.from('x');
    leaf.bytes = Buffer.from('y');
    assert.equal(leaf.content.toString(), 'x');
    assert.equal(leaf.bytes.toString(), 'y');
  });

  it('decodes every OID of the fixture certificates as node-forge does, from the cache too', () => {
    let count = 0;
    for (const name of CERTS) {
      for (const n of allNodes(readDerNode(fixture(name), 0))) {
        if (!isUniversal(n, Tag.OID)) continue;
        assert.equal(decodeOid(n.content), forgeOid(n.content), name);
        assert.equal(decodeOid(Buffer.from(n.content)), forgeOid(n.content), `${name}, second read`);
        count++;
      }
    }
    assert.ok(count > 50);
  });

  it('decodes many distinct and long OIDs (beyond the cache) as node-forge does', () => {
    const rng = new Prng(7);
    for (let k = 0; k < 2000; k++) {
      const arcs = [rng.int(3), rng.int(40)];
      const more = 1 + rng.int(k % 10 === 0 ? 40 : 8); // every tenth one is longer than the cache takes
      for (let j = 0; j < more; j++) arcs.push(rng.int(2) ? rng.int(128) : rng.int(2 ** 32));
      const content = readDerNode(w.oid(arcs.join('.')), 0)!.content;
      assert.equal(decodeOid(content), arcs.join('.'));
      assert.equal(decodeOid(content), forgeOid(content));
    }
  });

  it('reads damaged OID content as it always has', () => {
    assert.equal(decodeOid(Buffer.alloc(0)), '');
    assert.equal(decodeOid(Buffer.from([0x2a, 0x86])), '1.2', 'an unfinished last arc is dropped');
    assert.equal(decodeOid(Buffer.from([0x86])), '2.54', 'with no finished arc, the first byte stands in');
    assert.equal(decodeOid(Buffer.from([0x81, 0x80, 0x01])), '2.16305');
  });
});

describe('DER element reader', () => {
  it('reads the same element bounds and identifiers as the tree reader, level by level', () => {
    for (const name of CERTS) {
      const der = fixture(name);
      const walk = (node: DerNode, limit: number) => {
        const e = readElement(der, node.offset, limit);
        assert.ok(e, `${name} @${node.offset}`);
        assert.deepEqual([e.offset, e.id, e.start, e.end], [node.offset, der[node.offset], node.offset + node.headerLength, node.end]);
        if (!node.constructed) return;
        const inside = readElements(der, e);
        assert.deepEqual(inside?.map((c) => c.offset), node.children.map((c) => c.offset), `${name} @${node.offset}`);
        for (const c of node.children) walk(c, e.end);
      };
      const root = readDerNode(der, 0);
      assert.ok(root);
      walk(root, der.length);
    }
  });

  it('refuses what it cannot read whole: a short header, content past the limit, a high tag number, a gap', () => {
    assert.equal(readElement(Buffer.from('30', 'hex'), 0, 1), undefined, 'one byte');
    assert.equal(readElement(Buffer.from('3003020101', 'hex'), 0, 4), undefined, 'content past the limit');
    assert.equal(readElement(Buffer.from('3f8101020101', 'hex'), 0, 6), undefined, 'high tag number');
    assert.equal(readElement(Buffer.from('3080', 'hex'), 0, 2), undefined, 'indefinite length');
    assert.equal(readElement(Buffer.from('308500000000010000', 'hex'), 0, 9), undefined, 'five length octets');
    assert.deepEqual(readElement(Buffer.from('3081030201ff', 'hex'), 0, 6), { offset: 0, id: 0x30, start: 3, end: 6 }, 'long-form length');
    const seq = Buffer.from('3005020101020100', 'hex'); // the SEQUENCE says 5 bytes; its two INTEGERs take 6
    const outer = readElement(seq, 0, seq.length);
    assert.ok(outer);
    assert.equal(readElements(seq, outer), undefined, 'children that do not fill their parent exactly');
    assert.deepEqual(readElements(Buffer.from('3000', 'hex'), { offset: 0, id: 0x30, start: 2, end: 2 }), []);
  });
});

describe('hexColon', () => {
  it('prints bytes as upper-case hex pairs joined by colons', () => {
    const rng = new Prng(11);
    for (let len = 0; len < 70; len++) {
      const b = Buffer.from(Array.from({ length: len + 3 }, () => rng.int(256))).subarray(3); // a view at an offset
      const reference = (b.toString('hex').toUpperCase().match(/../g) ?? []).join(':');
      assert.equal(hexColon(b), reference);
    }
    assert.equal(hexColon(Buffer.from([0, 0x0a, 0xff])), '00:0A:FF');
  });
});
