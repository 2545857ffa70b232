/** Resolves after `ms`: for pacing a poll or a load generator. Tests wait for events instead (test/helpers/wait.ts). */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
