import { describe, expect, it } from 'vitest';
import { breakingBetweenBytes, escapeHtml, html, isSafeHtml, trusted } from '../../src/web/html.ts';

describe('html', () => {
  it('escapes every interpolated string, in content and in quoted attributes', () => {
    const name = `<script>alert("x")</script>`;
    const attribute = `" onmouseover="alert('x')`;
    expect(html`<td title="${attribute}">${name}</td>`.text).toBe(
      '<td title="&quot; onmouseover=&quot;alert(&#39;x&#39;)">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</td>',
    );
  });

  it('escapes an ampersand once, so entities in BMC strings show literally', () => {
    expect(html`${'AT&amp;T'}`.text).toBe('AT&amp;amp;T');
  });

  it('keeps nested html as markup and escapes what it interpolates', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p>${inner}</p>`.text).toBe('<p><b>&lt;i&gt;</b></p>');
  });

  it('joins lists, and prints nothing for null, undefined and booleans', () => {
    expect(html`${['<a>', html`<br>`, 3]}|${null}|${undefined}|${false}|${true}`.text).toBe('&lt;a&gt;<br>3||||');
  });

  it('does not take an object that merely looks like html for html', () => {
    const forged = { text: '<script>x</script>' } as never;
    expect(isSafeHtml(forged)).toBe(false);
    expect(html`${forged}`.text).toBe('[object Object]');
  });

  it('passes markup marked trusted unchanged', () => {
    expect(html`${trusted('<hr>')}`.text).toBe('<hr>');
    expect(escapeHtml("`'")).toBe('&#96;&#39;');
  });

  it('lets a fingerprint or MAC in a text break only after its colons, and still escapes the text around it', () => {
    expect(breakingBetweenBytes('<b>pinned 5E:0F:93:1C:A4:77, at 12:30:45</b> & b8:59:9f:5e:68:d4').text).toBe(
      '&lt;b&gt;pinned 5E:<wbr>0F:<wbr>93:<wbr>1C:<wbr>A4:<wbr>77, at 12:30:45&lt;/b&gt; &amp; b8:<wbr>59:<wbr>9f:<wbr>5e:<wbr>68:<wbr>d4',
    );
    expect(breakingBetweenBytes('no bytes here').text).toBe('no bytes here');
  });
});
