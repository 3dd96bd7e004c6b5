import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { dataDir, keyPinFile, profileSegment } from '../trail/paths.js';

/**
 * The spend of one UTC day for a profile and gateway, shared by every `mcp serve` process of the
 * machine: `<data dir>/mcp-spend/<profile>/<gateway>/YYYY-MM-DD.json`. Each change (reserve a
 * call's maximum price, settle it at its receipt's amount, release it) reads, checks and rewrites
 * the file under a lock file, so two servers at once never both take the last dollar.
 */

type Env = Record<string, string | undefined>;

interface DayState {
  proxygate_daily_spend: 1;
  day: string;
  gateway: string;
  /** Settled calls: receipt amounts, integer micro-USD. */
  spent_micro_usd: number;
  /** Calls sent (or about to be) whose receipt has not been counted yet, at their maximum price. */
  reservations: Record<string, { micro_usd: number; pid: number; at: string }>;
}

export interface DayReservation {
  id: string;
  day: string;
  microUsd: number;
}

export class DailyLimitExceeded extends Error {
  constructor(
    readonly usedMicroUsd: number,
    readonly limitMicroUsd: number,
  ) {
    super('daily limit');
  }
}

const LOCK_WAIT_MS = 5_000;
/** A lock older than this belongs to a process that died while holding it. */
const LOCK_STALE_MS = 30_000;

export class DailySpendStore {
  constructor(
    private readonly dir: string,
    private readonly gateway: string,
    private readonly now: () => Date,
  ) {}

  static for(profile: string, gatewayUrl: string, now: () => Date, env: Env = process.env): DailySpendStore {
    const gatewayName = basename(keyPinFile(profile, gatewayUrl, env), '.json');
    return new DailySpendStore(join(dataDir(env), 'mcp-spend', profileSegment(profile), gatewayName), new URL(gatewayUrl).origin, now);
  }

  /** The file of `day` (UTC `YYYY-MM-DD`). */
  fileOf(day: string): string {
    return join(this.dir, `${day}.json`);
  }

  today(): string {
    return this.now().toISOString().slice(0, 10);
  }

  /** What today's calls used (settled plus reserved), micro-USD. */
  async used(): Promise<number> {
    return usedOf(await this.read(this.today()));
  }

  /** Reserves `microUsd` unless today's use plus it would pass `limit`. */
  async reserve(microUsd: number, limit: number): Promise<DayReservation> {
    const day = this.today();
    return this.locked(day, async (state) => {
      const used = usedOf(state);
      if (used + microUsd > limit) throw new DailyLimitExceeded(used, limit);
      const id = randomUUID();
      state.reservations[id] = { micro_usd: microUsd, pid: process.pid, at: this.now().toISOString() };
      return { state, value: { id, day, microUsd } };
    });
  }

  /** The call's receipt came: its amount replaces the reservation (on the reservation's day). */
  async settle(reservation: DayReservation, amountMicroUsd: number): Promise<void> {
    await this.locked(reservation.day, async (state) => {
      delete state.reservations[reservation.id];
      state.spent_micro_usd += amountMicroUsd;
      return { state, value: undefined };
    });
  }

  /** Nothing was charged (refused before sending, a spend-limit block): the reservation goes. */
  async release(reservation: DayReservation): Promise<void> {
    await this.locked(reservation.day, async (state) => {
      delete state.reservations[reservation.id];
      return { state, value: undefined };
    });
  }

  private async read(day: string): Promise<DayState> {
    const file = this.fileOf(day);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { proxygate_daily_spend: 1, day, gateway: this.gateway, spent_micro_usd: 0, reservations: {} };
      throw unusable(file, error);
    }
    let state: Partial<DayState>;
    try {
      state = JSON.parse(text) as Partial<DayState>;
    } catch (error) {
      throw unusable(file, error);
    }
    if (state.proxygate_daily_spend !== 1 || !Number.isSafeInteger(state.spent_micro_usd) || typeof state.reservations !== 'object' || state.reservations === null) {
      throw unusable(file, new Error('not a daily spend file'));
    }
    return state as DayState;
  }

  private async locked<T>(day: string, change: (state: DayState) => Promise<{ state: DayState; value: T }>): Promise<T> {
    const file = this.fileOf(day);
    const lock = `${file}.lock`;
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    await acquire(lock);
    try {
      const { state, value } = await change(await this.read(day));
      const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
      await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
      await rename(temp, file);
      return value;
    } finally {
      await rm(lock, { force: true });
    }
  }
}

function usedOf(state: DayState): number {
  return state.spent_micro_usd + Object.values(state.reservations).reduce((sum, r) => sum + r.micro_usd, 0);
}

function unusable(file: string, error: unknown): CliError {
  const code = (error as { code?: unknown }).code;
  return new CliError('daily_spend_unreadable', `the daily spend file ${file} cannot be used${typeof code === 'string' ? ` (${code})` : ''}; the call was refused before sending`, ExitCode.failure, 'check the file (it is JSON) and the data directory permissions');
}

/** Takes the lock file (exclusive create); a lock left by a dead process, or too old, is broken. */
async function acquire(lock: string): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let attempt = 0; ; attempt += 1) {
    try {
      const handle = await open(lock, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw unusable(lock, error);
    }
    if (await stale(lock)) {
      await rm(lock, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new CliError('daily_spend_locked', `another process holds ${lock}; the call was refused before sending`, ExitCode.failure, 'retry; delete the lock file if no proxygate process is running');
    await new Promise((resolve) => setTimeout(resolve, Math.min(50, 2 + attempt * 2) + Math.random() * 5));
  }
}

async function stale(lock: string): Promise<boolean> {
  const [text, info] = await Promise.all([readFile(lock, 'utf8').catch(() => ''), stat(lock).catch(() => undefined)]);
  if (!info) return false;
  if (Date.now() - info.mtimeMs > LOCK_STALE_MS) return true;
  const pid = Number(text);
  if (!Number.isSafeInteger(pid) || pid <= 0) return Date.now() - info.mtimeMs > 1_000;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
