import { describe, expect, it } from 'vitest';
import { mergeCatalog } from './catalog';
import { builtinManifest } from './manifest';

type Entry = Record<string, unknown>;
const builtin = builtinManifest as unknown as { models: Entry[]; labels: Record<string, Entry> };
const byId = (id: string) => structuredClone(builtin.models.find((m) => m.id === id) as Entry);

/** A user model made from a built-in entry: another id, file and label list, as `npm run models` writes it. */
function userModel(from: string, id: string, extra: Entry = {}): Entry {
  const m = byId(from);
  const artifacts = (m.artifacts as Entry[]).filter((a) => a.runtime !== 'oip-v2').map((a) => ({ ...a, file: `user/${id}/${a.file}` }));
  return { ...m, id, labels: `user:${id}`, where: 'edge', prefer: 'edge', default: false, artifacts, ...extra };
}
const names = (n: number) => ({ format: 'plain', count: n, names: Array.from({ length: n }, (_, i) => `thing ${i}`) });

describe('the user catalog merged into the built-in manifest', () => {
  it('adds user models, marked as from the catalog, with their label lists', () => {
    const merged = mergeCatalog(builtin, { labels: { 'user:mine': names(1001) }, models: [userModel('mobilenet_v1_0.75_192_quant', 'mine')] });
    const mine = merged.models.find((m) => m.id === 'mine');
    expect(mine).toMatchObject({ source: 'catalog', task: 'classify', labels: 'user:mine' });
    expect(merged.models.filter((m) => m.source === 'builtin')).toHaveLength(builtin.models.length);
    expect(merged.labels['user:mine']?.count).toBe(1001);
  });

  it('a user default replaces the built-in default of its task, and only that one', () => {
    const merged = mergeCatalog(builtin, { labels: { 'user:det': names(80) }, models: [userModel('yolox_nano', 'det', { default: true })] });
    const defaults = merged.models.filter((m) => m.default).map((m) => `${m.task}:${m.id}`);
    expect(defaults).toContain('detect:det');
    expect(defaults.filter((d) => d.startsWith('detect:'))).toEqual(['detect:det']);
    expect(defaults.some((d) => d.startsWith('classify:'))).toBe(true);
  });

  it('refuses a built-in id, a built-in label key, a wrong shape, and an entry the manifest rules reject, naming them', () => {
    expect(() => mergeCatalog(builtin, { models: [userModel('yolox_nano', 'yolox_nano')], labels: {} })).toThrow(/yolox_nano: this id is built in/);
    expect(() => mergeCatalog(builtin, { models: [], labels: { coco_80: names(80) } })).toThrow(/label list coco_80 is built in/);
    expect(() => mergeCatalog(builtin, { nope: true })).toThrow(/expected \{ "labels"/);
    const wrongKind = userModel('yolox_nano', 'bad', { task: 'classify' });
    expect(() => mergeCatalog(builtin, { labels: { 'user:bad': names(80) }, models: [wrongKind] })).toThrow(/bad \(ort-web\): output kind 'yolox-grid' cannot answer classify/);
    expect(() => mergeCatalog(builtin, { labels: {}, models: [userModel('yolox_nano', 'nolabels')] })).toThrow(/nolabels: label list 'user:nolabels' is not in `labels`/);
  });
});
