import { describe, expect, it } from 'vitest';
import { markdown, renderDocs, typeOf } from './docs-page';
import { buildOpenApi } from './openapi';

describe('docs page renderer', () => {
  it('says a schema\'s type in a few words', () => {
    expect(typeOf({ type: 'integer', minimum: 1, maximum: 100 })).toBe('integer 1..100');
    expect(typeOf({ type: 'array', items: { type: 'string', enum: ['a', 'b'] } })).toBe('("a" | "b")[]');
    expect(typeOf({ $ref: '#/components/schemas/ModelInfo' })).toBe('ModelInfo');
    expect(typeOf({ anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] })).toBe('string | string[]');
    expect(typeOf({ const: 'detect' })).toBe('"detect"');
  });

  it('renders markdown paragraphs and tables, escaping HTML', () => {
    expect(markdown('a `b` <i>')).toBe('<p>a <code>b</code> &#60;i&#62;</p>');
    expect(markdown('| a | b |\n|---|---|\n| `x` | 1 |')).toBe('<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td><code>x</code></td><td>1</td></tr></tbody></table>');
  });

  it('renders every operation and schema of the API document, with no script or external asset', () => {
    const doc = buildOpenApi('test');
    const html = renderDocs(doc);
    for (const item of Object.values(doc.paths as Record<string, Record<string, { operationId: string }>>)) {
      for (const op of Object.values(item)) expect(html).toContain(`id="op-${op.operationId}"`);
    }
    for (const name of Object.keys((doc.components as { schemas: object }).schemas)) expect(html).toContain(`id="schema-${name}"`);
    expect(html).not.toMatch(/<script|<link|src="http/i);
  });
});
