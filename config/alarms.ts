import type { AlarmSettings, EnvironmentConfig } from "./types";

/**
 * Defaults after AWS's recommended alarms (CloudWatch "Best practice alarm recommendations") and the serverless
 * rule packs: any Lambda error, throttle or failed event is worth a look; the API alarms on a sustained 5xx rate
 * and p99 latency rather than one bad minute.
 */
export const DEFAULT_ALARMS: Required<AlarmSettings> = {
  email: [],
  https: [],
  periodSeconds: 60,
  evaluationPeriods: 5,
  datapointsToAlarm: 3,
  api5xxRate: 0.05,
  apiLatencyP99Ms: 2500,
};

export function alarmSettings(c: EnvironmentConfig): Required<AlarmSettings> {
  return { ...DEFAULT_ALARMS, ...(c.alarms ?? {}) };
}
