import { describe, expect, it } from 'vitest';
import { RetryableError, TerminalError } from '../../../lib/core/errors.ts';
import { isThrottling } from '../../../lib/pause-resume/fleet.ts';
import { createPacer, pacedBy } from '../../../lib/pause-resume/pacer.ts';

/** Fake time: `sleep` moves the clock; `late` adds to the next sleep, as a busy event loop would. */
function fakeTime() {
  const clock = { t: 0, late: 0, slept: [] as number[] };
  return {
    clock,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.slept.push(ms);
      clock.t += ms + clock.late;
      clock.late = 0;
    },
  };
}

/** The most send times in any window of `windowMs` (a window holds [t, t + windowMs)). */
function mostInWindow(times: number[], windowMs = 1000): number {
  return Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + windowMs).length));
}

/** `n` calls at once, each answered as soon as it is sent; their send times. */
async function sendAll(pacer: ReturnType<typeof createPacer>, now: () => number, n: number) {
  const sent: number[] = [];
  await Promise.all(
    Array.from({ length: n }, async () => {
      const done = await pacer.acquire();
      sent.push(now());
      done();
    }),
  );
  return sent;
}

describe('createPacer', () => {
  it("lets a second's worth go at once, and the next only when the window has moved past the first's answer", async () => {
    const time = fakeTime();
    const pacer = createPacer({ ratePerSecond: 10, now: time.now, sleep: time.sleep });
    const sent = await sendAll(pacer, time.now, 25);
    expect(sent).toEqual([...Array(10).fill(0), ...Array(10).fill(1000), ...Array(5).fill(2000)]);
    expect(mostInWindow(sent, 1000)).toBe(10);
  });

  it("opens a call's window at its answer, however late that came (its send may have arrived late)", async () => {
    const time = fakeTime();
    const pacer = createPacer({ ratePerSecond: 2, now: time.now, sleep: time.sleep });
    const first = await pacer.acquire();
    const second = await pacer.acquire();
    time.clock.t = 50;
    second();
    time.clock.t = 380;
    first();
    // Both may have been counted as late as their answers: the next two wait a second from each.
    expect(await sendAll(pacer, time.now, 2)).toEqual([1050, 1380]);
  });

  it('holds a window slot for a call still out: with every slot held, the next waits for an answer', async () => {
    const time = fakeTime();
    const pacer = createPacer({ ratePerSecond: 2, now: time.now, sleep: time.sleep });
    const first = await pacer.acquire();
    await pacer.acquire();
    let third: number | undefined;
    const waiting = pacer.acquire().then(() => {
      third = time.now();
    });
    await new Promise((r) => setImmediate(r));
    expect(third).toBeUndefined();
    time.clock.t = 400;
    first();
    await waiting;
    expect(third).toBe(1400);
  });

  it('counts a late send from when it happened, so a late timer never squeezes the next window', async () => {
    const time = fakeTime();
    const pacer = createPacer({ ratePerSecond: 2, now: time.now, sleep: time.sleep });
    await sendAll(pacer, time.now, 2);
    time.clock.late = 170; // the third call's timer fires 170 ms late
    expect(await sendAll(pacer, time.now, 1)).toEqual([1170]);
    expect(await sendAll(pacer, time.now, 1)).toEqual([1170]);
    expect(await sendAll(pacer, time.now, 1)).toEqual([2170]);
  });

  it('halves the rate after a throttle, once for a burst of refusals, and the next call waits the new interval', async () => {
    const time = fakeTime();
    const pacer = createPacer({ ratePerSecond: 10, now: time.now, sleep: time.sleep });
    await sendAll(pacer, time.now, 3);
    pacer.throttled();
    pacer.throttled();
    pacer.throttled();
    expect(pacer.rate).toBe(5);
    // 5 a second now, 3 of them already sent at 0, and nothing before 200 ms.
    expect(await sendAll(pacer, time.now, 3)).toEqual([200, 200, 1000]);
    time.clock.t += 1000;
    pacer.throttled();
    expect(pacer.rate).toBe(2.5);
  });

  it('holds back a call already waiting when a throttle arrives meanwhile', async () => {
    const time = fakeTime();
    const pacer = createPacer({ ratePerSecond: 2, now: time.now, sleep: time.sleep });
    await sendAll(pacer, time.now, 1);
    time.clock.t = 600;
    await sendAll(pacer, time.now, 1);
    const third = sendAll(pacer, time.now, 1);
    // The second call is refused while the third waits for 1000 ms: at 1/s, a second after it.
    pacer.throttled();
    expect(await third).toEqual([1600]);
  });

  it('creeps back up after successes, never above the configured rate, and never below the floor', async () => {
    const time = fakeTime();
    const pacer = createPacer({ ratePerSecond: 8, minRatePerSecond: 2, now: time.now, sleep: time.sleep });
    for (let i = 0; i < 5; i++) {
      pacer.throttled();
      time.clock.t += 1000;
    }
    expect(pacer.rate).toBe(2);
    pacer.succeeded();
    expect(pacer.rate).toBe(2.5);
    for (let i = 0; i < 200; i++) pacer.succeeded();
    expect(pacer.rate).toBe(8);
  });

  it('sleeps once per held-back call with a sleep that does not move the clock, never spinning', async () => {
    const waits: number[] = [];
    const pacer = createPacer({
      ratePerSecond: 10,
      now: () => 0,
      sleep: async (ms) => void waits.push(ms),
    });
    await sendAll(pacer, () => 0, 12);
    expect(waits).toEqual([1000, 1000]);
  });

  it('refuses a rate that is not positive', () => {
    const time = fakeTime();
    expect(() => createPacer({ ratePerSecond: 0, now: time.now, sleep: time.sleep })).toThrow(/positive/);
  });
});

