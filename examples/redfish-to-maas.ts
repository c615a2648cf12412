// Read one BMC over Redfish and put its machine into MAAS as Deployed, with its hardware — the
// machine is never rebooted. Run it again at any time: it finds the machine and updates it.
//
//   MAAS_URL=http://maas.example:5240/MAAS MAAS_API_KEY=$(cat maas.key) BMC_PASSWORD=… \
//     node redfish-to-maas.ts 10.20.0.11 root
//
// BMC_TLS=insecure skips certificate checks (lab BMCs with self-signed certificates).
import { enableCompileCache } from 'node:module';

// Node then keeps what it compiles, so from the second run on the package's code (TypeScript, from
// a checkout) is neither type-stripped nor compiled again: it must be on before the package loads.
enableCompileCache();
const { crawl, maasArchitecture, MaasTarget, MachineStateError, sourceFromCrawl, toCommissioningResults, toInventories, withRedfishClient } = await import('redfish-enlist');

const [address, username] = process.argv.slice(2);
const { MAAS_URL: url, MAAS_API_KEY: apiKey, BMC_PASSWORD: password, BMC_TLS: tls = 'verify' } = process.env;
if (!address || !username || !url || !apiKey || !password) {
  console.error('usage: MAAS_URL=… MAAS_API_KEY=… BMC_PASSWORD=… node redfish-to-maas.ts <bmc-address> <bmc-user>');
  process.exit(2);
}

// 1. Read the BMC: the crawl follows links from the service root and always logs out.
const raw = await withRedfishClient({ address, username, password, tls: { mode: tls === 'insecure' ? 'insecure' : 'verify' } }, {}, {}, (client) => crawl(client));
const [inventory] = toInventories(sourceFromCrawl(raw), raw.systems);
if (!inventory) throw new Error(`${address} reports no ComputerSystem`);
const macs = inventory.nics.flatMap((nic) => nic.ports.map((port) => port.mac));
const threads = inventory.cpus.reduce((sum, cpu) => sum + cpu.threads, 0);
console.log(`read ${address}: ${inventory.identity.manufacturer ?? ''} ${inventory.identity.model ?? ''}, serial ${inventory.identity.serial ?? '?'}, ` +
  `${threads} threads, ${inventory.memory.totalMiB / 1024} GiB, ${inventory.drives.length} disks, ${macs.length} MACs`);

// 2. Find the machine in MAAS (by UUID, then MAC, then BMC address), or create it as Deployed.
const maas = new MaasTarget({ url, apiKey });
await maas.prepare();
let machine = await maas.findMachine({ ...(inventory.identity.uuid ? { uuid: inventory.identity.uuid } : {}), macs, bmcAddress: address, nodeId: inventory.systemId });
if (machine) {
  console.log(`found ${machine.hostname} (${machine.systemId}), ${machine.statusName}`);
} else {
  machine = await maas.createDeployed({
    hostname: (inventory.identity.hostName ?? `machine-${inventory.identity.serial ?? inventory.systemId}`).split('.')[0]!.toLowerCase(),
    architecture: maasArchitecture(inventory.architecture ?? 'x86_64'),
    macs,
    power: { address, user: username, password, nodeId: inventory.systemId },
  });
  console.log(`created ${machine.hostname} (${machine.systemId}) as ${machine.statusName}`);
}

// 3. Push the hardware, as MAAS's own hardware sync does (signed with the machine's token): a
//    result for each script of the machine's commissioning set, so that release gives Ready.
//    MAAS takes hardware only from a Deployed machine: one released since is left alone.
try {
  await maas.pushHardware(machine, toCommissioningResults(inventory));
  console.log(`pushed hardware information for ${machine.hostname}`);
} catch (error) {
  if (!(error instanceof MachineStateError)) throw error;
  console.log(error.message);
} finally {
  await maas.close();
}
