/**
 * The parameters of the statistics, plan-logging and audit extensions, and the one place that
 * decides shared_preload_libraries: a sorted, de-duplicated list, so an unchanged spec never
 * changes the string (the only change that restarts members here is a different list).
 */
import type { ClusterSpec } from '../spec/cluster';
import type { ParameterValue } from './parameters';

/** Libraries the spec asks to preload, besides any the user lists in parameters. */
export function monitoringLibraries(spec: ClusterSpec): string[] {
  const m = spec.monitoring;
  // Without the key, pg_stat_statements stays preloaded as it always was.
  if (!m) return ['pg_stat_statements'];
  return [
    ...(m.statements.enabled ? ['pg_stat_statements'] : []),
    ...(m.autoExplain ? ['auto_explain'] : []),
    ...(m.audit ? ['pgaudit'] : []),
  ];
}

/** shared_preload_libraries: the spec's libraries and the user's own, sorted, each once. */
export function preloadLibraries(spec: ClusterSpec, userValue: ParameterValue | undefined): string {
  const user =
    userValue === undefined
      ? []
      : String(userValue)
          .split(',')
          .map((l) => l.trim().replace(/^"(.*)"$/, '$1'))
          .filter((l) => l.length > 0);
  return [...new Set([...monitoringLibraries(spec), ...user])].sort().join(',');
}

/** The extensions' settings, and the log format. */
export function monitoringParameters(spec: ClusterSpec): Record<string, ParameterValue> {
  const m = spec.monitoring;
  if (!m) return {};
  const out: Record<string, ParameterValue> = {};
  if (m.logFormat === 'json') out.log_destination = 'jsonlog';
  if (m.statements.enabled) {
    out['pg_stat_statements.max'] = m.statements.max;
    out['pg_stat_statements.track'] = m.statements.track;
  }
  if (m.autoExplain) {
    out['auto_explain.log_min_duration'] = m.autoExplain.minDuration;
    out['auto_explain.log_analyze'] = m.autoExplain.analyze;
    out['auto_explain.log_format'] = m.logFormat === 'json' ? 'json' : 'text';
  }
  if (m.audit) {
    out['pgaudit.log'] = m.audit.log.join(',');
    out['pgaudit.log_parameter'] = m.audit.logParameter;
    out['pgaudit.log_relation'] = m.audit.logRelation;
  }
  return out;
}