describe('pacedBy', () => {
  it('waits for the pacer, reports a throttle (halving the rate) and passes the error on', async () => {
    const time = fakeTime();
    const pacer = createPacer({ ratePerSecond: 10, now: time.now, sleep: time.sleep });
    const throttled = pacedBy(
      pacer,
      async () => {
        throw new RetryableError('Rate exceeded', { reason: 'throttling' });
      },
      isThrottling,
    );
    await expect(throttled()).rejects.toThrow(/Rate exceeded/);
    expect(pacer.rate).toBe(5);
    const other = pacedBy(
      pacer,
      async () => {
        throw new TerminalError('access denied');
      },
      isThrottling,
    );
    await expect(other()).rejects.toThrow(/access denied/);
    expect(pacer.rate).toBe(5);
    await expect(pacedBy(pacer, async () => 'ok', isThrottling)()).resolves.toBe('ok');
    expect(pacer.rate).toBe(5.2);
  });

  it("retries a throttled call in the pacer's next turn, after the pacer slowed down, up to the attempts", async () => {
    const time = fakeTime();
    const pacer = createPacer({ ratePerSecond: 10, now: time.now, sleep: time.sleep });
    const tries: number[] = [];
    let refusals = 2;
    const call = pacedBy(
      pacer,
      async () => {
        tries.push(time.now());
        if (refusals-- > 0) throw new RetryableError('Rate exceeded', { reason: 'throttling' });
        return 'paused';
      },
      isThrottling,
      3,
    );
    await expect(call()).resolves.toBe('paused');
    // Halved once (two refusals within a second count once); each retry waits the new interval.
    expect(tries).toEqual([0, 200, 400]);
    expect(pacer.rate).toBeCloseTo(5.2);

    let attempts = 0;
    const always = pacedBy(
      pacer,
      async () => {
        attempts++;
        throw new RetryableError('Rate exceeded', { reason: 'throttling' });
      },
      isThrottling,
      3,
    );
    await expect(always()).rejects.toThrow(/Rate exceeded/);
    expect(attempts).toBe(3);
  });

  it('without a pacer is the call itself', () => {
    const fn = async () => 1;
    expect(pacedBy(undefined, fn, isThrottling)).toBe(fn);
  });
});
