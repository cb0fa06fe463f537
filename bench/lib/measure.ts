/** A named operation to time; it should throw when the answer is wrong. */
export type Operation = () => Promise<unknown>;

export interface Timings<K extends string> {
  /** Milliseconds of each measured run, per operation. */
  samples: Record<K, number[]>;
  /** Milliseconds of each warm-up run, per operation (the first one is the cold call). */
  warmup: Record<K, number[]>;
}

async function time(op: Operation): Promise<number> {
  const started = performance.now();
  await op();
  return performance.now() - started;
}

function emptyRecord<K extends string>(keys: readonly K[]): Record<K, number[]> {
  return Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
}

/**
 * Runs the operations one at a time, interleaved and in a rotating order (A B, B A, ...), so
 * that drift of the machine during the run and "who goes first" weigh on each side equally.
 */
export async function interleaved<K extends string>(ops: Record<K, Operation>, iterations: number, warmupIterations: number): Promise<Timings<K>> {
  const keys = Object.keys(ops) as K[];
  const result: Timings<K> = { samples: emptyRecord(keys), warmup: emptyRecord(keys) };
  for (let i = 0; i < warmupIterations + iterations; i++) {
    const into = i < warmupIterations ? result.warmup : result.samples;
    for (let j = 0; j < keys.length; j++) {
      const key = keys[(i + j) % keys.length] as K;
      into[key].push(await time(ops[key]));
    }
  }
  return result;
}

/**
 * Like interleaved(), but each run of an operation is `width` concurrent calls of it
 * (`op(i)` for i in 0..width-1); the time recorded is the wall time until all have answered.
 */
export async function parallelRounds<K extends string>(
  ops: Record<K, (index: number) => Promise<unknown>>,
  width: number,
  rounds: number,
  warmupRounds: number,
): Promise<Timings<K>> {
  const batch = Object.fromEntries(
    (Object.keys(ops) as K[]).map((k) => [k, () => Promise.all(Array.from({ length: width }, (_, i) => ops[k](i)))]),
  ) as Record<K, Operation>;
  return interleaved(batch, rounds, warmupRounds);
}

/**
 * Requests per second of each operation with `concurrency` callers looping on it. Each
 * operation gets `slices` runs of `sliceMs`, interleaved in a rotating order like above.
 */
export async function throughput<K extends string>(
  ops: Record<K, Operation>,
  options: { concurrency: number; sliceMs: number; slices: number },
): Promise<Record<K, number>> {
  const keys = Object.keys(ops) as K[];
  const done = Object.fromEntries(keys.map((k) => [k, { calls: 0, ms: 0 }])) as Record<K, { calls: number; ms: number }>;
  for (let i = 0; i < options.slices; i++) {
    for (let j = 0; j < keys.length; j++) {
      const key = keys[(i + j) % keys.length] as K;
      const started = performance.now();
      const deadline = started + options.sliceMs;
      const worker = async () => {
        while (performance.now() < deadline) {
          await ops[key]();
          done[key].calls++;
        }
      };
      await Promise.all(Array.from({ length: options.concurrency }, worker));
      done[key].ms += performance.now() - started;
    }
  }
  return Object.fromEntries(keys.map((k) => [k, (done[k].calls * 1000) / done[k].ms])) as Record<K, number>;
}
