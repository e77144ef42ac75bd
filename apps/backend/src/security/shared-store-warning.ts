import { ThrottledWarning } from '../common/throttled-warning';

/** The shared rate-limit store's failures, at most every 30 s: in an outage every request fails one. */
export const sharedStoreWarning = () =>
  new ThrottledWarning('RateLimit', 30_000, (reason) => `shared rate-limit store unavailable, counting per replica: ${reason}`);
