// The preview frame's document: the server's HTML without stylesheets from other hosts. MJML links its web
// fonts (fonts.googleapis.com); a srcdoc frame inherits this page's Content Security Policy, which refuses
// them (and many mail clients ignore them too), so the preview shows the fallback fonts an inbox would.
const REMOTE_STYLESHEET = /<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?\/\/[^>]*>/gi;
const REMOTE_IMPORT = /@import\s+url\(\s*["']?(?:https?:)?\/\/[^)]*\)\s*;?/gi;

export function previewDocument(html: string): string {
  return html.replace(REMOTE_STYLESHEET, '').replace(REMOTE_IMPORT, '');
}
