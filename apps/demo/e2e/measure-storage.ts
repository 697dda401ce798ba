/**
 * Measures, in headless Chromium, what persisting the capture queue costs the page's main
 * thread per event, for the storages the writer could use. Not a test: run it by hand with
 * `npx tsx apps/demo/e2e/measure-storage.ts` (Chromium as for the e2e tests); the figures are
 * quoted in docs/capture.md ("Why localStorage chunks").
 *
 * Workload: 100 events/s (typical click events, ~250 characters of JSON) persisted every
 * 100 ms while the store is offline, so the queue grows to 1,000 events; measured from the
 * first event to the last, all the main thread spends in the storage calls.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { launchBrowser } from './browser.js';

const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>m</title>');
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;
const browser = await launchBrowser();
const page = browser.context.pages()[0] ?? (await browser.context.newPage());
await page.goto(`http://127.0.0.1:${port}/`);
// tsx keeps function names with a helper the page does not have.
await page.evaluate('globalThis.__name = (f) => f');

const results = await page.evaluate(async () => {
  const EVENTS = 1000;
  const PER_COMMIT = 10;
  const event = (i: number) =>
    JSON.stringify({
      id: `019b8d99-0000-7000-8000-${String(i).padStart(12, '0')}`,
      sessionId: '0b8f5a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
      type: 'click',
      path: 'shop/catalog/grid/product-card',
      payload: { x: 120, y: 48, button: 0, tag: 'button' },
      createdAt: new Date().toISOString(),
    });
  const runs = 5;
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

  /** localStorage: every commit rewrites the whole queue under one key (0.x writer). */
  const whole = () => {
    const queue: string[] = [];
    let spent = 0;
    for (let i = 0; i < EVENTS; i += PER_COMMIT) {
      for (let k = 0; k < PER_COMMIT; k += 1) queue.push(event(i + k));
      const t = performance.now();
      localStorage.setItem('m:whole', `{"v":1,"events":[${queue.join(',')}]}`);
      spent += performance.now() - t;
    }
    localStorage.removeItem('m:whole');
    return (spent * 1e6) / EVENTS;
  };

  /** localStorage: one chunk key per commit plus a small manifest (this writer). */
  const chunks = () => {
    let spent = 0;
    const seqs: number[] = [];
    for (let i = 0; i < EVENTS; i += PER_COMMIT) {
      const fresh: string[] = [];
      for (let k = 0; k < PER_COMMIT; k += 1) fresh.push(event(i + k));
      const t = performance.now();
      localStorage.setItem(`m:tab:${seqs.length}`, `[${fresh.join(',')}]`);
      seqs.push(seqs.length);
      localStorage.setItem('m:tab', JSON.stringify({ v: 2, chunks: seqs, next: seqs.length }));
      spent += performance.now() - t;
    }
    for (const seq of seqs) localStorage.removeItem(`m:tab:${seq}`);
    localStorage.removeItem('m:tab');
    return (spent * 1e6) / EVENTS;
  };

  /** IndexedDB: one put per commit, awaited until the transaction completes. */
  const indexedDb = async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('m', 1);
      open.onupgradeneeded = () => open.result.createObjectStore('chunks');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    let spent = 0;
    let wall = 0;
    for (let i = 0; i < EVENTS; i += PER_COMMIT) {
      const fresh: string[] = [];
      for (let k = 0; k < PER_COMMIT; k += 1) fresh.push(event(i + k));
      const t = performance.now();
      const tx = db.transaction('chunks', 'readwrite');
      tx.objectStore('chunks').put(`[${fresh.join(',')}]`, i);
      spent += performance.now() - t; // main-thread part
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
      wall += performance.now() - t; // until durable in the browser process
    }
    db.close();
    await new Promise<void>((resolve) => {
      const del = indexedDB.deleteDatabase('m');
      del.onsuccess = () => resolve();
      del.onerror = () => resolve();
    });
    return { main: (spent * 1e6) / EVENTS, untilCommitted: (wall * 1e3) / (EVENTS / PER_COMMIT) };
  };

  const w: number[] = [];
  const c: number[] = [];
  const im: number[] = [];
  const iw: number[] = [];
  for (let r = 0; r < runs; r += 1) {
    w.push(whole());
    c.push(chunks());
    const idb = await indexedDb();
    im.push(idb.main);
    iw.push(idb.untilCommitted);
  }
  return {
    wholeQueueNsPerEvent: median(w),
    chunksNsPerEvent: median(c),
    indexedDbMainNsPerEvent: median(im),
    indexedDbCommitMicrosPerCommit: median(iw),
  };
});

console.log(JSON.stringify(results, null, 2));
await browser.close();
server.close();
