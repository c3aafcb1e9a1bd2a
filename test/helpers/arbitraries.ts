/**
 * fast-check arbitraries for cluster specs, built from the ranges the zod schemas and rules allow
 * (the constants are imported, not copied, so a changed limit changes the generated specs).
 */
import fc from 'fast-check';
import { memberName } from '../../provider/naming';
import {
  MAX_LOCAL_INSTANCES,
  MAX_NAME_LENGTH,
  OWNED_PARAMETERS,
  OWNED_POOLER_SETTINGS,
  parseSpec,
  POSTGRES_VERSIONS,
  type ClusterSpec,
  type ClusterSpecInput,
} from '../../provider/spec';
import { MAX_BASE_PORT } from '../../provider/spec/platform';

const NO_LINE_BREAK = /^[^\r\n\0]*$/;

/** DNS-1035 labels of at most MAX_NAME_LENGTH characters. */
export const clusterName = fc
  .stringMatching(/^[a-z]([-a-z0-9]{0,60}[a-z0-9])?$/)
  .filter((n) => n.length <= MAX_NAME_LENGTH);

/** Text a person may put in a config value: any Unicode, but on one line. */
export const oneLineText = fc
  .oneof(fc.string({ unit: 'grapheme-ascii', maxLength: 30 }), fc.string({ unit: 'grapheme', maxLength: 30 }))
  .filter((s) => NO_LINE_BREAK.test(s));

/** Values that survive a round trip through zod: strings, finite numbers, booleans. */
export const settingValue = fc.oneof(
  oneLineText,
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
);

/** Lowercase GUC-like names (optionally `extension.name`), excluding the owned ones. */
function settingName(owned: Readonly<Record<string, string>>) {
  return fc
    .stringMatching(/^[a-z][a-z0-9_]{0,24}(\.[a-z][a-z0-9_]{0,12})?$/)
    .filter((k) => !Object.hasOwn(owned, k));
}

export const userParameters = fc.dictionary(settingName(OWNED_PARAMETERS), settingValue, {
  maxKeys: 8,
  noNullPrototype: true,
});
export const poolerParameters = fc.dictionary(settingName(OWNED_POOLER_SETTINGS), settingValue, {
  maxKeys: 5,
  noNullPrototype: true,
});

/** A PostgreSQL identifier: 1..63 bytes, no NUL or newline. */
const identifier = oneLineText.filter((s) => s.length > 0 && Buffer.byteLength(s, 'utf8') <= 63);

/** Patroni timing that satisfies loopWait + 2 x retryTimeout <= ttl. */
const ha = fc
  .record({ loopWait: fc.integer({ min: 1, max: 100 }), retryTimeout: fc.integer({ min: 3, max: 100 }) })
  .chain(({ loopWait, retryTimeout }) =>
    fc.record(
      {
        loopWait: fc.constant(loopWait),
        retryTimeout: fc.constant(retryTimeout),
        ttl: fc.integer({ min: Math.max(20, loopWait + 2 * retryTimeout), max: 3600 }),
        maximumLagOnFailover: fc.integer({ min: 0, max: 2 ** 40 }),
      },
      { requiredKeys: ['loopWait', 'retryTimeout', 'ttl'] },
    ),
  );

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Any spec the parser must accept. Optional keys are sometimes absent so that defaults are exercised. */
export const validSpecInput: fc.Arbitrary<ClusterSpecInput> = fc
  .record({
    name: clusterName,
    instances: fc.option(fc.integer({ min: 1, max: MAX_LOCAL_INSTANCES }), { nil: undefined }),
  })
  .chain(({ name, instances }) => {
    const count = instances ?? 3;
    return fc
      .record(
        {
          name: fc.constant(name),
          instances: fc.constant(instances),
          postgresVersion: fc.constantFrom(...POSTGRES_VERSIONS),
          platform: fc.record({
            local: fc.record(
              { basePort: fc.integer({ min: 1024, max: MAX_BASE_PORT }) },
              { requiredKeys: [] },
            ),
          }),
          parameters: userParameters,
          pgHba: fc.array(oneLineText, { maxLength: 4 }),
          synchronous:
            count >= 2
              ? fc.record(
                  {
                    number: fc.integer({ min: 1, max: count - 1 }),
                    dataDurability: fc.constantFrom('required' as const, 'preferred' as const),
                    method: fc.constantFrom('first' as const, 'any' as const),
                  },
                  { requiredKeys: [] },
                )
              : fc.constant(undefined),
          ha,
          bootstrap: fc.record({
            initdb: fc.record(
              {
                database: identifier,
                owner: identifier,
                encoding: fc.constantFrom('UTF8', 'LATIN1', 'SQL_ASCII'),
                locale: fc.constantFrom('C', 'C.UTF-8', 'en_US.UTF-8'),
                dataChecksums: fc.boolean(),
              },
              { requiredKeys: [] },
            ),
          }),
          pooler: fc.record(
            {
              enabled: fc.boolean(),
              poolMode: fc.constantFrom('session' as const, 'transaction' as const, 'statement' as const),
              maxClientConn: fc.integer({ min: 1, max: 100_000 }),
              defaultPoolSize: fc.integer({ min: 1, max: 10_000 }),
              parameters: poolerParameters,
            },
            { requiredKeys: [] },
          ),
          primary: fc.integer({ min: 1, max: count }).map((slot) => memberName(name, slot)),
        },
        { requiredKeys: ['name', 'instances'] },
      )
      .map(withoutUndefined);
  });

/** Text with a line break or NUL somewhere: what a renderer must never pass into a config file. */
export const textWithLineBreak = fc
  .tuple(oneLineText, fc.constantFrom('\n', '\r\n', '\r', '\0', '\n\n'), oneLineText)
  .map(([before, brk, after]) => `${before}${brk}${after}`);

/**
 * A parsed spec whose user-supplied strings then had line breaks put in, bypassing the rules that
 * refuse them: the renderers must still never emit a line break (defence in depth).
 */
export const specWithLineBreaks: fc.Arbitrary<ClusterSpec> = fc
  .record({
    input: validSpecInput,
    parameter: textWithLineBreak,
    hba: textWithLineBreak,
    pooler: textWithLineBreak,
    encoding: textWithLineBreak,
    locale: textWithLineBreak,
  })
  .map(({ input, parameter, hba, pooler, encoding, locale }) => {
    const spec = parseSpec(input);
    const initdb = spec.bootstrap.initdb ?? {
      database: 'app',
      owner: 'app',
      dataChecksums: true,
      encoding,
      locale,
    };
    return {
      ...spec,
      parameters: { ...spec.parameters, log_line_prefix: parameter, application_name: parameter },
      pgHba: [...spec.pgHba, hba],
      bootstrap: { initdb: { ...initdb, encoding, locale } },
      pooler: { ...spec.pooler, parameters: { ...spec.pooler.parameters, server_reset_query: pooler } },
    };
  });

/** Every string inside a plain-data value (keys included). */
export function allStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(allStrings);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [k, ...allStrings(v)]);
  }
  return [];
}
