export { Metrics, type GaugeSources } from './metrics.js';
export { startTracing, traceLogFields, type Tracing, type TracingOptions } from './tracing.js';
export { NO_TELEMETRY, Telemetry, type TurnAttributes, type TurnEnd, type TurnProbe } from './telemetry.js';
