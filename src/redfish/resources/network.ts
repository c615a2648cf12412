// EthernetInterface (v1.0+), NetworkAdapter (v1.0+), Port (v1.1+; NetworkPort before it) and
// NetworkDeviceFunction (v1.0+).
import type { ODataId, OpenEnum, ResourceBase } from './common.ts';

/** An IPv4 address entry. */
export interface IPv4Address {
  readonly Address?: string;
  readonly SubnetMask?: string;
  readonly AddressOrigin?: string;
}

/** An IPv6 address entry. */
export interface IPv6Address {
  readonly Address?: string;
  readonly PrefixLength?: number;
  readonly AddressOrigin?: string;
}

/** A host (or BMC) network interface. */
export interface EthernetInterface extends ResourceBase {
  readonly MACAddress?: string;
  readonly PermanentMACAddress?: string;
  readonly SpeedMbps?: number;
  readonly LinkStatus?: OpenEnum<'LinkUp' | 'NoLink' | 'LinkDown'>;
  readonly InterfaceEnabled?: boolean;
  readonly MTUSize?: number;
  readonly HostName?: string;
  readonly IPv4Addresses?: readonly IPv4Address[];
  readonly IPv6Addresses?: readonly IPv6Address[];
  readonly Links?: { readonly NetworkDeviceFunction?: ODataId; readonly PCIeFunction?: ODataId };
}

/** A network adapter in a chassis. */
export interface NetworkAdapter extends ResourceBase {
  readonly Manufacturer?: string;
  readonly Model?: string;
  readonly SerialNumber?: string;
  readonly PartNumber?: string;
  readonly Ports?: ODataId;
  /** NetworkPort collection, deprecated in NetworkAdapter v1.5. */
  readonly NetworkPorts?: ODataId;
  readonly NetworkDeviceFunctions?: ODataId;
  readonly Controllers?: readonly {
    readonly FirmwarePackageVersion?: string;
    readonly Links?: { readonly PCIeDevices?: readonly ODataId[] };
  }[];
}

/** A physical port (Port, or the older NetworkPort). */
export interface Port extends ResourceBase {
  readonly PortId?: string;
  readonly PhysicalPortNumber?: string;
  readonly LinkStatus?: OpenEnum<'Up' | 'Down' | 'Starting' | 'Training' | 'LinkUp' | 'NoLink'>;
  readonly CurrentSpeedGbps?: number;
  readonly MaxSpeedGbps?: number;
  readonly Ethernet?: { readonly AssociatedMACAddresses?: readonly string[] };
  /** NetworkPort (older). */
  readonly AssociatedNetworkAddresses?: readonly string[];
  readonly CurrentLinkSpeedMbps?: number;
}

/** A network device function (a PCIe function of an adapter, with its MAC). */
export interface NetworkDeviceFunction extends ResourceBase {
  readonly NetDevFuncType?: string;
  readonly Ethernet?: { readonly MACAddress?: string; readonly PermanentMACAddress?: string; readonly MTUSize?: number };
  readonly Links?: {
    readonly PhysicalPortAssignment?: ODataId;
    readonly PhysicalNetworkPortAssignment?: ODataId;
    readonly EthernetInterface?: ODataId;
    readonly PCIeFunction?: ODataId;
  };
  readonly AssignablePhysicalPorts?: readonly ODataId[];
}
