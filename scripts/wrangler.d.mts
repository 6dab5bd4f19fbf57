import type { ChildProcess, StdioOptions } from "node:child_process";

export const wranglerEnv: NodeJS.ProcessEnv;
/** Vars every local `wrangler dev` gets: per-address sign-up and login limits lifted (all clients are 127.0.0.1). */
export const localDevVars: Readonly<Record<string, string>>;
/** Where local dev keeps its secrets (.dev.vars, gitignored). */
export const devVarsPath: string;
/** The local VAPID key pair, read from .dev.vars, made there on first use. */
export function localVapidVars(path?: string): { VAPID_PUBLIC_KEY: string; VAPID_PRIVATE_KEY: string };
export function applyMigrations(persistTo?: string): string;
export function startDev(opts: { port: number; persistTo?: string; config?: string; stdio?: StdioOptions }): ChildProcess;
export function stopDev(child: ChildProcess, opts?: { signal?: NodeJS.Signals; graceMs?: number }): Promise<void>;
