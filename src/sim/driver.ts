/**
 * What the "drivers" at a simulated station do: nothing, random sessions, or a script of steps. Timers go
 * through the shared scheduler; a driver holds at most one pending task per EVSE.
 */
import type { ChargingPlan, ScriptStep } from './plan.ts';
import type { Task } from './scheduler.ts';
import type { SimulatedStation } from './station.ts';

export interface DriverContext {
  idToken: string;
  idTokenType: string;
}

export interface StationDriver {
  /** Resolves when a script has run to its end (never for random sessions). */
  readonly done: Promise<void>;
  stop(): void;
}

export function drive(station: SimulatedStation, plan: ChargingPlan, context: DriverContext): StationDriver {
  if (plan.mode === 'random') return randomDriver(station, plan, context);
  if (plan.mode === 'script') return scriptDriver(station, plan.steps, context);
  return { done: new Promise<void>(() => undefined), stop: () => undefined };
}

function uniform(station: SimulatedStation, [min, max]: readonly [number, number]): number {
  return (min + station.env.random() * (max - min)) * 1000;
}

function randomDriver(station: SimulatedStation, plan: Extract<ChargingPlan, { mode: 'random' }>, context: DriverContext): StationDriver {
  const tasks = new Map<number, Task>();
  let stopped = false;
  const schedule = (evseId: number): void => {
    tasks.get(evseId)?.cancel();
    if (stopped) return;
    tasks.set(
      evseId,
      station.env.scheduler.after(uniform(station, plan.idleS), () => decide(evseId)),
    );
  };
  const decide = (evseId: number): void => {
    tasks.delete(evseId);
    const evse = station.evse(evseId);
    if (stopped || !evse) return;
    if (!station.online || evse.session || station.env.random() >= plan.probability) {
      schedule(evseId);
      return;
    }
    station.sessions.start(evseId, context.idToken, context.idTokenType).then(
      (session) => {
        if (session && !session.ended) station.sessions.endAfter(session, uniform(station, plan.durationS), 'Local');
        else schedule(evseId);
      },
      () => schedule(evseId),
    );
  };
  const unsubscribe = station.events.on('sessionEnded', (session) => schedule(session.evseId));
  for (const evse of station.evses) schedule(evse.id);
  return {
    done: new Promise<void>(() => undefined),
    stop() {
      stopped = true;
      unsubscribe();
      for (const task of tasks.values()) task.cancel();
      tasks.clear();
    },
  };
}

function scriptDriver(station: SimulatedStation, steps: readonly ScriptStep[], context: DriverContext): StationDriver {
  let stopped = false;
  const run = async (): Promise<void> => {
    await whenOnline(station);
    for (const step of steps) {
      if (stopped) return;
      try {
        await runStep(station, step, context);
      } catch (error) {
        station.env.stats.stationErrors += 1;
        station.env.logger.warn({ station: station.identity, step: step.action, err: error }, 'script step failed');
      }
    }
  };
  return {
    done: run(),
    stop() {
      stopped = true;
    },
  };
}

/** Resolves when the station is online and Accepted (or after `timeoutMs`). */
export function whenOnline(station: SimulatedStation, timeoutMs?: number): Promise<void> {
  if (station.online) return Promise.resolve();
  return new Promise((resolve) => {
    let timer: Task | undefined;
    const off = station.events.on('accepted', () => {
      timer?.cancel();
      off();
      resolve();
    });
    if (timeoutMs !== undefined)
      timer = station.env.scheduler.after(timeoutMs, () => {
        off();
        resolve();
      });
  });
}

async function runStep(station: SimulatedStation, step: ScriptStep, context: DriverContext): Promise<void> {
  const sessions = station.sessions;
  switch (step.action) {
    case 'wait':
      return station.env.scheduler.sleep(step.seconds * 1000);
    case 'waitOnline':
      return whenOnline(station, step.timeout === undefined ? undefined : step.timeout * 1000);
    case 'plugIn':
      sessions.plugIn(step.evse ?? 1, step.connector ?? 1);
      return;
    case 'unplug':
      sessions.unplug(step.evse ?? 1);
      return;
    case 'authorize':
      await sessions.authorize(step.evse ?? 1, step.idToken ?? context.idToken, context.idTokenType);
      return;
    case 'start':
      await sessions.start(step.evse ?? 1, step.idToken ?? context.idToken, context.idTokenType);
      return;
    case 'meterValues': {
      const evse = station.evse(step.evse ?? 1);
      if (evse) await sessions.meterNow(evse);
      return;
    }
    case 'stop':
      sessions.stop(step.evse ?? 1, step.reason ?? 'Local', step.unplug ?? true);
      return;
    case 'heartbeat':
      if (station.online) await station.dialect.heartbeat();
      return;
    case 'disconnect':
      return station.disconnect();
    case 'reconnect':
      station.reconnect();
      return;
    case 'reboot':
      return station.reboot('LocalReset', 'Reboot');
  }
}
