// Manager (DMTF Manager v1.0+): the BMC itself.
import type { ODataId, ResourceBase } from './common.ts';

/** A manager; `ManagerType` "BMC" is the one that answers us. */
export interface Manager extends ResourceBase {
  readonly ManagerType?: string;
  readonly Manufacturer?: string;
  readonly Model?: string;
  readonly FirmwareVersion?: string;
  readonly UUID?: string;
  readonly EthernetInterfaces?: ODataId;
  readonly Links?: { readonly ManagerForServers?: readonly ODataId[] };
}
