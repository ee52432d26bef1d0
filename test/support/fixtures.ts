import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The path of a file in test/fixtures (see its README for where each came from). */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
}

/** A JSON fixture, parsed. */
export function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(fixturePath(name), 'utf8')) as T;
}

/** Nested number arrays flattened in row-major order. */
export function flat(nested: unknown): number[] {
  return Array.isArray(nested) ? nested.flatMap(flat) : [nested as number];
}
