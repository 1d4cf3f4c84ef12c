/**
 * Reads `source` ahead of its consumer (up to `ahead` items) and yields arrays of `size` items.
 * Reading ahead is what overlaps work: while the consumer embeds one batch, the producer (ffmpeg) keeps decoding.
 */
export async function* batches<T>(source: AsyncIterable<T>, size: number, ahead = size * 2): AsyncGenerator<T[]> {
  const iterator = source[Symbol.asyncIterator]();
  const queue: T[] = [];
  let done = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  let room: (() => void) | undefined;

  const pump = (async () => {
    try {
      for (;;) {
        while (queue.length >= ahead) await new Promise<void>((resolve) => (room = resolve));
        const next = await iterator.next();
        if (next.done) break;
        queue.push(next.value);
        wake?.();
      }
    } catch (error) {
      failure = error;
    } finally {
      done = true;
      wake?.();
    }
  })();

  try {
    for (;;) {
      while (queue.length < size && !done) await new Promise<void>((resolve) => (wake = resolve));
      if (failure !== undefined) throw failure;
      if (queue.length === 0) return;
      yield queue.splice(0, size);
      room?.();
    }
  } finally {
    if (!done) {
      // The consumer stopped early: stop the producer (kills ffmpeg) and let the pump finish.
      queue.length = 0;
      room?.();
      await iterator.return?.();
    }
    await pump;
  }
}
