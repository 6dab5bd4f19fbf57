import { TYPING_RELAY_BURST, TYPING_RELAY_PER_SECOND } from "../../protocol/api.js";

/**
 * A socket's allowance of typing frames: a token bucket holding TYPING_RELAY_BURST frames, refilled at
 * TYPING_RELAY_PER_SECOND. An honest client sends one frame per 3 s while typing and one on stopping, so
 * only a misbehaving one ever meets the limit. Kept in the socket's attachment: memory only, never storage.
 */
export interface TypingBudget {
  readonly tokens: number;
  /** When `tokens` was last computed, ms. */
  readonly at: number;
}

export function fullBudget(now: number): TypingBudget {
  return { tokens: TYPING_RELAY_BURST, at: now };
}

/** Spends one frame if the budget allows it; returns the budget to keep either way. */
export function spendTyping(b: TypingBudget, now: number): { allowed: boolean; budget: TypingBudget } {
  // A clock that went backwards refills nothing (and takes nothing away).
  const elapsed = Math.max(0, now - b.at);
  const tokens = Math.min(TYPING_RELAY_BURST, b.tokens + (elapsed * TYPING_RELAY_PER_SECOND) / 1000);
  if (tokens < 1) return { allowed: false, budget: { tokens, at: now } };
  return { allowed: true, budget: { tokens: tokens - 1, at: now } };
}
