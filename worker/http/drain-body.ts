import type { MiddlewareHandler } from "hono";

/** Larger declared bodies are cancelled, not read: bodyLimits refuses them anyway (the largest is ~2.7 MB). */
const MAX_DRAIN_BYTES = 4 * 1024 * 1024;

/** Reads what is left of an unread request body and drops it; a body too large to read is cancelled. */
async function discard(req: Request): Promise<void> {
  const body = req.body;
  if (!body || req.bodyUsed || body.locked) return;
  const declared = Number(req.headers.get("content-length") ?? Number.NaN);
  if (!(declared <= MAX_DRAIN_BYTES)) return body.cancel();
  const reader = body.getReader();
  let read = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    read += value.byteLength;
    // A body longer than it declared: stop reading and let the runtime close the connection.
    if (read > MAX_DRAIN_BYTES) return reader.cancel();
  }
}

/**
 * A request refused before its body was read (no Origin, no session, an unknown route) still has that
 * body on the connection. Under `wrangler dev`, unread bodies on kept-alive connections made the proxy
 * answer "503 Your worker restarted mid-request" to the request or to the next one on that connection
 * (issue 15: 57 of 3,808 malformed requests with 2-3 MB bodies). So after every answer, what is left of
 * the body is read and dropped, and every refusal is the worker's own 4xx.
 */
export const drainBody: MiddlewareHandler = async (c, next) => {
  await next();
  await discard(c.req.raw).catch(() => undefined);
};
