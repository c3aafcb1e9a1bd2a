/** The image of each postgresVersion on the kubernetes platform, and the refusal of one without an image. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSpec } from '../../spec/parse';
import { SpecError } from '../../spec/errors';
import { IMAGE_PATRONI_VERSION, IMAGES, kubernetesImage } from '../../spec/kubernetes';

const ROOT = join(__dirname, '..', '..', '..');

const kubernetes = (extra: Record<string, unknown> = {}) =>
  parseSpec({ name: 'orders', platform: { kubernetes: { namespace: 'db', ...extra } } });

describe('kubernetes image per postgresVersion', () => {
  test('GIVEN images/releases.txt WHEN read THEN IMAGES has exactly its majors', () => {
    const majors = readFileSync(join(ROOT, 'images', 'releases.txt'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'))
      .map((l) => Number(l.trim().split(/\s+/)[1]));
    assert.deepEqual(Object.keys(IMAGES).map(Number).sort(), majors.sort());
  });

  test('GIVEN the Patroni lock WHEN read THEN the image names carry its version', () => {
    const lock = readFileSync(join(ROOT, 'tools', 'patroni', 'requirements.txt'), 'utf8');
    assert.equal(/^patroni==(\S+)/m.exec(lock)?.[1], IMAGE_PATRONI_VERSION);
  });

  test('GIVEN postgresVersion 15 or 17 and no image WHEN resolved THEN the image of that major', () => {
    const spec = kubernetes();
    assert.equal(
      kubernetesImage(15, spec.platform.kubernetes!),
      'ghcr.io/pgcluster/postgres:15-patroni4.1.5',
    );
    assert.equal(
      kubernetesImage(17, spec.platform.kubernetes!),
      'ghcr.io/pgcluster/postgres:17-patroni4.1.5',
    );
  });

  test('GIVEN postgresVersion 16 and no image WHEN resolved THEN a SpecError names the field, the value and the majors with an image', () => {
    const spec = kubernetes();
    assert.throws(
      () => kubernetesImage(16, spec.platform.kubernetes!),
      (e: unknown) =>
        e instanceof SpecError &&
        e.issues[0]?.path === 'postgresVersion' &&
        /16 has no image/.test(e.issues[0].message) &&
        /choose one of 15, 17/.test(e.issues[0].message) &&
        /platform\.kubernetes\.image/.test(e.issues[0].message),
    );
  });

  test('GIVEN postgresVersion 16 and an image of its own WHEN resolved THEN that image', () => {
    const spec = kubernetes({ image: 'registry.example/pg:16' });
    assert.equal(kubernetesImage(16, spec.platform.kubernetes!), 'registry.example/pg:16');
  });
});
