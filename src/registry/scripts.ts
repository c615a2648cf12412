// The registry's answer to `GET /MAAS/metadata/<version>/maas-scripts`: as MAAS, a tar whose
// index.json lists the machine's commissioning scripts, so a client asks both the same way which
// results to report. The registry parses one result, the commissioning document, and keeps lshw's
// for `op=details`, so its set is those two scripts; a machine with hardware from it is released
// to Ready.
import { COMMISSIONING_SCRIPT, LSHW_SCRIPT } from '../inventory/results.ts';

/** The registry's commissioning script set: the script whose output it parses, and lshw's, which it keeps. */
export const REGISTRY_SCRIPTS: readonly string[] = [COMMISSIONING_SCRIPT, LSHW_SCRIPT];

/** The tar MAAS's script runner reads for a machine (index.json only: the registry runs nothing). */
export function scriptsArchive(mtime: Date): Buffer {
  const index = {
    '1.0': {
      commissioning_scripts: REGISTRY_SCRIPTS.map((name) => ({ name, path: `commissioning/${name}`, default: true, tags: ['deploy-info', 'node'] })),
    },
  };
  const content = Buffer.from(JSON.stringify(index), 'utf8');
  // A ustar archive: one header block, the content padded to a block, and two empty blocks.
  const header = Buffer.alloc(512);
  header.write('index.json', 0, 'utf8');
  header.write('0000644\0', 100, 'ascii');
  header.write('0000000\0', 108, 'ascii');
  header.write('0000000\0', 116, 'ascii');
  header.write(`${content.length.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
  header.write(`${Math.floor(mtime.getTime() / 1000).toString(8).padStart(11, '0')}\0`, 136, 'ascii');
  header.write('        ', 148, 'ascii');
  header.write('0', 156, 'ascii');
  header.write('ustar\u000000', 257, 'ascii');
  const sum = header.reduce((total, byte) => total + byte, 0);
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, padding, Buffer.alloc(1024)]);
}
