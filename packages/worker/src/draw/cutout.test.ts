import { describe, expect, it } from 'vitest';
import { applyCutout, cutoutDropped } from './cutout';

describe('cutout', () => {
  const labels = ['background', 'aeroplane', 'bicycle'];

  it('drops background by default, and only unrequested pixels when classes were named', () => {
    expect(cutoutDropped(labels, false)).toEqual(new Set([255, 0]));
    expect(cutoutDropped(labels, true)).toEqual(new Set([255]));
    expect(cutoutDropped(['cat', 'dog'], false)).toEqual(new Set([255]));
  });

  it('sets alpha 0 on dropped classes and 255 elsewhere, leaving colours', () => {
    const rgba = new Uint8Array([10, 20, 30, 7, 40, 50, 60, 7, 70, 80, 90, 7]);
    const map = { width: 3, height: 1, data: new Uint8Array([0, 1, 255]) };
    expect([...applyCutout(rgba, map, cutoutDropped(labels, false))]).toEqual([10, 20, 30, 0, 40, 50, 60, 255, 70, 80, 90, 0]);
  });

  it('refuses a class map of another size', () => {
    expect(() => applyCutout(new Uint8Array(8), { width: 1, height: 1, data: new Uint8Array(1) }, new Set())).toThrow(/does not fit/);
  });
});
