/**
 * Serves one Pulumi Node.js program to the engine, in this process, over the language-runtime
 * protocol: `pulumi up|preview|refresh|destroy --client <address>` then runs the program here.
 * It is @pulumi/pulumi's own in-process host, the one the Automation API uses for inline programs
 * (`automation/server` LanguageServer), and it stands in for the `pulumi-language-nodejs` binary,
 * whose Go module the module proxy does not serve here (see tools/pulumi/README.md).
 *
 * Usage: node --import tsx tools/pulumi/program-host.mjs <project dir>
 * Loads the project's `main` (package.json) with the project's own @pulumi/pulumi, prints the
 * address on stdout, and serves until stdin closes or SIGTERM. One host per engine command: the
 * program module runs once per process.
 */
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const project = resolve(process.argv[2] ?? '.');
const load = createRequire(join(project, 'package.json'));
const sdk = createRequire(load.resolve('@pulumi/pulumi/package.json'));
const grpc = sdk('@grpc/grpc-js');
const { LanguageServer } = load('@pulumi/pulumi/automation/server');
const { LanguageRuntimeService } = load('@pulumi/pulumi/proto/language_grpc_pb');

/** The program's exports become the stack outputs; a default-exported function is called. */
async function program() {
  const exported = load(project);
  return typeof exported.default === 'function' ? await exported.default() : exported;
}

const server = new grpc.Server();
server.addService(LanguageRuntimeService, new LanguageServer(program));
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) {
    console.error(`program-host: ${err.message}`);
    process.exit(1);
  }
  console.log(`127.0.0.1:${port}`);
});

const stop = () => {
  server.forceShutdown();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
