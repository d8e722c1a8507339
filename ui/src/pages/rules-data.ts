/**
 * @module
 * Prometheus's /api/v1/rules shapes, shared by the rules and alerts pages.
 */
export interface RuleAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: "pending" | "firing" | "inactive";
  activeAt?: string;
  value?: string;
}

export interface Rule {
  type: "alerting" | "recording";
  name: string;
  query: string;
  duration?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  alerts?: RuleAlert[];
  state?: "pending" | "firing" | "inactive";
  health: string;
  lastError?: string;
  lastEvaluation?: string;
  evaluationTime?: number;
}

export interface RuleGroup {
  name: string;
  file: string;
  interval: number;
  rules: Rule[];
  lastEvaluation?: string;
  evaluationTime?: number;
}
