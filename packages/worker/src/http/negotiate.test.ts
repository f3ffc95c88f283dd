import { describe, expect, it } from 'vitest';
import { imageAnswer, preferredAnswer } from './negotiate';

describe('preferredAnswer', () => {
  it('takes the highest q among JSON, PNG and JPEG, ties to the first', () => {
    expect(preferredAnswer('image/png')).toBe('image/png');
    expect(preferredAnswer('image/jpeg;q=0.9, application/json;q=0.8')).toBe('image/jpeg');
    expect(preferredAnswer('application/json;q=0.9, image/png;q=0.5')).toBe('application/json');
    expect(preferredAnswer('image/png, application/json')).toBe('image/png');
    expect(preferredAnswer('Image/JPG')).toBe('image/jpeg');
  });
  it('ignores wildcards, unknown types and q=0', () => {
    expect(preferredAnswer(undefined)).toBeUndefined();
    expect(preferredAnswer('*/*')).toBeUndefined();
    expect(preferredAnswer('image/*, text/html')).toBeUndefined();
    expect(preferredAnswer('image/png;q=0')).toBeUndefined();
    expect(preferredAnswer('image/png;q=abc, application/json;q=0.1')).toBe('application/json');
  });
});

describe('imageAnswer', () => {
  it('answers JSON by default and for format=json, whatever Accept says', () => {
    expect(imageAnswer(undefined, undefined)).toBeUndefined();
    expect(imageAnswer(undefined, '*/*')).toBeUndefined();
    expect(imageAnswer('json', 'image/png')).toBeUndefined();
  });
  it('answers the image Accept prefers', () => {
    expect(imageAnswer(undefined, 'image/jpeg')).toBe('image/jpeg');
    expect(imageAnswer(undefined, 'application/json, image/png;q=0.5')).toBeUndefined();
  });
  it('format=image answers an image: Accept picks PNG or JPEG, else the input decides', () => {
    expect(imageAnswer('image', 'image/png')).toBe('image/png');
    expect(imageAnswer('image', undefined)).toBe('same-as-input');
    expect(imageAnswer('image', 'application/json')).toBe('same-as-input');
  });

  it('falls back to the type a task names when format=image and Accept names no picture', () => {
    expect(imageAnswer('image', undefined, 'image/png')).toBe('image/png');
    expect(imageAnswer('image', 'image/jpeg', 'image/png')).toBe('image/jpeg');
    expect(imageAnswer(undefined, 'image/png', 'image/png')).toBe('image/png');
  });
});
