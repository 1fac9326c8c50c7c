/** A token bucket: `rate` tokens per second, holding at most `burst`. One per connection. */
export interface TokenBucket {
  take(now: number): boolean;
}

export function tokenBucket(rate: number, burst: number, now: number): TokenBucket {
  let tokens = burst;
  let last = now;
  return {
    take(at) {
      tokens = Math.min(burst, tokens + ((at - last) / 1000) * rate);
      last = at;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
