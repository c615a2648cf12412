// Names of PCI classes and vendors, as lspci and lshw print them (pci.ids, the PCI ID Repository):
// a BMC reports numbers (class code, vendor id), and in-band tools show their names.

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

// PCI vendor names by vendor id, as the PCI ID Repository (pci.ids) spells them and in-band tools
// (lspci, LXD and so MAAS) show them: the vendors of server PCI devices. An id not listed has no name.
const VENDORS: Readonly<Record<string, string>> = {
  '1000': 'Broadcom / LSI',
  '1002': 'Advanced Micro Devices, Inc. [AMD/ATI]',
  '101e': 'American Megatrends Inc.',
  '1022': 'Advanced Micro Devices, Inc. [AMD]',
  '1028': 'Dell',
  '102b': 'Matrox Electronics Systems Ltd.',
  '103c': 'Hewlett-Packard Company',
  '1077': 'QLogic Corp.',
  '10de': 'NVIDIA Corporation',
  '10df': 'Emulex Corporation',
  '10ec': 'Realtek Semiconductor Co., Ltd.',
  '1137': 'Cisco Systems Inc',
  '1179': 'Toshiba Corporation',
  '1344': 'Micron Technology Inc',
  '1425': 'Chelsio Communications Inc',
  '144d': 'Samsung Electronics Co Ltd',
  '14e4': 'Broadcom Inc. and subsidiaries',
  '1590': 'Hewlett Packard Enterprise',
  '15ad': 'VMware',
  '15b3': 'Mellanox Technologies',
  '15d9': 'Super Micro Computer',
  '177d': 'Cavium, Inc.',
  '17aa': 'Lenovo',
  '1924': 'Solarflare Communications',
  '19e5': 'Huawei Technologies Co., Ltd.',
  '1a03': 'ASPEED Technology, Inc.',
  '1af4': 'Red Hat, Inc.',
  '1b4b': 'Marvell Technology Group Ltd.',
  '1bb1': 'Seagate Technology PLC',
  '1c5c': 'SK hynix',
  '1d6a': 'Aquantia Corp.',
  '1def': 'Ampere Computing, LLC',
  '1e0f': 'KIOXIA Corporation',
  '8086': 'Intel Corporation',
  '9005': 'Adaptec',
};

/** The registry name of a PCI vendor id (4 hex digits, any case), when it is one of the listed. */
export function pciVendorName(vendorId: string | undefined): string | undefined {
  return vendorId === undefined ? undefined : VENDORS[vendorId.toLowerCase()];
}
