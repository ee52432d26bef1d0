import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Installs Debian's chromium when it is missing (CI runs as root with apt).
 * Slow the first time (a minute or two), instant after.
 */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', 'chromium']]) {
    const run = spawnSync('apt-get', args, { env, encoding: 'utf8', timeout: 600_000 });
    if (run.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (${run.status}):\n${run.stdout}${run.stderr}`);
  }
}

/** What happened on a page: console errors, exceptions, and every URL it asked for. */
export interface PageLog {
  readonly errors: string[];
  readonly requests: string[];
}

type Json = Record<string, unknown>;

/**
 * Headless Chromium driven over the DevTools protocol on a pipe
 * (--remote-debugging-pipe: JSON messages ending in NUL on fds 3 and 4), so
 * neither a port nor a WebSocket client is needed. A fresh profile per
 * browser, no network services, no sandbox (CI runs as root).
 */
export class Chromium {
  private readonly process: ChildProcess;
  private readonly profile: string;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: Json) => void; reject: (e: Error) => void; method: string }>();
  private readonly listeners: ((message: Json) => void)[] = [];

  private constructor(extraArgs: readonly string[] = []) {
    this.profile = mkdtempSync(join(tmpdir(), 'lstmp-chromium-'));
    this.process = spawn(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--no-default-browser-check',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-extensions',
        '--disable-dev-shm-usage',
        '--hide-scrollbars',
        '--mute-audio',
        `--user-data-dir=${this.profile}`,
        '--remote-debugging-pipe',
        ...extraArgs,
        'about:blank',
      ],
      { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] },
    );
    let buffer = '';
    (this.process.stdio[4] as Readable).setEncoding('utf8').on('data', (text: string) => {
      buffer += text;
      for (let end = buffer.indexOf('\0'); end >= 0; end = buffer.indexOf('\0')) {
        const message = JSON.parse(buffer.slice(0, end)) as Json;
        buffer = buffer.slice(end + 1);
        this.receive(message);
      }
    });
    this.process.on('exit', () => {
      for (const call of this.pending.values()) call.reject(new Error(`chromium exited during ${call.method}`));
      this.pending.clear();
    });
  }

  /** A fresh headless Chromium; `args` adds switches (a fake microphone, say). */
  static launch(args: readonly string[] = []): Chromium {
    return new Chromium(args);
  }

  /** Sends one protocol command (to a page when `session` is given) and waits for its result. */
  send(method: string, params: Json = {}, session?: string): Promise<Json> {
    const id = this.nextId++;
    const message = { id, method, params, ...(session ? { sessionId: session } : {}) };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      (this.process.stdio[3] as Writable).write(`${JSON.stringify(message)}\0`);
    });
  }

  /**
   * Opens `url` in a new tab of `width` × `height` CSS pixels (light or dark
   * colour scheme), waits for it to load, and returns the tab's session and
   * what it logged.
   */
  async open(url: string, options: { width: number; height: number; dark?: boolean }): Promise<{ session: string; log: PageLog }> {
    const { targetId } = (await this.send('Target.createTarget', { url: 'about:blank' })) as { targetId: string };
    const { sessionId } = (await this.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
    const log: PageLog = { errors: [], requests: [] };
    this.listeners.push((message) => {
      if (message.sessionId !== sessionId) return;
      const params = message.params as Json;
      switch (message.method) {
        case 'Runtime.consoleAPICalled':
          if (params.type === 'error' || params.type === 'assert') log.errors.push(`console.${String(params.type)}: ${JSON.stringify(params.args)}`);
          break;
        case 'Runtime.exceptionThrown':
          log.errors.push(`exception: ${JSON.stringify(params.exceptionDetails)}`);
          break;
        case 'Log.entryAdded': {
          const entry = params.entry as Json;
          if (entry.level === 'error') log.errors.push(`${String(entry.source)}: ${String(entry.text)}`);
          break;
        }
        case 'Network.requestWillBeSent':
          log.requests.push(String((params.request as Json).url));
          break;
      }
    });
    for (const domain of ['Runtime', 'Log', 'Page', 'Network']) await this.send(`${domain}.enable`, {}, sessionId);
    await this.send('Emulation.setDeviceMetricsOverride', { width: options.width, height: options.height, deviceScaleFactor: 1, mobile: false }, sessionId);
    await this.send('Emulation.setEmulatedMedia', { features: [{ name: 'prefers-color-scheme', value: options.dark ? 'dark' : 'light' }] }, sessionId);
    const loaded = this.event('Page.loadEventFired', sessionId);
    await this.send('Page.navigate', { url }, sessionId);
    await loaded;
    return { session: sessionId, log };
  }

  /** The value of a JavaScript expression evaluated in the page. */
  async evaluate<T>(session: string, expression: string): Promise<T> {
    const reply = (await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, session)) as { result: { value: T }; exceptionDetails?: unknown };
    if (reply.exceptionDetails) throw new Error(`evaluating ${expression}: ${JSON.stringify(reply.exceptionDetails)}`);
    return reply.result.value;
  }

  /** A PNG of the whole page, top to bottom. */
  async screenshot(session: string): Promise<Buffer> {
    const { width, height } = await this.evaluate<{ width: number; height: number }>(
      session,
      '({ width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight })',
    );
    const { data } = (await this.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true, clip: { x: 0, y: 0, width, height, scale: 1 } }, session)) as {
      data: string;
    };
    return Buffer.from(data, 'base64');
  }

  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => (this.process.exitCode !== null ? resolve() : this.process.once('exit', () => resolve())));
    await this.send('Browser.close').catch(() => undefined);
    const killer = setTimeout(() => this.process.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
    rmSync(this.profile, { recursive: true, force: true });
  }

  private event(method: string, session: string): Promise<Json> {
    return new Promise((resolve) => {
      const listener = (message: Json) => {
        if (message.method !== method || message.sessionId !== session) return;
        this.listeners.splice(this.listeners.indexOf(listener), 1);
        resolve(message.params as Json);
      };
      this.listeners.push(listener);
    });
  }

  private receive(message: Json): void {
    if (typeof message.id === 'number') {
      const call = this.pending.get(message.id);
      if (!call) return;
      this.pending.delete(message.id);
      if (message.error) call.reject(new Error(`${call.method}: ${JSON.stringify(message.error)}`));
      else call.resolve(message.result as Json);
      return;
    }
    for (const listener of [...this.listeners]) listener(message);
  }
}
