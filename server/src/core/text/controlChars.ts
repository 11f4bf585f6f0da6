/**
 * Text from the network or from files, made safe to print or log: every C0 control (U+0000–U+001F), DEL
 * (U+007F) and C1 control (U+0080–U+009F) is written as `\uXXXX`. A terminal acts on them: ESC and CSI
 * (U+001B, and U+009B on their own in C1) move the cursor, recolour or retitle, so a device name or a
 * certificate subject could rewrite what the user sees. JSON.stringify escapes C0 but leaves C1 as is.
 * One function for one-line fields (log entries, names in messages) and one for multi-line text (what the
 * CLI prints, whose own line breaks and tabs stay).
 */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;
const ANY_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROLS_BUT_TAB_AND_NEWLINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

function escape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Whether `s` holds a control character that escapeControls would escape. */
export function hasControls(s: string): boolean {
  return ANY_CONTROL.test(s);
}

/** A one-line field: every control character escaped, line breaks and tabs too. */
export function escapeControls(s: string): string {
  return s.replace(CONTROLS, escape);
}

/** Multi-line text: every control character escaped except tab and line feed. */
export function escapeControlsInText(s: string): string {
  return s.replace(CONTROLS_BUT_TAB_AND_NEWLINE, escape);
}
