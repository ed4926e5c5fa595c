// The preview frame drops remote stylesheets (the page's CSP refuses them) and keeps everything else.
import { describe, expect, it } from 'vitest';

import { previewDocument } from './previewDocument';

describe('previewDocument', () => {
  it('drops web fonts linked or imported from other hosts', () => {
    const html =
      '<head><link href="https://fonts.googleapis.com/css?family=Ubuntu:300,400" rel="stylesheet" type="text/css">' +
      '<style type="text/css">@import url(https://fonts.googleapis.com/css?family=Ubuntu:300,400);\np{margin:0}</style></head>' +
      '<body><p>Hi</p><img src="https://brand.example/a.png" alt="A"><a href="https://brand.example/">Shop</a></body>';
    const out = previewDocument(html);
    expect(out).not.toContain('fonts.googleapis.com');
    expect(out).toContain('<style type="text/css">');
    expect(out).toContain('p{margin:0}');
    expect(out).toContain('<img src="https://brand.example/a.png" alt="A">');
    expect(out).toContain('<a href="https://brand.example/">Shop</a>');
  });
});
