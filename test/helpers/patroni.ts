/** The Patroni the local platform runs (the pinned 4.x venv of tools/patroni/install.sh), for tests that run it directly. */
import { findLocalBinaries } from '../../provider/platform/local/binaries';

export function patroniBinary(): string {
  return findLocalBinaries(15).patroni;
}
