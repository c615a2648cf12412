// Names of PCI classes, as lspci and lshw print them (pci.ids, the PCI ID Repository): the class
// code a BMC reports is a number, and what in-band tools show is its name.

interface PciClass {
  /** lspci's name of the class (pci.ids subclass name). */
  readonly name: string;
  /** lshw's node class for it. */
  readonly lshw: 'storage' | 'network' | 'display' | 'bridge' | 'bus' | 'processor' | 'generic';
}

// By 4-digit class+subclass first, then by the 2-digit base class.
const CLASSES: Readonly<Record<string, PciClass>> = {
  '0100': { name: 'SCSI storage controller', lshw: 'storage' },
  '0101': { name: 'IDE interface', lshw: 'storage' },
  '0104': { name: 'RAID bus controller', lshw: 'storage' },
  '0106': { name: 'SATA controller', lshw: 'storage' },
  '0107': { name: 'Serial Attached SCSI controller', lshw: 'storage' },
  '0108': { name: 'Non-Volatile memory controller', lshw: 'storage' },
  '01': { name: 'Mass storage controller', lshw: 'storage' },
  '0200': { name: 'Ethernet controller', lshw: 'network' },
  '0207': { name: 'Infiniband controller', lshw: 'network' },
  '02': { name: 'Network controller', lshw: 'network' },
  '0300': { name: 'VGA compatible controller', lshw: 'display' },
  '0302': { name: '3D controller', lshw: 'display' },
  '03': { name: 'Display controller', lshw: 'display' },
  '0604': { name: 'PCI bridge', lshw: 'bridge' },
  '06': { name: 'Bridge', lshw: 'bridge' },
  '0c03': { name: 'USB controller', lshw: 'bus' },
  '0c04': { name: 'Fibre Channel', lshw: 'storage' },
  '0c': { name: 'Serial bus controller', lshw: 'bus' },
  '12': { name: 'Processing accelerators', lshw: 'processor' },
};

const UNCLASSIFIED: PciClass = { name: 'Unclassified device', lshw: 'generic' };

/** The class of a 6-hex-digit PCI class code (`020000`); unclassified when unknown. */
export function pciClass(code: string | undefined): PciClass {
  const normal = (code ?? '').toLowerCase();
  return CLASSES[normal.slice(0, 4)] ?? CLASSES[normal.slice(0, 2)] ?? UNCLASSIFIED;
}
