/** A rendered, read-only text view of a binary file; each line remembers which bytes it describes. */
import { ByteRange } from '../core/tlv/model';

export type ViewLineKind =
  | 'title'
  | 'summary'
  | 'section'
  | 'rule'
  | 'columns'
  | 'element'
  | 'note'
  | 'signer'
  | 'verdict'
  | 'problem'
  | 'payload'
  | 'blank';

export interface ViewLine {
  text: string;
  kind: ViewLineKind;
  /** the source bytes this line describes */
  range?: ByteRange;
  /** 1-based record number (trust lists) or certificate number (bundles) */
  section?: number;
  /** the TLV tag or certificate field path */
  tag?: number;
  field?: string;
}

export interface ViewSection {
  /** "Header", "Record #3 CAPF CN=…", "Certificate #1 CN=…" */
  name: string;
  detail?: string;
  /** element: an element of a signed file's XML payload (outline only) */
  kind: 'header' | 'record' | 'certificate' | 'element';
  index: number;
  startLine: number;
  endLine: number;
  range: ByteRange;
}

export interface RenderedView {
  text: string;
  lines: ViewLine[];
  sections: ViewSection[];
}

export class ViewBuilder {
  readonly lines: ViewLine[] = [];
  readonly sections: ViewSection[] = [];
  push(line: ViewLine): number {
    this.lines.push(line);
    return this.lines.length - 1;
  }
  blank(): void {
    this.push({ text: '', kind: 'blank' });
  }
  openSection(s: Omit<ViewSection, 'startLine' | 'endLine'>): ViewSection {
    const section: ViewSection = { ...s, startLine: this.lines.length, endLine: this.lines.length };
    this.sections.push(section);
    return section;
  }
  closeSection(s: ViewSection): void {
    s.endLine = Math.max(s.startLine, this.lines.length - 1);
  }
  build(): RenderedView {
    return { text: this.lines.map((l) => l.text).join('\n') + '\n', lines: this.lines, sections: this.sections };
  }
}
