/** Databases and their contents (schemas, extensions), desired and observed. Plain data. */

export type ReclaimPolicy = 'retain' | 'delete';

export interface DesiredSchema {
  name: string;
  /** Absent: not managed (a new schema is owned by the connecting role). */
  owner?: string;
}

export interface DesiredExtension {
  name: string;
  /** Absent: the default version at creation, never updated. */
  version?: string;
  /** Absent: the default schema at creation, never moved. */
  schema?: string;
}

export interface DesiredDatabase {
  name: string;
  ensure: 'present' | 'absent';
  reclaimPolicy: ReclaimPolicy;
  /** It left the spec (pgcluster managed it before): dropped with `delete`, otherwise retained. */
  departed?: boolean;
  /** Absent: not managed. */
  owner?: string;
  /** Creation-only settings; absent: the template's, not compared. */
  encoding?: string;
  lcCollate?: string;
  lcCtype?: string;
  template?: string;
  connectionLimit: number;
  allowConnections: boolean;
  schemas: DesiredSchema[];
  extensions: DesiredExtension[];
}

export interface ObservedDatabase {
  name: string;
  owner: string;
  encoding: string;
  lcCollate: string;
  lcCtype: string;
  connectionLimit: number;
  allowConnections: boolean;
}

export interface ObservedContents {
  /** Owner by schema name, for the schemas asked about that exist. */
  schemas: Map<string, string>;
  extensions: Map<string, { version: string; schema: string }>;
}

export interface DatabaseChanges {
  owner?: string;
  connectionLimit?: number;
  allowConnections?: boolean;
}

/** A creation-only setting that differs: reported as an error, never "fixed" by recreating. */
export interface DatabaseConflict {
  database: string;
  field: 'encoding' | 'lcCollate' | 'lcCtype';
  want: string;
  have: string;
}

export interface DatabasePlan {
  create: DesiredDatabase[];
  alter: Array<{ database: string; changes: DatabaseChanges }>;
  conflicts: DatabaseConflict[];
  /** Left the spec with reclaimPolicy retain: kept with its data, no longer managed. */
  retain: string[];
  drop: string[];
}

export interface ContentsPlan {
  database: string;
  createSchema: DesiredSchema[];
  alterSchemaOwner: Array<{ schema: string; owner: string }>;
  createExtension: DesiredExtension[];
  updateExtension: Array<{ extension: string; version: string }>;
  moveExtension: Array<{ extension: string; schema: string }>;
}
