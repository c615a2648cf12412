// Refuses a Node.js older than the package needs in one line, not a stack trace: run first by the
// CLI (bin/redfish-enlist.js) and by `npm test`. Plain JavaScript, so any Node can run it.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 20)) {
  process.stderr.write(`redfish-enlist needs Node.js 22.20 or later (24 LTS recommended); this is ${process.version}. See the README, "Install".\n`);
  process.exit(1);
}
