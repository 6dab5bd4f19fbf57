/**
 * How long a linking device waits between polls of the relay (docs/API.md "Linking a device"). The other
 * side usually answers within a round trip or two (a device replying to a frame) and sometimes only after
 * a person acts (scanning, confirming), so the waits start short and double up to LINK_POLL_MS: a reply
 * that is already on its way is read within about 50 ms instead of up to half a second later, and a
 * device left waiting for a person still polls only twice a second. Nothing is skipped or trusted sooner:
 * every frame is read and checked as before, only sooner.
 */

/** The longest wait between two polls, reached after a few empty ones. */
export const LINK_POLL_MS = 500;
/** The first wait after an empty poll. */
export const LINK_POLL_FIRST_MS = 50;

/** The waits of one run of polls: 50, 100, 200, 400, 500, 500 ... ms; start() begins a new run. */
export class PollDelay {
  private ms = LINK_POLL_FIRST_MS;

  /** A new run: call when a frame arrived or this side sent one (an answer may follow at once). */
  start(): void {
    this.ms = LINK_POLL_FIRST_MS;
  }

  /** The wait before the next poll, doubling up to LINK_POLL_MS. */
  next(): number {
    const ms = this.ms;
    this.ms = Math.min(LINK_POLL_MS, ms * 2);
    return ms;
  }
}
