import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { defaultParameters, mandatoryParameters, renderParameters } from './parameters';
import { renderDynamicConfig } from './patroni';
import { parseSpec, type ClusterSpec } from '../spec';
import { settingValue, specWithLineBreaks, validSpecInput } from '../../test/helpers/arbitraries';

/** How a parameter value is written: booleans as on/off, everything else as text. */
function written(value: string | number | boolean): string {
  return typeof value === 'boolean' ? (value ? 'on' : 'off') : String(value);
}

/** A valid spec and the same spec with its parameters given in another order. */
const specAndReordered = validSpecInput.chain((input) => {
  const entries = Object.entries(input.parameters ?? {});
  return fc
    .shuffledSubarray(entries, { minLength: entries.length, maxLength: entries.length })
    .map((shuffled) => [input, { ...input, parameters: Object.fromEntries(shuffled) }] as const);
});

describe('renderParameters', () => {
  test('GIVEN the default spec WHEN rendered THEN defaults and mandatory parameters are present, sorted by name', () => {
    const spec = parseSpec({ name: 'orders' });
    const rendered = renderParameters(spec);
    const keys = Object.keys(rendered);
    assert.deepEqual(keys, [...keys].sort());
    assert.deepEqual(
      keys.sort(),
      [
        ...Object.keys({ ...defaultParameters(), ...mandatoryParameters(spec) }),
        'shared_preload_libraries',
      ].sort(),
    );
    assert.equal(rendered.max_wal_senders, '10');
    assert.equal(rendered.shared_preload_libraries, 'pg_stat_statements');
  });

  test('GIVEN 20 instances WHEN rendered THEN wal senders and slots are sized from instances', () => {
    const rendered = renderParameters(parseSpec({ name: 'big', instances: 20 }));
    assert.equal(rendered.max_wal_senders, '42');
    assert.equal(rendered.max_replication_slots, '42');
  });

  test('GIVEN any valid spec WHEN rendered twice THEN the result is identical, keys in the same order', () => {
    fc.assert(
      fc.property(validSpecInput, (input) => {
        assert.equal(
          JSON.stringify(renderParameters(parseSpec(input))),
          JSON.stringify(renderParameters(parseSpec(input))),
        );
      }),
    );
  });

  test('GIVEN the same parameters in any input order WHEN rendered THEN the output is identical and sorted', () => {
    fc.assert(
      fc.property(specAndReordered, ([input, reordered]) => {
        const a = renderParameters(parseSpec(input));
        const b = renderParameters(parseSpec(reordered));
        assert.equal(JSON.stringify(a), JSON.stringify(b));
        assert.deepEqual(Object.keys(a), Object.keys(a).sort());
        const dynamic = (s: typeof input) =>
          JSON.stringify(renderDynamicConfig(parseSpec(s), ['127.0.0.0/8']));
        assert.equal(dynamic(input), dynamic(reordered));
      }),
    );
  });

  test('GIVEN any valid spec WHEN rendered THEN every user parameter appears with its value', () => {
    fc.assert(
      fc.property(validSpecInput, (input) => {
        const spec = parseSpec(input);
        const rendered = renderParameters(spec);
        for (const [key, value] of Object.entries(spec.parameters))
          assert.equal(rendered[key], written(value));
      }),
    );
  });

  test('GIVEN owned parameters slipped past the rules WHEN rendered THEN the mandatory values always win', () => {
    const overrides = fc.record({
      cluster_name: settingValue,
      archive_mode: settingValue,
      wal_level: fc.constantFrom('minimal', 'logical', 'replica', ''),
      hot_standby: settingValue,
      wal_log_hints: settingValue,
      max_wal_senders: settingValue,
    });
    fc.assert(
      fc.property(validSpecInput, overrides, (input, owned) => {
        const parsed = parseSpec(input);
        const spec: ClusterSpec = { ...parsed, parameters: { ...parsed.parameters, ...owned } };
        const rendered = renderParameters(spec);
        assert.equal(rendered.cluster_name, undefined, "Patroni's own: never sent");
        assert.equal(rendered.archive_mode, spec.backup ? 'on' : 'off');
        assert.equal(rendered.wal_level, 'replica');
        assert.equal(rendered.hot_standby, 'on');
        assert.equal(rendered.wal_log_hints, 'on');
        assert.equal(rendered.max_wal_senders, String(Math.max(10, spec.instances * 2 + 2)));
      }),
    );
  });

  test('GIVEN line breaks in parameter values WHEN rendered THEN no value contains a line break or NUL', () => {
    fc.assert(
      fc.property(specWithLineBreaks, (spec) => {
        for (const [key, value] of Object.entries(renderParameters(spec))) {
          assert.doesNotMatch(value, /[\r\n\0]/, `${key} = ${JSON.stringify(value)}`);
        }
      }),
    );
  });
});
