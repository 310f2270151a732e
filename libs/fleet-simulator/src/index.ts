// Many real agent connections in one process over in-memory clusters, for tests and benchmarks. A library
// of its own so that the agent never loads kube-sim.
export { runFleetSimulator, type FleetEvent, type FleetSimulator, type FleetSimulatorOptions, type SimulatedAgent } from './fleet-simulator.js';
