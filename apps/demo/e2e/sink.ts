import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A stored event as the sink sees it (only the fields the test reads). */
export interface SinkEvent {
  id: string;
  sessionId: string;
  type: string;
  path: string;
  createdAt: string;
  payload: Record<string, unknown>;
}

/**
 * The shared store of the durability test: a tiny HTTP event sink that the demo's `?sink=`
 * mode writes to. It stores events by id (as every FactoredStore does: a retried write stores
 * nothing twice) and also counts every row it received, so re-sends are visible. `online`
 * switches it off: it then answers 503 without storing anything.
 */
export interface EventSink {
  url: string;
  online: boolean;
  /** Stored events by id. */
  readonly events: Map<string, SinkEvent>;
  /** Rows received, re-sends included. */
  received: number;
  /** Write requests refused while offline. */
  refused: number;
  close(): Promise<void>;
}

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts an {@link EventSink} on an ephemeral port of 127.0.0.1. */
export async function startEventSink(): Promise<EventSink> {
  const sink: Omit<EventSink, 'url' | 'close'> = {
    online: true,
    events: new Map(),
    received: 0,
    refused: 0,
  };
  const server: Server = createServer((request, response) => {
    response.setHeader('access-control-allow-origin', '*');
    response.setHeader('access-control-allow-headers', 'content-type');
    if (request.method === 'OPTIONS') {
      response.writeHead(204).end();
      return;
    }
    void body(request).then((text) => {
      if (request.method !== 'POST') {
        response.writeHead(405).end();
        return;
      }
      if (!sink.online) {
        sink.refused += 1;
        response.writeHead(503).end('offline');
        return;
      }
      if (request.url === '/events') {
        const events = JSON.parse(text) as SinkEvent[];
        for (const event of events) {
          sink.received += 1;
          if (!sink.events.has(event.id)) sink.events.set(event.id, event);
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(sink, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  });
}
