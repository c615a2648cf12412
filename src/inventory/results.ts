// HardwareInventory → the output of each of MAAS's builtin commissioning scripts that a BMC can
// stand in for. MAAS gives a machine created Deployed a commissioning script set (3.4: the six
// scripts below, those tagged `deploy-info`) and releases it to Ready only when every script of
// the set has passed (Node._finalize_release), so a push reports all of them. Which scripts a
// machine's set holds is MAAS's to say (the MAAS target asks); this says what each one prints.
import { toCommissioningData, type CommissioningData, type Producer } from './commissioning.ts';
import { toLshw } from './lshw.ts';
import type { HardwareInventory } from './model.ts';
import { toModaliases } from './modaliases.ts';
import { toSupportInfo } from './support-info.ts';

/** The script whose output MAAS parses into hardware information (process_lxd_results). */
export const COMMISSIONING_SCRIPT = '50-maas-01-commissioning';
/** The script that runs machine-resources in-band: its output is the same resources document. */
export const MACHINE_RESOURCES_SCRIPT = '20-maas-03-machine-resources';
/** `lshw -xml`: MAAS's hardware details, which tag definitions (XPath) are evaluated against. */
export const LSHW_SCRIPT = 'maas-lshw';
/** The kernel's modaliases: MAAS matches driver and hardware-specific script globs against them. */
export const MODALIASES_SCRIPT = 'maas-list-modaliases';
/** The host's serial devices under /sys/class/tty: not known out-of-band, so the output is empty. */
export const SERIAL_PORTS_SCRIPT = 'maas-serial-ports';
/** A text for people about the machine. */
export const SUPPORT_INFO_SCRIPT = 'maas-support-info';

/** What a push reports: the commissioning document, and every script's output by MAAS script name. */
export interface CommissioningResults {
  /** `50-maas-01-commissioning`'s document, which MAAS parses. */
  readonly document: CommissioningData;
  /** Each script's standard output, by name (`document` as JSON among them). */
  readonly outputs: Readonly<Record<string, string>>;
}

/** The outputs of every script this project can stand in for. Pure: the same inventory, the same bytes. */
export function toCommissioningResults(inventory: HardwareInventory, producer?: Producer): CommissioningResults {
  const document = toCommissioningData(inventory, producer);
  return resultsOf(document, {
    [LSHW_SCRIPT]: toLshw(inventory),
    [MODALIASES_SCRIPT]: toModaliases(inventory),
    [SERIAL_PORTS_SCRIPT]: '',
    [SUPPORT_INFO_SCRIPT]: toSupportInfo(inventory, `${producer?.name ?? 'redfish-enlist'} ${producer?.version ?? ''}`.trim()),
  });
}

/**
 * Results with DOCUMENT as both commissioning outputs and OTHERS beside it. A document alone
 * (`resultsOf(document)`) reports only those two scripts: MAAS's set then stays incomplete.
 */
export function resultsOf(document: CommissioningData, others: Readonly<Record<string, string>> = {}): CommissioningResults {
  const json = JSON.stringify(document);
  return { document, outputs: { [MACHINE_RESOURCES_SCRIPT]: json, [COMMISSIONING_SCRIPT]: json, ...others } };
}
