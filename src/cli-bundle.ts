// Entry of the bundled command line (dist/cli.bundle.js, loaded by dist/cli.js): runs it.
import { runCli } from './cli';

runCli();
