// One attachment part's PUT through XMLHttpRequest, the one browser API that reports upload progress,
// with a stall watchdog: uploads go one at a time, so a request that neither moves nor ends would hold
// every file behind it until the long overall timeout.

/** A part of up to 8 MiB on a slow line: allowed this long in all before it counts as a network failure. */
export const PART_TIMEOUT_MS = 10 * 60_000;
/**
 * No upload progress, and no answer once every byte is sent, for this long: the connection is taken for
 * dead and the part counts as a network failure (retried with backoff, resumed from the parts the server
 * has). Generous: a slow line still reports progress every few hundred milliseconds.
 */
export const PART_STALL_MS = 60_000;

export interface PartOptions {
  /** Bytes of the part sent so far. */
  readonly onProgress?: (sentBytes: number) => void;
  readonly signal?: AbortSignal;
  /** Overrides PART_STALL_MS (tests). */
  readonly stallMs?: number;
}

/** The server's answer to a part: its status, body (JSON or undefined) and Retry-After in seconds. */
export interface PartAnswer {
  readonly status: number;
  readonly json: unknown;
  readonly retryAfter: number | undefined;
}

/** The request never got an answer: `what` says how (failed, timed out, stalled). */
export class PartNetworkError extends Error {
  constructor(readonly what: string) {
    super(`could not reach the server: ${what}`);
    this.name = "PartNetworkError";
  }
}

/**
 * PUTs the bytes. Resolves with any HTTP answer (the caller reads error bodies); rejects with
 * PartNetworkError when there is none, or with the signal's reason when the caller aborts.
 */
export function putWithXhr(url: string, bytes: Uint8Array, o: PartOptions): Promise<PartAnswer> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const stallMs = o.stallMs ?? PART_STALL_MS;
    let settled = false;
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(watchdog);
      o.signal?.removeEventListener("abort", onAbort);
      f();
    };
    const stalled = () => {
      finish(() => reject(new PartNetworkError(`the upload stalled for ${Math.round(stallMs / 1000)} s`)));
      xhr.abort();
    };
    const arm = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(stalled, stallMs);
    };
    const onAbort = () => {
      finish(() => reject(o.signal?.reason ?? new DOMException("aborted", "AbortError")));
      xhr.abort();
    };
    xhr.open("PUT", url);
    xhr.withCredentials = true;
    xhr.timeout = PART_TIMEOUT_MS;
    xhr.setRequestHeader("accept", "application/json");
    xhr.setRequestHeader("content-type", "application/octet-stream");
    o.signal?.addEventListener("abort", onAbort, { once: true });
    // Every sign of life re-arms the watchdog: bytes going out, the last byte sent, the answer arriving.
    xhr.upload.onprogress = (e) => {
      arm();
      o.onProgress?.(e.loaded);
    };
    xhr.upload.onload = arm;
    xhr.onprogress = arm;
    xhr.onerror = () => finish(() => reject(new PartNetworkError("upload failed")));
    xhr.ontimeout = () => finish(() => reject(new PartNetworkError("upload timed out")));
    xhr.onabort = () => finish(() => reject(o.signal?.reason ?? new DOMException("aborted", "AbortError")));
    xhr.onload = () =>
      finish(() => {
        let json: unknown;
        try {
          json = JSON.parse(xhr.responseText) as unknown;
        } catch {
          json = undefined;
        }
        const retryAfter = Number(xhr.getResponseHeader("retry-after"));
        resolve({ status: xhr.status, json, retryAfter: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined });
      });
    arm();
    xhr.send(bytes as Uint8Array<ArrayBuffer>);
  });
}
