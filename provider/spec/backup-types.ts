/** The kinds of pgBackRest backup. Its own module (no zod) so the CLI can offer them without loading the schemas. */
export const BACKUP_TYPES = ['full', 'diff', 'incr'] as const;
export type BackupType = (typeof BACKUP_TYPES)[number];
