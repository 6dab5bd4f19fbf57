/**
 * How long a linking device waits between polls of the relay (docs/API.md "Linking a device"). The other
 * side usually answers within a round trip or two (a device replying to a frame) and sometimes only after
 * a person acts (scanning, confirming), so a run of polls starts with short waits and then doubles up to
 * LINK_POLL_MS: a reply that is already on its way is read within about 50 ms instead of up to half a
 * second later, and a device left waiting for a person still polls only twice a second. Nothing is
 * skipped or trusted sooner: every frame is read and checked as before, only sooner.
 *
 * The short waits last for LINK_POLL_FAST_COUNT polls (at least 1.5 s) rather than doubling at once: the
 * other side's reply often comes a few hundred milliseconds late because that side itself polls (every
 * 500 ms while its user looks at the code), and doubling from 50 ms had reached 400 ms waits by then, so
 * a reply that came at 400 ms was read at 750 (the link benchmark's "name shown" took ~930 ms).
 */

/** The longest wait between two polls, reached after a few empty ones. */
export const LINK_POLL_MS = 500;
/** The wait after an empty poll at the start of a run. */
export const LINK_POLL_FIRST_MS = 50;
/** How many polls of a run wait LINK_POLL_FIRST_MS before the waits double. */
export const LINK_POLL_FAST_COUNT = 30;

/** The waits of one run of polls: 50 ms 30 times, then 100, 200, 400, 500, 500 ... ms; start() begins a new run. */
export class PollDelay {
  private fast = LINK_POLL_FAST_COUNT;
  private ms = LINK_POLL_FIRST_MS;

  /** A new run: call when a frame arrived or this side sent one (an answer may follow at once). */
  start(): void {
    this.fast = LINK_POLL_FAST_COUNT;
    this.ms = LINK_POLL_FIRST_MS;
  }

  /** The wait before the next poll: short for the first polls of a run, then doubling up to LINK_POLL_MS. */
  next(): number {
    if (this.fast > 0) {
      this.fast--;
      return LINK_POLL_FIRST_MS;
    }
    this.ms = Math.min(LINK_POLL_MS, this.ms * 2);
    return this.ms;
  }
}
