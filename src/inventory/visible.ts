// Text from a BMC (a model string, its own error message) can hold control characters: terminal
// sequences (clear-screen, set-title, cursor moves), C1 codes, and the bidirectional overrides
// that make a serial read backwards. Every human-readable output, the terminal's and the web
// pages', shows them as escapes (`\x1b`, `\u202e`). Pure.

// C0, DEL and C1 controls, the line and paragraph separators, and the bidirectional overrides and
// isolates that reorder what is shown.
const CONTROLS = '\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028-\\u202e\\u2066-\\u2069';
const CONTROL = new RegExp(`[${CONTROLS}]`, 'g');
/** Whether a text holds a control character `visible` would escape. */
export const HAS_CONTROL = new RegExp(`[${CONTROLS}]`);

/** One control character as an escape: `\x1b`, `\u202e`. */
export const escapeControl = (char: string): string => {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/** Text with every control character shown as an escape (`\x1b`, `\u202e`). */
export function visible(text: string): string {
  return HAS_CONTROL.test(text) ? text.replace(CONTROL, escapeControl) : text;
}

/** Like `visible`, but keeps line breaks (a tooltip of several lines, a list in an error). */
export function visibleLines(text: string): string {
  return HAS_CONTROL.test(text) ? text.split('\n').map(visible).join('\n') : text;
}
