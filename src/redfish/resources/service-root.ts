// ServiceRoot (DMTF ServiceRoot v1.0+; Vendor and Product from v1.5, seen in fixtures up to v1.17).
import type { ODataId, ResourceBase } from './common.ts';

/** The service root at /redfish/v1/. */
export interface ServiceRoot extends ResourceBase {
  readonly RedfishVersion?: string;
  readonly UUID?: string;
  /** v1.5+; e.g. "Dell", "HPE", "Lenovo", "Supermicro", "AMI". */
  readonly Vendor?: string;
  /** v1.5+; the product line, e.g. "Integrated Dell Remote Access Controller". */
  readonly Product?: string;
  readonly ProtocolFeaturesSupported?: {
    readonly ExpandQuery?: {
      readonly ExpandAll?: boolean;
      readonly Levels?: boolean;
      readonly MaxLevels?: number;
      readonly Links?: boolean;
      readonly NoLinks?: boolean;
    };
  };
  readonly Systems?: ODataId;
  readonly Chassis?: ODataId;
  readonly Managers?: ODataId;
  readonly UpdateService?: ODataId;
  readonly SessionService?: ODataId;
  readonly Links?: { readonly Sessions?: ODataId };
}
