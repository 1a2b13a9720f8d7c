import type { Construct } from "constructs";
import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmConfig } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";

export interface AlarmProps {
  readonly name: string;
  readonly description: string;
  readonly namespace: string;
  readonly metric: string;
  readonly dimensions: Record<string, string>;
  /** "Sum", "Average", "Maximum" ... or a percentile like "p99". */
  readonly statistic: string;
  readonly threshold: number;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  /** The SNS topic told when the alarm fires and when it recovers. */
  readonly topicArn: string;
}

/**
 * One CloudWatch alarm, "above threshold" and quiet when there is no data (no traffic is not an incident; a
 * queue or function that reports nothing has nothing failing). Recovery is notified too, so nobody chases a
 * resolved alarm.
 */
export function addAlarm(scope: Construct, id: string, p: AlarmProps): CloudwatchMetricAlarm {
  const statistic: Pick<CloudwatchMetricAlarmConfig, "statistic" | "extendedStatistic"> = /^p\d/.test(p.statistic) ? { extendedStatistic: p.statistic } : { statistic: p.statistic };
  return new CloudwatchMetricAlarm(scope, id, {
    alarmName: p.name,
    alarmDescription: p.description,
    namespace: p.namespace,
    metricName: p.metric,
    dimensions: p.dimensions,
    ...statistic,
    comparisonOperator: "GreaterThanThreshold",
    threshold: p.threshold,
    period: p.periodSeconds,
    evaluationPeriods: p.evaluationPeriods,
    datapointsToAlarm: p.datapointsToAlarm,
    treatMissingData: "notBreaching",
    alarmActions: [p.topicArn],
    okActions: [p.topicArn],
  });
}
