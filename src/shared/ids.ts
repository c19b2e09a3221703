const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** IDs are UUIDs; anything else cannot name an object, so callers answer NOT_FOUND. */
export const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID_RE.test(v);
