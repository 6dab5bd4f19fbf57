import { expect, test } from "vitest";
import { LINK_POLL_FAST_COUNT, LINK_POLL_FIRST_MS, LINK_POLL_MS, PollDelay } from "../../../web/src/client/link/poll-delay.js";

// A run of relay polls waits 50 ms for its first polls (a reply usually arrives within a few hundred ms,
// the other side polling too), then doubles to half a second, so a device left waiting for a person polls
// twice a second; start() (a frame sent or read) begins a fast run again.

test("a run of polls waits 50 ms at first, then doubles to the longest wait and stays there", () => {
  const d = new PollDelay();
  const waits = Array.from({ length: LINK_POLL_FAST_COUNT + 6 }, () => d.next());
  expect(waits.slice(0, LINK_POLL_FAST_COUNT)).toEqual(Array(LINK_POLL_FAST_COUNT).fill(LINK_POLL_FIRST_MS));
  expect(waits.slice(LINK_POLL_FAST_COUNT)).toEqual([100, 200, 400, 500, 500, 500]);
  expect(LINK_POLL_FAST_COUNT * LINK_POLL_FIRST_MS).toBeGreaterThanOrEqual(1500);
  expect(Math.max(...waits)).toBe(LINK_POLL_MS);
});

test("start() begins a new fast run after the waits have grown", () => {
  const d = new PollDelay();
  for (let i = 0; i < LINK_POLL_FAST_COUNT + 10; i++) d.next();
  expect(d.next()).toBe(LINK_POLL_MS);
  d.start();
  expect(d.next()).toBe(LINK_POLL_FIRST_MS);
  for (let i = 1; i < LINK_POLL_FAST_COUNT; i++) expect(d.next()).toBe(LINK_POLL_FIRST_MS);
  expect(d.next()).toBe(100);
});

test("polls over a minute of waiting for a person stay near two a second", () => {
  const d = new PollDelay();
  let t = 0;
  let polls = 0;
  while (t < 60_000) {
    t += d.next();
    polls++;
  }
  expect(polls).toBeLessThan(150);
});
