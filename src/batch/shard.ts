/**
 * Batch work split across machines (reference/followups.md §4): shard i of N takes the inputs sorted
 * by path, then every N-th from the i-th, so N processes given the same arguments summarize every
 * document exactly once whatever runs them (a SLURM array, a Kubernetes Indexed Job, GNU parallel).
 * Indices are 0-based. The shard comes from `--shard i/N`, else from the scheduler's variables:
 * SLURM_ARRAY_TASK_ID (minus SLURM_ARRAY_TASK_MIN) of SLURM_ARRAY_TASK_COUNT, or a Kubernetes
 * JOB_COMPLETION_INDEX of LCM_SHARDS (an Indexed Job does not say how many there are).
 */
import { UsageError } from "../util/errors.js";

export interface Shard {
  index: number;
  count: number;
}

export function parseShard(value: string, source = "--shard"): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  const shard = m ? { index: Number(m[1]), count: Number(m[2]) } : null;
  if (!shard || shard.count < 1 || shard.index >= shard.count) {
    throw new UsageError(`${source} must be i/N with 0 <= i < N (e.g. 0/4), got '${value}'`);
  }
  return shard;
}

/** The shard this process runs: the flag, else the scheduler's variables, else null (all inputs). */
export function shardFromEnvironment(flag: string | undefined, env: NodeJS.ProcessEnv): Shard | null {
  if (flag !== undefined) return parseShard(flag);
  const slurmId = env.SLURM_ARRAY_TASK_ID;
  if (slurmId !== undefined && slurmId !== "") {
    const count = env.SLURM_ARRAY_TASK_COUNT;
    if (!count)
      throw new UsageError("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not: give --shard i/N");
    const min = Number(env.SLURM_ARRAY_TASK_MIN ?? 0);
    return parseShard(`${Number(slurmId) - min}/${count}`, "SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT");
  }
  const k8sIndex = env.JOB_COMPLETION_INDEX;
  if (k8sIndex !== undefined && k8sIndex !== "") {
    const count = env.LCM_SHARDS;
    if (!count) {
      throw new UsageError(
        "JOB_COMPLETION_INDEX is set but not how many shards there are: set LCM_SHARDS or give --shard i/N",
      );
    }
    return parseShard(`${k8sIndex}/${count}`, "JOB_COMPLETION_INDEX/LCM_SHARDS");
  }
  return null;
}

/** Positions (into `paths`) that shard `shard` takes: sorted by path, then every count-th. */
export function shardPositions(paths: readonly string[], shard: Shard): number[] {
  const order = paths
    .map((_, i) => i)
    .sort((a, b) => (paths[a] < paths[b] ? -1 : paths[a] > paths[b] ? 1 : a - b));
  return order.filter((_, rank) => rank % shard.count === shard.index);
}
