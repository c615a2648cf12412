// Shared Redfish vocabulary (DMTF Resource schema, v1.0+): links, status, locations.
// Wire types list only what this project reads, keys exactly as sent, everything optional: a BMC
// may omit anything, and readers in src/inventory/read.ts never trust a declared type.

/** A link as sent: `{"@odata.id": "/redfish/v1/…"}`. Kept as a string until something fetches it. */
export interface ODataId {
  readonly '@odata.id'?: string;
}

/** A string enum from a schema; any other string is data, not an error. */
export type OpenEnum<T extends string> = T | (string & {});

/** Resource.Status. */
export interface Status {
  readonly State?: OpenEnum<'Enabled' | 'Disabled' | 'StandbyOffline' | 'StandbySpare' | 'InTest' | 'Starting' | 'Absent' | 'UnavailableOffline'>;
  readonly Health?: OpenEnum<'OK' | 'Warning' | 'Critical'>;
}

/** Properties every resource may carry. */
export interface ResourceBase extends ODataId {
  readonly '@odata.type'?: string;
  readonly Id?: string;
  readonly Name?: string;
  readonly Description?: string;
  readonly Status?: Status;
  readonly Oem?: Readonly<Record<string, unknown>>;
}

/** A resource collection. `Members` is null on some AMI firmware. */
export interface Collection extends ResourceBase {
  readonly Members?: readonly ODataId[] | null;
  readonly 'Members@odata.count'?: number;
  readonly 'Members@odata.nextLink'?: string;
}

/** Resource.Identifier (NAA, EUI, UUID, iQN …). */
export interface Identifier {
  readonly DurableName?: string;
  readonly DurableNameFormat?: OpenEnum<'NAA' | 'EUI' | 'UUID' | 'iQN' | 'FC_WWN' | 'NGUID' | 'MACAddress' | 'NQN'>;
}

/** Resource.Location, as much of it as the normalisers read. */
export interface Location {
  readonly PartLocation?: {
    readonly ServiceLabel?: string;
    readonly LocationOrdinalValue?: number;
    readonly LocationType?: string;
  };
}
