// A request's deadline, as the kit keeps it for everything the request does (request-deadline.ts).
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentDeadline, detachedFromRequest, REQUEST_TIMEOUT_HEADER, withRequestDeadline, type RequestDeadline } from '../../subgraphs/kit/request-deadline';

let server: Server;
let url: string;
/** What the handler saw of the deadline: in the request, and in work detached from it. */
let seen: { inside?: RequestDeadline; detached?: RequestDeadline; budget?: number } = {};

beforeAll(async () => {
  server = createServer((req, res) => {
    withRequestDeadline(req, res, 30_000, async () => {
      seen = { inside: currentDeadline(), detached: await detachedFromRequest(async () => currentDeadline()), budget: currentDeadline()?.remainingMs() };
      res.end('ok');
    }).catch((error: Error) => res.writeHead(400).end(error.message));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the deadline of a request', () => {
  it('is shortened by the caller, never lengthened', async () => {
    await fetch(url, { headers: { [REQUEST_TIMEOUT_HEADER]: '1200' } });
    expect(seen.budget).toBeLessThanOrEqual(1_200);
    await fetch(url, { headers: { [REQUEST_TIMEOUT_HEADER]: '999999' } });
    expect(seen.budget).toBeLessThanOrEqual(30_000);
  });

  it('refuses a timeout that is no whole number of milliseconds, quoting it', async () => {
    const response = await fetch(url, { headers: { [REQUEST_TIMEOUT_HEADER]: '5s' } });
    expect(response.status).toBe(400);
    expect(await response.text()).toBe(`${REQUEST_TIMEOUT_HEADER} must be a whole number of milliseconds above 0, not "5s"`);
  });

  it('does not reach work detached from the request, which others may share', async () => {
    await fetch(url);
    expect(seen.inside).toBeDefined();
    expect(seen.detached).toBeUndefined();
  });
});
