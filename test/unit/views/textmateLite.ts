/**
 * A minimal TextMate tokenizer for grammars made only of `match` rules (with `captures`, capture `patterns`,
 * `include` of repository rules and `$self`), which is all the itl-view and cert-view grammars use. It follows
 * TextMate's rule: at each position the leftmost match wins, ties go to the earlier pattern. Regexes run on
 * JavaScript's engine: the grammars avoid Oniguruma-only syntax, and the test checks that each one compiles.
 * (A full check would use vscode-textmate + vscode-oniguruma, which are not dependencies of this project.)
 */
export interface GrammarRule {
  match?: string;
  name?: string;
  include?: string;
  patterns?: GrammarRule[];
  captures?: Record<string, { name?: string; patterns?: GrammarRule[] }>;
  begin?: string;
  end?: string;
}

export interface Grammar {
  scopeName: string;
  patterns: GrammarRule[];
  repository: Record<string, GrammarRule>;
}

export class LiteTokenizer {
  private readonly compiled = new Map<string, RegExp>();

  constructor(private readonly grammar: Grammar) {}

  /** Every `match` regex of the grammar, compiled; throws on one JavaScript cannot compile. */
  allRegexes(): RegExp[] {
    const out: RegExp[] = [];
    const visit = (r: GrammarRule) => {
      if (r.begin || r.end) throw new Error('begin/end rules are not supported by this tokenizer');
      if (r.match) out.push(this.regex(r.match));
      r.patterns?.forEach(visit);
      Object.values(r.captures ?? {}).forEach((c) => c.patterns?.forEach(visit));
    };
    this.grammar.patterns.forEach(visit);
    Object.values(this.grammar.repository).forEach(visit);
    return out;
  }

  /** The scope stack of every character of a line. */
  scopes(line: string): string[][] {
    const out: string[][] = Array.from({ length: line.length }, () => [this.grammar.scopeName]);
    this.scan(line, 0, line.length, this.grammar.patterns, [this.grammar.scopeName], out);
    return out;
  }

  /** The scopes of the first character of `needle` (its first occurrence at or after `from`). */
  scopesAt(line: string, needle: string, from = 0): string[] {
    const at = line.indexOf(needle, from);
    if (at < 0) throw new Error(`'${needle}' not in '${line}'`);
    return this.scopes(line)[at];
  }

  private regex(source: string): RegExp {
    let re = this.compiled.get(source);
    if (!re) this.compiled.set(source, (re = new RegExp(source, 'dg')));
    return re;
  }

  private flatten(patterns: GrammarRule[], seen = new Set<GrammarRule>()): GrammarRule[] {
    const out: GrammarRule[] = [];
    for (const p of patterns) {
      if (p.include) {
        const target = p.include === '$self' ? { patterns: this.grammar.patterns } : this.grammar.repository[p.include.replace(/^#/, '')];
        if (!target) throw new Error(`unknown include ${p.include}`);
        if (seen.has(target)) continue;
        seen.add(target);
        out.push(...(target.match ? [target] : this.flatten(target.patterns ?? [], seen)));
      } else if (p.match) out.push(p);
      else if (p.patterns) out.push(...this.flatten(p.patterns, seen));
    }
    return out;
  }

  private scan(line: string, start: number, end: number, patterns: GrammarRule[], base: string[], out: string[][]): void {
    const text = line.slice(start, end);
    const rules = this.flatten(patterns);
    let pos = 0;
    while (pos < text.length) {
      let best: { rule: GrammarRule; m: RegExpExecArray } | undefined;
      for (const rule of rules) {
        const re = this.regex(rule.match!);
        re.lastIndex = pos;
        const m = re.exec(text);
        if (m && (!best || m.index < best.m.index)) best = { rule, m };
      }
      if (!best) return;
      const { rule, m } = best;
      const ruleScopes = rule.name ? [...base, rule.name] : base;
      const mEnd = m.index + m[0].length;
      for (let i = m.index; i < mEnd; i++) out[start + i] = ruleScopes;
      const indices = m.indices ?? [];
      for (const [group, cap] of Object.entries(rule.captures ?? {})) {
        const span = indices[Number(group)];
        if (!span) continue;
        const capScopes = cap.name ? [...ruleScopes, cap.name] : ruleScopes;
        for (let i = span[0]; i < span[1]; i++) out[start + i] = capScopes;
        if (cap.patterns) this.scan(line, start + span[0], start + span[1], cap.patterns, capScopes, out);
      }
      pos = mEnd > m.index ? mEnd : m.index + 1;
    }
  }
}
