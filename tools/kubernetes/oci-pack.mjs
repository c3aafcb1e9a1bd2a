#!/usr/bin/env node
// Packs a root filesystem tar as a one-layer OCI image layout tar that `ctr images import` takes:
//   node oci-pack.mjs --rootfs rootfs.tar --name REF --out image.tar [--config config.json]
// config.json holds the image config's `config` object (Env, Cmd, Entrypoint, User, WorkingDir,
// ExposedPorts). The layer is the tar itself, uncompressed (the image never leaves this machine).
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import {
  createReadStream,
  linkSync,
  mkdtempSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    rootfs: { type: 'string' },
    name: { type: 'string' },
    out: { type: 'string' },
    config: { type: 'string' },
  },
});
for (const key of ['rootfs', 'name', 'out']) {
  if (!values[key]) {
    console.error(`oci-pack: --${key} is required`);
    process.exit(2);
  }
}

const sha256File = (path) =>
  new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (d) => hash.update(d))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });

const work = mkdtempSync(join(dirname(values.out), '.oci-'));
try {
  const blobs = join(work, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const blob = (text) => {
    const digest = createHash('sha256').update(text).digest('hex');
    writeFileSync(join(blobs, digest), text);
    return { digest: `sha256:${digest}`, size: Buffer.byteLength(text) };
  };
  const layerDigest = await sha256File(values.rootfs);
  // A hard link when the tar is on the same file system, so a 500 MB layer is not copied.
  try {
    linkSync(values.rootfs, join(blobs, layerDigest));
  } catch {
    execFileSync('cp', [values.rootfs, join(blobs, layerDigest)]);
  }
  const layerSize = Number(execFileSync('stat', ['-c', '%s', values.rootfs], { encoding: 'utf8' }).trim());
  const imageConfig = {
    architecture: 'amd64',
    os: 'linux',
    config: values.config ? JSON.parse(readFileSync(values.config, 'utf8')) : {},
    rootfs: { type: 'layers', diff_ids: [`sha256:${layerDigest}`] },
    history: [{ created_by: 'pgcluster tools/kubernetes/oci-pack.mjs' }],
  };
  const config = blob(JSON.stringify(imageConfig));
  const manifest = blob(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [
        {
          mediaType: 'application/vnd.oci.image.layer.v1.tar',
          digest: `sha256:${layerDigest}`,
          size: layerSize,
        },
      ],
    }),
  );
  writeFileSync(join(work, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(work, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifest,
          annotations: {
            'io.containerd.image.name': values.name,
            'org.opencontainers.image.ref.name': values.name.split(':').pop(),
          },
        },
      ],
    }),
  );
  execFileSync('tar', ['-cf', values.out, '-C', work, 'oci-layout', 'index.json', 'blobs']);
  console.log(`${values.name}: ${values.out} (layer sha256:${layerDigest.slice(0, 12)}, ${layerSize} bytes)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
