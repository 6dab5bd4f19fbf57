/** Files whose last "start" line is before `at` (unix ms) with no "end" line between that start and `at`. */
export function runningAt(text: string, at: number): string[];
