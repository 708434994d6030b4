/**
 * Where the server reads the time, in Unix milliseconds: `Date.now` in
 * production; tests pass a clock they move by hand, so that what takes half
 * an hour (an idle session ending) is checked without waiting for it.
 */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();
