import * as fs from 'node:fs';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { writeAtomic } from '../../../src/streams/io/files.js';

// What reaches the file system, in order: writeAtomic's durability is the order of these calls.
const calls: string[] = [];
vi.mock('node:fs', async (original) => {
  const real = await original<typeof fs>();
  const opened = new Map<number, string>();
  return {
    ...real,
    openSync: (path: string, flags: string) => {
      const fd = real.openSync(path, flags);
      opened.set(fd, path);
      return fd;
    },
    fsyncSync: (fd: number) => {
      calls.push(`fsync ${opened.get(fd)}`);
      real.fsyncSync(fd);
    },
    renameSync: (from: string, to: string) => {
      calls.push(`rename ${from} ${to}`);
      real.renameSync(from, to);
    },
  };
});

const dir = mkdtempSync(join(tmpdir(), 'lstmp-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeAtomic', () => {
  it('syncs the new file before renaming it over the old, then the directory the rename is in', () => {
    const path = join(dir, 'model.msgpack');
    writeAtomic(path, 'first');
    calls.length = 0;
    writeAtomic(path, Uint8Array.of(1, 2, 3));
    expect(calls).toHaveLength(3);
    const [file, rename, directory] = calls;
    const temp = file.slice('fsync '.length);
    expect(temp).toMatch(/\/\.model\.msgpack\.[0-9a-f]{12}\.tmp$/);
    expect(rename).toBe(`rename ${temp} ${path}`);
    expect(directory).toBe(`fsync ${dir}`);
    expect(readFileSync(path)).toEqual(Buffer.from([1, 2, 3]));
    expect(readdirSync(dir)).toEqual(['model.msgpack']);
  });

  it('writes large data whole', () => {
    const path = join(dir, 'large.bin');
    const data = Uint8Array.from({ length: 3_000_000 }, (_, i) => i % 251);
    writeAtomic(path, data);
    expect(new Uint8Array(readFileSync(path))).toEqual(data);
  });
});
