import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface ScriptSize {
  file: string;
  bytes: number;
  gzip: number;
}

/** The scripts a browser loads before the app runs: <script src> and <link rel="modulepreload"> in index.html. */
export function initialScripts(indexHtml: string): string[] {
  return [...indexHtml.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="([^"]+\.js)"/g)].map(
    (match) => match[1]!,
  );
}

export function sizeOf(file: string, body: Buffer): ScriptSize {
  return { file, bytes: body.length, gzip: gzipSync(body, { level: 9 }).length };
}

/** The built chunk(s) whose code contains `marker` (e.g. a component selector), by file name. */
export function chunksContaining(browserDir: string, marker: string): string[] {
  return readdirSync(browserDir)
    .filter((file) => file.endsWith('.js'))
    .filter((file) => readFileSync(join(browserDir, file), 'utf8').includes(marker));
}
