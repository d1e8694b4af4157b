/**
 * A child-process controller for persistence tests: the StateStore on a file database and the
 * EC2 handler on 127.0.0.1, as the real controller composes them. Usage:
 *   node --import tsx test/helpers/ec2-server-process.ts <state.db>
 * Prints `listening <port>` on stdout once serving; runs until killed.
 */
import { startEc2Server } from "./ec2-server.js";

const path = process.argv[2];
if (path === undefined) {
  process.stderr.write("usage: ec2-server-process.ts <state.db>\n");
  process.exit(2);
}
const server = await startEc2Server({
  statePath: path,
  store: { quotas: { groupsPerRegion: 100_000 } },
});
process.stdout.write(`listening ${server.port}\n`);
