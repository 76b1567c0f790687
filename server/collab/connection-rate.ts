/**
 * Limits how many sockets one client IP may open per minute (token bucket:
 * `perMinute` refill, the same as burst). 0 turns it off.
 */
export function createConnectionRateLimit(perMinute: number): (ip: string) => boolean {
  if (perMinute <= 0) return () => true;
  const buckets = new Map<string, { tokens: number; refilledAt: number }>();
  let sweptAt = Date.now();
  return (ip) => {
    const now = Date.now();
    // Full buckets carry no information; drop them now and then so the map stays small.
    if (now - sweptAt > 60_000) {
      for (const [key, bucket] of buckets) if (bucket.tokens + ((now - bucket.refilledAt) / 60_000) * perMinute >= perMinute) buckets.delete(key);
      sweptAt = now;
    }
    const bucket = buckets.get(ip) ?? { tokens: perMinute, refilledAt: now };
    bucket.tokens = Math.min(perMinute, bucket.tokens + ((now - bucket.refilledAt) / 60_000) * perMinute);
    bucket.refilledAt = now;
    buckets.set(ip, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  };
}
