// Vendor handling as data: the profile is chosen from service-root evidence (Oem keys, Vendor,
// Product) and the manager's model, never from resource ids. Most vendor shapes are absorbed by
// the generic normalisers (merge by MAC, link following); only what cannot be inferred lives here.
import { at, isResource } from '../redfish/navigate.ts';
import { str } from './read.ts';

/** What differs per vendor. */
export interface VendorProfile {
  readonly name: string;
  /** Dell iDRAC: the service tag is ComputerSystem.SKU; SerialNumber is the board's. */
  readonly serviceTagFromSku: boolean;
  /** MACs that are never host ports (OpenBMC's fixed BMC MAC). */
  readonly bmcOnlyMacs: readonly string[];
  /** HPE iLO 5+: GPUs and adapters are listed in Chassis Oem.Hpe.Links.Devices. */
  readonly oemDeviceList: boolean;
  /**
   * The maker's name as in-band DMI gives it, for BMCs that only the server's maker ships (not
   * OpenBMC or AMI, whose firmware runs on many makers' boards): the system's vendor when the BMC
   * leaves Manufacturer blank.
   */
  readonly manufacturer?: string;
  /** What the profile was chosen from, in words ("the service root's Oem.Dell"). */
  readonly evidence?: string;
}

interface VendorRule {
  readonly profile: VendorProfile;
  readonly oemKeys?: readonly string[];
  readonly vendor?: RegExp;
  readonly product?: RegExp;
  readonly managerModel?: RegExp;
}

const plain = { serviceTagFromSku: false, bmcOnlyMacs: [], oemDeviceList: false } as const;

// OpenBMC (and switches running it) share this hard-coded BMC MAC; MAAS itself ignores it.
const OPENBMC_MAC = '02:00:00:00:00:02';

/** The rules, first match wins. */
const RULES: readonly VendorRule[] = [
  { profile: { ...plain, name: 'dell', serviceTagFromSku: true, manufacturer: 'Dell Inc.' }, oemKeys: ['Dell'], vendor: /^dell/i, product: /dell|idrac/i, managerModel: /idrac|\b\d{2}G (monolithic|modular)\b/i },
  { profile: { ...plain, name: 'hpe', oemDeviceList: true, manufacturer: 'HPE' }, oemKeys: ['Hpe', 'Hp'], vendor: /^hpe?\b/i, product: /proliant|ilo|hp restful/i, managerModel: /\bilo\b/i },
  { profile: { ...plain, name: 'lenovo', manufacturer: 'Lenovo' }, oemKeys: ['Lenovo'], vendor: /^lenovo/i, product: /thinksystem|xclarity|xcc/i, managerModel: /xclarity|\bxcc\b|\bimm2?\b/i },
  { profile: { ...plain, name: 'supermicro', manufacturer: 'Supermicro' }, oemKeys: ['Supermicro'], vendor: /^supermicro/i },
  { profile: { ...plain, name: 'openbmc', bmcOnlyMacs: [OPENBMC_MAC] }, oemKeys: ['OpenBMC'], vendor: /openbmc/i, managerModel: /openbmc/i },
  { profile: { ...plain, name: 'ami' }, oemKeys: ['Ami', 'AMI'], vendor: /^ami\b|american megatrends/i, product: /megarac|ami redfish/i },
  { profile: { ...plain, name: 'huawei', manufacturer: 'Huawei' }, oemKeys: ['Huawei', 'xFusion'], vendor: /huawei|xfusion/i, product: /ibmc|fusionserver/i },
  { profile: { ...plain, name: 'fujitsu', manufacturer: 'FUJITSU' }, oemKeys: ['ts_fujitsu'], vendor: /fujitsu/i, product: /irmc/i },
  // Cisco CIMC sends no Oem key at the root: its product or the manager's model says it.
  { profile: { ...plain, name: 'cisco', manufacturer: 'Cisco Systems Inc' }, vendor: /cisco/i, product: /^ucs|\bucs|cisco|cimc/i, managerModel: /^ucs|\bucs|cimc|cisco/i },
];

/** The profile used when no rule matches. */
export const GENERIC_PROFILE: VendorProfile = { ...plain, name: 'generic' };

/** Chooses the vendor profile from the service root and, when needed, the manager. */
export function detectVendor(root: unknown, manager?: unknown): VendorProfile {
  const oem = at(root, ['Oem']);
  const oemKeys = isResource(oem) ? Object.keys(oem) : [];
  const vendor = str(at(root, ['Vendor'])) ?? '';
  const product = str(at(root, ['Product'])) ?? '';
  const managerModel = `${str(at(manager, ['Model'])) ?? ''} ${str(at(manager, ['Manufacturer'])) ?? ''}`.trim();
  const found = (evidence: string, rule: VendorRule | undefined) => (rule ? { ...rule.profile, evidence } : undefined);
  const oemRule = RULES.find((candidate) => candidate.oemKeys?.some((key) => oemKeys.includes(key)));
  return (
    found(`the service root's Oem.${oemRule?.oemKeys?.find((key) => oemKeys.includes(key))}`, oemRule) ??
    found(`the service root's Vendor "${vendor}"`, RULES.find((candidate) => candidate.vendor?.test(vendor))) ??
    found(`the service root's Product "${product}"`, RULES.find((candidate) => product !== '' && candidate.product?.test(product))) ??
    found(`the manager's "${managerModel}"`, RULES.find((candidate) => managerModel !== '' && candidate.managerModel?.test(managerModel))) ??
    GENERIC_PROFILE
  );
}
