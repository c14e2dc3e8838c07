import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cacheSegments } from './cache_layout.js';
import { applyMirror } from './mirror.js';

const hashQuery = (query: string): string => createHash('sha256').update(query).digest('hex');

describe('cacheSegments', () => {
  it('keeps the host and URL path readable', () => {
    expect(cacheSegments('https://huggingface.co/timm/resnext50_32x4d.tv2_in1k/resolve/main/model.safetensors', hashQuery)).toEqual([
      'huggingface.co', 'timm', 'resnext50_32x4d.tv2_in1k', 'resolve', 'main', 'model.safetensors',
    ]);
    expect(cacheSegments('https://download.pytorch.org/models/resnext50_32x4d-1a0047aa.pth', hashQuery)).toEqual([
      'download.pytorch.org', 'models', 'resnext50_32x4d-1a0047aa.pth',
    ]);
  });

  it('decodes the path as a static server would, and encodes what file systems refuse', () => {
    expect(cacheSegments('http://127.0.0.1:8080/a%20b/c:d*e%3F.bin', hashQuery)).toEqual(['127.0.0.1%3A8080', 'a b', 'c%3Ad%2Ae%3F.bin']);
    // `%` is encoded too, so a literal "%41" and an encoded "A" stay distinct.
    expect(cacheSegments('https://h/x%2541', hashQuery)).toEqual(['h', 'x%2541']);
    expect(cacheSegments('https://h/x%41', hashQuery)).toEqual(['h', 'xA']);
  });

  it('never climbs out of the cache directory', () => {
    expect(cacheSegments('https://h/a/../../b', hashQuery)).toEqual(['h', 'b']);
    expect(cacheSegments('https://h/%2e%2e/%2E%2E/x', hashQuery)).toEqual(['h', 'x']);
    expect(cacheSegments('https://h/a%2F..%2F..%2Fx', hashQuery)).toEqual(['h', 'a%2F..%2F..%2Fx']);
    expect(cacheSegments('https://h/a//b', hashQuery)).toEqual(['h', 'a', 'b']);
  });

  it('tells query strings apart by a hash suffix', () => {
    const a = cacheSegments('https://h/f.bin?v=1', hashQuery);
    const b = cacheSegments('https://h/f.bin?v=2', hashQuery);
    expect(a).toEqual(['h', `f.bin~${hashQuery('?v=1').slice(0, 12)}`]);
    expect(b).not.toEqual(a);
  });

  it('refuses a URL that names no file', () => {
    expect(() => cacheSegments('https://h/dir/', hashQuery)).toThrow(/names no file/);
  });
});

describe('applyMirror', () => {
  const url = 'https://download.pytorch.org/models/resnext50_32x4d-7cdf4587.pth';

  it('puts host and path under a base URL, with or without a trailing slash', () => {
    const expected = 'https://mirror.example/w/download.pytorch.org/models/resnext50_32x4d-7cdf4587.pth';
    expect(applyMirror(url, 'https://mirror.example/w')).toBe(expected);
    expect(applyMirror(url, 'https://mirror.example/w/')).toBe(expected);
    expect(applyMirror('http://h:81/a?b=1', 'http://m')).toBe('http://m/h:81/a?b=1');
  });

  it('replaces the longest matching prefix of a map, and leaves other URLs alone', () => {
    const map = { 'https://download.pytorch.org/': 'https://a/', 'https://download.pytorch.org/models/': 'https://b/tv/' };
    expect(applyMirror(url, map)).toBe('https://b/tv/resnext50_32x4d-7cdf4587.pth');
    expect(applyMirror('https://huggingface.co/x', map)).toBe('https://huggingface.co/x');
  });

  it('rejects a base that is not an absolute URL', () => {
    expect(() => applyMirror(url, 'mirror.example')).toThrow(TypeError);
    expect(applyMirror(url, undefined)).toBe(url);
  });
});
