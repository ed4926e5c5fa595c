/** `text` with `insert` put at the selection of the textarea (or at the end). */
export function insertAt(
  text: string,
  insert: string,
  start: number | null,
  end: number | null,
): { text: string; caret: number } {
  const from = start ?? text.length;
  const to = end ?? from;
  return { text: text.slice(0, from) + insert + text.slice(to), caret: from + insert.length };
}

/** The variable every e-mail template must contain (the server refuses an e-mail campaign without it). */
export const UNSUBSCRIBE_TOKEN = '{{ unsubscribe_url }}';

/** Whether the template already uses `unsubscribe_url` (the server's check is the one that counts). */
export function hasUnsubscribeLink(text: string): boolean {
  return /\{\{-?\s*unsubscribe_url\s*(\||-?\}\})/.test(text);
}

/** The template with an unsubscribe line added at the end, on a line of its own. */
export function withUnsubscribeLink(text: string): string {
  const line = `Unsubscribe: ${UNSUBSCRIBE_TOKEN}`;
  if (text.trim() === '') return line;
  return `${text.replace(/\s+$/, '')}\n\n${line}`;
}

/** Whether a campaign on `channel` can go out by e-mail, so its template needs the unsubscribe link. */
export function needsUnsubscribeLink(channel: string): boolean {
  return channel === 'email' || channel === 'preferred';
}
