/**
 * The electrical model of a simulated EVSE: a cumulative energy register that grows with power × time, the power
 * the EV draws (the EVSE maximum, capped by any charging-profile limit, tapering as the battery fills), and the
 * current, voltage and state of charge a meter would report alongside.
 */

export const NOMINAL_VOLTAGE = 230;
export const PHASES = 3;

export interface MeterReading {
  energyWh: number;
  powerW: number;
  currentA: number;
  voltageV: number;
  soc: number;
}

export interface ChargingPhysics {
  maxPowerW: number;
  batteryWh: number;
}

/** What changes while energy flows; one per session, plus the EVSE's register. */
export interface EnergyState {
  registerWh: number;
  powerW: number;
  soc: number;
  /** Monotonic ms of the last integration. */
  lastAt: number;
}

/** Integrates the power drawn since the last call into the register and the battery. */
export function advance(state: EnergyState, nowMs: number, physics: ChargingPhysics): void {
  const hours = Math.max(0, nowMs - state.lastAt) / 3_600_000;
  state.lastAt = nowMs;
  if (state.powerW <= 0 || hours === 0) return;
  let energy = state.powerW * hours;
  const room = ((100 - state.soc) / 100) * physics.batteryWh;
  if (energy > room) energy = Math.max(0, room);
  state.registerWh += energy;
  state.soc = Math.min(100, state.soc + (energy / physics.batteryWh) * 100);
}

/**
 * Power the EV draws now: the EVSE maximum or the charging limit, whichever is lower; above 80 % state of charge
 * it falls linearly to zero at 100 % (a constant-voltage phase, roughly).
 */
export function drawnPower(state: EnergyState, limitW: number, physics: ChargingPhysics): number {
  const available = Math.max(0, Math.min(physics.maxPowerW, limitW));
  const taper = state.soc <= 80 ? 1 : Math.max(0, (100 - state.soc) / 20);
  return Math.round(available * taper);
}

export function reading(state: EnergyState): MeterReading {
  const voltageV = NOMINAL_VOLTAGE;
  return {
    energyWh: round1(state.registerWh),
    powerW: Math.round(state.powerW),
    currentA: round1(state.powerW / (voltageV * PHASES)),
    voltageV,
    soc: round1(state.soc),
  };
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
