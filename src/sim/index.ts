/** The charging-station simulator (`joule sim`): programmatic API for the CLI, tests and benchmarks. */
export { runSimulation, summarize } from './runner.ts';
export type { CertificateFiles, ChargingPlan, ScriptStep, SimulationOptions, SimulationProgress, SimulationSummary } from './plan.ts';
export { ID_TOKEN_TYPES, MAX_STATIONS, ScenarioError, loadScenario, parseScenario } from './scenario.ts';
export type { ScenarioOptions } from './scenario.ts';
export { SimulatedStation } from './station.ts';
export type { SimulatedStationEvents } from './station.ts';
export { createSimEnvironment } from './environment.ts';
export type { EnvironmentOptions } from './environment.ts';
export { formatProgress, formatSummary } from './report.ts';
export { createSimSigning } from './signing.ts';
export type { SigningFiles, SimSigning } from './signing.ts';
export { SIM_VENDOR_ID } from './handlers/index.ts';
export { STOP_REASONS } from './types.ts';
export type { SimEnvironment, StationConfig, StopReason } from './types.ts';
