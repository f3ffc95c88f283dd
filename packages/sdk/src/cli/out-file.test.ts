import { describe, expect, it } from 'vitest';
import { outPath, outType } from './out-file';

describe('outType', () => {
  it('by extension, any case', () => {
    expect(outType('boxes.jpg')).toBe('image/jpeg');
    expect(outType('boxes.JPEG')).toBe('image/jpeg');
    expect(outType('out/boxes.png')).toBe('image/png');
    expect(outType('boxes.webp')).toBeUndefined();
    expect(outType('boxes')).toBeUndefined();
  });
});

describe('outPath', () => {
  it('fills {name} with the image name without its extension', () => {
    expect(outPath('out/{name}.jpg', 'photos/cat.png')).toBe('out/cat.jpg');
    expect(outPath('{name}-boxes.png', 'https://host/a/street.jpg?x=1')).toBe('street-boxes.png');
    expect(outPath('boxes.png', 'cat.jpg')).toBe('boxes.png');
  });
});
