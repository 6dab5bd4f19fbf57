import type { ChildProcess, StdioOptions } from "node:child_process";

export const wranglerEnv: NodeJS.ProcessEnv;
export function applyMigrations(persistTo?: string): string;
export function startDev(opts: { port: number; persistTo?: string; config?: string; stdio?: StdioOptions }): ChildProcess;
export function stopDev(child: ChildProcess, opts?: { signal?: NodeJS.Signals; graceMs?: number }): Promise<void>;
