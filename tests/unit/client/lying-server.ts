// A FakeServer that lies at the HTTP layer: each lie rewrites the JSON body of the responses to one
// method and path before the client sees them (the server's own state stays honest), or answers in its
// place. Used by lying-server.test.ts, one lie per way a server can misbehave (issue 8).
import type { FetchFn } from "../../../web/src/client/transport/api.js";
import { FakeServer } from "./fake-server.js";

/** Gets the honest answer's JSON body; returns the body to serve instead, or a whole Response. */
export type Rewrite = (body: any, url: URL) => unknown;

interface Lie {
  method: string;
  path: RegExp;
  rewrite: Rewrite;
}

export class LyingServer extends FakeServer {
  private readonly lies: Lie[] = [];
  /** How many responses each lie rewrote, by its index, so a test knows its lie was served. */
  readonly told: number[] = [];

  /** From now on, answers `method path` with what `rewrite` makes of the honest answer (every browser). */
  lie(method: string, path: RegExp, rewrite: Rewrite): number {
    this.lies.push({ method, path, rewrite });
    this.told.push(0);
    return this.lies.length - 1;
  }

  /** Serves the honest answers again. */
  stopLying(): void {
    this.lies.length = 0;
  }

  override browser(): ReturnType<FakeServer["browser"]> {
    const honest = super.browser();
    const fetch: FetchFn = async (input, init) => {
      const res = await honest.fetch(input, init);
      const url = new URL(input, this.origin);
      const method = init.method ?? "GET";
      const i = this.lies.findIndex((l) => l.method === method && l.path.test(url.pathname));
      if (i < 0 || !res.ok) return res;
      const out = await this.lies[i]!.rewrite(await res.json(), url);
      this.told[i]!++;
      if (out instanceof Response) return out;
      return new Response(JSON.stringify(out), { status: 200, headers: { "content-type": "application/json" } });
    };
    return { ...honest, fetch };
  }
}

/** A refusal as the worker sends it (status and a JSON error body). */
export function refusal(status: number, code: string): Response {
  return new Response(JSON.stringify({ error: { code, message: `refused: ${code}` } }), { status, headers: { "content-type": "application/json" } });
}
